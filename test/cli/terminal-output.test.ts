/**
 * Captured titles and file names are hostile: an ESC sequence in a post title must reach the operator's terminal as
 * inert text from the console alert channel, `leakwatch matches` and `leakwatch documents` (real processes).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleChannel, setConsoleWriter } from '../../src/alert/channels/console.channel.ts';
import type { AlertPayload } from '../../src/alert/payload.ts';
import { safeText } from '../../src/cli/output.ts';
import { matchPost } from '../../src/match/match-service.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { createDocument, createPost, testDeps } from '../match/support.ts';
import { runCli } from '../support/cli.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';

// Clears the screen, sets the window title, and a bidi override that would reverse what follows.
const HOSTILE = 'Azur Analytics \u001b[2J\u001b]0;pwned\u0007 leak \u202egnp.exe';
const CONTROL = /[\p{Cc}\p{Cf}]/u;
/** HOSTILE as every display writes it: each control, format or bidi character as its code point, still inert. */
const SHOWN = 'Azur Analytics ⟨U+001B⟩[2J⟨U+001B⟩]0;pwned⟨U+0007⟩ leak ⟨U+202E⟩gnp.exe';

describe('captured text on the terminal', () => {
  it('safeText shows control and format characters as code points and folds whitespace', () => {
    expect(safeText(HOSTILE)).toBe(SHOWN);
    expect(safeText('a\n\tb\r\nc')).toBe('a b c');
    expect(safeText('abcdef', 4)).toBe('abc…');
    expect(safeText('zero\u200Bwidth \uFEFFbom \u2066isolate\u2069')).toBe(
      'zero⟨U+200B⟩width ⟨U+FEFF⟩bom ⟨U+2066⟩isolate⟨U+2069⟩',
    );
    // Clipped before a code point rather than inside it.
    expect(safeText('abcd\u202Eefgh', 8)).toBe('abcd…');
  });

  it('the console channel prints a hostile title as inert text', async () => {
    const lines: string[] = [];
    const previous = setConsoleWriter((line) => lines.push(line));
    try {
      const alert = {
        version: 1,
        kind: 'match',
        severity: 'high',
        organisation: { id: 1, name: 'Azur\u001b[31m' },
        site: { id: 's', name: 'Site\u009b2J', group: 'Group' },
        post: { id: 1, title: HOSTILE, status: 'published', firstSeenAt: '', link: 'http://lw/posts/1' },
        documentId: null,
        documentName: null,
        terms: [],
        identifierCounts: {},
        verdict: null,
        categories: [],
        health: false,
        maskedSamples: [],
        gdpr: { clockStartedAt: '', deadline: '' },
        followUp: null,
      } satisfies AlertPayload;
      const settings = { format: 'text', samples: false, digest: true, newPosts: false } as const;
      await consoleChannel.send(alert, settings, null, {
        alertId: 1,
        parentExternalId: null,
        timeoutMs: 1000,
      });
      await consoleChannel.sendNotice(
        {
          kind: 'new_post',
          title: `New post: ${HOSTILE}`,
          description: HOSTILE,
          severity: 'low',
          colour: 0,
          fields: [{ name: 'Post', value: HOSTILE }],
          footer: '',
          data: null,
        },
        settings,
        null,
        { alertId: 2, parentExternalId: null, timeoutMs: 1000 },
      );
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).not.toMatch(CONTROL);
        expect(line).toContain(SHOWN);
      }
    } finally {
      setConsoleWriter(previous);
    }
  });

  describe('leakwatch matches and documents', () => {
    let scratch: ScratchPostgres;
    let database: Database;
    let env: Record<string, string>;

    beforeAll(async () => {
      scratch = await createScratchPostgres();
      env = {
        DATABASE_URL: scratch.url,
        LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-term-')),
        LEAKWATCH_SECRET_KEY: 't'.repeat(48),
      };
      // The schema is created by the first command.
      expect((await runCli(['documents'], { env })).code).toBe(0);
      database = await openDatabase({ url: scratch.url, dataDir: 'memory://' });
      const { db } = database;
      await createOrganisation(db, {
        slug: 'azur',
        name: 'Laboratoire Azur',
        terms: [{ kind: 'phrase', pattern: 'Azur Analytics' }],
      });
      const post = await createPost(db, { title: HOSTILE, bodyText: 'Azur Analytics: all files' });
      await createDocument(db, post.id, `clients\u001b[8m.csv`);
      await matchPost(testDeps(database).deps, post.id);
    });
    afterAll(async () => {
      await database?.close();
      await scratch?.drop();
    });

    it('matches prints the title with control characters shown as code points', async () => {
      const result = await runCli(['matches', '--org', 'azur'], { env });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`"${SHOWN}"`);
      expect(result.stdout.replace(/\n/g, '')).not.toMatch(CONTROL);
    });

    it('documents prints the file name with control characters shown as code points', async () => {
      const result = await runCli(['documents'], { env });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('clients⟨U+001B⟩[8m.csv');
      expect(result.stdout.replace(/\n/g, '')).not.toMatch(CONTROL);
    });
  });
});
