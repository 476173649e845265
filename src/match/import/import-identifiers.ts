/**
 * `leakwatch identifiers import`: a CSV of an organisation's people becomes keyed hashes, atomically (one transaction:
 * all rows or none), streaming (memory bounded whatever the file size), with progress and rejected values reported by
 * line, column and reason — never by value.
 */
import type { Readable } from 'node:stream';
import type { CountryCode } from 'libphonenumber-js';
import { describeError } from '../../shared/errors.ts';
import type { Db } from '../../store/db.ts';
import { finishImport, insertHashes, startImport } from '../../store/identifiers.repository.ts';
import type { IdentifierHasher } from '../hasher.ts';
import type { DateOrder } from '../identifiers/dates.ts';
import {
  type IdentifierKind,
  NAMESPACE,
  normaliseIdentifier,
  normaliseNameBirthdate,
} from '../identifiers/normalise.ts';
import { checkMapping, type ImportRole, type MappedColumn, mapColumns } from './columns.ts';
import { readCsv } from './csv.ts';

export interface ImportOptions {
  orgId: number;
  fileName: string;
  input: Readable;
  /** Total size, for progress. */
  bytes?: number;
  columns?: ReadonlyArray<{ role: ImportRole; column: string }>;
  /** The file has no header row (columns are then given by number). */
  noHeader?: boolean;
  separator?: string;
  region?: CountryCode;
  dateOrder?: DateOrder;
  patientIdPattern?: RegExp | null;
  onProgress?: (progress: ImportProgress) => void;
  /** Rejections kept for the report (all are counted). */
  keepRejections?: number;
}

export interface ImportProgress {
  bytesRead: number;
  bytesTotal: number | null;
  rows: number;
  identifiers: number;
  rejected: number;
}

export interface Rejection {
  line: number;
  column: string;
  reason: string;
}

export interface ImportResult {
  importId: number;
  columns: Array<{ kind: ImportRole; header: string }>;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Identifiers accepted per kind (including ones already registered). */
  identifiers: Partial<Record<IdentifierKind, number>>;
  /** New hashes written; the rest were already registered. */
  inserted: number;
  rejections: Rejection[];
  rejectionsTotal: number;
}

const DIRECT: ImportRole[] = ['email', 'login', 'phone', 'nir', 'health_number', 'patient_id'];

export async function importIdentifiers(
  db: Db,
  hasher: IdentifierHasher,
  options: ImportOptions,
): Promise<ImportResult> {
  const run = await startImport(db, {
    orgId: options.orgId,
    fileName: options.fileName,
    keyFingerprint: hasher.fingerprint,
  });
  const keep = options.keepRejections ?? 1000;
  const result: ImportResult = {
    importId: run.id,
    columns: [],
    rowsTotal: 0,
    rowsAccepted: 0,
    rowsRejected: 0,
    identifiers: {},
    inserted: 0,
    rejections: [],
    rejectionsTotal: 0,
  };
  const progress: ImportProgress = {
    bytesRead: 0,
    bytesTotal: options.bytes ?? null,
    rows: 0,
    identifiers: 0,
    rejected: 0,
  };
  const reject = (line: number, column: string, reason: string) => {
    result.rejectionsTotal++;
    progress.rejected++;
    if (result.rejections.length < keep) result.rejections.push({ line, column, reason });
  };
  try {
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      let columns: MappedColumn[] | undefined;
      let batch: Array<{ kind: IdentifierKind; key: string }> = [];
      const flush = async () => {
        // The hashes stay as hashMany lays them out, end to end: no 32-byte copy per identifier.
        const hashes = hasher.hashMany(batch.map((b) => b.key));
        const kinds = batch.map((b) => b.kind);
        result.inserted += await insertHashes(tx, run.id, { orgId: options.orgId, kinds, hashes });
        batch = [];
      };
      const rows = readCsv(options.input, {
        separator: options.separator,
        onBytes: (n) => (progress.bytesRead += n),
      });
      for await (const row of rows) {
        if (!columns) {
          columns = mapColumns(options.noHeader ? null : row.cells, options.columns ?? []);
          checkMapping(columns);
          result.columns = columns.map((c) => ({ kind: c.role, header: c.header }));
          if (!options.noHeader) continue;
        }
        result.rowsTotal++;
        progress.rows++;
        const accepted: Array<{ kind: IdentifierKind; value: string }> = [];
        let rejected = 0;
        const cell = (role: ImportRole) => {
          const column = columns?.find((c) => c.role === role);
          return column ? { value: (row.cells[column.index] ?? '').trim(), header: column.header } : null;
        };
        for (const role of DIRECT) {
          const c = cell(role);
          if (!c?.value) continue;
          const normalised = normaliseIdentifier(role as IdentifierKind, c.value, options);
          if (normalised.ok) accepted.push({ kind: role as IdentifierKind, value: normalised.value });
          else {
            rejected++;
            reject(row.line, c.header, normalised.reason);
          }
        }
        const birth = cell('birthdate');
        if (birth?.value) {
          const name = [cell('first_name')?.value, cell('last_name')?.value, cell('name')?.value]
            .filter(Boolean)
            .join(' ');
          const normalised = normaliseNameBirthdate(name, birth.value, options.dateOrder);
          if (normalised.ok) accepted.push({ kind: 'name_birthdate', value: normalised.value });
          else {
            rejected++;
            reject(row.line, birth.header, normalised.reason);
          }
        }
        if (accepted.length > 0) result.rowsAccepted++;
        else if (rejected > 0) result.rowsRejected++;
        for (const { kind, value } of accepted) {
          batch.push({ kind, key: NAMESPACE[kind] + value });
          result.identifiers[kind] = (result.identifiers[kind] ?? 0) + 1;
          progress.identifiers++;
        }
        if (batch.length >= 5000) {
          await flush();
          options.onProgress?.({ ...progress });
        }
      }
      if (!columns) throw new Error('the file is empty');
      await flush();
    });
    options.onProgress?.({ ...progress });
    await finishImport(db, run.id, {
      status: 'succeeded',
      rowsTotal: result.rowsTotal,
      rowsAccepted: result.rowsAccepted,
      rowsRejected: result.rowsRejected,
    });
    return result;
  } catch (error) {
    await finishImport(db, run.id, {
      status: 'failed',
      rowsTotal: result.rowsTotal,
      rowsAccepted: 0,
      rowsRejected: result.rowsRejected,
      error: describeError(error).slice(0, 500),
    }).catch(() => undefined);
    throw error;
  }
}
