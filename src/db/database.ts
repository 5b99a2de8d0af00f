// The Database port: the only way the engine touches Postgres. Two drivers
// implement it (PGlite embedded, `pg` for a real server); the simulator wraps it
// so that every call becomes a scheduling point. Keeping the surface this small
// is what lets one engine run unchanged in production and under simulation.

/**
 * A named SQL statement. Every statement of the engine lives in `src/sql/`, one
 * operation per file. The name lets a driver prepare it once and reuse the plan
 * (PGlite's fast path: Bind/Describe/Execute/Sync in one protocol round trip).
 * Names are unique across the engine; a driver may assume name ⇒ text.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export interface QueryResult<Row> {
  readonly rows: Row[];
  /** Rows affected by INSERT/UPDATE/DELETE, or rows returned by SELECT. */
  readonly rowCount: number;
}

/** A statement that ran, with its parameters and what it returned (the simulator shows a turn's to the adapter). */
export interface ExecutedStatement {
  readonly statement: Statement;
  readonly params: readonly unknown[];
  readonly rowCount: number;
  readonly rows: readonly unknown[];
}

export interface Queryable {
  /** Runs one parameterized statement. Parameters are positional ($1…$n); casts live in the SQL. */
  query<Row = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

export interface Database extends Queryable {
  /** Which driver this is, for reports: 'pglite', 'postgres', or a wrapper's own name. */
  readonly kind: string;
  /**
   * True when every call runs on one session, one at a time (PGlite): two
   * transactions are never open at once. The engine then skips row locks that
   * only matter between concurrent sessions. Absent or false means "assume
   * concurrent sessions" (the safe default); a wrapper should forward its inner value.
   */
  readonly singleSession?: boolean;
  /** Runs parameterless, possibly multi-statement SQL (migrations, resets). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction on one connection: COMMIT when it resolves,
   * ROLLBACK when it throws (and the error is re-thrown). Nested calls are not supported.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Releases the connection(s) or the embedded instance. */
  close(): Promise<void>;
}

/** A statement failed in the database. Carries the SQLSTATE so callers can tell conflicts from bugs. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  readonly code: string | undefined;
  readonly statement: string | undefined;
  constructor(message: string, options: { code?: string | undefined; statement?: string | undefined; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.statement = options.statement;
  }
}
