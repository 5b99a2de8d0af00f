// Sanitize: heals queued rows that still carry ownership.
import type { Statement } from '../db/database.ts';

/**
 * A queued row with an owner, lease, pid, run id or started_at is impossible if
 * every path back to queued is correct; one that exists anyway (an older engine
 * version, a manual edit) makes a pid-trusting reaper guard a phantom run and
 * can wedge a max_concurrency=1 queue (incident 003). Idempotent: a second run
 * finds nothing. Returns the healed ids sorted.
 */
export const sanitize: Statement = {
  name: 'wf_sanitize',
  text: `
    WITH healed AS (
      UPDATE wf_jobs
      SET owner = NULL, lease_token = NULL, pid = NULL, run_id = NULL, started_at = NULL
      WHERE status = 'queued'
        AND (owner IS NOT NULL OR lease_token IS NOT NULL OR pid IS NOT NULL
             OR run_id IS NOT NULL OR started_at IS NOT NULL)
      RETURNING id
    )
    SELECT coalesce(json_agg(h.id ORDER BY h.id), '[]') AS healed FROM healed h`,
};
