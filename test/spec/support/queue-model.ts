// A small, correct, in-memory job queue that records a history the way the
// simulator does, so the checkers can be tested against many valid histories
// (fast-check) and against histories with exactly one known bug. It is a model,
// not the engine: it is as simple as a correct queue can be (a resource key is
// busy while any running job has it; locks are dropped with the job), and each
// `Bug` switches one rule off so a test can say which invariant must catch it.
import type { HistoryEvent, OperationEvent, WorldEvent } from '../../../spec/history.ts';
import type { JobStatus, Role, State, StateContext } from '../../../spec/state.ts';

export type Bug =
  | 'staleWriteAccepted'
  | 'reapSelf'
  | 'reapFresh'
  | 'doubleGroupFire'
  | 'earlyGroupFire'
  | 'wrongGroupOutcome'
  | 'clientClaims'
  | 'claimDuringShutdown'
  | 'doubleClaim'
  | 'claimTerminal'
  | 'loseJob'
  | 'shutdownKeepsJobs'
  | 'requeueKeepsOwnership'
  | 'retryPastAttempts'
  | 'concurrencyIgnored'
  | 'resourceKeyIgnored'
  | 'claimStampsStalePid'
  | 'claimWithoutLease'
  | 'strandOrphans';

export interface ModelConfig {
  workers: number;
  clients: number;
  thresholdMs: number;
  lockTtlMs: number;
  attemptsMax: number;
  queues: { name: string; maxConcurrency: number | null }[];
  resourceKeys: string[];
  /** Small pids are reused, as after incident 003's container restart. */
  pidMax: number;
}

export const DEFAULT_CONFIG: ModelConfig = {
  workers: 3,
  clients: 1,
  thresholdMs: 1000,
  lockTtlMs: 2000,
  attemptsMax: 2,
  queues: [
    { name: 'q1', maxConcurrency: 1 },
    { name: 'q2', maxConcurrency: null },
  ],
  resourceKeys: ['k1', 'k2'],
  pidMax: 8,
};

interface ModelJob {
  id: number;
  queue: string;
  status: JobStatus;
  owner: string | null;
  leaseToken: string | null;
  pid: number | null;
  runId: string | null;
  startedAt: number | null;
  attempts: number;
  attemptsMax: number;
  resourceKey: string | null;
  groupId: string | null;
  /** strandOrphans: no requeue path touches the job any more (incident 002's claim nobody clears). */
  pinned: boolean;
}

interface WorkerRow {
  id: string;
  role: Role;
  pid: number | null;
  runId: string | null;
  heartbeatAt: number;
  stopping: boolean;
}

interface Lock {
  key: string;
  holder: string;
  jobId: number | null;
  expiresAt: number;
}

interface Group {
  id: string;
  size: number;
  members: number[];
  status: 'open' | 'completed' | 'failed';
}

interface Proc {
  id: string;
  role: Role;
  alive: boolean;
  generation: number;
  run: string;
  pid: number | null;
  /** Leases this incarnation believes it holds; stale ones make the interesting writes. */
  memory: { job: number; lease: string }[];
  shutDown: boolean;
}

/** A fast-check friendly action: small naturals the model reduces modulo what exists. */
export interface Action {
  kind: ActionKind;
  a: number;
  b: number;
}

export const ACTION_KINDS = [
  'tick',
  'enqueue',
  'claim',
  'complete',
  'fail',
  'release',
  'heartbeat',
  'reap',
  'group',
  'crash',
  'lostAck',
  'restart',
  'shutdown',
  'containerRestart',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export class QueueModel {
  readonly history: HistoryEvent[] = [];
  time = 0;
  readonly bugs = new Set<Bug>();
  healTime: number | null = null;

  private readonly config: ModelConfig;
  private readonly jobs = new Map<number, ModelJob>();
  private readonly queued = new Set<number>();
  private readonly runningPerQueue = new Map<string, number>();
  private readonly busyKeys = new Map<string, number>();
  private readonly ownedRunning = new Map<string, Set<number>>();
  private readonly rows = new Map<string, WorkerRow>();
  private readonly locks = new Map<string, Lock>();
  private readonly groups = new Map<string, Group>();
  private readonly openGroups: string[] = [];
  private readonly fillingGroups: string[] = [];
  private readonly procs = new Map<string, Proc>();
  private readonly queueNames = new Set<string>();
  private readonly limits = new Map<string, number | null>();
  private nextJob = 1;
  private nextLease = 1;
  private nextGroup = 1;
  private nextPid = 1;

  constructor(config: Partial<ModelConfig> = {}) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    for (const queue of this.config.queues) this.addQueue(queue.name, queue.maxConcurrency);
    for (let index = 1; index <= this.config.workers; index += 1) this.addProcess(`w${index}`, 'worker');
    for (let index = 1; index <= this.config.clients; index += 1) this.addProcess(`c${index}`, 'client');
  }

  get workerIds(): string[] {
    return [...this.procs.values()].filter((proc) => proc.role === 'worker').map((proc) => proc.id);
  }

  addQueue(name: string, maxConcurrency: number | null): void {
    if (this.queueNames.has(name)) return;
    this.queueNames.add(name);
    this.limits.set(name, maxConcurrency);
    this.runningPerQueue.set(name, 0);
  }

  /** Spawns the process and registers it. */
  addProcess(id: string, role: Role): void {
    const proc: Proc = { id, role, alive: false, generation: 0, run: '', pid: null, memory: [], shutDown: false };
    this.procs.set(id, proc);
    this.start(proc);
  }

  // ---- actions ---------------------------------------------------------------

  apply(action: Action): void {
    const workers = this.workerIds;
    const all = [...this.procs.keys()];
    const worker = this.procs.get(workers[action.a % workers.length]!)!;
    switch (action.kind) {
      case 'tick':
        this.tick(1 + (action.a % Math.round(this.config.thresholdMs * 1.5)));
        return;
      case 'enqueue':
        this.enqueue(all[action.a % all.length]!, { queue: [...this.queueNames][action.b % this.queueNames.size]!, keyChoice: action.b >> 2, groupChoice: action.b >> 4 });
        return;
      case 'claim':
        this.claim(worker.id);
        return;
      case 'complete':
        this.complete(worker.id, action.b);
        return;
      case 'fail':
        this.fail(worker.id, action.b);
        return;
      case 'release':
        this.release(worker.id, action.b);
        return;
      case 'heartbeat':
        this.heartbeat(worker.id);
        return;
      case 'reap':
        this.reap(worker.id);
        return;
      case 'group':
        if (this.openGroups.length > 0) this.tryCompleteGroup(worker.id, this.openGroups[action.b % this.openGroups.length]!);
        return;
      case 'crash':
        this.crash(all[action.a % all.length]!);
        return;
      case 'lostAck':
        this.lostAck(worker.id, action.b);
        return;
      case 'restart':
        this.restart(all[action.a % all.length]!);
        return;
      case 'shutdown':
        this.shutdown(worker.id);
        return;
      case 'containerRestart':
        this.containerRestart();
        return;
    }
  }

  tick(ms: number): void {
    this.time += ms;
  }

  enqueue(by: string, spec: { queue: string; keyChoice?: number; groupChoice?: number; key?: string | null; group?: { id: string; size: number } | null; attemptsMax?: number }): number | null {
    const proc = this.procs.get(by)!;
    if (!proc.alive) return null;
    const keys = this.config.resourceKeys;
    const key = spec.key !== undefined ? spec.key : spec.keyChoice !== undefined && spec.keyChoice % 3 === 0 && keys.length > 0 ? keys[(spec.keyChoice >> 2) % keys.length]! : null;
    let group: Group | null = null;
    if (spec.group != null) group = this.groupNamed(spec.group.id, spec.group.size);
    else if (spec.group === undefined && spec.groupChoice !== undefined && spec.groupChoice % 4 === 0) group = this.fillingGroup(1 + ((spec.groupChoice >> 2) % 3));
    this.op(proc, 'invoke', 'enqueue', { queue: spec.queue });
    const id = this.nextJob++;
    const job: ModelJob = {
      id,
      queue: spec.queue,
      status: 'queued',
      owner: null,
      leaseToken: null,
      pid: null,
      runId: null,
      startedAt: null,
      attempts: 0,
      attemptsMax: spec.attemptsMax ?? this.config.attemptsMax,
      resourceKey: key,
      groupId: group?.id ?? null,
      pinned: false,
    };
    this.jobs.set(id, job);
    this.queued.add(id);
    if (group !== null) {
      group.members.push(id);
      if (group.members.length >= group.size) {
        const index = this.fillingGroups.indexOf(group.id);
        if (index >= 0) this.fillingGroups.splice(index, 1);
      }
    }
    this.op(proc, 'ok', 'enqueue', { job: id, queue: spec.queue, ...(group === null ? {} : { group: group.id, groupSize: group.size }) });
    return id;
  }

  claim(by: string, queues?: readonly string[]): number | null {
    const proc = this.procs.get(by)!;
    if (!proc.alive) return null;
    const lease = `L${this.nextLease++}`;
    this.op(proc, 'invoke', 'claim', { lease });
    const row = this.rows.get(by);
    const mayClaim = row !== undefined && (row.role === 'worker' || this.bugs.has('clientClaims')) && (!row.stopping || this.bugs.has('claimDuringShutdown'));
    let job: ModelJob | null = null;
    if (mayClaim) {
      if (this.bugs.has('doubleClaim') || this.bugs.has('claimTerminal')) job = this.stolenJob(queues);
      if (job === null) job = this.eligible(queues);
    }
    if (job === null) {
      this.op(proc, 'ok', 'claim', { job: null, lease: null });
      return null;
    }
    if (job.status === 'running') this.leaveRunning(job);
    this.queued.delete(job.id);
    job.status = 'running';
    job.owner = by;
    job.leaseToken = this.bugs.has('claimWithoutLease') ? null : lease;
    job.pid = this.bugs.has('claimStampsStalePid') ? 9999 : proc.pid;
    job.runId = this.bugs.has('claimStampsStalePid') ? `${by}.0` : proc.run;
    job.startedAt = this.time;
    job.attempts += 1;
    this.enterRunning(job);
    proc.memory.push({ job: job.id, lease });
    this.op(proc, 'ok', 'claim', { job: job.id, lease, queue: job.queue });
    return job.id;
  }

  complete(by: string, slot = 0): boolean | null {
    const proc = this.procs.get(by)!;
    const held = this.takeMemory(proc, slot);
    if (held === null) return null;
    this.op(proc, 'invoke', 'complete', { job: held.job, lease: held.lease });
    const applied = this.writeComplete(held.job, held.lease);
    this.op(proc, 'ok', 'complete', { job: held.job, lease: held.lease, applied });
    return applied;
  }

  fail(by: string, slot = 0): 'queued' | 'failed' | null {
    const proc = this.procs.get(by)!;
    const held = this.takeMemory(proc, slot);
    if (held === null) return null;
    this.op(proc, 'invoke', 'fail', { job: held.job, lease: held.lease });
    const job = this.jobs.get(held.job);
    let status: 'queued' | 'failed' | null = null;
    if (job !== undefined && this.accepts(job, held.lease)) {
      this.leave(job);
      if (job.attempts >= job.attemptsMax && !this.bugs.has('retryPastAttempts')) {
        job.status = 'failed';
        status = 'failed';
      } else {
        this.requeue(job);
        status = 'queued';
      }
    }
    this.op(proc, 'ok', 'fail', { job: held.job, lease: held.lease, applied: status !== null, status });
    return status;
  }

  release(by: string, slot = 0): boolean | null {
    const proc = this.procs.get(by)!;
    const held = this.takeMemory(proc, slot);
    if (held === null) return null;
    this.op(proc, 'invoke', 'release', { job: held.job, lease: held.lease });
    const job = this.jobs.get(held.job);
    const applied = job !== undefined && this.accepts(job, held.lease);
    if (applied) {
      this.leave(job);
      job.attempts -= 1;
      this.requeue(job);
    }
    this.op(proc, 'ok', 'release', { job: held.job, lease: held.lease, applied });
    return applied;
  }

  heartbeat(by: string): boolean | null {
    const proc = this.procs.get(by)!;
    if (!proc.alive) return null;
    this.op(proc, 'invoke', 'heartbeat', {});
    const row = this.rows.get(by);
    if (row !== undefined) {
      row.heartbeatAt = this.time;
      for (const lock of this.locks.values()) if (lock.holder === by) lock.expiresAt = this.time + this.config.lockTtlMs;
    }
    this.op(proc, 'ok', 'heartbeat', { applied: row !== undefined });
    // Reaped while alive: register again, as the simulator's workers do.
    if (row === undefined) this.startup(proc);
    return row !== undefined;
  }

  reap(by: string): void {
    const proc = this.procs.get(by)!;
    if (!proc.alive) return;
    const thresholdMs = this.config.thresholdMs;
    this.op(proc, 'invoke', 'reap', { thresholdMs });
    const reaped: string[] = [];
    for (const row of this.rows.values()) {
      const stale = this.time - row.heartbeatAt > thresholdMs;
      const self = row.id === by;
      if ((stale && !self) || (self && stale && this.bugs.has('reapSelf')) || (!self && !stale && this.bugs.has('reapFresh'))) reaped.push(row.id);
    }
    reaped.sort();
    const requeued: number[] = [];
    const failed: number[] = [];
    for (const id of reaped) {
      this.rows.delete(id);
      this.recover(id, requeued, failed);
    }
    requeued.sort((x, y) => x - y);
    failed.sort((x, y) => x - y);
    this.op(proc, 'ok', 'reap', { thresholdMs, workers: reaped, jobs: requeued, failedJobs: failed });
  }

  tryCompleteGroup(by: string, groupId: string): 'completed' | 'failed' | null {
    const proc = this.procs.get(by)!;
    if (!proc.alive) return null;
    const group = this.groups.get(groupId);
    if (group === undefined) return null;
    this.op(proc, 'invoke', 'tryCompleteGroup', { group: groupId });
    const members = group.members.map((id) => this.jobs.get(id)!);
    const whole = group.members.length >= group.size && members.every((job) => job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled');
    let status: 'completed' | 'failed' | null = null;
    if ((group.status === 'open' && (whole || this.bugs.has('earlyGroupFire'))) || (group.status !== 'open' && this.bugs.has('doubleGroupFire'))) {
      status = members.some((job) => job.status === 'failed') ? 'failed' : 'completed';
      if (this.bugs.has('wrongGroupOutcome')) status = status === 'failed' ? 'completed' : 'failed';
      if (group.status === 'open') {
        group.status = status;
        const index = this.openGroups.indexOf(groupId);
        if (index >= 0) this.openGroups.splice(index, 1);
      }
    }
    this.op(proc, 'ok', 'tryCompleteGroup', { group: groupId, status });
    return status;
  }

  crash(id: string): void {
    const proc = this.procs.get(id)!;
    if (!proc.alive) return;
    this.world(proc, 'crash', { detail: 'before its next call' });
    this.die(proc);
  }

  /** A complete that commits, then the process dies before it sees the answer. */
  lostAck(by: string, slot = 0): void {
    const proc = this.procs.get(by)!;
    const held = this.takeMemory(proc, slot);
    if (held === null) return;
    this.op(proc, 'invoke', 'complete', { job: held.job, lease: held.lease });
    this.writeComplete(held.job, held.lease);
    this.world(proc, 'crash', { detail: 'right after its statement committed (lost ack)' });
    this.op(proc, 'info', 'complete', { job: held.job, lease: held.lease, error: 'process died right after its statement committed; the outcome is unknown' });
    this.die(proc);
  }

  restart(id: string): void {
    const proc = this.procs.get(id)!;
    if (proc.alive) return;
    this.start(proc);
  }

  shutdown(by: string, options: { claimDuring?: readonly string[] } = {}): void {
    const proc = this.procs.get(by)!;
    if (!proc.alive || proc.role !== 'worker') return;
    this.world(proc, 'stop', { detail: 'graceful stop signal' });
    this.op(proc, 'invoke', 'shutdown', {});
    const row = this.rows.get(by);
    if (row !== undefined) row.stopping = true;
    // A claim of the same worker that runs while the shutdown is in flight (claimDuringShutdown makes it succeed).
    if (options.claimDuring !== undefined) this.claim(by, options.claimDuring);
    const released: number[] = [];
    if (!this.bugs.has('shutdownKeepsJobs')) {
      for (const jobId of [...(this.ownedRunning.get(by) ?? [])]) {
        const job = this.jobs.get(jobId)!;
        if (job.pinned) continue;
        this.leaveRunning(job);
        job.attempts -= 1;
        this.requeue(job);
        released.push(jobId);
      }
      for (const [key, lock] of this.locks) if (lock.holder === by) this.locks.delete(key);
    }
    this.rows.delete(by);
    released.sort((x, y) => x - y);
    this.op(proc, 'ok', 'shutdown', { jobs: released });
    this.world(proc, 'exit', { detail: 'shut down gracefully' });
    this.die(proc);
    proc.shutDown = true;
  }

  containerRestart(): void {
    this.world(null, 'restart', { detail: 'every process dies; the pid counter starts over' });
    for (const proc of this.procs.values()) if (proc.alive) this.die(proc);
    this.nextPid = 1;
  }

  /**
   * The heal phase: faults stop, every process runs again, and the workers drain
   * the queues and fire the groups. Ends past every orphan deadline so liveness
   * can be judged.
   */
  heal(boundMs: number): void {
    this.world(null, 'heal', { detail: 'faults stop; every process runs again' });
    this.healTime = this.time;
    for (const proc of this.procs.values()) if (!proc.alive) this.start(proc);
    const workers = this.workerIds;
    for (let round = 0; round < 10_000; round += 1) {
      this.tick(1);
      for (const id of workers) {
        this.heartbeat(id);
        const proc = this.procs.get(id)!;
        while (proc.memory.length > 0) this.complete(id, 0);
      }
      let claimed = false;
      for (const id of workers) if (this.claim(id) !== null) claimed = true;
      for (const id of workers) {
        const proc = this.procs.get(id)!;
        while (proc.memory.length > 0) this.complete(id, 0);
      }
      // Without a claim nothing changes in the next round: the model has no timers.
      if (!claimed) break;
    }
    for (const groupId of [...this.openGroups]) this.tryCompleteGroup(workers[0]!, groupId);
    this.tick(this.config.thresholdMs + boundMs + 1);
    for (const id of workers) this.heartbeat(id);
  }

  // ---- what the checkers read --------------------------------------------------

  snapshot(): State {
    return {
      time: this.time,
      jobs: [...this.jobs.values()]
        .sort((x, y) => x.id - y.id)
        .map((job) => ({
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
      workers: [...this.rows.values()].sort((x, y) => (x.id < y.id ? -1 : 1)).map((row) => ({ ...row })),
      locks: [...this.locks.values()].sort((x, y) => (x.key < y.key ? -1 : 1)).map((lock) => ({ ...lock })),
      groups: [...this.groups.values()].map((group) => ({ id: group.id, size: group.size, status: group.status })),
      queues: [...this.queueNames].map((name) => ({ name, maxConcurrency: this.limits.get(name) ?? null })),
    };
  }

  context(): StateContext {
    const clients = new Set<string>();
    const shutDown = new Set<string>();
    for (const proc of this.procs.values()) {
      if (proc.role === 'client') clients.add(proc.id);
      if (proc.shutDown) shutDown.add(proc.id);
    }
    return { clients, shutDown };
  }

  aliveProcesses(): Set<string> {
    return new Set([...this.procs.values()].filter((proc) => proc.alive).map((proc) => proc.id));
  }

  /** Test hook for the loseJob bug: the row of a job disappears. */
  dropJob(id: number): void {
    const job = this.jobs.get(id);
    if (job === undefined) return;
    if (job.status === 'running') this.leaveRunning(job);
    this.queued.delete(id);
    this.jobs.delete(id);
  }

  memoryOf(id: string): readonly { job: number; lease: string }[] {
    return this.procs.get(id)!.memory;
  }

  // ---- internals ---------------------------------------------------------------

  private start(proc: Proc): void {
    proc.generation += 1;
    proc.run = `${proc.id}.${proc.generation}`;
    proc.pid = this.allocatePid();
    proc.alive = true;
    proc.shutDown = false;
    proc.memory = [];
    this.world(proc, 'spawn', { detail: `generation ${proc.generation}` });
    this.startup(proc);
  }

  /** Registers the incarnation and requeues what earlier incarnations of the same id left running. */
  private startup(proc: Proc): void {
    this.op(proc, 'invoke', 'startup', {});
    this.rows.set(proc.id, { id: proc.id, role: proc.role, pid: proc.pid, runId: proc.run, heartbeatAt: this.time, stopping: false });
    const requeued: number[] = [];
    const failed: number[] = [];
    for (const jobId of [...(this.ownedRunning.get(proc.id) ?? [])]) {
      const job = this.jobs.get(jobId)!;
      if (job.runId === proc.run || job.pinned) continue;
      this.recoverJob(job, requeued, failed);
    }
    for (const [key, lock] of this.locks) {
      if (lock.holder !== proc.id) continue;
      const job = lock.jobId === null ? undefined : this.jobs.get(lock.jobId);
      if (job?.status === 'running' && (job.runId === proc.run || job.pinned)) continue;
      this.locks.delete(key);
    }
    requeued.sort((x, y) => x - y);
    failed.sort((x, y) => x - y);
    this.op(proc, 'ok', 'startup', { jobs: requeued, failedJobs: failed });
  }

  private die(proc: Proc): void {
    proc.alive = false;
    proc.memory = [];
  }

  private allocatePid(): number {
    const pid = this.nextPid;
    this.nextPid = (this.nextPid % this.config.pidMax) + 1;
    return pid;
  }

  private recover(workerId: string, requeued: number[], failed: number[]): void {
    for (const jobId of [...(this.ownedRunning.get(workerId) ?? [])]) {
      const job = this.jobs.get(jobId)!;
      if (job.pinned) continue;
      this.recoverJob(job, requeued, failed);
    }
    for (const [key, lock] of this.locks) {
      if (lock.holder !== workerId) continue;
      const job = lock.jobId === null ? undefined : this.jobs.get(lock.jobId);
      if (job?.pinned === true && job.status === 'running') continue;
      this.locks.delete(key);
    }
  }

  private recoverJob(job: ModelJob, requeued: number[], failed: number[]): void {
    this.leaveRunning(job);
    if (job.attempts >= job.attemptsMax) {
      job.status = 'failed';
      failed.push(job.id);
    } else {
      this.requeue(job);
      requeued.push(job.id);
    }
  }

  private writeComplete(jobId: number, lease: string): boolean {
    const job = this.jobs.get(jobId);
    if (job === undefined || !this.accepts(job, lease)) return false;
    this.leave(job);
    job.status = 'completed';
    return true;
  }

  /** The lease gate; staleWriteAccepted opens it for any lease once issued for the job. */
  private accepts(job: ModelJob, lease: string): boolean {
    if (job.status === 'running' && job.leaseToken === lease) return true;
    return this.bugs.has('staleWriteAccepted') && job.status !== 'completed' && job.status !== 'failed';
  }

  private requeue(job: ModelJob): void {
    job.status = 'queued';
    if (!this.bugs.has('requeueKeepsOwnership')) {
      job.owner = null;
      job.leaseToken = null;
      job.pid = null;
      job.runId = null;
      job.startedAt = null;
    }
    this.queued.add(job.id);
  }

  private enterRunning(job: ModelJob): void {
    this.runningPerQueue.set(job.queue, (this.runningPerQueue.get(job.queue) ?? 0) + 1);
    if (job.resourceKey !== null) {
      this.busyKeys.set(job.resourceKey, (this.busyKeys.get(job.resourceKey) ?? 0) + 1);
      this.locks.set(job.resourceKey, { key: job.resourceKey, holder: job.owner!, jobId: job.id, expiresAt: this.time + this.config.lockTtlMs });
    }
    let owned = this.ownedRunning.get(job.owner!);
    if (owned === undefined) {
      owned = new Set();
      this.ownedRunning.set(job.owner!, owned);
    }
    owned.add(job.id);
    if (this.bugs.has('strandOrphans')) job.pinned = true;
  }

  /** The job leaves whatever it was (a stale write may land on a queued job when the lease gate is broken). */
  private leave(job: ModelJob): void {
    if (job.status === 'running') this.leaveRunning(job);
    this.queued.delete(job.id);
  }

  /** The job stops running: counts, its lock and its owner's set follow. */
  private leaveRunning(job: ModelJob): void {
    this.runningPerQueue.set(job.queue, (this.runningPerQueue.get(job.queue) ?? 1) - 1);
    if (job.resourceKey !== null) {
      this.busyKeys.set(job.resourceKey, (this.busyKeys.get(job.resourceKey) ?? 1) - 1);
      const lock = this.locks.get(job.resourceKey);
      if (lock !== undefined && lock.jobId === job.id) this.locks.delete(job.resourceKey);
    }
    if (job.owner !== null) this.ownedRunning.get(job.owner)?.delete(job.id);
  }

  private eligible(queues?: readonly string[]): ModelJob | null {
    for (const id of this.queued) {
      const job = this.jobs.get(id)!;
      if (queues !== undefined && !queues.includes(job.queue)) continue;
      const limit = this.limits.get(job.queue) ?? null;
      if (limit !== null && (this.runningPerQueue.get(job.queue) ?? 0) >= limit && !this.bugs.has('concurrencyIgnored')) continue;
      if (job.resourceKey !== null && (this.busyKeys.get(job.resourceKey) ?? 0) > 0 && !this.bugs.has('resourceKeyIgnored')) continue;
      return job;
    }
    return null;
  }

  /** doubleClaim / claimTerminal: the claim returns a job that is running / finished. */
  private stolenJob(queues?: readonly string[]): ModelJob | null {
    for (const job of this.jobs.values()) {
      if (queues !== undefined && !queues.includes(job.queue)) continue;
      if (this.bugs.has('doubleClaim') && job.status === 'running') return job;
      if (this.bugs.has('claimTerminal') && job.status === 'completed') return job;
    }
    return null;
  }

  private takeMemory(proc: Proc, slot: number): { job: number; lease: string } | null {
    if (!proc.alive || proc.memory.length === 0) return null;
    const index = slot % proc.memory.length;
    const [held] = proc.memory.splice(index, 1);
    return held!;
  }

  private groupNamed(id: string, size: number): Group {
    let group = this.groups.get(id);
    if (group === undefined) {
      group = { id, size, members: [], status: 'open' };
      this.groups.set(id, group);
      this.openGroups.push(id);
    }
    return group;
  }

  private fillingGroup(size: number): Group {
    const filling = this.fillingGroups[0];
    if (filling !== undefined) return this.groups.get(filling)!;
    const group = this.groupNamed(`g${this.nextGroup++}`, size);
    this.fillingGroups.push(group.id);
    return group;
  }

  private op(proc: Proc, type: OperationEvent['type'], op: OperationEvent['op'], fields: Partial<OperationEvent>): void {
    this.history.push({ index: this.history.length, time: this.time, process: proc.id, run: proc.run, pid: proc.pid, type, role: proc.role, op, ...fields } as OperationEvent);
  }

  private world(proc: Proc | null, op: WorldEvent['op'], fields: Partial<WorldEvent>): void {
    const event: WorldEvent =
      proc === null
        ? { index: this.history.length, time: this.time, process: 'world', run: null, pid: null, type: 'world', role: 'world', op, ...fields }
        : { index: this.history.length, time: this.time, process: proc.id, run: proc.run, pid: proc.pid, type: 'world', role: proc.role, op, ...fields };
    this.history.push(event);
  }
}
