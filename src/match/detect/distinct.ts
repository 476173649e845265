/**
 * The candidates of one record, each hash input (namespace and value, for one organisation) once. A handful are
 * compared one by one; past that, an open-addressing table over a fingerprint of each value (its length and five of its
 * characters) points at the few to compare. A Map keyed by the values cost ~190 ns per candidate on a page of a
 * customer list: the values are new strings, and V8 hashes every character of each on its first use as a key.
 */
import { type IdentifierKind, NAMESPACE } from '../identifiers/normalise.ts';
import type { Candidate } from './candidate.ts';

const LINEAR_UP_TO = 8;

/** The same hash input (namespace and value) for the same organisation. */
const same = (c: Candidate, namespace: string, value: string, orgId: number | undefined) =>
  c.value === value && c.orgId === orgId && NAMESPACE[c.kind] === namespace;

function fingerprint(value: string): number {
  const n = value.length;
  let h = Math.imul(n, 0x9e3779b1);
  if (n > 0) {
    h = Math.imul(h ^ value.charCodeAt(0), 0x85ebca6b);
    h = Math.imul(h ^ value.charCodeAt(n >> 2), 0xc2b2ae35);
    h = Math.imul(h ^ value.charCodeAt(n >> 1), 0x27d4eb2f);
    h = Math.imul(h ^ value.charCodeAt((n - 1) >> 1), 0x165667b1);
    h = Math.imul(h ^ value.charCodeAt(n - 1), 0x9e3779b1);
  }
  return h ^ (h >>> 15);
}

export class DistinctCandidates {
  list: Candidate[] = [];
  /** Per slot, the index + 1 of a candidate in `list` (0: empty), and that candidate's fingerprint. */
  private slots: Int32Array | null = null;
  private marks: Int32Array | null = null;

  /** Starts the next record: a new list (handed out with the record's findings), no table. */
  start(): Candidate[] {
    this.list = [];
    this.slots = null;
    this.marks = null;
    return this.list;
  }

  /** Adds a candidate unless the record already has it; a repeat that came with a password marks the first one. */
  add(kind: IdentifierKind, value: string, credential = false, orgId?: number): void {
    const namespace = NAMESPACE[kind];
    const { list } = this;
    let existing: Candidate | undefined;
    let mark = 0;
    if (list.length < LINEAR_UP_TO) {
      for (let i = 0; i < list.length; i++) {
        const c = list[i] as Candidate;
        if (same(c, namespace, value, orgId)) {
          existing = c;
          break;
        }
      }
    } else {
      if (this.slots === null) this.rebuild(64);
      mark = fingerprint(value);
      existing = this.find(mark, namespace, value, orgId);
    }
    if (existing !== undefined) {
      if (credential) existing.credential = true;
      return;
    }
    const candidate: Candidate = { kind, value };
    if (credential) candidate.credential = true;
    if (orgId !== undefined) candidate.orgId = orgId;
    list.push(candidate);
    if (this.slots !== null) {
      if (list.length * 2 > this.slots.length) this.rebuild(this.slots.length * 2);
      else this.insert(list.length - 1, mark);
    }
  }

  private find(
    mark: number,
    namespace: string,
    value: string,
    orgId: number | undefined,
  ): Candidate | undefined {
    const slots = this.slots as Int32Array;
    const marks = this.marks as Int32Array;
    const mask = slots.length - 1;
    for (let s = mark & mask; ; s = (s + 1) & mask) {
      const entry = slots[s] as number;
      if (entry === 0) return undefined;
      if (marks[s] === mark) {
        const c = this.list[entry - 1] as Candidate;
        if (same(c, namespace, value, orgId)) return c;
      }
    }
  }

  private insert(index: number, mark: number): void {
    const slots = this.slots as Int32Array;
    const mask = slots.length - 1;
    let s = mark & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = index + 1;
    (this.marks as Int32Array)[s] = mark;
  }

  /** A table of `size` slots (a power of two, at least twice the candidates) holding every candidate. */
  private rebuild(size: number): void {
    this.slots = new Int32Array(size);
    this.marks = new Int32Array(size);
    for (let i = 0; i < this.list.length; i++) this.insert(i, fingerprint((this.list[i] as Candidate).value));
  }
}
