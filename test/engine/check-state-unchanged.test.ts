// Goal: the simulator skips the state check after a turn the reference engine
// vouches for (checkUnchangedBy), so each case it vouches for must really leave
// the check's answer as it was, and each exception must really be needed. A
// heartbeat that extends a shut-down worker's lock can start a SHUTDOWN_CLEAN
// violation (so it is not vouched for), the same heartbeat of a live worker
// cannot; a claim that took nothing changed nothing, one that took a job did.
// An enqueue, a group's completion, and a reap, sweep or sanitize that found
// nothing to do are vouched for and leave the rows the check reads as they
// were; the same reap, sweep or sanitize finding something is not, and did
// change them. Only the engine's own statement objects are vouched for, and
// their texts are pinned: changing one means re-reading its case in
// src/engine/check-state.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Database, ExecutedStatement, QueryResult, Queryable, Statement } from '../../src/db/database.ts';
import { checkEngineState, checkUnchangedBy } from '../../src/engine/check-state.ts';
import {
  claim,
  completeGroup,
  countGroupMembers,
  deleteStaleWorkers,
  findJobByIdempotencyKey,
  heartbeat,
  insertJob,
  lockGroup,
  lockLimitedQueues,
  recoverJobs,
  sanitize,
  sweepLocks,
} from '../../src/sql/index.ts';
import type { Snapshot } from '../../src/engine/types.ts';
import { checkState } from '../../src/sql/check-state.ts';
import { describeBackends } from '../helpers/backends.ts';
import { CLEAN_OWNERSHIP, claimOrThrow, createWorld, enqueue, forceJobColumns, jobIn, ownership, startWorker, T0 } from '../helpers/world.ts';

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

  /** What the check reads: jobs, queues, locks, and the workers' ids, pids and run ids (never heartbeat_at or groups). */
  const checked = (snapshot: Snapshot) => ({
    jobs: snapshot.jobs,
    queues: snapshot.queues,
    locks: snapshot.locks,
    workers: snapshot.workers.map((worker) => ({ id: worker.workerId, pid: worker.pid, runId: worker.runId })),
  });

  it('a reap, a lock sweep and a sanitize that found nothing are vouched for and changed nothing the check reads; each that found something is not, and did', async () => {
    const { db, executed } = recording(backend.db());
    const { engine } = await createWorld(db);
    await startWorker(engine, 'w1');
    await startWorker(engine, 'w2');
    const held = await enqueue(engine, { resourceKey: 'k' });
    const queued = await enqueue(engine);
    await claimOrThrow(engine, 'w1', 'L1');
    expect(await engine.locks.acquire(T0, { key: 'loose', holder: 'w2', ttlMs: 1_000 })).toBe(true);
    const idle = async (run: () => Promise<unknown>, statements: Statement[]) => {
      const before = checked(await engine.snapshot());
      executed.length = 0;
      await run();
      expect(executed.map((item) => item.statement)).toEqual(statements);
      expect(checkUnchangedBy(executed, new Set())).toBe(true);
      expect(checked(await engine.snapshot())).toEqual(before);
    };
    const busy = async (run: () => Promise<unknown>) => {
      const before = checked(await engine.snapshot());
      executed.length = 0;
      await run();
      expect(checkUnchangedBy(executed, new Set())).toBe(false);
      expect(checked(await engine.snapshot())).not.toEqual(before);
    };

    // Nobody is stale yet, no lock has expired, no queued row carries ownership.
    await idle(() => engine.reap(T0 + 500, { reaperId: 'w2', thresholdMs: 60_000 }), [deleteStaleWorkers, recoverJobs]);
    await idle(() => engine.locks.sweep(T0 + 500), [sweepLocks]);
    await idle(() => engine.sanitize(T0 + 500), [sanitize]);

    await busy(() => engine.locks.sweep(T0 + 5_000));
    await forceJobColumns(db, queued, "owner = 'ghost', pid = 7");
    await busy(() => engine.sanitize(T0 + 5_000));
    // w1's heartbeat is older than the threshold now: its job goes back to the queue.
    await busy(() => engine.reap(T0 + 120_000, { reaperId: 'w2', thresholdMs: 60_000 }));
    expect(jobIn(await engine.snapshot(), held).status).toBe('queued');
  });

  it('an enqueue into a group and the group firing are vouched for: the new row is queued with no ownership, and the check still finds nothing', async () => {
    const { db, executed } = recording(backend.db());
    const { engine } = await createWorld(db);
    await startWorker(engine, 'w1');
    const check = () => checkEngineState(backend.db(), T0 + 10, { clients: [], shutDown: [] });
    executed.length = 0;
    const id = await enqueue(engine, { group: { id: 'g', size: 1 }, idempotencyKey: 'once' });
    // (On a real Postgres the key is looked up again inside the transaction.)
    expect(new Set(executed.map((item) => item.statement))).toEqual(new Set([findJobByIdempotencyKey, lockGroup, countGroupMembers, insertJob]));
    expect(checkUnchangedBy(executed, new Set())).toBe(true);
    const row = jobIn(await engine.snapshot(), id);
    expect({ status: row.status, ...ownership(row) }).toEqual({ status: 'queued', ...CLEAN_OWNERSHIP });
    expect(await check()).toEqual([]);

    const job = await claimOrThrow(engine, 'w1', 'L1', T0 + 1);
    expect(await engine.complete(T0 + 2, { jobId: job.id, leaseToken: 'L1' })).toBe(true);
    const before = checked(await engine.snapshot());
    executed.length = 0;
    expect(await engine.tryCompleteGroup(T0 + 3, 'g')).toBe('completed');
    expect(executed.map((item) => item.statement)).toEqual([completeGroup]);
    expect(checkUnchangedBy(executed, new Set())).toBe(true);
    expect(checked(await engine.snapshot())).toEqual(before);
    expect(await check()).toEqual([]);
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

  it("a caller's own argument (a mutant's statements) is asked only about what the engine's cases do not cover", () => {
    const own: Statement = { name: 'mutant_list', text: 'SELECT id FROM wf_workers' };
    const mine = (executed: ExecutedStatement) => executed.statement === own;
    expect(checkUnchangedBy([took(own, 2), took(claim, 0)], new Set())).toBe(false);
    expect(checkUnchangedBy([took(own, 2), took(claim, 0)], new Set(), mine)).toBe(true);
    expect(checkUnchangedBy([took(own, 2), took(claim, 1)], new Set(), mine)).toBe(false);
  });

  it('a reap, sweep or sanitize is vouched for only when every list it returns is empty, parsed or as JSON text', () => {
    const returned = (statement: Statement, row: Record<string, unknown> | null): ExecutedStatement => ({ statement, params: [], rowCount: row === null ? 0 : 1, rows: row === null ? [] : [row] });
    expect(checkUnchangedBy([returned(sweepLocks, { keys: [] })], new Set())).toBe(true);
    expect(checkUnchangedBy([returned(sweepLocks, { keys: '[]' })], new Set())).toBe(true);
    expect(checkUnchangedBy([returned(sweepLocks, { keys: ['k'] })], new Set())).toBe(false);
    expect(checkUnchangedBy([returned(sweepLocks, { keys: '["k"]' })], new Set())).toBe(false);
    expect(checkUnchangedBy([returned(sweepLocks, { keys: null })], new Set())).toBe(false);
    expect(checkUnchangedBy([returned(sweepLocks, null)], new Set())).toBe(false);
    expect(checkUnchangedBy([returned(sanitize, { healed: [] })], new Set())).toBe(true);
    expect(checkUnchangedBy([returned(sanitize, { healed: [3] })], new Set())).toBe(false);
    expect(checkUnchangedBy([returned(recoverJobs, { requeued: [], failed: [], locks: [] })], new Set())).toBe(true);
    for (const column of ['requeued', 'failed', 'locks']) {
      expect(checkUnchangedBy([returned(recoverJobs, { requeued: [], failed: [], locks: [], [column]: [1] })], new Set()), column).toBe(false);
    }
    expect(checkUnchangedBy([took(deleteStaleWorkers, 0)], new Set())).toBe(true);
    expect(checkUnchangedBy([took(deleteStaleWorkers, 1)], new Set())).toBe(false);
  });

  it("pins the texts its cases were argued for (change one: re-read its case in src/engine/check-state.ts, then update the pin)", () => {
    const pin = (statement: Statement) => createHash('sha256').update(statement.text).digest('hex').slice(0, 16);
    const pins = Object.fromEntries(
      Object.entries({ heartbeat, claim, lockLimitedQueues, findJobByIdempotencyKey, countGroupMembers, lockGroup, completeGroup, insertJob, deleteStaleWorkers, recoverJobs, sanitize, sweepLocks, checkState }).map(([name, statement]) => [name, pin(statement)]),
    );
    expect(pins).toEqual({
      heartbeat: '7c2266cd40816ea8',
      claim: 'afb1d33e1977e9a7',
      lockLimitedQueues: '7dd152cbea0c1fcc',
      findJobByIdempotencyKey: '1ec563f7a27cbcf0',
      countGroupMembers: '6e13b46d1d2236a9',
      lockGroup: 'da5ed2068a167362',
      completeGroup: 'ae0956b699cf589c',
      insertJob: '80a1869ac0c96f00',
      deleteStaleWorkers: '4a68660d380a67df',
      recoverJobs: 'fcb9c673d3008396',
      sanitize: '4aecf31c1380efed',
      sweepLocks: '0d5423956b2fcfbe',
      checkState: '5825ace5e359eca8',
    });
  });
});
