// Complete: the lease-gated terminal write of a successful run.
import type { Statement } from '../db/database.ts';

/**
 * Applies only while the job is running under this exact lease token: a worker
 * whose lease was superseded (it was reaped, the job re-claimed) changes nothing
 * (incident 001). The job's resource lock is dropped in the same statement. The
 * row keeps owner, run id, pid and started_at: a finished job stays linked to
 * the run that finished it. $1 job id, $2 lease token, $3 result, $4 now.
 */
export const complete: Statement = {
  name: 'wf_complete',
  text: `
    WITH done AS (
      UPDATE wf_jobs
      SET status = 'completed', result = $3::jsonb, finished_at = $4::timestamptz
      WHERE id = $1::bigint AND status = 'running' AND lease_token = $2::text
      RETURNING id, resource_key
    ),
    unlocked AS (
      DELETE FROM wf_locks l USING done d
      WHERE l.key = d.resource_key AND l.job_id = d.id
      RETURNING l.key
    )
    SELECT d.id FROM done d`,
};
