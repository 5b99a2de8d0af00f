// Mutant requeue-keeps-pid (incident 003): every path that returns a job to
// 'queued' (fail with a retry left, release, reap, startup recovery, shutdown)
// clears the owner and the lease but keeps the dead run's pid, run id and
// started_at, as the orchestrator did before ORCH-126. The engine also predates
// that fix's sanitizer, so nothing heals the rows afterwards. QUEUED_CLEAN must
// catch the first such requeue.
import { toIds } from '../../src/engine/rows.ts';
import { toTimestamp } from '../../src/engine/time.ts';
import * as sql from '../../src/sql/index.ts';
import type { EngineSession, FailResult, LeaseRef, ReapResult, SanitizeResult, ShutdownResult, StartupResult } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { failKeepsPid, recoverKeepsPid, releaseKeepsPid, releaseWorkerKeepsPid } from './sql/requeue-keeps-pid.ts';
import { RETRY_BACKOFF_MS, recoverWith, single, startupWithout } from './support.ts';

export class RequeueKeepsPidSession extends ReferenceSession {
  override startup(): Promise<StartupResult> {
    return startupWithout(this.ctx, this.now(), recoverKeepsPid);
  }

  override async fail(lease: LeaseRef & { error: string }): Promise<FailResult> {
    const now = this.now();
    const { rows } = await this.ctx.db.query<{ status: 'queued' | 'failed' }>(failKeepsPid, [lease.jobId, lease.leaseToken, lease.error, toTimestamp(now), toTimestamp(now + RETRY_BACKOFF_MS)]);
    const row = rows[0];
    return row === undefined ? { applied: false, status: null } : { applied: true, status: row.status };
  }

  override async release(lease: LeaseRef): Promise<boolean> {
    const { rows } = await this.ctx.db.query(releaseKeepsPid, [lease.jobId, lease.leaseToken]);
    return rows.length > 0;
  }

  override reap(args: { thresholdMs: number }): Promise<ReapResult> {
    const now = this.now();
    return this.ctx.db.transaction(async (tx) => {
      const dead = await tx.query<{ id: string }>(sql.deleteStaleWorkers, [toTimestamp(now - args.thresholdMs), this.ctx.processId]);
      const workers = dead.rows.map((row) => row.id);
      const recovered = await recoverWith(tx, recoverKeepsPid, workers, true, now, `reaped: its worker's heartbeat was older than ${args.thresholdMs} ms`);
      return { workers, requeued: recovered.requeued, failed: recovered.failed };
    });
  }

  override shutdown(): Promise<ShutdownResult> {
    return this.ctx.db.transaction(async (tx) => {
      await tx.query(sql.markStopping, [this.ctx.processId]);
      const { rows } = await tx.query<{ released: unknown }>(releaseWorkerKeepsPid, [this.ctx.processId]);
      return { released: toIds(single(rows, releaseWorkerKeepsPid.name).released) };
    });
  }

  /** No sanitizer before ORCH-126: only the expired-lock sweep of the same duty cycle remains. */
  override async sanitize(): Promise<SanitizeResult> {
    await this.engine.locks.sweep(this.now());
    return { healed: [] };
  }
}

export const requeueKeepsPid: Mutant = {
  name: 'requeue-keeps-pid',
  incident: '003',
  invariant: 'QUEUED_CLEAN',
  bug: 'Every path back to queued (retry, release, reap, startup, shutdown) clears owner and lease but keeps the dead run’s pid, run id and started_at.',
  adapter: createReferenceAdapter({
    name: 'mutant:requeue-keeps-pid',
    session: (engine, ctx): EngineSession => new RequeueKeepsPidSession(engine, ctx),
  }),
};
