/**
 * The registry and the watch terms as the matcher sees them, kept in memory and refreshed when the database says they
 * changed: new imports are loaded incrementally; a deletion (identifiers cleared, an organisation removed) reloads
 * everything. One small query per check, so a worker can ask before every post or document.
 */

import { isNotNull } from 'drizzle-orm';
import type { Logger } from '../shared/logger.ts';
import type { Db } from '../store/db.ts';
import { importsUnderOtherKeys, registryGeneration, streamHashes } from '../store/identifiers.repository.ts';
import { organisations } from '../store/schema/index.ts';
import { loadAllWatchTerms, watchTermsGeneration } from '../store/watch-terms.repository.ts';
import { HashSet } from './hash-set.ts';
import type { IdentifierHasher } from './hasher.ts';
import type { IdentifierKind } from './identifiers/normalise.ts';
import { checkRegex } from './regex-safety.ts';
import { CompiledTerms } from './terms.ts';

export interface Registry {
  set: HashSet;
  /** Kinds someone registered: the others are not hashed at all. */
  wanted: ReadonlySet<IdentifierKind>;
  patientPatterns: ReadonlyArray<{ orgId: number; regex: RegExp }>;
  /** Organisations whose identifiers were hashed under another key (rotation without re-import). */
  otherKeyOrgs: ReadonlyArray<{ orgId: number; imports: number }>;
}

export class RegistryCache {
  private set = new HashSet();
  private loadedThrough = 0;
  private importsUpTo = 0;
  private otherKeyOrgs: Array<{ orgId: number; imports: number }> = [];

  constructor(
    private readonly db: Db,
    private readonly hasher: IdentifierHasher,
    private readonly logger?: Logger,
  ) {}

  async current(): Promise<Registry> {
    const generation = await registryGeneration(this.db, this.loadedThrough);
    const through = generation.minRunningId === null ? generation.maxImportId : generation.minRunningId - 1;
    const deleted = generation.importsUpTo !== this.importsUpTo || generation.clearedSince;
    if (deleted) {
      this.set = new HashSet(Math.max(1024, generation.imports * 16));
      await this.load(0);
    } else if (through > this.loadedThrough) await this.load(this.loadedThrough);
    if (deleted || through !== this.loadedThrough) {
      this.loadedThrough = Math.max(0, through);
      this.importsUpTo = (await registryGeneration(this.db, this.loadedThrough)).importsUpTo;
      this.otherKeyOrgs = await importsUnderOtherKeys(this.db, this.hasher.fingerprint);
      for (const org of this.otherKeyOrgs) {
        this.logger?.warn(
          { orgId: org.orgId, imports: org.imports },
          'identifiers of this organisation were hashed under another secret key and cannot match: re-import them (README, "Rotating the secret key")',
        );
      }
    }
    const rows = await this.db
      .select({ id: organisations.id, pattern: organisations.patientIdPattern })
      .from(organisations)
      .where(isNotNull(organisations.patientIdPattern));
    const patientPatterns = rows.flatMap((row) => {
      const pattern = row.pattern as string;
      return checkRegex(pattern).ok ? [{ orgId: row.id, regex: new RegExp(pattern, 'giu') }] : [];
    });
    return {
      set: this.set,
      wanted: new Set([...this.set.kindCounts.keys()]),
      patientPatterns,
      otherKeyOrgs: this.otherKeyOrgs,
    };
  }

  private async load(afterImportId: number): Promise<void> {
    const started = performance.now();
    let loaded = 0;
    for await (const groups of streamHashes(this.db, { afterImportId })) {
      for (const { orgId, kind, hashes } of groups) loaded += this.set.addMany(hashes, orgId, kind);
    }
    this.logger?.debug(
      { loaded, size: this.set.size, ms: Math.round(performance.now() - started) },
      'registry loaded',
    );
  }
}

export class TermsCache {
  private generation = '';
  private compiled = new CompiledTerms([]);

  constructor(
    private readonly db: Db,
    private readonly logger?: Logger,
  ) {}

  async current(): Promise<CompiledTerms> {
    const generation = await watchTermsGeneration(this.db);
    if (generation !== this.generation) {
      this.compiled = new CompiledTerms(await loadAllWatchTerms(this.db));
      this.generation = generation;
      for (const { term, reason } of this.compiled.refused) {
        this.logger?.warn(
          { termId: term.id, orgId: term.orgId, reason },
          'watch-term regex refused: it is not run',
        );
      }
    }
    return this.compiled;
  }
}
