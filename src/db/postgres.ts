// The real-Postgres driver: a pg.Pool of many real sessions. Unlike PGlite,
// transactions here run truly concurrently (READ COMMITTED, SKIP LOCKED that
// really skips), which is what the non-deterministic real-Postgres mode needs.
//
// Values come back in the same JavaScript types as on PGlite (bigint → number,
// timestamptz → Date, jsonb → parsed), so the engine maps rows one way only.
import pg from 'pg';
import type { Database, QueryResult, Queryable, Statement } from './database.ts';
import { DatabaseError } from './database.ts';
import { toParameterTexts } from './parameters.ts';
import { begin, commit, rollback } from '../sql/session.ts';
import { createSchemaSql, dropSchemaSql, listEngineTables, quoteIdentifier, truncateSql } from '../sql/schema.ts';

export interface PostgresDatabaseOptions {
  connectionString: string;
  /** Create this schema if missing and make it the search path of every connection (one schema per test run). */
  schema?: string;
  /** Pool size. Default 10. */
  max?: number;
}

export interface PostgresDatabase extends Database {
  readonly pool: pg.Pool;
  readonly schema: string | undefined;
  /** Statements run so far through query() and exec() (transaction control not counted). */
  readonly statements: number;
  /** Empties every wf_ table except wf_migrations and restarts identities. */
  reset(): Promise<void>;
  /** Drops the schema given at creation and everything in it (tests clean up after themselves). */
  dropSchema(): Promise<void>;
}

const INT8_OID = 20;

// int8 values of this engine (ids, counts) stay far below 2^53; parsing them as
// numbers keeps row mapping identical to PGlite's. A value that would lose
// precision is a bug, not data to round.
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return value;
}

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export async function createPostgresDatabase(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
  const schema = options.schema;
  if (schema !== undefined) {
    // Validate before anything reaches a connection string or a statement.
    quoteIdentifier(schema);
    const bootstrap = new pg.Client({ connectionString: options.connectionString });
    await bootstrap.connect();
    try {
      await bootstrap.query(createSchemaSql(schema));
    } catch (error) {
      // Two runs creating the same schema at once race on the catalog; the loser's schema exists anyway.
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42P06') throw toDatabaseError(error, undefined);
    } finally {
      await bootstrap.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    types: typeParsers,
    // Every connection of the pool starts with the schema as its search path.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its connection must not crash the process; the next checkout reconnects.
  pool.on('error', () => undefined);
  return new PostgresDriver(pool, schema);
}

function toDatabaseError(error: unknown, statement: string | undefined): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const source = error as { message?: string; code?: string };
  return new DatabaseError(source.message ?? String(error), { code: source.code, statement, cause: error });
}

async function run<Row>(client: pg.Pool | pg.PoolClient, statement: Statement, params: readonly unknown[] | undefined): Promise<QueryResult<Row>> {
  try {
    const result = await client.query({ name: statement.name, text: statement.text, values: toParameterTexts(params) });
    const rows = result.rows as Row[];
    return { rows, rowCount: result.rowCount ?? rows.length };
  } catch (error) {
    throw toDatabaseError(error, statement.name);
  }
}

class PostgresDriver implements PostgresDatabase {
  readonly kind = 'postgres';
  readonly singleSession = false;
  readonly pool: pg.Pool;
  readonly schema: string | undefined;
  #statements = 0;

  constructor(pool: pg.Pool, schema: string | undefined) {
    this.pool = pool;
    this.schema = schema;
  }

  get statements(): number {
    return this.#statements;
  }

  query<Row = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    this.#statements += 1;
    return run<Row>(this.pool, statement, params);
  }

  async exec(sql: string): Promise<void> {
    this.#statements += 1;
    try {
      // Parameterless text goes through the simple protocol, where several statements may share one string.
      await this.pool.query(sql);
    } catch (error) {
      throw toDatabaseError(error, undefined);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await run(client, begin, []);
      let open = true;
      const tx: Queryable = {
        query: <Row>(statement: Statement, params?: readonly unknown[]) => {
          if (!open) return Promise.reject(new Error(`statement ${statement.name} issued after its transaction ended`));
          this.#statements += 1;
          return run<Row>(client, statement, params);
        },
      };
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        open = false;
        try {
          await run(client, rollback, []);
        } catch {
          // A connection that cannot roll back is not returned to the pool.
          broken = true;
        }
        throw error;
      }
      open = false;
      let committed: pg.QueryResult;
      try {
        committed = await client.query(commit.text);
      } catch (error) {
        throw toDatabaseError(error, commit.name);
      }
      if (committed.command === 'ROLLBACK') {
        throw new DatabaseError('transaction was aborted by an earlier error and has been rolled back', { code: '25P02', statement: commit.name });
      }
      return result;
    } finally {
      client.release(broken);
    }
  }

  async reset(): Promise<void> {
    const { rows } = await this.query<{ tablename: string }>(listEngineTables, []);
    if (rows.length === 0) return;
    await this.exec(truncateSql(rows.map((row) => row.tablename)));
  }

  async dropSchema(): Promise<void> {
    if (this.schema === undefined) throw new Error('dropSchema() needs the database to have been created with a schema');
    await this.exec(dropSchemaSql(this.schema));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
