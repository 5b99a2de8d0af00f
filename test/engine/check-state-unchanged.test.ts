// Goal: the simulator skips the state check after a turn the reference engine
// vouches for (checkUnchangedBy), so each case it vouches for must really leave
// the check's answer as it was, and each exception must really be needed. A
// heartbeat that extends a shut-down worker's lock can start a SHUTDOWN_CLEAN
// violation (so it is not vouched for), the same heartbeat of a live worker
// cannot; a claim that took nothing changed nothing, one that took a job did.
// Only the engine's own statement objects are vouched for, and their texts are
// pinned: changing one means re-reading its case in src/engine/check-state.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Database, ExecutedStatement, QueryResult, Queryable, Statement } from '../../src/db/database.ts';
import { checkEngineState, checkUnchangedBy } from '../../src/engine/check-state.ts';
import { claim, heartbeat, lockLimitedQueues } from '../../src/sql/index.ts';
import { checkState } from '../../src/sql/check-state.ts';
import { describeBackends } from '../helpers/backends.ts';
import { createWorld, enqueue, startWorker, T0 } from '../helpers/world.ts';

/** The database as the engine sees it, noting every statement it runs with its result (as the simulator's gate does). */
function recording(db: Database): { db: Database; executed: ExecutedStatement[] } {
  const executed: ExecutedStatement[] = [];
  const noted = async <Row,>(on: Queryable, statement: Statement, params: readonly unknown[] | undefined): Promise<QueryResult<Row>> => {
    const result = await on.query<Row>(statement, params);
    executed.push({ statement, params: params ?? [], rowCount: result.rowCount, rows: result.rows });
    return result;
  };
  const wrapped: Database = {
    kind: db.kind,
    singleSession: db.singleSession,
    query: (statement, params) => noted(db, statement, params),
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction((tx) => fn({ query: (statement, params) => noted(tx, statement, params) })),
    close: () => db.close(),
  };
  return { db: wrapped, executed };
}

describeBackends('what checkUnchangedBy vouches for leaves the state check as it was', (backend) => {
  it("a heartbeat extending a shut-down worker's lock is not vouched for, and does start a SHUTDOWN_CLEAN violation; a live worker's is, and does not", async () => {
    const { db, executed } = recording(backend.db());
    const { engine } = await createWorld(db);
    await startWorker(engine, 'w1');
    expect(await engine.locks.acquire(T0, { key: 'k', holder: 'w1', ttlMs: 1_000 })).toBe(true);
    const late = T0 + 10_000;
    const shutDown = new Set(['w1']);
    const check = (set: ReadonlySet<string>) => checkEngineState(backend.db(), late, { clients: [], shutDown: [...set] });
    // The lock has expired: nothing to hold against w1 yet.
    expect(await check(shutDown)).toEqual([]);
    executed.length = 0;
    expect(await engine.heartbeat(late, { workerId: 'w1', lockTtlMs: 5_000 })).toBe(true);
    expect(executed.map((item) => item.statement)).toEqual([heartbeat]);
    // The heartbeat extended w1's lock: for a shut-down w1 that is a violation the check must see.
    expect(checkUnchangedBy(executed, shutDown)).toBe(false);
    expect(await check(shutDown)).toEqual(['SHUTDOWN_CLEAN']);
    // For a live w1 the same heartbeat changes nothing the check reads.
    expect(checkUnchangedBy(executed, new Set())).toBe(true);
    expect(await check(new Set())).toEqual([]);
  });

  it('a claim that took nothing is vouched for and changed no row; one that took a job is not', async () => {
    const { db, executed } = recording(backend.db());
    const { engine } = await createWorld(db, [{ name: 'default', maxConcurrency: 1 }]);
    await startWorker(engine, 'w1');
    await startWorker(engine, 'w2');
    await enqueue(engine, { resourceKey: 'k' });
    await enqueue(engine, { resourceKey: 'k' });
    executed.length = 0;
    expect(await engine.claim(T0, { workerId: 'w1', leaseToken: 'L1' })).not.toBeNull();
    expect(executed.some((item) => item.statement === claim)).toBe(true);
    expect(checkUnchangedBy(executed, new Set())).toBe(false);

    // The queue is full and the key is held: w2's claim takes nothing.
    const before = await engine.snapshot();
    executed.length = 0;
    expect(await engine.claim(T0 + 1, { workerId: 'w2', leaseToken: 'L2' })).toBeNull();
    expect(executed.map((item) => item.statement).filter((statement) => statement !== lockLimitedQueues)).toEqual([claim]);
    expect(checkUnchangedBy(executed, new Set())).toBe(true);
    const after = await engine.snapshot();
    expect({ jobs: after.jobs, locks: after.locks }).toEqual({ jobs: before.jobs, locks: before.locks });
  });
});

describe('checkUnchangedBy vouches only for the engine’s own statements', () => {
  const took = (statement: Statement, rowCount: number): ExecutedStatement => ({ statement, params: [], rowCount, rows: [] });

  it('a statement with the same name but other text, or another object with the same text, is not vouched for', () => {
    expect(checkUnchangedBy([took(claim, 0)], new Set())).toBe(true);
    expect(checkUnchangedBy([took({ name: claim.name, text: `${claim.text} -- changed` }, 0)], new Set())).toBe(false);
    expect(checkUnchangedBy([took({ ...claim }, 0)], new Set())).toBe(false);
    expect(checkUnchangedBy([took({ name: 'wf_other', text: 'SELECT 1' }, 0)], new Set())).toBe(false);
    // One statement it cannot vouch for spoils the turn.
    expect(checkUnchangedBy([took(claim, 0), took({ name: '(exec)', text: 'DELETE FROM wf_jobs' }, 0)], new Set())).toBe(false);
  });

  it("pins the texts its cases were argued for (change one: re-read its case in src/engine/check-state.ts, then update the pin)", () => {
    const pin = (statement: Statement) => createHash('sha256').update(statement.text).digest('hex').slice(0, 16);
    expect({ heartbeat: pin(heartbeat), claim: pin(claim), lockLimitedQueues: pin(lockLimitedQueues), checkState: pin(checkState) }).toEqual({
      heartbeat: '7c2266cd40816ea8',
      claim: 'afb1d33e1977e9a7',
      lockLimitedQueues: '7dd152cbea0c1fcc',
      checkState: '5825ace5e359eca8',
    });
  });
});
