// One simulated (or real) process's handle on pg-boss: the kit's operations
// mapped onto what pg-boss 10 has, and nothing it does not have.
//
// claim     = fetch (one queue at a time, rotating, as a worker with one
//             poller per queue would), includeMetadata for the retry count.
// complete  = complete(name, id): applied when pg-boss's `affected` is 1.
// fail      = fail(name, id), then a read of the row in the same transaction
//             for the status the kit needs (retry → queued, failed → failed).
// heartbeat = nothing: pg-boss 10 has no heartbeat; a job is judged only by
//             its expireIn, so the call does no work and answers true.
// reap      = pg-boss's expiry (plans.failJobsByTimeout, what its supervisor's
//             expire() runs) under its maintenance advisory lock, with a read
//             before and after so the answer lists the jobs it moved.
// release   = nothing: pg-boss cannot hand a fetched job back without failing
//             it (spending a retry), so the call answers false and the job
//             stays active until it expires.
// shutdown  = nothing to hand back: pg-boss's stop() fails in-flight jobs only
//             for work() handlers still running; a fetch consumer's job stays
//             active until it expires. It answers { released: [] }.
// There is no lease token: the lease is the job's key (queue and id), the same
// for every claim of the job, and the adapter declares leaseTokens: false.
import type { ClaimedJob, EngineSession, FailResult, JobSpec, LeaseRef, ProcessContext, ReapResult, ShutdownResult, StartupResult } from '../../../sim/adapter/contract.ts';
import type { Boss, FetchedJob, SettleId } from './boss.ts';
import { createBoss, plans } from './boss.ts';
import { databaseExecutor, inClockedTransaction } from './executor.ts';
import { jobNumberOf, jobUuid, leaseOf, parseLease } from './ids.ts';
import { expiredJobs, jobNumberFor, jobStates, maintenanceLock, statementFor } from './statements.ts';

/** The longest step the simulator draws (stepMsMin 400 × 10, sim/world/options.ts), rounded up with room for skew. */
export const EXPIRE_SECONDS_MIN = 5;
/** When the world does not say (a user's own harness): the reference engine's default threshold. */
const REAPER_THRESHOLD_MS_DEFAULT = 30_000;

/**
 * pg-boss's expireInSeconds for every job: the world's reaper threshold (the
 * time after which the kit's engines call a silent worker dead), but never
 * below the longest step a healthy worker runs — a pg-boss user sets expiry
 * above their longest handler, because pg-boss has no heartbeat to tell a slow
 * job from a dead one.
 */
export function expireSecondsFor(ctx: ProcessContext): number {
  const thresholdMs = ctx.settings?.reaperThresholdMs ?? REAPER_THRESHOLD_MS_DEFAULT;
  return Math.max(EXPIRE_SECONDS_MIN, Math.ceil(thresholdMs / 1000));
}

export interface PgBossWorld {
  /** pg-boss's schema (and the clock shim's). */
  schema: string;
  /** The world's queues, in the order setup() declared them. */
  queues: readonly string[];
}

export class PgBossSession implements EngineSession {
  protected readonly boss: Boss;
  /** Where the next claim starts its round over the queues. */
  protected nextQueue = 0;

  /** `boss`: the pg-boss instance to drive (by default a 10.4.2 one over the process's database; 12.x brings its own). */
  constructor(
    protected readonly ctx: ProcessContext,
    protected readonly world: PgBossWorld,
    boss?: Boss,
  ) {
    this.boss = boss ?? createBoss(databaseExecutor(ctx.db, () => ctx.clock.now(), world.schema), world.schema);
  }

  async startup(): Promise<StartupResult> {
    // pg-boss checks that its schema is installed at the right version; it recovers nothing at startup.
    await this.boss.start();
    return { requeued: [], failed: [], healed: [] };
  }

  async enqueue(job: JobSpec): Promise<{ jobId: number }> {
    const { schema } = this.world;
    return inClockedTransaction(this.ctx.db, this.ctx.clock.now(), schema, async (tx, executor) => {
      const { rows } = await tx.query<{ job_number: number | string }>(jobNumberFor(schema), [job.idempotencyKey ?? null]);
      const jobId = Number(rows[0]!.job_number);
      // A retried send carries the same id; pg-boss's insert is ON CONFLICT DO NOTHING and answers null then.
      await this.boss.send(job.queue, job.payload ?? null, {
        id: jobUuid(jobId),
        ...(job.priority === undefined ? {} : { priority: job.priority }),
        ...(job.availableAt === undefined ? {} : { startAfter: new Date(job.availableAt).toISOString() }),
        ...(job.attemptsMax === undefined ? {} : { retryLimit: job.attemptsMax - 1 }),
        retryDelay: 0,
        retryBackoff: false,
        expireInSeconds: expireSecondsFor(this.ctx),
        db: executor,
      });
      return { jobId };
    });
  }

  async claim(args: { leaseToken: string; queues?: string[] }): Promise<ClaimedJob | null> {
    const queues = args.queues ?? this.world.queues;
    for (let tried = 0; tried < queues.length; tried += 1) {
      const queue = queues[(this.nextQueue + tried) % queues.length]!;
      // pg-boss's fetch swallows its own errors (a singleton queue's unique index refusing a second active job) and answers [].
      const [job] = await this.boss.fetch(queue, { includeMetadata: true });
      if (job === undefined) continue;
      this.nextQueue = (this.nextQueue + tried + 1) % queues.length;
      return {
        jobId: jobNumberOf(job.id),
        leaseToken: this.leaseFor(queue, job),
        queue,
        payload: job.data,
        attempts: job.retryCount + 1,
        resourceKey: null,
        groupId: null,
      };
    }
    this.nextQueue = (this.nextQueue + 1) % Math.max(1, queues.length);
    return null;
  }

  async heartbeat(): Promise<boolean> {
    return true;
  }

  /** The lease a claim answers: 10's is the job key, the same for every claim (12 adds the attempt). */
  protected leaseFor(queue: string, job: FetchedJob): string {
    return leaseOf(queue, job.id);
  }

  /** What complete / fail are given for a lease: 10 has only the job id (12 passes the fetched attempt). */
  protected settleTarget(leaseToken: string): { queue: string; id: string; target: SettleId } {
    const { queue, id } = parseLease(leaseToken);
    return { queue, id, target: id };
  }

  async complete(lease: LeaseRef): Promise<boolean> {
    const { queue, target } = this.settleTarget(lease.leaseToken);
    const response = await this.boss.complete(queue, target);
    return response.affected === 1;
  }

  async fail(lease: LeaseRef & { error: string }): Promise<FailResult> {
    const { queue, id, target } = this.settleTarget(lease.leaseToken);
    const { schema } = this.world;
    return inClockedTransaction(this.ctx.db, this.ctx.clock.now(), schema, async (tx, executor) => {
      const response = await this.boss.fail(queue, target, { message: lease.error }, { db: executor });
      if (response.affected !== 1) return { applied: false, status: null };
      const { rows } = await tx.query<{ id: string; state: string }>(jobStates(schema), [[id]]);
      return { applied: true, status: rows[0]?.state === 'failed' ? 'failed' : 'queued' };
    });
  }

  async release(_lease: LeaseRef): Promise<boolean> {
    return false;
  }

  async reap(_args: { thresholdMs: number }): Promise<ReapResult> {
    const { schema } = this.world;
    return inClockedTransaction(this.ctx.db, this.ctx.clock.now(), schema, async (tx) => {
      await tx.query(maintenanceLock(schema));
      const { rows: expired } = await tx.query<{ id: string }>(expiredJobs(schema));
      if (expired.length === 0) return { workers: [], requeued: [], failed: [] };
      await tx.query(statementFor('boss', plans.failJobsByTimeout(schema)));
      const { rows } = await tx.query<{ id: string; state: string }>(jobStates(schema), [expired.map((row) => row.id)]);
      const requeued: number[] = [];
      const failed: number[] = [];
      for (const row of rows) (row.state === 'failed' ? failed : requeued).push(jobNumberOf(row.id));
      return { workers: [], requeued: requeued.sort((a, b) => a - b), failed: failed.sort((a, b) => a - b) };
    });
  }

  async shutdown(): Promise<ShutdownResult> {
    return { released: [] };
  }
}
