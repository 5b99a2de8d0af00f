// Mutant group-snapshot-then-update (incident 001): group completion reads the
// members' statuses in one statement, then marks the group done in a second
// one, unconditionally (no status = 'open' re-check), and reports the outcome -
// the old get_run_group_stats snapshot read that try_complete_run_group
// replaced. Every caller that sees all members terminal fires: two workers
// finishing the last members together, or a reaper sweep racing the worker
// that finished the last one. GROUP_ONCE must catch the second firing.
import type { Statement } from '../../src/db/database.ts';
import { toTimestamp } from '../../src/engine/time.ts';
import type { EngineSession, GroupResult } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';

/** The snapshot: how many members exist, how many are unfinished, whether any failed. $1 group id. */
export const groupStats: Statement = {
  name: 'mutant_group_snapshot_stats',
  text: `
    SELECT g.size,
           (SELECT count(*) FROM wf_jobs j WHERE j.group_id = g.id) AS members,
           (SELECT count(*) FROM wf_jobs j WHERE j.group_id = g.id AND j.status IN ('queued', 'running')) AS unfinished,
           EXISTS (SELECT 1 FROM wf_jobs j WHERE j.group_id = g.id AND j.status = 'failed') AS any_failed
    FROM wf_groups g
    WHERE g.id = $1::text`,
};

/** The update, acting on the snapshot: no guard on the group's current status. $1 group id, $2 status, $3 now. */
export const markGroupDone: Statement = {
  name: 'mutant_group_snapshot_mark',
  text: `UPDATE wf_groups SET status = $2::text, completed_at = $3::timestamptz WHERE id = $1::text`,
};

class GroupSnapshotThenUpdateSession extends ReferenceSession {
  override async tryCompleteGroup(groupId: string): Promise<GroupResult> {
    const { rows } = await this.ctx.db.query<{ size: number; members: number; unfinished: number; any_failed: boolean }>(groupStats, [groupId]);
    const stats = rows[0];
    if (stats === undefined || Number(stats.members) < stats.size || Number(stats.unfinished) > 0) return null;
    const outcome = stats.any_failed ? 'failed' : 'completed';
    // A separate statement, hence a separate scheduling point: another caller may snapshot the same all-terminal group here.
    await this.ctx.db.query(markGroupDone, [groupId, outcome, toTimestamp(this.now())]);
    return outcome;
  }
}

export const groupSnapshotThenUpdate: Mutant = {
  name: 'group-snapshot-then-update',
  incident: '001',
  invariant: 'GROUP_ONCE',
  bug: 'Group completion snapshots the members, then marks the group done in a second, unguarded statement, so every caller that saw all members terminal fires.',
  adapter: createReferenceAdapter({
    name: 'mutant:group-snapshot-then-update',
    session: (engine, ctx): EngineSession => new GroupSnapshotThenUpdateSession(engine, ctx),
  }),
};
