// The database a simulated process sees: the shared PGlite behind a gate that
// makes every call a scheduling point. A transaction is one call, so it runs
// atomically with respect to other processes, exactly as on PGlite's single
// session; interleaving happens between statements and between transactions.
import type { Database, ExecutedStatement, QueryResult, Queryable, Statement } from '../src/db/database.ts';
import type { Fiber, Scheduler } from './scheduler.ts';

export interface GateListener {
  /** A fiber is about to run a call on the database. */
  onStatement(fiber: Fiber): void;
  /** The call committed but the world decided the process dies before it sees the result. */
  onLostAck(fiber: Fiber): void;
  /**
   * A statement ran (alone or inside a transaction), with its result; raw SQL
   * through exec() comes as a statement named `(exec)`. What the adapter's
   * unchangedBy() is asked about after the turn.
   */
  onResult(fiber: Fiber, record: ExecutedStatement): void;
}

export class ScheduledDatabase implements Database {
  readonly kind: string;
  /** Forwarded: the engine may take the single-session fast path exactly when the database underneath is one session. */
  readonly singleSession: boolean | undefined;
  constructor(
    private readonly inner: Database,
    private readonly scheduler: Scheduler,
    private readonly listener: GateListener,
  ) {
    this.kind = `simulated ${inner.kind}`;
    this.singleSession = inner.singleSession;
  }

  query<Row = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.gate((fiber) => this.recorded(fiber, this.inner, statement, params));
  }

  exec(sql: string): Promise<void> {
    return this.gate(async (fiber) => {
      await this.inner.exec(sql);
      if (fiber !== null) this.listener.onResult(fiber, { statement: { name: '(exec)', text: sql }, params: [], rowCount: 0, rows: [] });
    });
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.gate((fiber) => this.inner.transaction((tx) => fn({ query: (statement, params) => this.recorded(fiber, tx, statement, params) })));
  }

  async close(): Promise<void> {
    // The world owns the shared database; a process closing it would be a bug in the adapter.
    throw new Error('a simulated process may not close the shared database');
  }

  private async recorded<Row>(fiber: Fiber | null, on: Queryable, statement: Statement, params: readonly unknown[] | undefined): Promise<QueryResult<Row>> {
    const result = await on.query<Row>(statement, params);
    if (fiber !== null) this.listener.onResult(fiber, { statement, params: params ?? [], rowCount: result.rowCount, rows: result.rows });
    return result;
  }

  private async gate<T>(run: (fiber: Fiber | null) => Promise<T>): Promise<T> {
    const fiber = this.scheduler.currentFiber();
    if (fiber === null) return run(null);
    const directive = await this.scheduler.point(fiber);
    this.listener.onStatement(fiber);
    const result = await run(fiber);
    if (directive === 'crash-after') {
      this.listener.onLostAck(fiber);
      return this.scheduler.abandon();
    }
    return result;
  }
}
