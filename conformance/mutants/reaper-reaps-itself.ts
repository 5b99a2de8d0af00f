// Mutant reaper-reaps-itself (incident 001): reap removes every worker whose
// heartbeat is older than the threshold, the caller included, as
// reap_dead_workers did before it took `my_id`. A worker whose heartbeat loop
// stalls while its reaper loop runs (or a whole worker resuming from a pause,
// reaper loop first) reaps itself and requeues its own in-flight job:
// REAPER_NOT_SELF must catch it.
import type { Statement } from '../../src/db/database.ts';
import { toTimestamp } from '../../src/engine/time.ts';
import * as sql from '../../src/sql/index.ts';
import type { EngineSession, ReapResult } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { recoverWith } from './support.ts';

/** src/sql/reap.ts without `id <> $2`: the caller may be among the dead. $1 heartbeat cutoff. */
export const deleteStaleWorkersAndSelf: Statement = {
  name: 'mutant_reaper_reaps_itself',
  text: `
    WITH dead AS (
      DELETE FROM wf_workers
      WHERE heartbeat_at < $1::timestamptz
      RETURNING id
    )
    SELECT d.id FROM dead d ORDER BY d.id COLLATE "C"`,
};

class ReaperReapsItselfSession extends ReferenceSession {
  override reap(args: { thresholdMs: number }): Promise<ReapResult> {
    const now = this.now();
    return this.ctx.db.transaction(async (tx) => {
      const dead = await tx.query<{ id: string }>(deleteStaleWorkersAndSelf, [toTimestamp(now - args.thresholdMs)]);
      const workers = dead.rows.map((row) => row.id);
      const recovered = await recoverWith(tx, sql.recoverJobs, workers, true, now, `reaped: its worker's heartbeat was older than ${args.thresholdMs} ms`);
      return { workers, requeued: recovered.requeued, failed: recovered.failed };
    });
  }
}

export const reaperReapsItself: Mutant = {
  name: 'reaper-reaps-itself',
  incident: '001',
  invariant: 'REAPER_NOT_SELF',
  bug: 'Reap does not exclude its caller, so a worker whose heartbeat loop stalled while its reaper loop ran reaps itself and resets its own job.',
  adapter: createReferenceAdapter({
    name: 'mutant:reaper-reaps-itself',
    session: (engine, ctx): EngineSession => new ReaperReapsItselfSession(engine, ctx),
  }),
};
