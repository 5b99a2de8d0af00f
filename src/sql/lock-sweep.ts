// Resource lock: drop every expired lock.
import type { Statement } from '../db/database.ts';

/** Drops expired locks, except those of jobs still running under their holder. $1 now. Returns the dropped keys sorted. */
export const sweepLocks: Statement = {
  name: 'wf_sweep_locks',
  text: `
    WITH swept AS (
      DELETE FROM wf_locks l
      WHERE l.expires_at <= $1::timestamptz
        -- The lock of a job that is still running stays until the job ends or is
        -- requeued: its row, not the TTL, says the key is in use.
        AND NOT EXISTS (SELECT 1 FROM wf_jobs j WHERE j.id = l.job_id AND j.status = 'running' AND j.owner = l.holder)
      RETURNING l.key
    )
    SELECT coalesce(json_agg(s.key ORDER BY s.key COLLATE "C"), '[]') AS keys FROM swept s`,
};
