// The database of one incarnation of a real process: its own pg pool (real
// connections, tagged with an application_name so the lane can find their
// backends), behind a switch the lane throws when it kills the process. After
// the kill every call is refused, so a dead process's code can never write again
// through a reconnected pool — the same guarantee a killed OS process gives.
import type pg from 'pg';
import type { Database, Queryable, QueryResult, Statement } from '../../src/db/database.ts';
import { createPostgresDatabase, type PostgresDatabase } from '../../src/db/postgres.ts';

export class ProcessGoneError extends Error {
  override readonly name = 'ProcessGoneError';
}

/** The connection string with `application_name` set (pg reads it from the query string). */
export function withApplicationName(connectionString: string, applicationName: string): string {
  const url = new URL(connectionString);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

/** Swallows 'error' events of pooled clients: a backend terminated on purpose must not crash the lane. */
export function ignoreClientErrors(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
}

export class ProcessDatabase implements Database {
  readonly kind = 'postgres';
  /** Many sessions: engines must serialize what a single session would have serialized for them. */
  readonly singleSession = false;
  private gone: string | null = null;

  private constructor(
    private readonly inner: PostgresDatabase,
    /** The application_name of every connection of this incarnation. */
    readonly tag: string,
    private readonly onStatement: () => void,
  ) {}

  static async open(options: { connectionString: string; schema: string; tag: string; connectionsMax: number; onStatement: () => void }): Promise<ProcessDatabase> {
    const inner = await createPostgresDatabase({
      connectionString: withApplicationName(options.connectionString, options.tag),
      schema: options.schema,
      max: options.connectionsMax,
    });
    ignoreClientErrors(inner.pool);
    return new ProcessDatabase(inner, options.tag, options.onStatement);
  }

  /** Refuses every later call; in-flight calls fail when the lane terminates the backends. */
  markGone(reason: string): void {
    this.gone ??= reason;
  }

  get isGone(): boolean {
    return this.gone !== null;
  }

  query<Row = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.admit(() => this.inner.query<Row>(statement, params));
  }

  exec(sql: string): Promise<void> {
    return this.admit(() => this.inner.exec(sql));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.admit(() =>
      this.inner.transaction((tx) =>
        fn({
          query: <Row>(statement: Statement, params?: readonly unknown[]) => this.admit(() => tx.query<Row>(statement, params)),
        }),
      ),
    );
  }

  /** Ends the pool; never throws (a pool whose backends were terminated may complain). */
  async close(): Promise<void> {
    this.markGone('closed');
    await this.inner.close().catch(() => undefined);
  }

  /** Runs the call unless the process is gone (then a rejection, never a synchronous throw). */
  private admit<T>(run: () => Promise<T>): Promise<T> {
    if (this.gone !== null) return Promise.reject(new ProcessGoneError(`process ${this.tag} is gone (${this.gone}); its database refuses every call`));
    this.onStatement();
    return run();
  }
}
