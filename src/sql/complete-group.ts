// Group completion: fires exactly once, from whichever caller gets there first.
import type { Statement } from '../db/database.ts';

/**
 * ONE conditional UPDATE: the group is still open, all `size` members exist and
 * none is queued or running. A check-then-update in two statements fires twice
 * when two workers finish the last two members at once (incident 001); here the
 * row lock and the status='open' re-check let exactly one caller change the row.
 * Any failed member makes the group failed. $1 group id, $2 now.
 */
export const completeGroup: Statement = {
  name: 'wf_complete_group',
  text: `
    UPDATE wf_groups g
    SET status = CASE
                   WHEN EXISTS (SELECT 1 FROM wf_jobs j WHERE j.group_id = g.id AND j.status = 'failed') THEN 'failed'
                   ELSE 'completed'
                 END,
        completed_at = $2::timestamptz
    WHERE g.id = $1::text
      AND g.status = 'open'
      AND (SELECT count(*) FROM wf_jobs j WHERE j.group_id = g.id) = g.size
      AND NOT EXISTS (SELECT 1 FROM wf_jobs j WHERE j.group_id = g.id AND j.status IN ('queued', 'running'))
    RETURNING g.status`,
};
