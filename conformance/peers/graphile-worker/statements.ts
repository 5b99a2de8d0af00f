// The SQL the graphile-worker adapter adds of its own: a ledger of the jobs it
// enqueued (graphile-worker deletes a job when it completes, so without it a
// completed job and a lost one look the same), the queues of the world, the
// reads around graphile-worker's writes that tell whether each took effect,
// and the read-only state view. graphile-worker's own statements come from its
// builders (./graphile.ts), never from here.
import type { Statement } from '../../../src/db/database.ts';
import { quoteIdentifier } from '../../../src/sql/schema.ts';
import { statementFor } from './client.ts';

export function ledgerSql(schema: string): string {
  const s = quoteIdentifier(schema);
  return `
    CREATE TABLE IF NOT EXISTS ${s}.wfsim_jobs (
      job_id bigint PRIMARY KEY,
      queue text NOT NULL,
      max_attempts int NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${s}.wfsim_queues (
      name text PRIMARY KEY,
      max_concurrency int
    );`;
}

export function recordJob(schema: string): Statement {
  return statementFor('record_job', `INSERT INTO ${quoteIdentifier(schema)}.wfsim_jobs (job_id, queue, max_attempts) VALUES ($1::bigint, $2::text, $3::int) ON CONFLICT (job_id) DO NOTHING`);
}

export function recordQueue(schema: string): Statement {
  return statementFor('record_queue', `INSERT INTO ${quoteIdentifier(schema)}.wfsim_queues (name, max_concurrency) VALUES ($1::text, $2::int) ON CONFLICT (name) DO UPDATE SET max_concurrency = EXCLUDED.max_concurrency`);
}

/** The job as it is now, locked for the write that follows in the same transaction. $1 job id. */
export function lockJob(schema: string): Statement {
  return statementFor('lock_job', `SELECT id, job_queue_id, attempts, max_attempts, locked_by FROM ${quoteIdentifier(schema)}._private_jobs WHERE id = $1::bigint FOR UPDATE`);
}

/** Jobs whose lock graphile-worker's resetLockedAt is about to clear (its own predicate), locked. */
export function staleLocks(schema: string): Statement {
  return statementFor(
    'stale_locks',
    `SELECT id, attempts, max_attempts FROM ${quoteIdentifier(schema)}._private_jobs WHERE locked_at < now() - interval '4 hours' ORDER BY id FOR UPDATE`,
  );
}

export interface ObservedRow {
  job_id: number;
  ledger_queue: string;
  ledger_max_attempts: number;
  present: boolean;
  locked_by: string | null;
  locked_at: Date | null;
  attempts: number | null;
  max_attempts: number | null;
}

export function observeJobs(schema: string): Statement {
  const s = quoteIdentifier(schema);
  return statementFor(
    'observe_jobs',
    `SELECT l.job_id, l.queue AS ledger_queue, l.max_attempts AS ledger_max_attempts, (j.id IS NOT NULL) AS present,
            j.locked_by, j.locked_at, j.attempts, j.max_attempts
     FROM ${s}.wfsim_jobs l LEFT JOIN ${s}._private_jobs j ON j.id = l.job_id
     ORDER BY l.job_id`,
  );
}

export function observeQueues(schema: string): Statement {
  return statementFor('observe_queues', `SELECT name, max_concurrency FROM ${quoteIdentifier(schema)}.wfsim_queues ORDER BY name COLLATE "C"`);
}

export const currentSchema: Statement = { name: 'graphile_wfsim_current_schema', text: 'SELECT current_schema() AS schema' };

/**
 * Ages a held lock by four hours and a second: how the lock-reset scenario
 * stands for a worker that stalled for four hours (the length of
 * graphile-worker's hard-coded lock timeout) without waiting four hours.
 * Only the scenario driver uses it; the adapter never moves a timestamp.
 */
export function ageLock(schema: string): Statement {
  return statementFor('age_lock', `UPDATE ${quoteIdentifier(schema)}._private_jobs SET locked_at = locked_at - interval '4 hours 1 second' WHERE id = $1::bigint AND locked_at IS NOT NULL`);
}
