// Resource lock: acquire (or renew) for a holder.
import type { Statement } from '../db/database.ts';

/**
 * Takes a free or expired key, or renews one the holder already has; a key
 * held unexpired by someone else is left alone and no row is returned. A renewal
 * keeps the first acquired_at and, when no job is named, the job it was bound to.
 * $1 key, $2 holder, $3 job id, $4 now, $5 expiry.
 */
export const acquireLock: Statement = {
  name: 'wf_acquire_lock',
  text: `
    INSERT INTO wf_locks AS l (key, holder, job_id, acquired_at, expires_at)
    SELECT $1::text, $2::text, $3::bigint, $4::timestamptz, $5::timestamptz
    -- A key in use by a running job is held, whatever the expiry of its lock row.
    WHERE NOT EXISTS (
      SELECT 1 FROM wf_jobs j
      WHERE j.resource_key = $1::text AND j.status = 'running'
        AND j.owner IS DISTINCT FROM $2::text)
    ON CONFLICT (key) DO UPDATE
      SET holder = EXCLUDED.holder,
          job_id = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > EXCLUDED.acquired_at
                        THEN coalesce(EXCLUDED.job_id, l.job_id) ELSE EXCLUDED.job_id END,
          acquired_at = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > EXCLUDED.acquired_at
                             THEN l.acquired_at ELSE EXCLUDED.acquired_at END,
          expires_at = EXCLUDED.expires_at
      WHERE l.expires_at <= EXCLUDED.acquired_at OR l.holder = EXCLUDED.holder
    RETURNING l.key`,
};
