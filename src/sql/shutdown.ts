// Shutdown: a worker's graceful exit.
import type { Statement } from '../db/database.ts';

/**
 * First statement of the shutdown transaction. Its row lock waits for any claim
 * of this worker in flight on another session (claims hold the worker row FOR
 * SHARE), so the release that follows sees every job the worker owns. $1 worker id.
 */
export const markStopping: Statement = {
  name: 'wf_mark_stopping',
  text: `UPDATE wf_workers SET stopping = true WHERE id = $1::text`,
};

/**
 * In-flight jobs go back to queued without spending an attempt and with every
 * ownership column cleared; the worker's locks and the row itself are dropped.
 * $1 worker id.
 */
export const releaseWorker: Statement = {
  name: 'wf_release_worker',
  text: `
    WITH released AS (
      UPDATE wf_jobs j
      SET status = 'queued',
          attempts = GREATEST(j.attempts - 1, 0),
          owner = NULL, lease_token = NULL, pid = NULL, run_id = NULL, started_at = NULL
      WHERE j.status = 'running' AND j.owner = $1::text
      RETURNING j.id
    ),
    unlocked AS (
      DELETE FROM wf_locks l
      WHERE l.holder = $1::text OR l.job_id IN (SELECT r.id FROM released r)
      RETURNING l.key
    ),
    removed AS (
      DELETE FROM wf_workers w WHERE w.id = $1::text RETURNING w.id
    )
    SELECT
      (SELECT coalesce(json_agg(r.id ORDER BY r.id), '[]') FROM released r) AS released,
      (SELECT coalesce(json_agg(u.key ORDER BY u.key COLLATE "C"), '[]') FROM unlocked u) AS locks`,
};
