// Fail: the lease-gated write of a failed run: retry later, or end in failed.
import type { Statement } from '../db/database.ts';

/**
 * With attempts left the job goes back to queued, available after the backoff,
 * and EVERY ownership column is cleared: a queued row that still carried the
 * old pid or run id is exactly what wedged the queue in incident 003. With
 * attempts spent it ends in failed and keeps its run link. The job's resource
 * lock is dropped either way. $1 job id, $2 lease token, $3 error, $4 now,
 * $5 retry available_at.
 */
export const fail: Statement = {
  name: 'wf_fail',
  text: `
    WITH failed AS (
      UPDATE wf_jobs j
      SET status       = CASE WHEN j.attempts < j.attempts_max THEN 'queued' ELSE 'failed' END,
          available_at = CASE WHEN j.attempts < j.attempts_max THEN $5::timestamptz ELSE j.available_at END,
          finished_at  = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE $4::timestamptz END,
          owner        = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.owner END,
          lease_token  = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.lease_token END,
          pid          = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.pid END,
          run_id       = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.run_id END,
          started_at   = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.started_at END,
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
