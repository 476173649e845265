/**
 * What one content (a post's text, or a document read as text records) reveals, per organisation: watch terms hit,
 * registered identifiers found (as counts of distinct hashes per kind), records that hold them (the dump verdict),
 * masked samples and locations; and for the content as a whole: data categories, health evidence, a MinHash signature.
 * Records are analysed one at a time, so a 100 MB dump is never held in memory.
 */
import type { RecordLocation, TextRecord } from '../extract/text-record.ts';
import type { WatchTermKind } from '../store/organisations.repository.ts';
import type { Candidate, Category } from './detect/candidate.ts';
import { type DetectOptions, detect } from './detect/index.ts';
import type { IdentifierHasher } from './hasher.ts';
import { HealthClassifier } from './health.ts';
import type { IdentifierKind } from './identifiers/normalise.ts';
import { IdentifierLookup } from './lookup.ts';
import { maskIdentifier } from './mask.ts';
import { MinHasher } from './minhash.ts';
import type { Registry } from './registry.ts';
import type { CompiledTerms, RegexBudget } from './terms.ts';

export interface AnalysisSettings {
  terms: CompiledTerms;
  registry: Registry;
  hasher: IdentifierHasher;
  detect: Pick<DetectOptions, 'regions' | 'dateOrder'>;
  /** Masked samples kept per organisation; 0 keeps none. */
  samples: number;
  locations: number;
  /** Only this organisation's findings are kept (a retro-hunt for one organisation). */
  onlyOrgId?: number;
}

export type Location = Pick<RecordLocation, 'document' | 'row' | 'page' | 'sheet' | 'line'>;

export interface OrgFindings {
  orgId: number;
  terms: Map<number, { termId: number; pattern: string; kind: WatchTermKind; count: number }>;
  /** Distinct identifier hashes (hex) per registered kind. */
  identifiers: Map<IdentifierKind, Set<string>>;
  /** Distinct registered accounts found with a password. */
  credentials: Set<string>;
  recordsMatched: number;
  samples: string[];
  locations: Location[];
}

export interface AnalysisResult {
  records: number;
  categories: Map<Category, number>;
  health: ReturnType<HealthClassifier['summary']> & { isHealth: boolean };
  orgs: OrgFindings[];
  signature: Uint32Array | null;
  /** Regex terms stopped for exceeding their time budget on this content. */
  regexesStopped: number[];
}

export class ContentAnalysis {
  private readonly orgs = new Map<number, OrgFindings>();
  private readonly categories = new Map<Category, number>();
  private readonly health = new HealthClassifier();
  private readonly minhash = new MinHasher();
  private readonly budget: RegexBudget = new Map();
  private readonly lookup: IdentifierLookup;
  private pending: Array<{ location: RecordLocation; candidates: Candidate[] }> = [];
  private pendingCandidates = 0;
  private records = 0;
  private readonly detectOptions: DetectOptions;

  constructor(private readonly settings: AnalysisSettings) {
    this.lookup = new IdentifierLookup(settings.hasher, settings.registry.set);
    this.detectOptions = {
      ...settings.detect,
      wanted: settings.registry.wanted,
      patientPatterns: settings.registry.patientPatterns,
    };
  }

  private org(orgId: number): OrgFindings {
    let findings = this.orgs.get(orgId);
    if (!findings) {
      findings = {
        orgId,
        terms: new Map(),
        identifiers: new Map(),
        credentials: new Set(),
        recordsMatched: 0,
        samples: [],
        locations: [],
      };
      this.orgs.set(orgId, findings);
    }
    return findings;
  }

  private locate(findings: OrgFindings, location: RecordLocation): void {
    if (findings.locations.length >= this.settings.locations) return;
    const { document, row, page, sheet, line } = location;
    const entry: Location = { document };
    if (row !== undefined) entry.row = row;
    if (page !== undefined) entry.page = page;
    if (sheet !== undefined) entry.sheet = sheet;
    if (line !== undefined) entry.line = line;
    const last = findings.locations[findings.locations.length - 1];
    if (!last || JSON.stringify(last) !== JSON.stringify(entry)) findings.locations.push(entry);
  }

  addRecord(record: TextRecord): void {
    const { text } = record;
    const only = this.settings.onlyOrgId;
    this.records++;
    if (!text) return;
    for (const hit of this.settings.terms.scan(text, this.budget)) {
      if (only !== undefined && hit.term.orgId !== only) continue;
      const findings = this.org(hit.term.orgId);
      const entry = findings.terms.get(hit.term.id);
      if (entry) entry.count++;
      else
        findings.terms.set(hit.term.id, {
          termId: hit.term.id,
          pattern: hit.term.pattern,
          kind: hit.term.kind,
          count: 1,
        });
      this.locate(findings, record.location);
    }
    const found = detect(record, this.detectOptions);
    for (const [category, n] of found.categories)
      this.categories.set(category, (this.categories.get(category) ?? 0) + n);
    if (found.candidates.length > 0) {
      this.pending.push({ location: record.location, candidates: found.candidates });
      this.pendingCandidates += found.candidates.length;
      if (this.pendingCandidates >= 512) this.flush();
    }
    this.health.add(text);
    this.minhash.add(text);
  }

  /**
   * Looks up the candidates of the pending records in one batch (one hashing call for hundreds of records), then
   * credits the organisations that registered them.
   */
  private flush(): void {
    if (this.pending.length === 0) return;
    const only = this.settings.onlyOrgId;
    const outcomes = this.lookup.lookup(this.pending.flatMap((p) => p.candidates));
    let next = 0;
    for (const { location, candidates } of this.pending) {
      const touched = new Set<number>();
      for (const candidate of candidates) {
        const registered = outcomes[next++];
        if (!registered) continue;
        for (const hit of registered.hits) {
          if (candidate.orgId !== undefined && hit.orgId !== candidate.orgId) continue;
          if (only !== undefined && hit.orgId !== only) continue;
          const findings = this.org(hit.orgId);
          let hashes = findings.identifiers.get(hit.kind);
          if (!hashes) {
            hashes = new Set();
            findings.identifiers.set(hit.kind, hashes);
          }
          if (!hashes.has(registered.hex) && findings.samples.length < this.settings.samples) {
            findings.samples.push(maskIdentifier(candidate.kind, candidate.key));
          }
          hashes.add(registered.hex);
          if (candidate.credential) findings.credentials.add(registered.hex);
          touched.add(hit.orgId);
        }
      }
      for (const orgId of touched) {
        const findings = this.org(orgId);
        findings.recordsMatched++;
        this.locate(findings, location);
      }
    }
    this.pending = [];
    this.pendingCandidates = 0;
  }

  result(): AnalysisResult {
    this.flush();
    const isHealth = this.health.isHealth();
    const categories = new Map(this.categories);
    if (isHealth) categories.set('health', this.health.summary().terms);
    return {
      records: this.records,
      categories,
      health: { ...this.health.summary(), isHealth },
      orgs: [...this.orgs.values()],
      signature: this.minhash.signature(),
      regexesStopped: [...this.budget].filter(([, ms]) => ms > 2000).map(([termId]) => termId),
    };
  }
}
