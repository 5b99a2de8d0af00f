// Reap: removal of workers whose heartbeat is too old.
import type { Statement } from '../db/database.ts';

/**
 * Liveness is judged by the heartbeat alone, never by a pid (a pid can be
 * reused by another process, incident 003), and the caller is never its own
 * victim (incident 001). Runs first in the reap transaction; the recovery of
 * the deleted workers' jobs runs next, with a fresh snapshot, so a claim that
 * committed while this statement waited for the worker row is recovered too.
 * $1 heartbeat cutoff (now − threshold), $2 the reaper's id.
 */
export const deleteStaleWorkers: Statement = {
  name: 'wf_delete_stale_workers',
  text: `
    WITH dead AS (
      DELETE FROM wf_workers
      WHERE heartbeat_at < $1::timestamptz AND id <> $2::text
      RETURNING id
    )
    SELECT d.id FROM dead d ORDER BY d.id COLLATE "C"`,
};
