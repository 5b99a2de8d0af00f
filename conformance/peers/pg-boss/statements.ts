// Every SQL statement the pg-boss adapter adds of its own: the clock shim that
// makes pg-boss's now() read simulated time, the job-number ledger that turns
// idempotency keys into the integer ids the kit speaks, the reads around
// pg-boss's expiry that let reap() say which jobs it moved, and the read-only
// view of pg-boss's rows. pg-boss's own SQL is never copied here: the adapter
// sends the text pg-boss builds (node_modules/pg-boss/src/plans.js).
import { createHash } from 'node:crypto';
import type { Statement } from '../../../src/db/database.ts';
import { quoteIdentifier } from '../../../src/sql/schema.ts';

/** The custom setting the shim's now() reads; the adapter sets it before every pg-boss statement. */
export const CLOCK_SETTING = 'wfsim.now';

/**
 * A name for a statement text that is stable across processes and runs: the
 * PGlite driver prepares each name once and assumes name ⇒ text, and pg-boss's
 * texts embed the schema, so a fixed name per purpose could meet two texts.
 */
export function statementFor(purpose: string, text: string): Statement {
  const digest = createHash('sha1').update(text).digest('hex').slice(0, 16);
  return { name: `pgboss_${purpose}_${digest}`, text };
}

/**
 * Functions that shadow pg_catalog's now(), gen_random_uuid() and random() for
 * every statement run with `search_path = <schema>, pg_catalog`. pg-boss calls
 * all three unqualified (checked by test/peers/pg-boss-sql.test.ts), and its
 * column defaults bind to whichever now() the search path finds when the tables
 * are created, so the shim must exist before pg-boss installs itself.
 * - now(): the time the adapter put in `wfsim.now` (ctx.clock.now()), so a
 *   simulated run never reads the wall clock and a real-Postgres run reads the
 *   process's own clock, exactly like the reference engine's $n::timestamptz.
 * - gen_random_uuid(): a sequence (the adapter always passes job ids; only
 *   pg-boss's dead-letter insert would fall back to it).
 * - random(): 0.5, the mean of the jitter pg-boss adds to exponential retry
 *   backoff; the adapter sends retryBackoff = false, so it is never reached.
 */
export function clockShimSql(schema: string): string {
  const s = quoteIdentifier(schema);
  return `
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE SEQUENCE IF NOT EXISTS ${s}.wfsim_uuid_seq;
    CREATE OR REPLACE FUNCTION ${s}.now() RETURNS timestamptz
      LANGUAGE sql STABLE
      AS $$ SELECT pg_catalog.current_setting('${CLOCK_SETTING}')::timestamptz $$;
    CREATE OR REPLACE FUNCTION ${s}.gen_random_uuid() RETURNS uuid
      LANGUAGE sql VOLATILE
      AS $$ SELECT ('00000000-0000-4000-9000-' || pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.nextval('${schema}.wfsim_uuid_seq')), 12, '0'))::uuid $$;
    CREATE OR REPLACE FUNCTION ${s}.random() RETURNS double precision
      LANGUAGE sql VOLATILE
      AS $$ SELECT 0.5::double precision $$;
    CREATE TABLE IF NOT EXISTS ${s}.wfsim_job_number (
      job_number bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      idempotency_key text UNIQUE
    );`;
}

/** The search path every pg-boss statement runs under: the shim first, then pg_catalog explicitly (else Postgres searches pg_catalog first). */
export function searchPathOf(schema: string): string {
  return `${quoteIdentifier(schema)}, pg_catalog`;
}

/** Sets the clock and the search path for the rest of the transaction. $1 ISO time, $2 search path. */
export const setClock: Statement = {
  name: 'pgboss_wfsim_set_clock',
  text: `SELECT pg_catalog.set_config('${CLOCK_SETTING}', $1::text, true) AS now, pg_catalog.set_config('search_path', $2::text, true) AS path, pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', true) AS plans`,
};

/** The same, for a parameterless script sent through exec(): session-level, before the script's own BEGIN. */
export function setClockScript(iso: string, schema: string): string {
  if (!/^[0-9TZ:.+-]+$/.test(iso)) throw new TypeError(`not an ISO time: ${iso}`);
  return `SELECT pg_catalog.set_config('${CLOCK_SETTING}', '${iso}', false); SET search_path = ${searchPathOf(schema)};`;
}

/**
 * A job number per idempotency key (or a fresh one without a key): the kit
 * speaks integer job ids, pg-boss uuids. The adapter sends the number encoded in
 * the uuid (see jobUuid), so a retried send carries the same id and pg-boss's own
 * `ON CONFLICT DO NOTHING` on (name, id) makes it idempotent. $1 key or null.
 */
export function jobNumberFor(schema: string): Statement {
  const s = quoteIdentifier(schema);
  return statementFor(
    'job_number',
    `INSERT INTO ${s}.wfsim_job_number (idempotency_key) VALUES ($1::text)
     ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
     RETURNING job_number`,
  );
}

/**
 * The active jobs whose expiry has passed, locked, so the expiry that follows in
 * the same transaction moves exactly these: the predicate is pg-boss's own
 * (plans.failJobsByTimeout). The lock only makes the report exact; pg-boss's
 * DELETE takes the same row locks a statement later.
 */
export function expiredJobs(schema: string): Statement {
  const s = quoteIdentifier(schema);
  return statementFor(
    'expired_jobs',
    `SELECT id::text AS id FROM ${s}.job
     WHERE state = 'active' AND (started_on + expire_in) < now()
     ORDER BY id
     FOR UPDATE`,
  );
}

/** The state of given jobs after the expiry moved them. $1 uuid[]. */
export function jobStates(schema: string): Statement {
  const s = quoteIdentifier(schema);
  return statementFor('job_states', `SELECT id::text AS id, state::text AS state FROM ${s}.job WHERE id = ANY($1::uuid[]) ORDER BY id`);
}

/** pg-boss's advisory lock around maintenance (plans.js advisoryLock; test/peers/pg-boss-sql.test.ts checks it still matches). */
export function maintenanceLock(schema: string): Statement {
  return statementFor(
    'maintenance_lock',
    `SELECT pg_advisory_xact_lock(
      ('x' || encode(sha224((current_database() || '.pgboss.${schema}')::bytea), 'hex'))::bit(64)::bigint
  )`,
  );
}

export interface JobRow {
  id: string;
  name: string;
  state: string;
  started_on: Date | null;
  retry_count: number;
  retry_limit: number;
}

/** Every job row, read-only, for observe(). Archived jobs are left out: the adapter never runs pg-boss's archive (12 h default). */
export function jobRows(schema: string): Statement {
  const s = quoteIdentifier(schema);
  return statementFor(
    'job_rows',
    `SELECT id::text AS id, name, state::text AS state, started_on, retry_count, retry_limit
     FROM ${s}.job
     ORDER BY id`,
  );
}

export interface QueueRow {
  name: string;
  policy: string | null;
}

export function queueRows(schema: string): Statement {
  const s = quoteIdentifier(schema);
  return statementFor('queue_rows', `SELECT name, policy FROM ${s}.queue ORDER BY name COLLATE "C"`);
}

export interface StateFlagsRow {
  active: string[];
  queued_started: string[];
  attempts_over: boolean;
  concurrency_over: boolean;
}

/**
 * The fast state check: which rows could violate a state invariant now, in one
 * query (the world then calls observe() and the pure checkers for the
 * explanation). Active rows are listed because pg-boss never records an owner,
 * so every one of them is a RUNNING_OWNED case the first time it is seen.
 */
export function stateFlags(schema: string): Statement {
  const s = quoteIdentifier(schema);
  return statementFor(
    'state_flags',
    `SELECT
       COALESCE(array_agg(id::text ORDER BY id) FILTER (WHERE state = 'active'), '{}') AS active,
       COALESCE(array_agg(id::text ORDER BY id) FILTER (WHERE state < 'active' AND started_on IS NOT NULL), '{}') AS queued_started,
       COALESCE(bool_or(started_on IS NOT NULL AND retry_count > retry_limit), false) AS attempts_over,
       count(DISTINCT name) FILTER (WHERE state = 'active' AND policy = 'singleton')
         < count(*) FILTER (WHERE state = 'active' AND policy = 'singleton') AS concurrency_over
     FROM ${s}.job`,
  );
}

/** Empties every row and drops every queue's partition so the next seed's queues start from nothing. */
export function resetSql(schema: string): string {
  const s = quoteIdentifier(schema);
  return `
    TRUNCATE ${s}.job, ${s}.archive;
    SELECT ${s}.delete_queue(name) FROM ${s}.queue;
    TRUNCATE ${s}.wfsim_job_number RESTART IDENTITY;
    ALTER SEQUENCE ${s}.wfsim_uuid_seq RESTART;
    UPDATE ${s}.version SET maintained_on = NULL, cron_on = NULL, monitored_on = NULL;`;
}

/** The current schema of a connection: the lane's per-round schema on Postgres, 'public' on a bare database. */
export const currentSchema: Statement = { name: 'pgboss_wfsim_current_schema', text: 'SELECT current_schema() AS schema' };
