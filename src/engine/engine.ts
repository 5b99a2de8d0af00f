// The reference engine: the Engine API over the Database port. Every operation
// validates its input first, then runs one statement or one transaction of the
// statements in src/sql/. Time, ids and lease tokens come from the caller.
import type { Database, Queryable } from '../db/database.ts';
import { DatabaseError } from '../db/database.ts';
import * as sql from '../sql/index.ts';
import { EngineInputError, NotFoundError } from './errors.ts';
import type { JobRow, SnapshotRow } from './rows.ts';
import { toIds, toJob, toKeys, toSnapshot } from './rows.ts';
import { toTimestamp } from './time.ts';
import type {
  ClaimRequest,
  Engine,
  EnqueueResult,
  FailResult,
  Job,
  JobSpec,
  LockApi,
  Queue,
  ReapResult,
  SanitizeResult,
  ShutdownResult,
  Snapshot,
  StartupResult,
  WorkerIdentity,
} from './types.ts';
import {
  check,
  checkBackoff,
  checkDuration,
  checkLeaseToken,
  checkTime,
  claimRequestSchema,
  errorTextSchema,
  identitySchema,
  idSchema,
  jobIdSchema,
  jobSpecSchema,
  pidSchema,
  queueSchema,
} from './validation.ts';

export interface EngineOptions {
  db: Database;
  /**
   * Lock the rows of concurrency-limited queues before each claim (one more
   * statement and a transaction). Needed on a real Postgres, where two sessions
   * could otherwise both see a free slot; a no-op on a single session.
   * Default: on unless `db.singleSession` is true.
   */
  serializeLimitedQueues?: boolean;
}

/** Defaults of the API, named so tests and docs can refer to them. */
export const DEFAULT_ATTEMPTS_MAX = 3;
export const DEFAULT_JOB_TYPE = 'default';
export const DEFAULT_LOCK_TTL_MS = 30_000;
export const DEFAULT_RETRY_BACKOFF_MS = 0;

const FOREIGN_KEY_VIOLATION = '23503';

/** Thrown inside the enqueue transaction to roll it back when a concurrent enqueue won the idempotency key. */
class IdempotentDuplicate extends Error {}

interface RecoveryRow {
  requeued: unknown;
  failed: unknown;
  locks: unknown;
}

export function createEngine(options: EngineOptions): Engine {
  return new ReferenceEngine(options.db, options.serializeLimitedQueues ?? options.db.singleSession !== true);
}

class ReferenceEngine implements Engine {
  readonly locks: LockApi;
  readonly #db: Database;
  readonly #serializeLimitedQueues: boolean;
  /** Other sessions may commit between two of this engine's statements (false on PGlite's single session). */
  readonly #concurrentSessions: boolean;

  constructor(db: Database, serializeLimitedQueues: boolean) {
    this.#db = db;
    this.#serializeLimitedQueues = serializeLimitedQueues;
    this.#concurrentSessions = db.singleSession !== true;
    this.locks = new ReferenceLocks(db);
  }

  async defineQueue(now: number, queue: Queue): Promise<void> {
    checkTime(now);
    const valid = check(queueSchema, queue, 'INVALID_QUEUE', 'queue definition');
    await this.#db.query(sql.defineQueue, [valid.name, valid.maxConcurrency]);
  }

  async startup(now: number, identity: WorkerIdentity): Promise<StartupResult> {
    const time = toTimestamp(checkTime(now));
    const valid = check(identitySchema, identity, 'INVALID_ARGUMENT', 'worker identity');
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<{ run_id: string }>(sql.lockWorker, [valid.workerId]);
      const previous = rows[0];
      await tx.query(sql.upsertWorker, [valid.workerId, valid.role, valid.pid, valid.runId, time]);
      let requeued: number[] = [];
      let failed: number[] = [];
      // Anything this worker id owns and that this very incarnation did not claim was left by a dead
      // one: its process is gone, so its jobs go back to the queue with clean ownership (incident 003).
      if (previous === undefined || previous.run_id !== valid.runId) {
        const recovery = await recover(tx, [valid.workerId], false, time, `recovered at startup: worker ${valid.workerId} restarted`);
        requeued = recovery.requeued;
        failed = recovery.failed;
      }
      const healed = await sanitizeIn(tx);
      return { requeued, failed, healed };
    });
  }

  async enqueue(now: number, job: JobSpec): Promise<EnqueueResult> {
    const time = checkTime(now);
    const spec = check(jobSpecSchema, job, 'INVALID_JOB_SPEC', 'job spec');
    const idempotencyKey = spec.idempotencyKey ?? null;
    if (idempotencyKey !== null) {
      const existing = await findByIdempotencyKey(this.#db, idempotencyKey);
      if (existing !== null) return { jobId: existing, created: false };
    }
    const params = [
      spec.queue,
      spec.type ?? DEFAULT_JOB_TYPE,
      spec.payload === undefined ? null : JSON.stringify(spec.payload),
      spec.priority ?? 0,
      toTimestamp(spec.availableAt ?? time),
      spec.resourceKey ?? null,
      spec.group?.id ?? null,
      spec.attemptsMax ?? DEFAULT_ATTEMPTS_MAX,
      idempotencyKey,
      toTimestamp(time),
    ];
    try {
      const group = spec.group;
      const inserted =
        group === undefined
          ? await this.#db.query<{ id: number }>(sql.insertJob, params)
          : await this.#db.transaction(async (tx) => {
              await joinGroup(tx, group.id, group.size, this.#concurrentSessions ? idempotencyKey : null);
              const result = await tx.query<{ id: number }>(sql.insertJob, params);
              if (result.rows.length === 0) throw new IdempotentDuplicate();
              return result;
            });
      const row = inserted.rows[0];
      if (row !== undefined) return { jobId: Number(row.id), created: true };
    } catch (error) {
      if (error instanceof DatabaseError && error.code === FOREIGN_KEY_VIOLATION) {
        throw new EngineInputError('UNKNOWN_QUEUE', `unknown queue ${JSON.stringify(spec.queue)}: declare it with defineQueue before enqueueing`, { cause: error });
      }
      if (!(error instanceof IdempotentDuplicate)) throw error;
    }
    // A concurrent enqueue with the same idempotency key committed first.
    const existing = await findByIdempotencyKey(this.#db, idempotencyKey ?? '');
    if (existing === null) throw new Error(`enqueue inserted nothing but no job has idempotency key ${JSON.stringify(idempotencyKey)}`);
    return { jobId: existing, created: false };
  }

  async claim(now: number, request: ClaimRequest): Promise<Job | null> {
    const time = checkTime(now);
    const valid = check(claimRequestSchema, request, 'INVALID_ARGUMENT', 'claim request');
    const leaseToken = checkLeaseToken(valid.leaseToken);
    const lockTtlMs = valid.lockTtlMs === undefined ? DEFAULT_LOCK_TTL_MS : checkDuration(valid.lockTtlMs, 'lockTtlMs', time);
    const queues = valid.queues ?? null;
    const params = [
      valid.workerId,
      toTimestamp(time),
      leaseToken,
      valid.pid ?? null,
      valid.runId ?? null,
      queues,
      valid.types ?? null,
      toTimestamp(time + lockTtlMs),
    ];
    const claimed = this.#serializeLimitedQueues
      ? await this.#db.transaction(async (tx) => {
          await tx.query(sql.lockLimitedQueues, [queues]);
          return tx.query<JobRow>(sql.claim, params);
        })
      : await this.#db.query<JobRow>(sql.claim, params);
    const row = claimed.rows[0];
    return row === undefined ? null : toJob(row);
  }

  async attachRun(now: number, args: { jobId: number; leaseToken: string; pid: number | null; runId: string }): Promise<boolean> {
    checkTime(now);
    const jobId = check(jobIdSchema, args.jobId, 'INVALID_ARGUMENT', 'jobId');
    const leaseToken = checkLeaseToken(args.leaseToken);
    const pid = check(pidSchema, args.pid, 'INVALID_ARGUMENT', 'pid');
    const runId = check(idSchema, args.runId, 'INVALID_ARGUMENT', 'runId');
    const { rowCount } = await this.#db.query(sql.attachRun, [jobId, leaseToken, pid, runId]);
    return rowCount > 0;
  }

  async heartbeat(now: number, args: { workerId: string; lockTtlMs?: number }): Promise<boolean> {
    const time = checkTime(now);
    const workerId = check(idSchema, args.workerId, 'INVALID_ARGUMENT', 'workerId');
    const lockTtlMs = args.lockTtlMs === undefined ? DEFAULT_LOCK_TTL_MS : checkDuration(args.lockTtlMs, 'lockTtlMs', time);
    const { rows } = await this.#db.query<{ workers: number }>(sql.heartbeat, [workerId, toTimestamp(time), toTimestamp(time + lockTtlMs)]);
    return Number(rows[0]?.workers ?? 0) > 0;
  }

  async complete(now: number, args: { jobId: number; leaseToken: string; result?: unknown }): Promise<boolean> {
    const time = checkTime(now);
    const jobId = check(jobIdSchema, args.jobId, 'INVALID_ARGUMENT', 'jobId');
    const leaseToken = checkLeaseToken(args.leaseToken);
    const result = check(jobSpecSchema.shape.payload, args.result, 'INVALID_ARGUMENT', 'result');
    const { rows } = await this.#db.query(sql.complete, [jobId, leaseToken, result === undefined ? null : JSON.stringify(result), toTimestamp(time)]);
    return rows.length > 0;
  }

  async fail(now: number, args: { jobId: number; leaseToken: string; error: string; retryBackoffMs?: number }): Promise<FailResult> {
    const time = checkTime(now);
    const jobId = check(jobIdSchema, args.jobId, 'INVALID_ARGUMENT', 'jobId');
    const leaseToken = checkLeaseToken(args.leaseToken);
    const error = check(errorTextSchema, args.error, 'INVALID_ARGUMENT', 'error');
    const backoffMs = checkBackoff(args.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS, time);
    const retryAt = time + backoffMs;
    const { rows } = await this.#db.query<{ status: 'queued' | 'failed' }>(sql.fail, [jobId, leaseToken, error, toTimestamp(time), toTimestamp(retryAt)]);
    const row = rows[0];
    return row === undefined ? { applied: false, status: null } : { applied: true, status: row.status };
  }

  async release(now: number, args: { jobId: number; leaseToken: string }): Promise<boolean> {
    checkTime(now);
    const jobId = check(jobIdSchema, args.jobId, 'INVALID_ARGUMENT', 'jobId');
    const leaseToken = checkLeaseToken(args.leaseToken);
    const { rows } = await this.#db.query(sql.release, [jobId, leaseToken]);
    return rows.length > 0;
  }

  async reap(now: number, args: { reaperId: string; thresholdMs: number }): Promise<ReapResult> {
    const time = checkTime(now);
    const reaperId = check(idSchema, args.reaperId, 'INVALID_ARGUMENT', 'reaperId');
    const thresholdMs = checkDuration(args.thresholdMs, 'thresholdMs', time, -1);
    return this.#db.transaction(async (tx) => {
      const dead = await tx.query<{ id: string }>(sql.deleteStaleWorkers, [toTimestamp(time - thresholdMs), reaperId]);
      const workers = dead.rows.map((row) => row.id);
      const recovery = await recover(tx, workers, true, toTimestamp(time), `reaped: its worker's heartbeat was older than ${thresholdMs} ms`);
      return { workers, ...recovery };
    });
  }

  async tryCompleteGroup(now: number, groupId: string): Promise<'completed' | 'failed' | null> {
    const time = checkTime(now);
    const id = check(idSchema, groupId, 'INVALID_ARGUMENT', 'groupId');
    const { rows } = await this.#db.query<{ status: 'completed' | 'failed' }>(sql.completeGroup, [id, toTimestamp(time)]);
    return rows[0]?.status ?? null;
  }

  async sanitize(now: number): Promise<SanitizeResult> {
    checkTime(now);
    return { healed: await sanitizeIn(this.#db) };
  }

  async shutdown(now: number, args: { workerId: string }): Promise<ShutdownResult> {
    checkTime(now);
    const workerId = check(idSchema, args.workerId, 'INVALID_ARGUMENT', 'workerId');
    return this.#db.transaction(async (tx) => {
      await tx.query(sql.markStopping, [workerId]);
      const { rows } = await tx.query<{ released: unknown; locks: unknown }>(sql.releaseWorker, [workerId]);
      const row = single(rows, 'releaseWorker');
      return { released: toIds(row.released), locks: toKeys(row.locks) };
    });
  }

  async snapshot(): Promise<Snapshot> {
    const { rows } = await this.#db.query<SnapshotRow>(sql.snapshot, []);
    return toSnapshot(single(rows, 'snapshot'));
  }

  async getJob(jobId: number): Promise<Job> {
    const id = check(jobIdSchema, jobId, 'INVALID_ARGUMENT', 'jobId');
    const { rows } = await this.#db.query<JobRow>(sql.getJob, [id]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('UNKNOWN_JOB', `unknown job ${id}: no job has this id`);
    return toJob(row);
  }
}

async function findByIdempotencyKey(db: Queryable, key: string): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(sql.findJobByIdempotencyKey, [key]);
  const row = rows[0];
  return row === undefined ? null : Number(row.id);
}

/**
 * Locks the group row (creating it) and refuses a member the group cannot take.
 * Throws IdempotentDuplicate when, under the lock, a job with the idempotency
 * key exists: the enqueue's first lookup ran before the lock, and an earlier
 * attempt of the same enqueue (its answer lost to a kill or a dropped
 * connection) may have committed while this one waited. That job is the member
 * this call asks for, so the caller must get it back, not GROUP_FULL or GROUP_CLOSED.
 * On a single session nothing commits between the lookup and the lock, so the
 * caller passes null and spares the statement.
 */
async function joinGroup(tx: Queryable, groupId: string, size: number, idempotencyKey: string | null): Promise<void> {
  const locked = await tx.query<{ size: number; status: string }>(sql.lockGroup, [groupId, size]);
  const group = single(locked.rows, 'lockGroup');
  if (idempotencyKey !== null && (await findByIdempotencyKey(tx, idempotencyKey)) !== null) throw new IdempotentDuplicate();
  if (group.size !== size) {
    throw new EngineInputError('GROUP_SIZE_MISMATCH', `group ${JSON.stringify(groupId)} has size ${group.size}, not ${size}: every member must state the same size`);
  }
  if (group.status !== 'open') {
    throw new EngineInputError('GROUP_CLOSED', `group ${JSON.stringify(groupId)} has already ${group.status}; it takes no new members`);
  }
  const counted = await tx.query<{ members: number }>(sql.countGroupMembers, [groupId]);
  const members = Number(single(counted.rows, 'countGroupMembers').members);
  if (members >= size) {
    throw new EngineInputError('GROUP_FULL', `group ${JSON.stringify(groupId)} already has all ${size} members`);
  }
}

async function recover(tx: Queryable, owners: readonly string[], orphans: boolean, now: string, reason: string): Promise<{ requeued: number[]; failed: number[]; locks: string[] }> {
  const { rows } = await tx.query<RecoveryRow>(sql.recoverJobs, [owners, orphans, now, reason]);
  const row = single(rows, 'recoverJobs');
  return { requeued: toIds(row.requeued), failed: toIds(row.failed), locks: toKeys(row.locks) };
}

async function sanitizeIn(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ healed: unknown }>(sql.sanitize, []);
  return toIds(single(rows, 'sanitize').healed);
}

/** Aggregate statements always return exactly one row; anything else is a bug. */
function single<Row>(rows: readonly Row[], statement: string): Row {
  const row = rows[0];
  if (rows.length !== 1 || row === undefined) throw new Error(`statement ${statement} returned ${rows.length} rows, expected exactly 1`);
  return row;
}

class ReferenceLocks implements LockApi {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async acquire(now: number, args: { key: string; holder: string; jobId?: number | null; ttlMs: number }): Promise<boolean> {
    const time = checkTime(now);
    const key = check(idSchema, args.key, 'INVALID_ARGUMENT', 'lock key');
    const holder = check(idSchema, args.holder, 'INVALID_ARGUMENT', 'lock holder');
    const jobId = check(jobIdSchema.nullable(), args.jobId ?? null, 'INVALID_ARGUMENT', 'jobId');
    const ttlMs = checkDuration(args.ttlMs, 'ttlMs', time);
    const { rows } = await this.#db.query(sql.acquireLock, [key, holder, jobId, toTimestamp(time), toTimestamp(time + ttlMs)]);
    return rows.length > 0;
  }

  async refresh(now: number, args: { key: string; holder: string; ttlMs: number }): Promise<boolean> {
    const time = checkTime(now);
    const key = check(idSchema, args.key, 'INVALID_ARGUMENT', 'lock key');
    const holder = check(idSchema, args.holder, 'INVALID_ARGUMENT', 'lock holder');
    const ttlMs = checkDuration(args.ttlMs, 'ttlMs', time);
    const { rowCount } = await this.#db.query(sql.refreshLock, [key, holder, toTimestamp(time), toTimestamp(time + ttlMs)]);
    return rowCount > 0;
  }

  async release(args: { key: string; holder: string }): Promise<boolean> {
    const key = check(idSchema, args.key, 'INVALID_ARGUMENT', 'lock key');
    const holder = check(idSchema, args.holder, 'INVALID_ARGUMENT', 'lock holder');
    const { rowCount } = await this.#db.query(sql.releaseLock, [key, holder]);
    return rowCount > 0;
  }

  async forceRelease(args: { key: string }): Promise<boolean> {
    const key = check(idSchema, args.key, 'INVALID_ARGUMENT', 'lock key');
    const { rowCount } = await this.#db.query(sql.forceReleaseLock, [key]);
    return rowCount > 0;
  }

  async sweep(now: number): Promise<string[]> {
    const time = checkTime(now);
    const { rows } = await this.#db.query<{ keys: unknown }>(sql.sweepLocks, [toTimestamp(time)]);
    return toKeys(single(rows, 'sweepLocks').keys);
  }
}
