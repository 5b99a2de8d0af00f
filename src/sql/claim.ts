// Claim: the one statement that moves a job from queued to running.
import type { Statement } from '../db/database.ts';
import { jobColumns } from './job-columns.ts';

/**
 * Locks the rows of the concurrency-limited queues a claim may draw from, in
 * name order, before the claim statement runs in the same transaction.
 *
 * Why: under READ COMMITTED the claim's "running jobs < max_concurrency" count
 * reads the statement's snapshot. Two real sessions could both count 0 and both
 * claim into a queue limited to 1. Holding the queue row makes the second claim
 * wait and then count with a snapshot that includes the first claim. NO KEY
 * UPDATE (not UPDATE) so enqueues, whose foreign-key check takes KEY SHARE on
 * the queue row, are not blocked. On PGlite (one session) it is always granted.
 * $1 queues filter (NULL = all).
 */
export const lockLimitedQueues: Statement = {
  name: 'wf_lock_limited_queues',
  text: `
    SELECT q.name
    FROM wf_queues q
    WHERE q.max_concurrency IS NOT NULL
      AND ($1::text[] IS NULL OR q.name = ANY ($1::text[]))
    ORDER BY q.name COLLATE "C"
    FOR NO KEY UPDATE`,
};

/**
 * Picks the best eligible job and, in the same statement, takes its resource
 * lock and stamps the new ownership. Eligible: queued, available, attempts not
 * spent, in the requested queues and types, its queue under max_concurrency,
 * its resource key neither held by an unexpired lock of anyone else (nor by
 * this worker for another job) nor in use by a running job, and the caller a
 * registered worker that is not stopping: an enqueue-only client or an unknown
 * id never claims (incident 000).
 *
 * The lock insert is a gate: if it cannot take the key (a concurrent session
 * took it first), it returns no row and the job is not claimed. pid and run_id
 * are set from the request, NULL when not given, so a stale value left on the
 * row can never survive into the new run (incident 003).
 *
 * $1 worker id, $2 now, $3 lease token, $4 pid, $5 run id, $6 queues filter,
 * $7 types filter, $8 lock expiry.
 */
export const claim: Statement = {
  name: 'wf_claim',
  text: `
    WITH candidate AS (
      SELECT j.id, j.resource_key
      FROM wf_jobs j
      JOIN wf_queues q ON q.name = j.queue
      WHERE j.status = 'queued'
        AND j.available_at <= $2::timestamptz
        AND j.attempts < j.attempts_max
        AND ($6::text[] IS NULL OR j.queue = ANY ($6::text[]))
        AND ($7::text[] IS NULL OR j.type = ANY ($7::text[]))
        AND (q.max_concurrency IS NULL OR (
              SELECT count(*) FROM wf_jobs r WHERE r.queue = j.queue AND r.status = 'running'
            ) < q.max_concurrency)
        AND (j.resource_key IS NULL OR (
              NOT EXISTS (
                SELECT 1 FROM wf_locks l
                WHERE l.key = j.resource_key
                  AND l.expires_at > $2::timestamptz
                  AND NOT (l.holder = $1::text AND (l.job_id IS NULL OR l.job_id = j.id)))
              -- A running job keeps its key whatever its lock's expiry says: a
              -- paused holder's lock may expire before the reaper requeues its
              -- job, and a TTL alone would let a second job with the key run
              -- beside it (incident 001). The reaper, not the clock, supersedes it.
              AND NOT EXISTS (
                SELECT 1 FROM wf_jobs o
                WHERE o.resource_key = j.resource_key AND o.status = 'running')))
        AND EXISTS (
              SELECT 1 FROM wf_workers w
              WHERE w.id = $1::text AND w.role = 'worker' AND NOT w.stopping
              FOR SHARE)
      ORDER BY j.priority DESC, j.id ASC
      LIMIT 1
      FOR UPDATE OF j SKIP LOCKED
    ),
    taken AS (
      INSERT INTO wf_locks AS l (key, holder, job_id, acquired_at, expires_at)
      SELECT c.resource_key, $1::text, c.id, $2::timestamptz, $8::timestamptz
      FROM candidate c
      WHERE c.resource_key IS NOT NULL
      ON CONFLICT (key) DO UPDATE
        SET holder = EXCLUDED.holder,
            job_id = EXCLUDED.job_id,
            acquired_at = EXCLUDED.acquired_at,
            expires_at = EXCLUDED.expires_at
        WHERE l.expires_at <= EXCLUDED.acquired_at
           OR (l.holder = EXCLUDED.holder AND (l.job_id IS NULL OR l.job_id = EXCLUDED.job_id))
      RETURNING l.key
    )
    UPDATE wf_jobs j
    SET status = 'running',
        owner = $1::text,
        lease_token = $3::text,
        pid = $4::integer,
        run_id = $5::text,
        started_at = $2::timestamptz,
        finished_at = NULL,
        attempts = j.attempts + 1
    WHERE j.id = (SELECT c.id FROM candidate c)
      AND (j.resource_key IS NULL OR EXISTS (SELECT 1 FROM taken))
    RETURNING ${jobColumns('j')}`,
};
