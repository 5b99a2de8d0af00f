// Mutant run-owner-claim (incident 002): on top of the engine's own claim, a
// second single-execution guard - a run-owner marker per job, taken by
// compare-and-set - like mesh's run_owner_pod claim layered over DBOS's queue.
// A claim that finds another owner's marker is refused ("already running on
// another pod": the job stays queued and the claim returns null). The owner
// clears its marker when it ends the job and when it stops gracefully (002's
// stopAll released the claim: "no claim to release" once it was gone); nothing
// else knows the marker exists - not the reaper, not a restarted worker's
// startup. So when the owner dies holding the job and never comes back under
// the same id (a pod: per-start identities), the reaper requeues the job and
// every later claim of it is refused: ORPHANS_RECOVERED must catch the
// stranded run.
import type { Database, Queryable, Statement } from '../../src/db/database.ts';
import { toIds, type JobRow } from '../../src/engine/rows.ts';
import { toTimestamp } from '../../src/engine/time.ts';
import * as sql from '../../src/sql/index.ts';
import type { ClaimedJob, EngineAdapter, EngineSession, FailResult, LeaseRef, ShutdownResult } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { claimParams, RETRY_BACKOFF_MS, single, toClaimedJob } from './support.ts';

/** The mutant's one extra table. The wf_ prefix puts it in the reference reset (src/engine/reset.ts). */
export const CREATE_RUN_OWNERS_SQL = `
  CREATE TABLE IF NOT EXISTS wf_mutant_run_owners (
    job_id bigint PRIMARY KEY,
    owner  text NOT NULL
  )`;

/** Compare-and-set: take the marker if it is free or already ours; no row when another owner holds it. $1 job id, $2 owner. */
export const takeRunOwner: Statement = {
  name: 'mutant_run_owner_take',
  text: `
    INSERT INTO wf_mutant_run_owners AS o (job_id, owner)
    VALUES ($1::bigint, $2::text)
    ON CONFLICT (job_id) DO UPDATE SET owner = EXCLUDED.owner
      WHERE o.owner = EXCLUDED.owner
    RETURNING o.job_id`,
};

/** The owner lets go of one job's marker. $1 job id, $2 owner. */
export const clearRunOwner: Statement = {
  name: 'mutant_run_owner_clear',
  text: `DELETE FROM wf_mutant_run_owners WHERE job_id = $1::bigint AND owner = $2::text`,
};

/** The owner lets go of every marker it holds (its graceful stop). $1 owner. */
export const clearRunOwnerAll: Statement = {
  name: 'mutant_run_owner_clear_all',
  text: `DELETE FROM wf_mutant_run_owners WHERE owner = $1::text`,
};

/** Thrown inside the claim transaction to roll the claim back when the marker belongs to someone else. */
class RunClaimRefused extends Error {}

class RunOwnerClaimSession extends ReferenceSession {
  override async claim(args: { leaseToken: string; queues?: string[] }): Promise<ClaimedJob | null> {
    const params = claimParams(this.ctx, this.now(), args.leaseToken, args.queues);
    try {
      return await this.ctx.db.transaction(async (tx) => {
        await tx.query(sql.lockLimitedQueues, [args.queues ?? null]);
        const { rows } = await tx.query<JobRow>(sql.claim, params);
        const row = rows[0];
        if (row === undefined) return null;
        const marker = await tx.query(takeRunOwner, [Number(row.id), this.ctx.processId]);
        if (marker.rows.length === 0) throw new RunClaimRefused(`job ${row.id} is already running on another pod`);
        return toClaimedJob(row);
      });
    } catch (error) {
      if (error instanceof RunClaimRefused) return null;
      throw error;
    }
  }

  // The owner's own writes clear its marker in the same transaction as the reference write they extend.

  override complete(lease: LeaseRef): Promise<boolean> {
    return this.ctx.db.transaction(async (tx) => {
      const { rows } = await tx.query(sql.complete, [lease.jobId, lease.leaseToken, null, toTimestamp(this.now())]);
      if (rows.length > 0) await this.letGo(tx, lease.jobId);
      return rows.length > 0;
    });
  }

  override fail(lease: LeaseRef & { error: string }): Promise<FailResult> {
    const now = this.now();
    return this.ctx.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ status: 'queued' | 'failed' }>(sql.fail, [lease.jobId, lease.leaseToken, lease.error, toTimestamp(now), toTimestamp(now + RETRY_BACKOFF_MS)]);
      const row = rows[0];
      if (row === undefined) return { applied: false, status: null };
      // A retry is not the end of the run: the marker stays, so only this owner may pick the job up again.
      if (row.status === 'failed') await this.letGo(tx, lease.jobId);
      return { applied: true, status: row.status };
    });
  }

  override release(lease: LeaseRef): Promise<boolean> {
    return this.ctx.db.transaction(async (tx) => {
      const { rows } = await tx.query(sql.release, [lease.jobId, lease.leaseToken]);
      if (rows.length > 0) await this.letGo(tx, lease.jobId);
      return rows.length > 0;
    });
  }

  override shutdown(): Promise<ShutdownResult> {
    return this.ctx.db.transaction(async (tx) => {
      await tx.query(sql.markStopping, [this.ctx.processId]);
      const { rows } = await tx.query<{ released: unknown }>(sql.releaseWorker, [this.ctx.processId]);
      await tx.query(clearRunOwnerAll, [this.ctx.processId]);
      return { released: toIds(single(rows, sql.releaseWorker.name).released) };
    });
  }

  private async letGo(tx: Queryable, jobId: number): Promise<void> {
    await tx.query(clearRunOwner, [jobId, this.ctx.processId]);
  }
}

const base = createReferenceAdapter({
  name: 'mutant:run-owner-claim',
  session: (engine, ctx): EngineSession => new RunOwnerClaimSession(engine, ctx),
});

const adapter: EngineAdapter = {
  ...base,
  async install(db: Database) {
    await base.install(db);
    await db.exec(CREATE_RUN_OWNERS_SQL);
  },
};

export const runOwnerClaim: Mutant = {
  name: 'run-owner-claim',
  incident: '002',
  invariant: 'ORPHANS_RECOVERED',
  bug: 'Claim also takes a run-owner marker by compare-and-set that only its owner clears, so the job of an owner that died is refused to everyone forever.',
  adapter,
};
