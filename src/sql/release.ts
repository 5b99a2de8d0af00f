// Release: graceful hand-back of a running job (the worker is shutting down).
import type { Statement } from '../db/database.ts';

/**
 * Back to queued without spending an attempt (the claim's increment is undone),
 * every ownership column cleared, the job's resource lock dropped; gated on the
 * lease so a stale holder cannot undo a newer claim. $1 job id, $2 lease token.
 */
export const release: Statement = {
  name: 'wf_release',
  text: `
    WITH released AS (
      UPDATE wf_jobs j
      SET status = 'queued',
          attempts = GREATEST(j.attempts - 1, 0),
          owner = NULL, lease_token = NULL, pid = NULL, run_id = NULL, started_at = NULL
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
