// World options: everything about a run that is drawn from its seed, printed
// first so a reader knows what world the verdict is about (TigerBeetle's VOPR
// prints its swarm options the same way). The workload is drawn from its own
// stream with fixed bounds, so switching a fault kind on or off never changes
// which jobs exist.
import type { Streams } from '../random/choices.ts';
import type { Policy } from '../scheduler.ts';
import { FAULT_KINDS, type FaultKind, type FaultSelection } from './faults.ts';

export interface QueueOption {
  name: string;
  maxConcurrency: number | null;
}

export interface FaultRates {
  /** Per-mille chance, at each turn, that the running process crashes before its call. */
  crashPerMille: number;
  /** Per-mille chance, at each database call, that the process dies right after it commits. */
  lostAckPerMille: number;
  /** Per-mille chance, at each turn, that the process (or one loop of it) pauses. */
  pausePerMille: number;
  /** Per-cent chance that a dead process's pid is taken at once by a new process. */
  pidReusePercent: number;
  /** Container restarts during the safety phase. */
  restarts: number;
  /** Per-mille chance, at each turn, that a worker gets a graceful stop signal. */
  shutdownPerMille: number;
}

export interface WorldOptions {
  seed: number;
  policy: Policy;
  faults: FaultKind[];
  workers: number;
  clients: number;
  /** The first `reapers` workers also run reaper duty. */
  reapers: number;
  jobs: number;
  groups: number;
  queues: QueueOption[];
  resourceKeys: number;
  attemptsMax: number;
  failurePercent: number;
  stepMsMin: number;
  stepMsMax: number;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  reaperIntervalMs: number;
  reaperThresholdMs: number;
  lockTtlMs: number;
  clockSkewMaxMs: number;
  pidMax: number;
  pauseMsMax: number;
  restartDelayMs: number;
  rates: FaultRates;
  /** Simulated time of the safety phase (faults on). */
  safetyMs: number;
  /** Simulated time the heal phase may take before liveness is judged. */
  healBudgetMs: number;
  /** Scheduling steps before the run is cut (a reported outcome, not a hang). */
  stepsMax: number;
  /**
   * 'stable': a restarted worker keeps its id (a systemd unit), so its own startup
   * recovers what it left running. 'per-start': every start gets a new id (a
   * Kubernetes pod), so only the reaper can recover a dead worker's jobs.
   */
  workerIdentity: 'stable' | 'per-start';
  /** On a graceful stop the worker releases its in-flight job itself; otherwise it relies on the engine's shutdown to. */
  releaseOnStop: boolean;
}

export interface OptionOverrides {
  policy?: Policy;
  faults?: FaultSelection;
  /** Tests and the mutant campaigns may pin parts of the world. */
  world?: Partial<Omit<WorldOptions, 'seed' | 'faults' | 'rates' | 'policy'>>;
}

/** Jobs a world may have (workload.ts draws this many, whatever the count, so removing one shifts no other). */
export const JOBS_MAX = 48;

/**
 * Draws drawOptions takes from the faults stream: one switch per fault kind,
 * then skew and the six rates (each padded when its kind is off). The world's
 * own draws (container restart times) follow them.
 */
export const FAULT_OPTION_DRAWS = FAULT_KINDS.length + 7;
/** The faults-stream draw of the number of container restarts (1 or 2): after the switches, skew, crash, lost ack, pause and pid reuse. */
export const RESTART_COUNT_DRAW = FAULT_KINDS.length + 5;

/** Queues a world may have; their limits hold this many positions of the workload stream. */
const QUEUES_MAX = 3;
/**
 * The workload-stream draw of how many workers reap (0 → one, 1 → two): after
 * the counts (4), the queues (1 + QUEUES_MAX), resource keys, attempts, failure
 * rate, the step length (2), the three intervals, identity and release-on-stop.
 */
export const REAPERS_DRAW = 4 + (1 + QUEUES_MAX) + 10;

export function drawOptions(seed: number, streams: Streams, overrides: OptionOverrides = {}): WorldOptions {
  const w = streams.workload;
  const f = streams.faults;

  // Workload shape (workload stream).
  const workers = w.int(1, 5);
  const clients = w.int(0, 2);
  const jobs = w.int(1, JOBS_MAX);
  const groups = w.int(0, 4);
  const queueCount = w.int(1, QUEUES_MAX);
  const queues: QueueOption[] = [];
  for (let index = 0; index < QUEUES_MAX; index += 1) {
    // Every queue's limit holds its position (padded when the queue does not exist): fewer queues never shift the jobs' draws.
    if (index >= queueCount) {
      w.pad();
      continue;
    }
    const limit = w.int(0, 3);
    queues.push({ name: `q${index + 1}`, maxConcurrency: limit === 0 ? null : limit });
  }
  const resourceKeys = w.int(0, 3);
  const attemptsMax = w.int(1, 4);
  const failurePercent = w.pick([0, 10, 25, 40]);
  const stepMsMin = w.pick([20, 100, 400]);
  const stepMsMax = stepMsMin * w.int(2, 10);
  // Each list starts with its quietest value: a choice of 0 (what shrinking moves towards) gives the fewest events.
  const pollIntervalMs = w.pick([500, 200, 50]);
  const heartbeatIntervalMs = w.pick([2000, 1000, 250]);
  const reaperIntervalMs = w.pick([4000, 1500, 500]);
  const workerIdentity = w.chance(1, 2) ? 'per-start' : 'stable';
  const releaseOnStop = w.chance(1, 2);
  const reapers = w.int(1, 2);

  // Faults (faults stream): swarm switches each kind once per run. Every position is held (padded) whether
  // or not it is drawn, so the faults stream has a fixed layout: switching one kind off while shrinking
  // leaves the others' rates where they were.
  const selection = overrides.faults ?? { mode: 'swarm' };
  const faults = FAULT_KINDS.filter((kind) => {
    if (selection.mode === 'swarm') return f.chance(1, 2);
    f.pad();
    return selection.kinds.has(kind);
  });
  const on = (kind: FaultKind) => faults.includes(kind);
  const drawIf = <T>(kind: FaultKind, draw: () => T, off: T): T => {
    if (on(kind)) return draw();
    f.pad();
    return off;
  };
  const clockSkewMaxMs = drawIf('skew', () => f.pick([10, 100, 400]), 0);
  const rates: FaultRates = {
    crashPerMille: drawIf('crash', () => f.pick([2, 5, 15]), 0),
    lostAckPerMille: drawIf('lost-ack', () => f.pick([2, 5, 15]), 0),
    pausePerMille: drawIf('pause', () => f.pick([3, 8, 20]), 0),
    pidReusePercent: drawIf('pid-reuse', () => f.pick([30, 60, 100]), 0),
    restarts: drawIf('restart', () => f.int(1, 2), 0),
    shutdownPerMille: drawIf('shutdown', () => f.pick([1, 3, 8]), 0),
  };
  const policy: Policy = overrides.policy ?? 'random';

  // Timings that must hold together: a live worker is never older than the threshold.
  const reaperThresholdMs = heartbeatIntervalMs * 3 + 2 * clockSkewMaxMs + 500;
  const lockTtlMs = reaperThresholdMs * 2;
  const contention = on('contention');
  const options: WorldOptions = {
    seed,
    policy,
    faults,
    workers: contention ? Math.max(workers, 4) : workers,
    clients,
    reapers,
    jobs,
    groups,
    queues: contention ? queues.map((queue) => ({ ...queue, maxConcurrency: 1 })) : queues,
    resourceKeys: contention ? 1 : resourceKeys,
    attemptsMax,
    failurePercent,
    stepMsMin,
    stepMsMax,
    pollIntervalMs,
    heartbeatIntervalMs,
    reaperIntervalMs,
    reaperThresholdMs,
    lockTtlMs,
    clockSkewMaxMs,
    pidMax: on('pid-reuse') || on('restart') ? 16 : 64,
    pauseMsMax: reaperThresholdMs * 3,
    restartDelayMs: heartbeatIntervalMs * 2,
    rates,
    safetyMs: 60_000,
    healBudgetMs: 0,
    stepsMax: 60_000,
    workerIdentity,
    releaseOnStop,
    ...overrides.world,
  };
  options.reapers = Math.min(options.reapers, options.workers);
  if (overrides.world?.healBudgetMs === undefined) options.healBudgetMs = healBudgetFor(options);
  return options;
}

/**
 * The stated liveness budget: after healing, an orphan waits at most one reaper
 * threshold plus one reaper interval to be requeued, and then the remaining work
 * has to drain through the queues (at worst one job at a time).
 */
export function healBudgetFor(options: WorldOptions): number {
  const recoveryMs = options.reaperThresholdMs + options.reaperIntervalMs + options.lockTtlMs + options.pollIntervalMs;
  const drainMs = options.jobs * options.attemptsMax * (options.stepMsMax + options.pollIntervalMs + 10);
  return recoveryMs + drainMs + 10_000;
}

/** An idle worker's polls back off to at most 2^4 = 16 poll intervals (sim/processes/worker.ts). */
export const IDLE_BACKOFF_DOUBLINGS_MAX = 4;

/**
 * The longest a heal phase can go without any job's row changing while work
 * remains, in a world whose engine recovers as it should: every wait a job can
 * be in, one after the other. A dead owner looks dead after the threshold (plus
 * skew both ways) and is reaped at the next reaper turn; a lock its reap left
 * behind expires after its TTL; an idle worker's backed-off poll then claims;
 * a live worker's step ends; a failed attempt waits out the engine's retry
 * backoff; the world reads the rows once per reaper interval. (The heal starts
 * every dead process at once and stops every fault, so no restart delay or
 * pause is among the waits.) Past this bound with no change the world has
 * stalled, and running on to the heal budget (which assumes every job drains
 * one at a time through every attempt) only repeats the same idle turns: a
 * wedged run of 47 jobs polled through 807 s of budget for one verdict.
 */
export function stallBoundMs(options: WorldOptions, retryBackoffMaxMs: number): number {
  const recognizeDeathMs = options.reaperThresholdMs + 2 * options.clockSkewMaxMs + options.reaperIntervalMs;
  const idlePollMs = options.pollIntervalMs * 2 ** IDLE_BACKOFF_DOUBLINGS_MAX;
  const observeMs = options.reaperIntervalMs;
  return recognizeDeathMs + options.lockTtlMs + idlePollMs + options.stepMsMax + retryBackoffMaxMs + observeMs + 1_000;
}

/** The slack ORPHANS_RECOVERED grants beyond the reaper threshold. */
export function orphanBoundMs(options: WorldOptions): number {
  return options.reaperIntervalMs + options.lockTtlMs + options.pollIntervalMs + options.heartbeatIntervalMs + 2 * options.clockSkewMaxMs + 100;
}
