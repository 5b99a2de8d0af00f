// The SQL the pg-boss 12 adapter adds to what the 10.4.2 adapter already has
// (../../pg-boss/statements.ts: the search-path shim, the job-number ledger,
// the state view and checks, all still valid — the columns they read kept
// their names). What 12 needs besides: its clock function pointed at the
// adapter's clock, its expiry built by its own builder for one queue table,
// and a reset that knows 12's tables.
import type { Statement } from '../../../../src/db/database.ts';
import { quoteIdentifier } from '../../../../src/sql/schema.ts';
import { CLOCK_SETTING, statementFor } from '../../pg-boss/statements.ts';
import { plans12 } from './boss.ts';

/**
 * pg-boss 12 reads time only through `${schema}.job_now()` — schema-qualified,
 * so the search path cannot shadow it as it shadows 10's bare now(). pg-boss's
 * own TestClock replaces that function's body (plans.clockOverrideBody); the
 * adapter does the same with a body that reads the clock setting the adapter
 * writes before every statement (ctx.clock.now(): simulated time on PGlite,
 * the process's clock on Postgres). STABLE and one SELECT, like pg-boss's, so
 * the planner still inlines it.
 */
export function jobNowOverrideSql(schema: string): string {
  const s = quoteIdentifier(schema);
  return `
    CREATE OR REPLACE FUNCTION ${s}.job_now() RETURNS timestamptz
      LANGUAGE sql STABLE
      AS $$ SELECT pg_catalog.current_setting('${CLOCK_SETTING}')::timestamptz $$;`;
}

export interface QueueTableRow {
  table_name: string;
  names: string[];
}

/** Each job table and the queues in it (job_common for every queue without a partition of its own). */
export function queueTables(schema: string): Statement {
  return statementFor('queue_tables', `SELECT table_name, array_agg(name ORDER BY name COLLATE "C") AS names FROM ${quoteIdentifier(schema)}.queue GROUP BY table_name ORDER BY table_name COLLATE "C"`);
}

/**
 * The active jobs of a table whose expiry has passed, locked: pg-boss 12's own
 * predicate (plans.js timedOut, on `expire_seconds`), so the expiry that follows
 * in the same transaction moves exactly these. $1 queue names.
 */
export function expiredJobs12(schema: string, table: string): Statement {
  const s = quoteIdentifier(schema);
  return statementFor(
    'expired_jobs12',
    `SELECT id::text AS id FROM ${s}.${quoteIdentifier(table)}
     WHERE state = 'active' AND (started_on + expire_seconds * interval '1s') < ${s}.job_now() AND name = ANY($1::text[])
     ORDER BY id
     FOR UPDATE`,
  );
}

/** pg-boss's transaction() wrapper around a statement, split at a marker: what locked() puts before and after. */
function transactionWrapper(): { before: string; after: string } {
  const marker = '\u0000wfsim-statement\u0000';
  const wrapped = plans12.transaction(marker);
  const at = wrapped.indexOf(marker);
  return { before: wrapped.slice(0, at), after: wrapped.slice(at + marker.length) };
}

/**
 * pg-boss 12's expiry of one queue table as the single statement it runs:
 * failJobsByTimeout builds a whole script (BEGIN, SET LOCAL timeouts, its
 * advisory lock, the statement, COMMIT); asked without the advisory lock, the
 * script is the statement inside transaction()'s wrapper, which is cut off
 * here by comparing with transaction()'s own output — so a release that
 * changes either is refused rather than misread. The adapter runs the
 * statement inside its own clocked transaction, after the same advisory lock.
 * Returns a row { expiryPicked } (the batch size, at most EXPIRY_BATCH_SIZE).
 */
export function expiryStatement(schema: string, table: string, queues: readonly string[]): Statement {
  const script = plans12.failJobsByTimeout(schema, table, [...queues], true, plans12.EXPIRY_BATCH_SIZE);
  const { before, after } = transactionWrapper();
  if (!script.startsWith(before) || !script.endsWith(after)) throw new Error('pg-boss 12 failJobsByTimeout: not the transaction() wrapper the adapter knows; read plans.js again');
  return statementFor('expire', script.slice(before.length, script.length - after.length));
}

/** The advisory lock pg-boss 12 takes around a table's expiry (plans.js locked(…, table + 'failJobsByTimeout')). */
export function expiryLock(schema: string, table: string): Statement {
  return statementFor('expiry_lock', `SELECT pg_advisory_xact_lock(${plans12.advisoryLockKey(schema, `${table}failJobsByTimeout`)})`);
}

/**
 * Empties every row and drops every queue (with its partition, if it had
 * one) so the next seed starts from nothing: pg-boss's delete_queue(), then
 * every other table of 12 but its version row.
 */
export function resetSql12(schema: string): string {
  const s = quoteIdentifier(schema);
  return `
    SELECT ${s}.delete_queue(name) FROM ${s}.queue;
    TRUNCATE ${s}.job, ${s}.job_dependency, ${s}.queue_stats, ${s}.warning, ${s}.schedule, ${s}.subscription, ${s}.bam, ${s}.instance;
    TRUNCATE ${s}.wfsim_job_number RESTART IDENTITY;
    ALTER SEQUENCE ${s}.wfsim_uuid_seq RESTART;
    UPDATE ${s}.version SET cron_on = NULL, bam_on = NULL, flow_on = NULL, reindex_on = NULL, monitor_backoff_on = NULL;`;
}
