// Heartbeat: a worker's liveness, and the TTL of the locks it holds.
import type { Statement } from '../db/database.ts';

/**
 * Locks are extended only when the worker row still exists: a worker that was
 * reaped must not keep its old keys alive. Expiry only moves forward.
 * $1 worker id, $2 now, $3 new lock expiry.
 */
export const heartbeat: Statement = {
  name: 'wf_heartbeat',
  text: `
    WITH beat AS (
      UPDATE wf_workers SET heartbeat_at = $2::timestamptz
      WHERE id = $1::text
      RETURNING id
    ),
    extended AS (
      UPDATE wf_locks l SET expires_at = GREATEST(l.expires_at, $3::timestamptz)
      WHERE l.holder = $1::text AND EXISTS (SELECT 1 FROM beat)
      RETURNING l.key
    )
    SELECT (SELECT count(*) FROM beat) AS workers, (SELECT count(*) FROM extended) AS locks`,
};
