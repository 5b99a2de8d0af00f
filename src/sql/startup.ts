// Startup: registration of a worker or client incarnation.
import type { Statement } from '../db/database.ts';

/** The current row of this worker id, locked for the startup transaction. $1 worker id. */
export const lockWorker: Statement = {
  name: 'wf_lock_worker',
  text: `SELECT run_id FROM wf_workers WHERE id = $1::text FOR UPDATE`,
};

/**
 * Inserts the worker row or takes it over for a new incarnation: a fresh
 * heartbeat, not stopping. started_at moves only when the incarnation (run id)
 * changes, so re-registering the same process is idempotent.
 * $1 id, $2 role, $3 pid, $4 run id, $5 now.
 */
export const upsertWorker: Statement = {
  name: 'wf_upsert_worker',
  text: `
    INSERT INTO wf_workers AS w (id, role, pid, run_id, heartbeat_at, started_at, stopping)
    VALUES ($1::text, $2::text, $3::integer, $4::text, $5::timestamptz, $5::timestamptz, false)
    ON CONFLICT (id) DO UPDATE
      SET role = EXCLUDED.role,
          pid = EXCLUDED.pid,
          run_id = EXCLUDED.run_id,
          heartbeat_at = EXCLUDED.heartbeat_at,
          started_at = CASE WHEN w.run_id = EXCLUDED.run_id THEN w.started_at ELSE EXCLUDED.started_at END,
          stopping = false`,
};
