// Mutant reaper-trusts-bare-pid (incident 003): the reaper spares a worker whose
// heartbeat is stale when ctx.os says its recorded pid is alive, as the
// orchestrator's job-reaper judged Tier-1 liveness by `jobs.pid`. After a
// container restart (the pid counter starts over) or a squatter taking the dead
// pid, the dead worker looks alive forever and its jobs are never recovered.
// Visible with per-start identities, where no restarted worker recovers its own
// jobs at startup: ORPHANS_RECOVERED must catch the stranded jobs.
import type { ExecutedStatement, Statement } from '../../src/db/database.ts';
import { toTimestamp } from '../../src/engine/time.ts';
import * as sql from '../../src/sql/index.ts';
import type { EngineSession, ReapResult } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { recoverWith } from './support.ts';

/** Workers whose heartbeat is older than the cutoff, never the caller. $1 cutoff, $2 the reaper's id. */
export const listStaleWorkers: Statement = {
  name: 'mutant_reaper_trusts_bare_pid_list',
  text: `
    SELECT w.id, w.pid FROM wf_workers w
    WHERE w.heartbeat_at < $1::timestamptz AND w.id <> $2::text
    ORDER BY w.id COLLATE "C"`,
};

/** Removes the given workers. $1 ids. */
export const deleteWorkers: Statement = {
  name: 'mutant_reaper_trusts_bare_pid_delete',
  text: `
    WITH dead AS (DELETE FROM wf_workers WHERE id = ANY ($1::text[]) RETURNING id)
    SELECT d.id FROM dead d ORDER BY d.id COLLATE "C"`,
};

class ReaperTrustsBarePidSession extends ReferenceSession {
  override reap(args: { thresholdMs: number }): Promise<ReapResult> {
    const now = this.now();
    return this.ctx.db.transaction(async (tx) => {
      const stale = await tx.query<{ id: string; pid: number | null }>(listStaleWorkers, [toTimestamp(now - args.thresholdMs), this.ctx.processId]);
      // The bug: a stale heartbeat is forgiven when the pid "is alive" - but a pid names a process, not this worker's run.
      const dead = stale.rows.filter((worker) => worker.pid === null || !this.ctx.os.isAlive(worker.pid)).map((worker) => worker.id);
      const deleted = await tx.query<{ id: string }>(deleteWorkers, [dead]);
      const workers = deleted.rows.map((row) => row.id);
      const recovered = await recoverWith(tx, sql.recoverJobs, workers, true, now, `reaped: its worker's heartbeat was older than ${args.thresholdMs} ms`);
      return { workers, requeued: recovered.requeued, failed: recovered.failed };
    });
  }
}

/**
 * Its own statements that leave the state check's rows as they were: the list
 * only reads, and the delete (which returns every id it deleted) deleted nothing.
 */
function unchangedBy(executed: ExecutedStatement): boolean {
  if (executed.statement === listStaleWorkers) return true;
  return executed.statement === deleteWorkers && executed.rowCount === 0;
}

export const reaperTrustsBarePid: Mutant = {
  name: 'reaper-trusts-bare-pid',
  incident: '003',
  invariant: 'ORPHANS_RECOVERED',
  bug: 'The reaper spares a worker with a stale heartbeat whose pid the OS reports alive, so a dead worker whose pid was reused keeps its jobs forever.',
  adapter: createReferenceAdapter({
    name: 'mutant:reaper-trusts-bare-pid',
    session: (engine, ctx): EngineSession => new ReaperTrustsBarePidSession(engine, ctx),
    unchangedBy,
  }),
};
