// The reference engine's public API. Every operation takes the caller's `now`
// (integer milliseconds since the Unix epoch) and the caller's ids and lease
// tokens: the engine never reads a clock or a random source, so the same calls
// give the same rows, on PGlite and on Postgres, in production and in the simulator.

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type WorkerRole = 'worker' | 'client';
export type GroupStatus = 'open' | 'completed' | 'failed';

/** What a caller asks to enqueue. */
export interface JobSpec {
  /** A queue declared with `defineQueue`; enqueueing to an unknown queue is an error. */
  queue: string;
  /** Free-form job type; workers may claim by type. Default 'default'. */
  type?: string;
  payload?: unknown;
  /** Higher runs first; ties broken by job id. Default 0. */
  priority?: number;
  /** Not claimable before this time (ms). Default: `now` of the enqueue. */
  availableAt?: number;
  /** Jobs with the same key never run at once: claiming takes the key's resource lock. */
  resourceKey?: string;
  /** Claims allowed before the job ends in `failed`. Default 3, at least 1. */
  attemptsMax?: number;
  /** A second enqueue with the same key returns the first job and creates nothing. */
  idempotencyKey?: string;
  /** Membership of a completion group of a known size (the group completes once all `size` members are terminal). */
  group?: { id: string; size: number };
}

export interface Job {
  id: number;
  queue: string;
  type: string;
  status: JobStatus;
  priority: number;
  availableAt: number;
  resourceKey: string | null;
  groupId: string | null;
  attempts: number;
  attemptsMax: number;
  owner: string | null;
  leaseToken: string | null;
  pid: number | null;
  runId: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  payload: unknown;
  result: unknown;
  error: string | null;
  idempotencyKey: string | null;
}

export interface WorkerIdentity {
  workerId: string;
  role: WorkerRole;
  /** The OS pid, when the process has one worth recording. Never used alone to judge liveness. */
  pid: number | null;
  /** Unique per process incarnation (a restarted process gets a new run id even if its pid is reused). */
  runId: string;
}

export interface Worker extends WorkerIdentity {
  heartbeatAt: number;
  startedAt: number;
  stopping: boolean;
}

export interface Lock {
  key: string;
  holder: string;
  jobId: number | null;
  acquiredAt: number;
  expiresAt: number;
}

export interface Group {
  id: string;
  size: number;
  status: GroupStatus;
  completedAt: number | null;
}

export interface Queue {
  name: string;
  /** null = unlimited. */
  maxConcurrency: number | null;
}

export interface EnqueueResult {
  jobId: number;
  /** false when an existing job with the same idempotency key was returned. */
  created: boolean;
}

export interface ClaimRequest {
  workerId: string;
  leaseToken: string;
  /** Stamped on the job. null = the pid is stamped later with `attachRun` (it is cleared either way). */
  pid?: number | null;
  runId?: string | null;
  /** Restrict to these queues / job types; omitted = all. */
  queues?: string[];
  types?: string[];
  /** TTL of the resource lock taken with the job. Default 30 000 ms. */
  lockTtlMs?: number;
}

export interface FailResult {
  applied: boolean;
  /** The job's status after the write: 'queued' (retry) or 'failed' (attempts spent); null when not applied. */
  status: 'queued' | 'failed' | null;
}

export interface ReapResult {
  /** Worker ids removed, sorted. */
  workers: string[];
  /** Jobs returned to 'queued' with ownership cleared, sorted. */
  requeued: number[];
  /** Jobs ended in 'failed' because their attempts were spent, sorted. */
  failed: number[];
  /** Resource-lock keys dropped with the reaped workers, sorted. */
  locks: string[];
}

export interface StartupResult {
  /** Jobs the previous incarnation(s) of this worker id left running, now requeued with clean ownership. */
  requeued: number[];
  /** Jobs of the previous incarnation whose attempts were spent, now failed. */
  failed: number[];
  /** Impossible queued rows healed by the startup sanitize pass. */
  healed: number[];
}

export interface ShutdownResult {
  /** In-flight jobs returned to 'queued' without spending an attempt. */
  released: number[];
  /** Lock keys dropped. */
  locks: string[];
}

export interface SanitizeResult {
  /** Queued jobs that still carried ownership (owner, lease, pid, run id or startedAt) and were cleaned, sorted. */
  healed: number[];
}

export interface Snapshot {
  queues: Queue[];
  jobs: Job[];
  workers: Worker[];
  locks: Lock[];
  groups: Group[];
}

export interface LockApi {
  /** Takes or renews the lock for `holder`; false when another holder has an unexpired lock. */
  acquire(now: number, args: { key: string; holder: string; jobId?: number | null; ttlMs: number }): Promise<boolean>;
  /** Extends an unexpired lock of `holder`; false when it does not hold it. */
  refresh(now: number, args: { key: string; holder: string; ttlMs: number }): Promise<boolean>;
  /** Drops the lock if `holder` holds it. */
  release(args: { key: string; holder: string }): Promise<boolean>;
  /** Drops the lock whoever holds it (operator escape hatch). */
  forceRelease(args: { key: string }): Promise<boolean>;
  /** Drops every expired lock; returns their keys, sorted. */
  sweep(now: number): Promise<string[]>;
}

export interface Engine {
  defineQueue(now: number, queue: Queue): Promise<void>;
  /** Registers (or re-registers) a worker or an enqueue-only client, requeues what earlier incarnations of the same worker id left running, and sanitizes. */
  startup(now: number, identity: WorkerIdentity): Promise<StartupResult>;
  enqueue(now: number, job: JobSpec): Promise<EnqueueResult>;
  /** One atomic statement; null when nothing is eligible (or the caller is a client, stopping, or unknown). */
  claim(now: number, request: ClaimRequest): Promise<Job | null>;
  /** Stamps the pid and run id of the process actually running the job; gated on the lease. */
  attachRun(now: number, args: { jobId: number; leaseToken: string; pid: number | null; runId: string }): Promise<boolean>;
  /** Records liveness and extends the worker's locks by `lockTtlMs`; false when the worker row is gone (it was reaped). */
  heartbeat(now: number, args: { workerId: string; lockTtlMs?: number }): Promise<boolean>;
  complete(now: number, args: { jobId: number; leaseToken: string; result?: unknown }): Promise<boolean>;
  fail(now: number, args: { jobId: number; leaseToken: string; error: string; retryBackoffMs?: number }): Promise<FailResult>;
  /** Graceful shutdown: back to 'queued' without spending an attempt. */
  release(now: number, args: { jobId: number; leaseToken: string }): Promise<boolean>;
  reap(now: number, args: { reaperId: string; thresholdMs: number }): Promise<ReapResult>;
  /** Fires at most once per group: returns the outcome when this call completed the group, else null. */
  tryCompleteGroup(now: number, groupId: string): Promise<'completed' | 'failed' | null>;
  sanitize(now: number): Promise<SanitizeResult>;
  /** Stop claiming, release in-flight jobs, drop locks, delete the worker row. */
  shutdown(now: number, args: { workerId: string }): Promise<ShutdownResult>;
  readonly locks: LockApi;
  /** Read-only view of every row, sorted by key (for tests, adapters and the simulator's checks). */
  snapshot(): Promise<Snapshot>;
  getJob(jobId: number): Promise<Job>;
}
