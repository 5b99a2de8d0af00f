// Observing a database that real processes write concurrently. An adapter's
// observe() may read several tables in several statements; under READ COMMITTED
// those reads could come from different moments and show a state that never
// existed (a lock row without its job), i.e. a false violation. Running observe
// inside one REPEATABLE READ, READ ONLY transaction gives it one snapshot: a
// state that did exist, so a state invariant violated there was really violated.
import type { Database, Queryable, QueryResult, Statement } from '../../src/db/database.ts';

const REPEATABLE_READ: Statement = { name: 'wf_conformance_repeatable_read', text: 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY' };

/** A Database whose every call runs on one open transaction; nested transactions join it. */
class TransactionView implements Database {
  readonly kind = 'postgres snapshot';
  readonly singleSession = false;
  constructor(private readonly tx: Queryable) {}

  query<Row = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.tx.query<Row>(statement, params);
  }

  exec(): Promise<void> {
    return Promise.reject(new Error('observe() may not run exec() on a snapshot: it is read-only'));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return fn(this.tx);
  }

  close(): Promise<void> {
    return Promise.reject(new Error('observe() may not close the database it is given'));
  }
}

/** Runs `read` against one consistent, read-only snapshot of `db`. */
export function inSnapshot<T>(db: Database, read: (snapshot: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(REPEATABLE_READ, []);
    return read(new TransactionView(tx));
  });
}
