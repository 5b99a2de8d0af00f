// Incident 003's requeue paths: every way back to 'queued' clears the owner and
// the lease but keeps pid, run_id and started_at, as the orchestrator's
// mark_job('queued'), reap_running_job and requeue_running_jobs did before
// ORCH-126. Each statement is the reference one (src/sql/) with only the
// pid / run_id / started_at assignments dropped. Shared by the mutants
// requeue-keeps-pid, claim-keeps-stale-pid (startup path) and incident-003.
import type { Statement } from '../../../src/db/database.ts';

/** src/sql/fail.ts keeping pid, run_id and started_at on a retry. $1 job, $2 lease, $3 error, $4 now, $5 retry at. */
export const failKeepsPid: Statement = {
  name: 'mutant_003_fail_keeps_pid',
  text: `
    WITH failed AS (
      UPDATE wf_jobs j
      SET status       = CASE WHEN j.attempts < j.attempts_max THEN 'queued' ELSE 'failed' END,
          available_at = CASE WHEN j.attempts < j.attempts_max THEN $5::timestamptz ELSE j.available_at END,
          finished_at  = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE $4::timestamptz END,
          owner        = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.owner END,
          lease_token  = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.lease_token END,
          error        = $3::text
      WHERE j.id = $1::bigint AND j.status = 'running' AND j.lease_token = $2::text
      RETURNING j.id, j.resource_key, j.status
    ),
    unlocked AS (
      DELETE FROM wf_locks l USING failed f
      WHERE l.key = f.resource_key AND l.job_id = f.id
      RETURNING l.key
    )
    SELECT f.status FROM failed f`,
};

/** src/sql/release.ts keeping pid, run_id and started_at. $1 job, $2 lease. */
export const releaseKeepsPid: Statement = {
  name: 'mutant_003_release_keeps_pid',
  text: `
    WITH released AS (
      UPDATE wf_jobs j
      SET status = 'queued',
          attempts = GREATEST(j.attempts - 1, 0),
          owner = NULL, lease_token = NULL
      WHERE j.id = $1::bigint AND j.status = 'running' AND j.lease_token = $2::text
      RETURNING j.id, j.resource_key
    ),
    unlocked AS (
      DELETE FROM wf_locks l USING released r
      WHERE l.key = r.resource_key AND l.job_id = r.id
      RETURNING l.key
    )
    SELECT r.id FROM released r`,
};

/** src/sql/recover-jobs.ts (reap and startup) keeping pid, run_id and started_at. $1 owners, $2 orphans too, $3 now, $4 error. */
export const recoverKeepsPid: Statement = {
  name: 'mutant_003_recover_keeps_pid',
  text: `
    WITH recovered AS (
      UPDATE wf_jobs j
      SET status      = CASE WHEN j.attempts < j.attempts_max THEN 'queued' ELSE 'failed' END,
          finished_at = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE $3::timestamptz END,
          owner       = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.owner END,
          lease_token = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.lease_token END,
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

/** src/sql/shutdown.ts releaseWorker keeping pid, run_id and started_at. $1 worker id. */
export const releaseWorkerKeepsPid: Statement = {
  name: 'mutant_003_release_worker_keeps_pid',
  text: `
    WITH released AS (
      UPDATE wf_jobs j
      SET status = 'queued',
          attempts = GREATEST(j.attempts - 1, 0),
          owner = NULL, lease_token = NULL
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
