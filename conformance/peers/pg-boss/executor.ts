// The `db` pg-boss is given ({ executeSql(text, values) }), built on the kit's
// Database port so that every pg-boss statement is a scheduling point of the
// simulated process that sent it.
//
// Routing (measured: pg-boss runs on PGlite only this way):
// - parameterless text with more than one statement (pg-boss's install and
//   maintenance scripts, wrapped in its own BEGIN … COMMIT) goes to exec(),
//   the simple protocol, with the clock set first in the same text; a script
//   that fails is followed by a ROLLBACK so no aborted transaction is left
//   behind on the session;
// - everything else goes to query(), as one transaction that first sets the
//   clock and the search path (set_config(..., true): both end with the
//   transaction), so the clock of one process never leaks into another's
//   statement and a failed statement rolls back with it.
// Each distinct text gets a stable name from a hash of the text, because the
// PGlite driver prepares by name (an empty name would be one shared slot).
import type { Database, QueryResult, Queryable } from '../../../src/db/database.ts';
import { searchPathOf, setClock, setClockScript, statementFor } from './statements.ts';

export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

/** More than one statement: a ';' followed by more text once trailing semicolons and blanks are gone. */
export function isMultiStatement(text: string): boolean {
  return /;\s*\S/.test(text.replace(/[;\s]+$/, ''));
}

export function isoOf(ms: number): string {
  // Formats a given instant; never reads the wall clock.
  return new Date(ms).toISOString();
}

function asResult(result: QueryResult<unknown>): { rows: unknown[]; rowCount: number } {
  return { rows: result.rows, rowCount: result.rowCount };
}

/** Every pg-boss call of one process: its database, its clock, pg-boss's schema. */
export function databaseExecutor(db: Database, now: () => number, schema: string): SqlExecutor {
  const path = searchPathOf(schema);
  return {
    async executeSql(text, values) {
      const parameters = values ?? [];
      if (parameters.length === 0 && isMultiStatement(text)) {
        try {
          await db.exec(`${setClockScript(isoOf(now()), schema)}\n${text}`);
        } catch (error) {
          // The script opened its own transaction; leave the session clean for the next caller. On PGlite that is the
          // one session; on a pool the ROLLBACK may reach another connection, but the only script the adapter sends is
          // pg-boss's installation, outside any process (expiry runs as single statements in reap()).
          await db.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
        return { rows: [], rowCount: 0 };
      }
      return db.transaction(async (tx) => {
        await tx.query(setClock, [isoOf(now()), path]);
        return asResult(await tx.query(statementFor('boss', text), parameters));
      });
    },
  };
}

/**
 * pg-boss statements inside a transaction the adapter already opened (and set
 * the clock in): enqueue's job-number row and send, fail and its read-back.
 * A statement that fails marks the transaction so the adapter can roll it back
 * even when pg-boss swallows the error (its fetch does).
 */
export class TransactionExecutor implements SqlExecutor {
  failed: unknown = null;
  constructor(private readonly tx: Queryable) {}

  async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }> {
    if ((values ?? []).length === 0 && isMultiStatement(text)) {
      throw new Error('a multi-statement pg-boss script cannot run inside the adapter’s transaction');
    }
    try {
      return asResult(await this.tx.query(statementFor('boss', text), values ?? []));
    } catch (error) {
      this.failed ??= error;
      throw error;
    }
  }
}

/** Runs `body` in one transaction with the clock set; the body's pg-boss calls go through the executor it is given. */
export async function inClockedTransaction<T>(db: Database, nowMs: number, schema: string, body: (tx: Queryable, executor: TransactionExecutor) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(setClock, [isoOf(nowMs), searchPathOf(schema)]);
    const executor = new TransactionExecutor(tx);
    const result = await body(tx, executor);
    // pg-boss caught an error the transaction cannot survive: roll back rather than commit an aborted transaction.
    if (executor.failed !== null) throw new SwallowedStatementError(executor.failed);
    return result;
  });
}

/** A statement failed inside pg-boss, which caught the error; the adapter's transaction is rolled back. */
export class SwallowedStatementError extends Error {
  override readonly name = 'SwallowedStatementError';
  constructor(cause: unknown) {
    super(`a pg-boss statement failed inside the adapter's transaction: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
