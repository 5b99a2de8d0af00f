// Recovery of jobs whose owner is gone: shared by the reaper and by startup
// (a restarted worker recovering what its earlier incarnation left running).
import type { Statement } from '../db/database.ts';

/**
 * Running jobs of the given owners (and, for the reaper, running jobs whose
 * owner has no worker row at all) go back to queued with every ownership column
 * cleared, or end in failed when their attempts are spent. Their owners' locks
 * and the recovered jobs' locks are dropped in the same statement.
 *
 * The ownerless sweep covers a claim that committed concurrently with the
 * deletion of its worker row on a real Postgres: nothing else would ever look
 * at that job again.
 *
 * $1 owner ids, $2 also recover jobs of owners without a worker row,
 * $3 now, $4 error recorded on the jobs that end in failed.
 */
export const recoverJobs: Statement = {
  name: 'wf_recover_jobs',
  text: `
    WITH recovered AS (
      UPDATE wf_jobs j
      SET status      = CASE WHEN j.attempts < j.attempts_max THEN 'queued' ELSE 'failed' END,
          finished_at = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE $3::timestamptz END,
          owner       = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.owner END,
          lease_token = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.lease_token END,
          pid         = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.pid END,
          run_id      = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.run_id END,
          started_at  = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.started_at END,
          error       = CASE WHEN j.attempts < j.attempts_max THEN j.error ELSE $4::text END
      WHERE j.status = 'running'
        AND (j.owner = ANY ($1::text[])
             OR ($2::boolean AND NOT EXISTS (SELECT 1 FROM wf_workers w WHERE w.id = j.owner)))
      RETURNING j.id, j.status
    ),
    unlocked AS (
      DELETE FROM wf_locks l
      WHERE l.holder = ANY ($1::text[])
         OR l.job_id IN (SELECT r.id FROM recovered r)
      RETURNING l.key
    )
    SELECT
      (SELECT coalesce(json_agg(r.id ORDER BY r.id), '[]') FROM recovered r WHERE r.status = 'queued') AS requeued,
      (SELECT coalesce(json_agg(r.id ORDER BY r.id), '[]') FROM recovered r WHERE r.status = 'failed') AS failed,
      (SELECT coalesce(json_agg(u.key ORDER BY u.key COLLATE "C"), '[]') FROM unlocked u) AS locks`,
};
