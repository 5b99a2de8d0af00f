// The embedded driver: one PGlite instance (one Postgres session, in-process).
//
// Fast path: `query()` through PGlite costs six wasm calls and a re-plan per
// statement. Here each named Statement is Parse'd once and every later call is
// Bind/Describe/Execute/Sync in ONE execProtocol round trip, which is several
// times cheaper (see test/bench/driver.ts). The simulator runs thousands of
// statements per seed, so this is the difference between a usable and a slow kit.
//
// One session means one transaction at a time: every call holds a mutex, so a
// caller's BEGIN … COMMIT is never shared with, or interleaved by, another caller.
import { PGlite, parse, protocol } from '@electric-sql/pglite';
import type { Database, QueryResult, Queryable, Statement } from './database.ts';
import { DatabaseError } from './database.ts';
import { Mutex } from './mutex.ts';
import { bindMessage } from './bind-message.ts';
import { toParameterTexts } from './parameters.ts';
import { begin, commit, rollback } from '../sql/session.ts';
import { checkpointSql, createSchemaSql, listEngineTables, setSearchPathSql, truncateSql } from '../sql/schema.ts';

export interface PGliteDatabaseOptions {
  /** An existing instance (e.g. loaded from a dumped data dir). Default: a new in-memory instance. */
  pglite?: PGlite;
  /** Create this schema if missing and put it first on the search path. */
  schema?: string;
}

export interface PGliteDatabase extends Database {
  readonly pglite: PGlite;
  readonly singleSession: true;
  /** Statements run so far through query() and exec() (transaction control not counted). */
  readonly statements: number;
  /** Empties every wf_ table except wf_migrations and restarts identities: ids after a reset match a fresh database. */
  reset(): Promise<void>;
  /** Flushes PGlite's in-memory WAL; run every few hundred seeds to keep memory flat. */
  checkpoint(): Promise<void>;
}

interface SentResult {
  rows: unknown[];
  rowCount: number;
  /** The command tag's first word: 'INSERT', 'COMMIT', 'ROLLBACK', … */
  command: string | undefined;
}

type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];

interface ErrorMessage {
  name: 'error';
  message: string;
  code?: string;
}

export async function createPGliteDatabase(options: PGliteDatabaseOptions = {}): Promise<PGliteDatabase> {
  const owned = options.pglite === undefined;
  const pglite = options.pglite ?? (await PGlite.create());
  const database = new PGliteDriver(pglite, owned);
  if (options.schema !== undefined) {
    await database.exec(`${createSchemaSql(options.schema)}; ${setSearchPathSql(options.schema)}`);
  }
  return database;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function isError(message: BackendMessage): boolean {
  return message.name === 'error';
}

class PGliteDriver implements PGliteDatabase {
  readonly kind = 'pglite';
  readonly singleSession = true;
  readonly pglite: PGlite;
  readonly #owned: boolean;
  /**
   * An instance this driver created lives in memory, where PGlite's sync of the
   * file system after each call is a no-op reached through a mutex: skipping it
   * is 7% of a simulated seed (measured side by side, same traces). A caller's
   * instance may be backed by IndexedDB, so its calls keep the sync.
   */
  readonly #callOptions: { throwOnError: false; syncToFs: boolean };
  readonly #mutex = new Mutex();
  /** name → text of every statement this session has Parse'd. */
  readonly #prepared = new Map<string, string>();
  /** The message every call ends with; built once. */
  readonly #tail: Uint8Array;
  #statements = 0;
  #closed = false;

  constructor(pglite: PGlite, owned: boolean) {
    this.pglite = pglite;
    this.#owned = owned;
    this.#callOptions = { throwOnError: false, syncToFs: !owned };
    this.#tail = concat([protocol.serialize.describe({ type: 'P' }), protocol.serialize.execute({}), protocol.serialize.sync()]);
  }

  get statements(): number {
    return this.#statements;
  }

  query<Row = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.#mutex.run(() => this.#run<Row>(statement, params));
  }

  exec(sql: string): Promise<void> {
    return this.#mutex.run(async () => {
      this.#assertOpen();
      this.#statements += 1;
      const { messages } = await this.pglite.execProtocol(protocol.serialize.query(sql), this.#callOptions);
      const error = messages.find(isError);
      if (error !== undefined) throw toDatabaseError(error, undefined);
    });
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      await this.#control(begin);
      let open = true;
      const tx: Queryable = {
        query: <Row>(statement: Statement, params?: readonly unknown[]) => {
          // A callback that outlives its transaction must not write into the next caller's.
          if (!open) return Promise.reject(new Error(`statement ${statement.name} issued after its transaction ended`));
          return this.#run<Row>(statement, params);
        },
      };
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        open = false;
        await this.#control(rollback);
        throw error;
      }
      open = false;
      const committed = await this.#control(commit);
      // COMMIT of a transaction aborted by an error the callback swallowed rolls back instead.
      if (committed === 'ROLLBACK') {
        throw new DatabaseError('transaction was aborted by an earlier error and has been rolled back', { code: '25P02', statement: commit.name });
      }
      return result;
    });
  }

  reset(): Promise<void> {
    return this.#mutex.run(async () => {
      const { rows } = await this.#run<{ tablename: string }>(listEngineTables, []);
      if (rows.length === 0) return;
      const sql = truncateSql(rows.map((row) => row.tablename));
      const { messages } = await this.pglite.execProtocol(protocol.serialize.query(sql), this.#callOptions);
      const error = messages.find(isError);
      if (error !== undefined) throw toDatabaseError(error, undefined);
    });
  }

  checkpoint(): Promise<void> {
    return this.exec(checkpointSql);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // An instance passed in by the caller belongs to the caller.
    if (this.#owned) await this.#mutex.run(() => this.pglite.close());
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the PGlite database is closed');
  }

  /** Runs BEGIN/COMMIT/ROLLBACK; returns the command tag. ROLLBACK never throws: it is the cleanup path. */
  async #control(statement: Statement): Promise<string | undefined> {
    try {
      const result = await this.#send(statement, []);
      return result.command;
    } catch (error) {
      if (statement === rollback) return undefined;
      throw error;
    }
  }

  async #run<Row>(statement: Statement, params: readonly unknown[] | undefined): Promise<QueryResult<Row>> {
    this.#statements += 1;
    const result = await this.#send(statement, params);
    return { rows: result.rows as Row[], rowCount: result.rowCount };
  }

  async #send(statement: Statement, params: readonly unknown[] | undefined): Promise<SentResult> {
    this.#assertOpen();
    const known = this.#prepared.get(statement.name);
    if (known !== undefined && known !== statement.text) {
      throw new Error(`two different statements are named ${statement.name}: statement names must be unique`);
    }
    const values = toParameterTexts(params);
    const bind = bindMessage(statement.name, values, this.#tail);
    // The first use carries its Parse in the same round trip.
    const message = known === undefined ? concat([protocol.serialize.parse({ name: statement.name, text: statement.text }), bind]) : bind;
    const { messages } = await this.pglite.execProtocol(message, this.#callOptions);
    if (known === undefined && messages.some((m) => m.name === 'parseComplete')) {
      this.#prepared.set(statement.name, statement.text);
    }
    const error = messages.find(isError);
    if (error !== undefined) throw toDatabaseError(error, statement.name);
    // parseResults is typed for PGlite's own messages; the parsers are the instance's type parsers.
    const [results] = parse.parseResults(messages, (this.pglite as unknown as { parsers: Parameters<typeof parse.parseResults>[1] }).parsers);
    const rows = results?.rows ?? [];
    const command = results?.command;
    const modifies = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return { rows, rowCount: modifies ? (results?.affectedRows ?? 0) : rows.length, command };
  }
}

function toDatabaseError(message: BackendMessage, statement: string | undefined): DatabaseError {
  const error = message as unknown as ErrorMessage;
  return new DatabaseError(error.message, { code: error.code, statement, cause: message });
}
