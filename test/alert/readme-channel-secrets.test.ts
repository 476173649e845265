/** The README's table of channel secret files: every example is accepted by its channel, every channel type listed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNEL_TYPES, channelOfType } from '../../src/alert/channels/registry.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function secretRows(): Array<{ type: string; secret: string }> {
  const table = /<!-- channel-secrets[^>]*-->([\s\S]*?)<!-- \/channel-secrets -->/.exec(README)?.[1] ?? '';
  return table
    .split('\n')
    .map((line) => /^\| `(\w+)`[^|]*\| (.*) \|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ type: m[1] as string, secret: (m[2] as string).replace(/^`|`$/g, '') }));
}

describe('README: channel secret files', () => {
  it('documents every channel type, and each example secret is what its channel accepts', () => {
    const rows = secretRows();
    expect(new Set(rows.map((row) => row.type))).toEqual(new Set(CHANNEL_TYPES));
    for (const { type, secret } of rows) {
      const value = secret === 'no secret file' ? null : JSON.parse(secret);
      const parsed = channelOfType(type).secretSchema.safeParse(value);
      expect(parsed.success, `${type}: ${secret} — ${parsed.error?.message}`).toBe(true);
    }
  });
});
