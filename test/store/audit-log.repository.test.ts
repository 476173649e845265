import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, listAudit } from '../../src/store/audit-log.repository.ts';
import type { Db } from '../../src/store/db.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { uniqueId } from './fixtures.ts';

describe.each(DRIVERS)('audit log repository on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('appends entries and lists them newest first, filtered', async () => {
    const actor = uniqueId('user');
    const first = await appendAudit(db, {
      actor,
      action: 'org.create',
      targetType: 'organisation',
      targetId: 7,
    });
    const second = await appendAudit(db, {
      actor,
      action: 'identifiers.import',
      targetType: 'organisation',
      targetId: '7',
      details: { rows: 40000, rejected: 12 },
    });
    await appendAudit(db, { actor: 'system', action: 'org.create' });
    expect(typeof first.id).toBe('number');
    expect(first.at).toBeInstanceOf(Date);
    expect(first).toMatchObject({ targetId: '7', details: {} });
    expect(second.details).toEqual({ rows: 40000, rejected: 12 });

    expect((await listAudit(db, { actor })).map((e) => e.id)).toEqual([second.id, first.id]);
    expect((await listAudit(db, { actor, action: 'org.create' })).map((e) => e.id)).toEqual([first.id]);
    expect((await listAudit(db, { targetType: 'organisation', targetId: 7 })).length).toBeGreaterThanOrEqual(
      2,
    );
    expect((await listAudit(db, { actor, beforeId: second.id })).map((e) => e.id)).toEqual([first.id]);
    expect((await listAudit(db, { actor, limit: 1 })).map((e) => e.id)).toEqual([second.id]);
    expect(await listAudit(db, { actor, since: new Date(Date.now() + 3_600_000) })).toEqual([]);
  });

  it('requires an actor and an action', async () => {
    await expect(appendAudit(db, { actor: ' ', action: 'x' })).rejects.toMatchObject({
      code: 'audit.invalid',
    });
  });

  it('joins the caller transaction: a rolled-back change leaves no entry', async () => {
    const actor = uniqueId('tx');
    await db
      .transaction(async (tx) => {
        await appendAudit(tx, { actor, action: 'site.delete' });
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await listAudit(db, { actor })).toEqual([]);
  });
});
