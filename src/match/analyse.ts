/**
 * What one content (a post's text, or a document read as text records) reveals, per organisation: watch terms hit,
 * registered identifiers found (as counts of distinct hashes per kind), records that hold them (the dump verdict),
 * masked samples and locations; and for the content as a whole: data categories, health evidence, a MinHash signature.
 * Records are analysed one at a time, so a 100 MB dump is never held in memory.
 */
import type { RecordLocation, TextRecord } from '../extract/text-record.ts';
import type { WatchTermKind } from '../store/organisations.repository.ts';
import { type Candidate, type Category, CategoryCounts } from './detect/candidate.ts';
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
  /**
   * Distinct identifier hashes per registered kind, each held as its registry entry number (HashSet.findAt): a small
   * integer rather than 64 hex characters, so 15 000 customers found cost a few hundred kilobytes.
   */
  identifiers: Map<IdentifierKind, Set<number>>;
  /** Distinct registered accounts found with a password (registry entry numbers). */
  credentials: Set<number>;
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
  private readonly categories = new CategoryCounts();
  private readonly health = new HealthClassifier();
  private readonly minhash = new MinHasher();
  private readonly budget: RegexBudget = new Map();
  private readonly lookup: IdentifierLookup;
  /** Candidates of the records not looked up yet, flat; pendingEnds[r] is where record r's candidates end. */
  private readonly pending: Candidate[] = [];
  private readonly pendingEnds: number[] = [];
  private readonly pendingLocations: RecordLocation[] = [];
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
    found.categories.addTo(this.categories);
    if (found.candidates.length > 0) {
      for (const candidate of found.candidates) this.pending.push(candidate);
      this.pendingEnds.push(this.pending.length);
      this.pendingLocations.push(record.location);
      if (this.pending.length >= 512) this.flush();
    }
    this.health.add(text);
    this.minhash.add(text);
  }

  /**
   * Looks up the candidates of the pending records in one batch (one hashing call for hundreds of records), then
   * credits the organisations that registered them.
   */
  private flush(): void {
    const { pending, pendingEnds, pendingLocations } = this;
    if (pending.length === 0) return;
    const only = this.settings.onlyOrgId;
    const set = this.lookup.set;
    const entries = this.lookup.lookup(pending);
    let next = 0;
    for (let r = 0; r < pendingEnds.length; r++) {
      const end = pendingEnds[r] as number;
      let touched: Set<number> | undefined;
      for (; next < end; next++) {
        const head = entries[next] as number;
        if (head < 0) continue;
        const candidate = pending[next] as Candidate;
        for (let e = head; e >= 0; e = set.nextEntry(e)) {
          const orgId = set.orgOf(e);
          if (candidate.orgId !== undefined && orgId !== candidate.orgId) continue;
          if (only !== undefined && orgId !== only) continue;
          const findings = this.org(orgId);
          const kind = set.kindOf(e);
          let hashes = findings.identifiers.get(kind);
          if (!hashes) {
            hashes = new Set();
            findings.identifiers.set(kind, hashes);
          }
          if (!hashes.has(head) && findings.samples.length < this.settings.samples) {
            findings.samples.push(maskIdentifier(candidate.kind, candidate.value));
          }
          hashes.add(head);
          if (candidate.credential) findings.credentials.add(head);
          touched ??= new Set();
          touched.add(orgId);
        }
      }
      if (touched) {
        for (const orgId of touched) {
          const findings = this.org(orgId);
          findings.recordsMatched++;
          this.locate(findings, pendingLocations[r] as RecordLocation);
        }
      }
    }
    pending.length = 0;
    pendingEnds.length = 0;
    pendingLocations.length = 0;
  }

  result(): AnalysisResult {
    this.flush();
    const isHealth = this.health.isHealth();
    const categories = this.categories.toMap();
    if (isHealth) categories.set('health', this.health.summary().terms);
    return {
      records: this.records,
      categories,
      health: { ...this.health.summary(), isHealth },
      orgs: [...this.orgs.values()],
      signature: this.minhash.signature(),
      regexesStopped: [...this.budget]
        .filter(([, ms]) => ms > this.settings.terms.regexBudgetMs)
        .map(([termId]) => termId),
    };
  }
}
