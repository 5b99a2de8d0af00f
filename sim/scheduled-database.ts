// The database a simulated process sees: the shared PGlite behind a gate that
// makes every call a scheduling point. A transaction is one call, so it runs
// atomically with respect to other processes, exactly as on PGlite's single
// session; interleaving happens between statements and between transactions.
import type { Database, QueryResult, Queryable, Statement } from '../src/db/database.ts';
import type { Fiber, Scheduler } from './scheduler.ts';

export interface GateListener {
  /** A fiber is about to run a call on the database. */
  onStatement(fiber: Fiber): void;
  /** The call committed but the world decided the process dies before it sees the result. */
  onLostAck(fiber: Fiber): void;
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
    return this.gate(() => this.inner.query<Row>(statement, params));
  }

  exec(sql: string): Promise<void> {
    return this.gate(() => this.inner.exec(sql));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.gate(() => this.inner.transaction(fn));
  }

  async close(): Promise<void> {
    // The world owns the shared database; a process closing it would be a bug in the adapter.
    throw new Error('a simulated process may not close the shared database');
  }

  private async gate<T>(run: () => Promise<T>): Promise<T> {
    const fiber = this.scheduler.currentFiber();
    if (fiber === null) return run();
    const directive = await this.scheduler.point(fiber);
    this.listener.onStatement(fiber);
    const result = await run();
    if (directive === 'crash-after') {
      this.listener.onLostAck(fiber);
      return this.scheduler.abandon();
    }
    return result;
  }
}
