// One process's handle on graphile-worker (0.17, and 0.18 unchanged): the kit's operations mapped
// onto the statements graphile-worker's worker pool sends, with this process's
// pool id as the lock owner (`locked_by`), as a worker pool's would be.
//
// claim     = get job (batchGetJobs, batch of 1, every world queue as a task).
// complete  = complete job (batchCompleteJobs): `delete … where id = $1`, by
//             job id alone — no check of who holds the lock.
// fail      = fail job (batchFailJobs): gated on `locked_by` = this pool;
//             a retry waits exp(attempts) seconds (graphile-worker's backoff).
// release   = return job (returnJobs, what its local queue does with jobs it
//             will not run): gated on `locked_by`, gives the attempt back.
// heartbeat = nothing: graphile-worker 0.17 has no heartbeat.
// reap      = reset locked at (resetLockedAt): locks older than 4 hours —
//             its hard-coded lock timeout — are cleared, as every pool does
//             every 8–10 minutes.
// shutdown  = what gracefulShutdown does with jobs its workers still hold:
//             fail them (failJobs, gated on `locked_by`).
// Around each write the adapter reads the row under FOR UPDATE in the same
// transaction, only to answer whether the write took effect (graphile-worker's
// statements return nothing); graphile-worker's own statements take the same
// row lock a moment later.
import type { Queryable } from '../../../src/db/database.ts';
import type { ClaimedJob, EngineSession, FailResult, JobSpec, LeaseRef, ProcessContext, ReapResult, ShutdownResult, StartupResult } from '../../../sim/adapter/contract.ts';
import { withPgClientOver } from './client.ts';
import type { CompiledOptions, GraphileLibrary, JobRow, Tasks } from './graphile.ts';
import { lockJob, recordJob, staleLocks } from './statements.ts';

export interface GraphileWorld {
  /** The graphile-worker whose statements this world runs (the pinned line, or the newest on Node 22). */
  lib: GraphileLibrary;
  schema: string;
  options: CompiledOptions;
  /** Every world queue as a graphile-worker task identifier (the handlers never run: the kit's worker runs the step). */
  tasks: Tasks;
  /** Queues with a concurrency limit: their jobs go to a graphile-worker named queue, which runs one job at a time. */
  limited: ReadonlySet<string>;
}

interface LockedRow {
  id: number;
  job_queue_id: number | null;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
}

/** The lease is the lock owner and the job: graphile-worker identifies a holder by its pool id, not per claim. */
export function leaseOf(poolId: string, jobId: number): string {
  return `${poolId}#${jobId}`;
}

export class GraphileSession implements EngineSession {
  /** graphile-worker gives each pool a fresh id when it starts; the kit's run id is exactly that, per incarnation. */
  readonly poolId: string;
  /** Jobs this pool got and has not finished, as graphile-worker's workers keep them in memory. */
  private readonly held = new Map<number, JobRow>();

  constructor(
    private readonly ctx: ProcessContext,
    private readonly world: GraphileWorld,
  ) {
    this.poolId = `${ctx.processId}/${ctx.runId}`;
  }

  async startup(): Promise<StartupResult> {
    // A pool's first lock reset runs on a timer some seconds after it starts; the kit's reaper loop is that timer.
    return { requeued: [], failed: [], healed: [] };
  }

  async enqueue(job: JobSpec): Promise<{ jobId: number }> {
    const { options, schema, limited } = this.world;
    return this.ctx.db.transaction(async (tx) => {
      const addJob = this.world.lib.makeAddJob(options, withPgClientOver(tx));
      const row = await addJob(job.queue, job.payload ?? {}, {
        ...(limited.has(job.queue) ? { queueName: job.queue } : {}),
        ...(job.attemptsMax === undefined ? {} : { maxAttempts: job.attemptsMax }),
        // graphile-worker runs lower numbers first; the kit's higher priority first.
        ...(job.priority === undefined || job.priority === 0 ? {} : { priority: -job.priority }),
        ...(job.availableAt === undefined ? {} : { runAt: new Date(job.availableAt) }),
        // An idempotency key is a job key in the one mode that never replaces or duplicates an existing job.
        ...(job.idempotencyKey === undefined ? {} : { jobKey: job.idempotencyKey, jobKeyMode: 'unsafe_dedupe' as const }),
      });
      const jobId = Number(row.id);
      await tx.query(recordJob(schema), [jobId, job.queue, row.max_attempts]);
      return { jobId };
    });
  }

  async claim(args: { leaseToken: string; queues?: string[] }): Promise<ClaimedJob | null> {
    const tasks = args.queues === undefined ? this.world.tasks : Object.fromEntries(args.queues.map((queue) => [queue, this.world.tasks[queue]!]));
    const [row] = await this.world.lib.batchGetJobs(this.world.options, withPgClientOver(this.ctx.db), tasks, this.poolId, null, 1);
    if (row === undefined) return null;
    const jobId = Number(row.id);
    this.held.set(jobId, row);
    return {
      jobId,
      leaseToken: leaseOf(this.poolId, jobId),
      queue: row.task_identifier ?? '',
      payload: row.payload,
      attempts: row.attempts,
      resourceKey: null,
      groupId: null,
    };
  }

  async heartbeat(): Promise<boolean> {
    return true;
  }

  async complete(lease: LeaseRef): Promise<boolean> {
    const applied = await this.write(lease.jobId, async (tx, row) => {
      await this.world.lib.batchCompleteJobs(this.world.options, withPgClientOver(tx), this.poolId, [{ id: lease.jobId, job_queue_id: this.queueOf(lease.jobId, row) }]);
      // The delete has no lock check: it removes the row whoever holds it.
      return row !== null;
    });
    this.held.delete(lease.jobId);
    return applied;
  }

  async fail(lease: LeaseRef & { error: string }): Promise<FailResult> {
    const result = await this.write(lease.jobId, async (tx, row): Promise<FailResult> => {
      await this.world.lib.batchFailJobs(this.world.options, withPgClientOver(tx), this.poolId, [{ job: { id: lease.jobId, job_queue_id: this.queueOf(lease.jobId, row) }, message: lease.error }]);
      if (row === null || row.locked_by !== this.poolId) return { applied: false, status: null };
      return { applied: true, status: row.attempts >= row.max_attempts ? 'failed' : 'queued' };
    });
    this.held.delete(lease.jobId);
    return result;
  }

  async release(lease: LeaseRef): Promise<boolean> {
    const applied = await this.write(lease.jobId, async (tx, row) => {
      await this.world.lib.returnJobs(this.world.options, withPgClientOver(tx), this.poolId, [{ id: lease.jobId, job_queue_id: this.queueOf(lease.jobId, row) }]);
      return row !== null && row.locked_by === this.poolId;
    });
    this.held.delete(lease.jobId);
    return applied;
  }

  async reap(_args: { thresholdMs: number }): Promise<ReapResult> {
    const { options, schema } = this.world;
    return this.ctx.db.transaction(async (tx) => {
      const { rows } = await tx.query<LockedRow>(staleLocks(schema));
      await this.world.lib.resetLockedAt(options, withPgClientOver(tx));
      const requeued: number[] = [];
      const failed: number[] = [];
      // A cleared lock on a job with no attempts left leaves it permanently failed (is_available stays false).
      for (const row of rows) (row.attempts >= row.max_attempts ? failed : requeued).push(Number(row.id));
      return { workers: [], requeued, failed };
    });
  }

  async shutdown(): Promise<ShutdownResult> {
    if (this.held.size === 0) return { released: [] };
    const jobs = [...this.held.values()];
    this.held.clear();
    const failed = await this.world.lib.failJobs(this.world.options, withPgClientOver(this.ctx.db), this.poolId, jobs, 'Worker pool is shutting down gracefully');
    // Jobs failed back into the queue are handed back; one on its last attempt ends failed, which a shutdown cannot report (docs/peers.md).
    const released = failed.filter((row) => row.attempts < row.max_attempts).map((row) => Number(row.id));
    return { released: released.sort((a, b) => a - b) };
  }

  private queueOf(jobId: number, row: LockedRow | null): number | null {
    return this.held.get(jobId)?.job_queue_id ?? row?.job_queue_id ?? null;
  }

  /** Runs a write in a transaction after reading (and locking) the row it is about. */
  private write<T>(jobId: number, body: (tx: Queryable, row: LockedRow | null) => Promise<T>): Promise<T> {
    return this.ctx.db.transaction(async (tx) => {
      const { rows } = await tx.query<LockedRow>(lockJob(this.world.schema), [jobId]);
      return body(tx, rows[0] ?? null);
    });
  }
}
