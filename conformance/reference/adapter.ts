// The reference adapter: the reference engine (src/) mapped onto the adapter
// contract. It is the worked example for engine authors (docs/write-an-adapter.md)
// and the baseline every invariant is proven against. The mutants reuse it and
// replace one operation each.
import type { Database, ExecutedStatement } from '../../src/db/database.ts';
import { createEngine, DEFAULT_RETRY_BACKOFF_MS } from '../../src/engine/engine.ts';
import type { Engine, Snapshot } from '../../src/engine/types.ts';
import { checkEngineState, checkUnchangedBy } from '../../src/engine/check-state.ts';
import { migrate } from '../../src/migrate.ts';
import { resetEngine } from '../../src/engine/reset.ts';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import type { State } from '../../spec/state.ts';
import type { EngineAdapter, EngineSession, ProcessContext } from '../../sim/adapter/contract.ts';

/** Resource locks taken with a job live this long unless a heartbeat extends them (when the world does not say). */
export const REFERENCE_LOCK_TTL_MS = 30_000;

export class ReferenceSession implements EngineSession {
  constructor(
    protected readonly engine: Engine,
    protected readonly ctx: ProcessContext,
  ) {}

  protected now(): number {
    return this.ctx.clock.now();
  }

  protected get lockTtlMs(): number {
    return this.ctx.settings?.lockTtlMs ?? REFERENCE_LOCK_TTL_MS;
  }

  async startup() {
    const result = await this.engine.startup(this.now(), { workerId: this.ctx.processId, role: this.ctx.role, pid: this.ctx.pid, runId: this.ctx.runId });
    return { requeued: result.requeued, failed: result.failed, healed: result.healed };
  }

  async enqueue(job: Parameters<EngineSession['enqueue']>[0]) {
    const result = await this.engine.enqueue(this.now(), job);
    return { jobId: result.jobId };
  }

  async claim(args: { leaseToken: string; queues?: string[] }) {
    const job = await this.engine.claim(this.now(), {
      workerId: this.ctx.processId,
      leaseToken: args.leaseToken,
      pid: this.ctx.pid,
      runId: this.ctx.runId,
      lockTtlMs: this.lockTtlMs,
      ...(args.queues === undefined ? {} : { queues: args.queues }),
    });
    if (job === null || job.leaseToken === null) return null;
    return { jobId: job.id, leaseToken: job.leaseToken, queue: job.queue, payload: job.payload, attempts: job.attempts, resourceKey: job.resourceKey, groupId: job.groupId };
  }

  heartbeat() {
    return this.engine.heartbeat(this.now(), { workerId: this.ctx.processId, lockTtlMs: this.lockTtlMs });
  }

  complete(lease: { jobId: number; leaseToken: string }) {
    return this.engine.complete(this.now(), lease);
  }

  fail(lease: { jobId: number; leaseToken: string; error: string }) {
    return this.engine.fail(this.now(), lease);
  }

  release(lease: { jobId: number; leaseToken: string }) {
    return this.engine.release(this.now(), lease);
  }

  async reap(args: { thresholdMs: number }) {
    const result = await this.engine.reap(this.now(), { reaperId: this.ctx.processId, thresholdMs: args.thresholdMs });
    return { workers: result.workers, requeued: result.requeued, failed: result.failed };
  }

  tryCompleteGroup(groupId: string) {
    return this.engine.tryCompleteGroup(this.now(), groupId);
  }

  async sanitize() {
    const result = await this.engine.sanitize(this.now());
    // Expired locks are swept on the same duty cycle.
    await this.engine.locks.sweep(this.now());
    return { healed: result.healed };
  }

  async shutdown() {
    const result = await this.engine.shutdown(this.now(), { workerId: this.ctx.processId });
    return { released: result.released };
  }
}

/** Maps the engine's rows onto the spec's normalized state. */
export function snapshotToState(snapshot: Snapshot, now: number): State {
  return {
    time: now,
    jobs: snapshot.jobs.map((job) => ({
      id: job.id,
      queue: job.queue,
      status: job.status,
      owner: job.owner,
      leaseToken: job.leaseToken,
      pid: job.pid,
      runId: job.runId,
      startedAt: job.startedAt,
      attempts: job.attempts,
      attemptsMax: job.attemptsMax,
      resourceKey: job.resourceKey,
      groupId: job.groupId,
    })),
    workers: snapshot.workers.map((worker) => ({
      id: worker.workerId,
      role: worker.role,
      pid: worker.pid,
      runId: worker.runId,
      heartbeatAt: worker.heartbeatAt,
      stopping: worker.stopping,
    })),
    locks: snapshot.locks.map((lock) => ({ key: lock.key, holder: lock.holder, jobId: lock.jobId, expiresAt: lock.expiresAt })),
    groups: snapshot.groups.map((group) => ({ id: group.id, size: group.size, status: group.status })),
    queues: snapshot.queues.map((queue) => ({ name: queue.name, maxConcurrency: queue.maxConcurrency })),
  };
}

export interface ReferenceAdapterOptions {
  name?: string;
  /** Mutants pass their own session class: the reference with one operation replaced. */
  session?: (engine: Engine, ctx: ProcessContext) => EngineSession;
  /** Mutants whose bug lives in SQL the reference checkState would mask may turn the fast check off. */
  engine?: (db: Database) => Engine;
  /**
   * Which of a mutant's own statements, with their results, cannot change what
   * the state check reads (src/engine/check-state.ts argues the reference's):
   * the world then skips the check after a turn of only such statements.
   */
  unchangedBy?: (executed: ExecutedStatement) => boolean;
}

export function createReferenceAdapter(options: ReferenceAdapterOptions = {}): EngineAdapter {
  const makeEngine = options.engine ?? ((db: Database) => createEngine({ db }));
  const makeSession = options.session ?? ((engine: Engine, ctx: ProcessContext) => new ReferenceSession(engine, ctx));
  return {
    name: options.name ?? 'reference',
    capabilities: ALL_CAPABILITIES,
    install: (db) => migrate(db).then(() => undefined),
    reset: (db) => resetEngine(db),
    async setup(db, now, world) {
      const engine = makeEngine(db);
      for (const queue of world.queues) await engine.defineQueue(now, queue);
    },
    open: (ctx) => makeSession(makeEngine(ctx.db), ctx),
    observe: async (db, now) => snapshotToState(await makeEngine(db).snapshot(), now),
    checkState: (db, now, context) => checkEngineState(db, now, { clients: [...context.clients], shutDown: [...context.shutDown] }),
    unchangedBy: (statements, context) => checkUnchangedBy(statements, context.shutDown, options.unchangedBy),
    // fail() passes no backoff, so a failed attempt is claimable again at once.
    retryBackoffMaxMs: DEFAULT_RETRY_BACKOFF_MS,
  };
}

export const referenceAdapter: EngineAdapter = createReferenceAdapter();
export default referenceAdapter;
