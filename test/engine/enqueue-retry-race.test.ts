// Goal: a retried group enqueue gets its own job back when its first attempt
// committed while the retry waited for the group's lock. The race needs two
// sessions (the retry's idempotency lookup misses the first attempt's
// uncommitted row, then it waits on the group row until that attempt commits),
// so it runs on a real Postgres only. Found by the plain stress test: a
// restarted client's retry was refused with GROUP_FULL for the member it
// already was. Skipped, with the reason in the name, without WF_SIM_DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable, QueryResult, Statement } from '../../src/db/database.ts';
import { createPostgresDatabase, type PostgresDatabase } from '../../src/db/postgres.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { migrate } from '../../src/migrate.ts';
import { POSTGRES_SKIP_REASON, postgresUrl, uniqueSchema } from '../helpers/backends.ts';
import { T0 } from '../helpers/world.ts';

/** A deferred: a promise and the function that settles it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** The database, with hooks: every transaction waits for `commitGate` after its body and before COMMIT; `onQuery` sees each statement. */
function hooked(inner: Database, hooks: { commitGate?: Promise<void>; bodyDone?: () => void; onQuery?: (statement: Statement) => void }): Database {
  const query = <Row>(on: Queryable, statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>> => {
    hooks.onQuery?.(statement);
    return on.query<Row>(statement, params);
  };
  return {
    kind: inner.kind,
    singleSession: inner.singleSession,
    query: (statement, params) => query(inner, statement, params),
    exec: (sql) => inner.exec(sql),
    transaction: (fn) =>
      inner.transaction(async (tx) => {
        const result = await fn({ query: (statement, params) => query(tx, statement, params) });
        hooks.bodyDone?.();
        await hooks.commitGate;
        return result;
      }),
    close: () => inner.close(),
  };
}

const url = postgresUrl;
const describePostgres = url === undefined ? describe.skip : describe;

describePostgres(url === undefined ? `a retried group enqueue racing its first attempt [postgres (${POSTGRES_SKIP_REASON})]` : 'a retried group enqueue racing its first attempt [postgres]', () => {
  let db: PostgresDatabase;
  beforeAll(async () => {
    db = await createPostgresDatabase({ connectionString: url ?? '', schema: uniqueSchema('wf_enqueue_race'), max: 4 });
    await migrate(db);
    await createEngine({ db }).defineQueue(T0, { name: 'default', maxConcurrency: null });
  });
  afterAll(async () => {
    await db.dropSchema();
    await db.close();
  });

  it('returns the job the first attempt committed (created: false), not GROUP_FULL; the group has one member', async () => {
    const gate = deferred();
    const firstInserted = deferred();
    const retryLocking = deferred();
    const first = createEngine({ db: hooked(db, { commitGate: gate.promise, bodyDone: firstInserted.resolve }) });
    const retry = createEngine({ db: hooked(db, { onQuery: (statement) => statement.name === 'wf_lock_group' && retryLocking.resolve() }) });
    const spec = { queue: 'default', idempotencyKey: 'member-1', group: { id: 'g', size: 1 } };

    const firstAttempt = first.enqueue(T0, spec);
    await firstInserted.promise; // the first attempt holds the group row, its job inserted, not yet committed
    const retried = retry.enqueue(T0 + 1, spec); // its lookup misses the uncommitted row; it then waits on the group row
    await retryLocking.promise;
    gate.resolve();

    const created = await firstAttempt;
    expect(created.created).toBe(true);
    await expect(retried).resolves.toEqual({ jobId: created.jobId, created: false });
    const snapshot = await createEngine({ db }).snapshot();
    expect(snapshot.jobs.map((job) => job.id)).toEqual([created.jobId]);
    expect(snapshot.groups).toEqual([{ id: 'g', size: 1, status: 'open', completedAt: null }]);
  });
});
