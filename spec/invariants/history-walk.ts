// One pass over a history, shared by every history invariant. The walk keeps
// what the history proves about each job (who holds it under which lease, how
// the holding ended, whether it reached a terminal state) and about each process
// incarnation (alive or dead, which jobs it holds), and calls the monitors of the
// invariants at the moments they judge. Monitors see the model as it was just
// before the event they are called for; the walk applies the event afterwards.
//
// Reading rules (the simulator records this way; other recorders must too):
// - History order is the order operations took effect: an `ok` is recorded right
//   after the operation's last statement committed, before any other process runs.
// - `info` means the process died before it saw the result: the operation may or
//   may not have happened, and that process incarnation is dead from then on.
// - A terminal write is accepted only when its `ok` says `applied: true`.
//
// Everything here is plain Maps keyed by job id and loops with no allocation per
// event beyond the records the rules need: the checkers must judge a million
// events in about a second.
import type { History, Operation, OperationEvent, WorldEvent } from '../history.ts';
import type { Violation } from '../verdict.ts';

export type Outcome = 'completed' | 'failed';

export interface DeathRecord {
  readonly index: number;
  readonly time: number;
  readonly cause: 'crash' | 'exit' | 'restart' | 'lost ack';
}

/** One incarnation of a process: a process id plus a run id. */
export interface RunTrack {
  readonly key: string;
  readonly process: string;
  readonly run: string | null;
  role: string | null;
  alive: boolean;
  death: DeathRecord | null;
  /** Jobs whose latest claim this incarnation holds and which nothing has ended since. */
  readonly held: Set<number>;
  /** Claims invoked and not yet answered. */
  claimsOpen: number;
  /** Global time of the latest heartbeat / startup invoke (NaN before the first). */
  heartbeatInvokeTime: number;
  startupInvokeTime: number;
  /** Index of the latest reap invoke (-1 before the first) and the threshold it asked for. */
  reapInvokeIndex: number;
  reapThresholdMs: number | null;
}

export interface ClaimRecord {
  readonly job: number;
  readonly run: RunTrack;
  readonly lease: string | null;
  readonly index: number;
  readonly time: number;
  /** How this holding ended; null while it is the job's current holding. */
  end: EndRecord | null;
  /** The job's claim before this one: the claims of a job form a list from `JobTrack.lastClaim`, so no map of leases is kept. */
  readonly previous: ClaimRecord | null;
}

/** Why a holding ended: a newer claim replaced it, the job went back to the queue, or it reached a terminal state. */
export type EndReason = 'claim' | 'requeue' | 'terminal';

export interface EndRecord {
  readonly reason: EndReason;
  readonly op: Operation;
  readonly index: number;
  readonly time: number;
  readonly process: string;
  /** The lease of the event that ended it (the new claim's lease, the write's lease), if any. */
  readonly lease: string | null;
  readonly outcome: Outcome | null;
}

export interface OutcomeRecord {
  readonly outcome: Outcome;
  readonly op: Operation;
  readonly index: number;
  readonly time: number;
  readonly process: string;
  readonly lease: string | null;
}

export interface JobTrack {
  readonly id: number;
  /** Index of the first `enqueue` ok naming the job, -1 when none. */
  enqueueIndex: number;
  enqueueTime: number;
  enqueueProcess: string | null;
  queue: string | null;
  group: string | null;
  groupSize: number | null;
  holder: ClaimRecord | null;
  lastClaim: ClaimRecord | null;
  lastEnd: EndRecord | null;
  /** The first accepted terminal outcome. */
  terminal: OutcomeRecord | null;
  /** The latest accepted terminal outcome. */
  lastOutcome: OutcomeRecord | null;
  outcomes: number;
  /** complete / fail writes invoked and not answered by ok or fail (in flight, or lost with an `info`): they may have applied. */
  openWrites: number;
  openFails: number;
  /** Index of the latest complete / fail invoke of the job (-1 before the first). */
  lastWriteInvokeIndex: number;
}

export type Change = 'requeue' | 'terminal';

/**
 * The rule of one invariant, as hooks of the shared walk. Each hook is called
 * before the walk applies the event to the model.
 */
export interface HistoryMonitor {
  readonly invariant: string;
  onEnqueue?(event: OperationEvent, job: JobTrack, walk: HistoryWalk): void;
  /** Every answer to a claim (ok, fail, info); `job` is set only when an ok returned a job. */
  onClaim?(event: OperationEvent, run: RunTrack, job: JobTrack | null, walk: HistoryWalk): void;
  /** An accepted complete / fail / release (ok with applied = true). */
  onWrite?(event: OperationEvent, run: RunTrack, job: JobTrack, walk: HistoryWalk): void;
  /** An accepted attachRun. */
  onAttach?(event: OperationEvent, run: RunTrack, job: JobTrack, walk: HistoryWalk): void;
  /** The job goes back to the queue or reaches a terminal state, by a write or by a reap / startup / shutdown list. */
  onTransition?(event: OperationEvent, job: JobTrack, change: Change, outcome: Outcome | null, walk: HistoryWalk): void;
  /** A heartbeat ok that found the worker row, or a startup ok; `invokeTime` is when the call began. */
  onRegistration?(event: OperationEvent, run: RunTrack, invokeTime: number, walk: HistoryWalk): void;
  onReap?(event: OperationEvent, run: RunTrack, walk: HistoryWalk): void;
  /** tryCompleteGroup ok or info. */
  onGroup?(event: OperationEvent, run: RunTrack, walk: HistoryWalk): void;
  onShutdownInvoke?(event: OperationEvent, run: RunTrack, walk: HistoryWalk): void;
  onShutdownOk?(event: OperationEvent, run: RunTrack, walk: HistoryWalk): void;
  /** The incarnation died (crash, exit, container restart, or an `info`); it still holds `run.held`. */
  onDeath?(run: RunTrack, death: DeathRecord, walk: HistoryWalk): void;
  onEnd?(walk: HistoryWalk): void;
}

type Hook<K extends keyof HistoryMonitor> = NonNullable<HistoryMonitor[K]>;

const EMPTY_IDS: readonly number[] = [];

/** Job ids below this are kept in an array as well: ids are dense in practice, and an array index beats a hash. */
const DENSE_IDS_MAX = 1 << 24;

export class HistoryWalk {
  readonly runs = new Map<string, RunTrack>();
  /** Time of the first `heal` world event, null when none. */
  healTime: number | null = null;
  /**
   * The latest reap, startup or shutdown answered by `info`: it may have
   * requeued or failed jobs the history never names, so judgements about jobs it
   * could have touched rest on its unknown outcome.
   */
  lastWideInfo: OperationEvent | null = null;
  lastIndex = -1;
  lastTime = 0;
  readonly violations: Violation[] = [];
  /** Judgements that rest on the unknown outcome of an `info` operation (see check.ts for how they shape the verdict). */
  readonly undecided: Violation[] = [];

  private readonly latestRun = new Map<string, RunTrack>();
  private readonly denseJobs: (JobTrack | undefined)[] = [];
  private readonly sparseJobs = new Map<number, JobTrack>();
  /** Incarnations alive now: a container restart kills exactly these. */
  private readonly aliveRuns = new Set<RunTrack>();
  private readonly enqueueHooks: Hook<'onEnqueue'>[] = [];
  private readonly claimHooks: Hook<'onClaim'>[] = [];
  private readonly writeHooks: Hook<'onWrite'>[] = [];
  private readonly attachHooks: Hook<'onAttach'>[] = [];
  private readonly transitionHooks: Hook<'onTransition'>[] = [];
  private readonly registrationHooks: Hook<'onRegistration'>[] = [];
  private readonly reapHooks: Hook<'onReap'>[] = [];
  private readonly groupHooks: Hook<'onGroup'>[] = [];
  private readonly shutdownInvokeHooks: Hook<'onShutdownInvoke'>[] = [];
  private readonly shutdownOkHooks: Hook<'onShutdownOk'>[] = [];
  private readonly deathHooks: Hook<'onDeath'>[] = [];
  private readonly endHooks: Hook<'onEnd'>[] = [];

  constructor(monitors: readonly HistoryMonitor[]) {
    for (const monitor of monitors) {
      if (monitor.onEnqueue) this.enqueueHooks.push(monitor.onEnqueue.bind(monitor));
      if (monitor.onClaim) this.claimHooks.push(monitor.onClaim.bind(monitor));
      if (monitor.onWrite) this.writeHooks.push(monitor.onWrite.bind(monitor));
      if (monitor.onAttach) this.attachHooks.push(monitor.onAttach.bind(monitor));
      if (monitor.onTransition) this.transitionHooks.push(monitor.onTransition.bind(monitor));
      if (monitor.onRegistration) this.registrationHooks.push(monitor.onRegistration.bind(monitor));
      if (monitor.onReap) this.reapHooks.push(monitor.onReap.bind(monitor));
      if (monitor.onGroup) this.groupHooks.push(monitor.onGroup.bind(monitor));
      if (monitor.onShutdownInvoke) this.shutdownInvokeHooks.push(monitor.onShutdownInvoke.bind(monitor));
      if (monitor.onShutdownOk) this.shutdownOkHooks.push(monitor.onShutdownOk.bind(monitor));
      if (monitor.onDeath) this.deathHooks.push(monitor.onDeath.bind(monitor));
      if (monitor.onEnd) this.endHooks.push(monitor.onEnd.bind(monitor));
    }
  }

  /** Walks the whole history, then lets every monitor conclude. */
  walk(history: History): this {
    for (let position = 0; position < history.length; position += 1) {
      const event = history[position]!;
      this.lastIndex = event.index;
      this.lastTime = event.time;
      if (event.type === 'world') {
        this.world(event);
        continue;
      }
      const run = this.runOf(event.process, event.run);
      if (run.role === null) run.role = event.role;
      switch (event.type) {
        case 'invoke':
          this.invoke(event, run);
          break;
        case 'ok':
          this.ok(event, run);
          break;
        case 'fail':
          this.failed(event, run);
          break;
        case 'info':
          this.info(event, run);
          break;
      }
    }
    for (const hook of this.endHooks) hook(this);
    return this;
  }

  report(violation: Violation): void {
    this.violations.push(violation);
  }

  undecide(judgement: Violation): void {
    this.undecided.push(judgement);
  }

  job(id: number): JobTrack {
    const dense = id < DENSE_IDS_MAX;
    let job = dense ? this.denseJobs[id] : this.sparseJobs.get(id);
    if (job === undefined) {
      job = {
        id,
        enqueueIndex: -1,
        enqueueTime: 0,
        enqueueProcess: null,
        queue: null,
        group: null,
        groupSize: null,
        holder: null,
        lastClaim: null,
        lastEnd: null,
        terminal: null,
        lastOutcome: null,
        outcomes: 0,
        openWrites: 0,
        openFails: 0,
        lastWriteInvokeIndex: -1,
      };
      if (dense) {
        // Fill the gap first so the array stays packed (a sparse array falls back to a dictionary).
        for (let gap = this.denseJobs.length; gap < id; gap += 1) this.denseJobs.push(undefined);
        this.denseJobs[id] = job;
      } else {
        this.sparseJobs.set(id, job);
      }
    }
    return job;
  }

  /** The job's track if the history has named it. */
  findJob(id: number): JobTrack | undefined {
    return id < DENSE_IDS_MAX ? this.denseJobs[id] : this.sparseJobs.get(id);
  }

  /** Every job the history named, by id for the dense ones. */
  *allJobs(): IterableIterator<JobTrack> {
    for (const job of this.denseJobs) if (job !== undefined) yield job;
    yield* this.sparseJobs.values();
  }

  /** The claim of `job` that returned `lease`, searching back from the latest; null when no claim of the job returned it. */
  claimWithLease(job: JobTrack, lease: string): ClaimRecord | null {
    for (let claim = job.lastClaim; claim !== null; claim = claim.previous) if (claim.lease === lease) return claim;
    return null;
  }

  /** The incarnation `run` of `process`; the latest one is cached because almost every event is by it. */
  runOf(process: string, run: string | null): RunTrack {
    const latest = this.latestRun.get(process);
    if (latest !== undefined && latest.run === run) return latest;
    const key = run === null ? process : `${process}/${run}`;
    let track = this.runs.get(key);
    if (track === undefined) {
      track = {
        key,
        process,
        run,
        role: null,
        alive: true,
        death: null,
        held: new Set(),
        claimsOpen: 0,
        heartbeatInvokeTime: Number.NaN,
        startupInvokeTime: Number.NaN,
        reapInvokeIndex: -1,
        reapThresholdMs: null,
      };
      this.runs.set(key, track);
      this.aliveRuns.add(track);
    }
    this.latestRun.set(process, track);
    return track;
  }

  private world(event: WorldEvent): void {
    switch (event.op) {
      case 'spawn': {
        const run = this.runOf(event.process, event.run);
        if (event.role !== 'world') run.role = event.role;
        break;
      }
      case 'crash':
        this.die(this.runOf(event.process, event.run), event.index, event.time, 'crash');
        break;
      case 'exit':
        this.die(this.runOf(event.process, event.run), event.index, event.time, 'exit');
        break;
      case 'restart':
        for (const run of [...this.aliveRuns]) this.die(run, event.index, event.time, 'restart');
        break;
      case 'heal':
        if (this.healTime === null) this.healTime = event.time;
        break;
      case 'pause':
      case 'resume':
      case 'stop':
        break;
    }
  }

  private invoke(event: OperationEvent, run: RunTrack): void {
    switch (event.op) {
      case 'claim':
        run.claimsOpen += 1;
        break;
      case 'heartbeat':
        run.heartbeatInvokeTime = event.time;
        break;
      case 'startup':
        run.startupInvokeTime = event.time;
        break;
      case 'reap':
        run.reapInvokeIndex = event.index;
        run.reapThresholdMs = event.thresholdMs ?? null;
        break;
      case 'complete':
        if (event.job != null) {
          const job = this.job(event.job);
          job.openWrites += 1;
          job.lastWriteInvokeIndex = event.index;
        }
        break;
      case 'fail':
        if (event.job != null) {
          const job = this.job(event.job);
          job.openWrites += 1;
          job.openFails += 1;
          job.lastWriteInvokeIndex = event.index;
        }
        break;
      case 'shutdown':
        for (const hook of this.shutdownInvokeHooks) hook(event, run, this);
        break;
      default:
        break;
    }
  }

  private ok(event: OperationEvent, run: RunTrack): void {
    switch (event.op) {
      case 'enqueue': {
        if (event.job == null) return;
        const job = this.job(event.job);
        // An idempotent enqueue answers with the job it created earlier: the first answer defines the job.
        if (job.enqueueIndex >= 0) return;
        job.enqueueIndex = event.index;
        job.enqueueTime = event.time;
        job.enqueueProcess = event.process;
        job.queue = event.queue ?? null;
        job.group = event.group ?? null;
        job.groupSize = event.groupSize ?? null;
        for (const hook of this.enqueueHooks) hook(event, job, this);
        return;
      }
      case 'claim': {
        if (run.claimsOpen > 0) run.claimsOpen -= 1;
        const job = event.job == null ? null : this.job(event.job);
        for (const hook of this.claimHooks) hook(event, run, job, this);
        if (job !== null) this.claim(event, run, job);
        return;
      }
      case 'complete': {
        if (event.job == null) return;
        const job = this.job(event.job);
        closeWrite(job, false);
        if (event.applied !== true) return;
        for (const hook of this.writeHooks) hook(event, run, job, this);
        this.conclude(event, job, 'completed');
        return;
      }
      case 'fail': {
        if (event.job == null) return;
        const job = this.job(event.job);
        closeWrite(job, true);
        if (event.applied !== true) return;
        for (const hook of this.writeHooks) hook(event, run, job, this);
        if (event.status === 'failed') this.conclude(event, job, 'failed');
        else this.requeue(event, job);
        return;
      }
      case 'release': {
        if (event.job == null || event.applied !== true) return;
        const job = this.job(event.job);
        for (const hook of this.writeHooks) hook(event, run, job, this);
        this.requeue(event, job);
        return;
      }
      case 'attachRun': {
        if (event.job == null || event.applied !== true) return;
        const job = this.job(event.job);
        for (const hook of this.attachHooks) hook(event, run, job, this);
        return;
      }
      case 'heartbeat':
        if (event.applied === false) return;
        for (const hook of this.registrationHooks) hook(event, run, Number.isNaN(run.heartbeatInvokeTime) ? event.time : run.heartbeatInvokeTime, this);
        return;
      case 'startup': {
        for (const hook of this.registrationHooks) hook(event, run, Number.isNaN(run.startupInvokeTime) ? event.time : run.startupInvokeTime, this);
        for (const id of event.jobs ?? EMPTY_IDS) this.requeue(event, this.job(id));
        for (const id of event.failedJobs ?? EMPTY_IDS) this.conclude(event, this.job(id), 'failed');
        return;
      }
      case 'reap': {
        for (const hook of this.reapHooks) hook(event, run, this);
        for (const id of event.jobs ?? EMPTY_IDS) this.requeue(event, this.job(id));
        for (const id of event.failedJobs ?? EMPTY_IDS) this.conclude(event, this.job(id), 'failed');
        return;
      }
      case 'tryCompleteGroup':
        for (const hook of this.groupHooks) hook(event, run, this);
        return;
      case 'shutdown': {
        for (const hook of this.shutdownOkHooks) hook(event, run, this);
        for (const id of event.jobs ?? EMPTY_IDS) this.requeue(event, this.job(id));
        return;
      }
      case 'sanitize':
        return;
    }
  }

  private failed(event: OperationEvent, run: RunTrack): void {
    switch (event.op) {
      case 'claim':
        if (run.claimsOpen > 0) run.claimsOpen -= 1;
        for (const hook of this.claimHooks) hook(event, run, null, this);
        return;
      case 'complete':
        if (event.job != null) closeWrite(this.job(event.job), false);
        return;
      case 'fail':
        if (event.job != null) closeWrite(this.job(event.job), true);
        return;
      default:
        return;
    }
  }

  private info(event: OperationEvent, run: RunTrack): void {
    // A complete / fail answered by `info` stays open: it may have applied.
    if (event.op === 'reap' || event.op === 'startup' || event.op === 'shutdown') this.lastWideInfo = event;
    if (event.op === 'claim') {
      if (run.claimsOpen > 0) run.claimsOpen -= 1;
      for (const hook of this.claimHooks) hook(event, run, null, this);
    } else if (event.op === 'tryCompleteGroup') {
      for (const hook of this.groupHooks) hook(event, run, this);
    }
    this.die(run, event.index, event.time, 'lost ack');
  }

  private die(run: RunTrack, index: number, time: number, cause: DeathRecord['cause']): void {
    if (!run.alive) return;
    run.alive = false;
    this.aliveRuns.delete(run);
    const death: DeathRecord = { index, time, cause };
    run.death = death;
    for (const hook of this.deathHooks) hook(run, death, this);
  }

  private claim(event: OperationEvent, run: RunTrack, job: JobTrack): void {
    const claim: ClaimRecord = { job: job.id, run, lease: event.lease ?? null, index: event.index, time: event.time, end: null, previous: job.lastClaim };
    if (job.holder !== null) {
      this.end(job, { reason: 'claim', op: 'claim', index: event.index, time: event.time, process: event.process, lease: claim.lease, outcome: null });
    }
    job.holder = claim;
    job.lastClaim = claim;
    run.held.add(job.id);
  }

  private requeue(event: OperationEvent, job: JobTrack): void {
    for (const hook of this.transitionHooks) hook(event, job, 'requeue', null, this);
    this.end(job, { reason: 'requeue', op: event.op, index: event.index, time: event.time, process: event.process, lease: event.lease ?? null, outcome: null });
  }

  private conclude(event: OperationEvent, job: JobTrack, outcome: Outcome): void {
    for (const hook of this.transitionHooks) hook(event, job, 'terminal', outcome, this);
    const record: OutcomeRecord = { outcome, op: event.op, index: event.index, time: event.time, process: event.process, lease: event.lease ?? null };
    if (job.terminal === null) job.terminal = record;
    job.lastOutcome = record;
    job.outcomes += 1;
    this.end(job, { reason: 'terminal', op: event.op, index: event.index, time: event.time, process: event.process, lease: record.lease, outcome });
  }

  private end(job: JobTrack, record: EndRecord): void {
    const holder = job.holder;
    if (holder !== null) {
      holder.run.held.delete(job.id);
      holder.end = record;
      job.holder = null;
    }
    job.lastEnd = record;
  }
}

/**
 * Whether the job may have reached a terminal state by an operation whose answer
 * was lost: its own complete / fail is still open (answered by `info`, or never
 * answered) and no claim of the job came after it (a later claim proves it did
 * not apply); or a reap / startup / shutdown answered by `info` came after
 * everything the history knows about the job.
 */
export function maybeTerminal(job: JobTrack, walk: HistoryWalk): boolean {
  if (job.terminal !== null) return false;
  if (job.openWrites > 0 && (job.lastClaim === null || job.lastClaim.index < job.lastWriteInvokeIndex)) return true;
  return walk.lastWideInfo !== null && walk.lastWideInfo.index > lastKnownIndex(job);
}

/** The latest event the history shows for the job: its enqueue, its latest claim, or how that holding ended. */
export function lastKnownIndex(job: JobTrack): number {
  return Math.max(job.enqueueIndex, job.lastClaim?.index ?? -1, job.lastEnd?.index ?? -1);
}

function closeWrite(job: JobTrack, fail: boolean): void {
  if (job.openWrites > 0) job.openWrites -= 1;
  if (fail && job.openFails > 0) job.openFails -= 1;
}

/** Runs the given monitors over the history in one pass. */
export function walkHistory(history: History, monitors: readonly HistoryMonitor[]): HistoryWalk {
  return new HistoryWalk(monitors).walk(history);
}
