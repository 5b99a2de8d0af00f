// One round of the real-Postgres lane, drawn from its seed: the world's shape
// (queues, resource keys, groups, failing attempts, who enqueues what and when)
// and its real-time timings. The draw is deterministic; what happens when real
// connections race over it is not — the seed names a workload, not a run.
import type { PlannedJob } from '../../sim/world/workload.ts';
import type { WorldOptions } from '../../sim/world/options.ts';
import { streamsFromSeed, type Random } from '../../sim/random/choices.ts';

export interface RoundShape {
  workers: number;
  /** Enqueue-only clients. */
  clients: number;
  jobs: number;
  /** Real ms of the safety phase (kills and graceful stops happen in it), at most; it ends early when all work is done. */
  safetyMs: number;
  /** Real ms the heal phase may take before liveness is judged. */
  healBudgetMs: number;
  /** Worker kills (backends terminated mid-transaction) in the safety phase, at most. */
  killsMax: number;
  /** Real ms the enqueues are spread over. */
  arrivalMs: number;
  /** Real ms a job's step takes, drawn per job in this range. Default 0 … 4: throughput; longer steps hold states longer for the snapshots to see. */
  stepMs?: { min: number; max: number };
  /** Pinned queues instead of drawn ones. */
  queues?: { name: string; maxConcurrency: number | null }[];
  /** Pinned worker identity instead of the drawn one (a mutant's world pin). */
  workerIdentity?: WorldOptions['workerIdentity'];
}

export interface Round {
  options: WorldOptions;
  jobs: PlannedJob[];
  groups: { id: string; size: number }[];
  /** Real ms between two kills, drawn per kill from this range. */
  killGapMs: { min: number; max: number };
  /** Per-mille chance, at each kill slot, that the victim gets a graceful stop instead. */
  stopPerMille: number;
  killsMax: number;
  faults: Random;
}

/**
 * Real-time timings. Heartbeats every 250 ms against a 3 s threshold: a live
 * worker's heartbeat loop would have to stall for 2.5 s (far beyond any event-loop
 * lag of this lane) before a reaper may take it for dead.
 */
const TIMINGS = {
  pollIntervalMs: 20,
  heartbeatIntervalMs: 250,
  reaperIntervalMs: 400,
  reaperThresholdMs: 3_000,
  /** Resource-lock TTL handed to engines (ProcessContext.settings): two reaper thresholds, as in the simulator. */
  lockTtlMs: 6_000,
  restartDelayMs: 100,
  stepMsMin: 0,
  stepMsMax: 4,
} as const;

export function drawRound(seed: number, shape: RoundShape): Round {
  const { streams } = streamsFromSeed(seed);
  const w = streams.workload;
  const queueCount = w.int(1, 3);
  const drawnQueues = Array.from({ length: queueCount }, (_, index) => {
    // Limits of 2 and more: with real concurrency a limit is raced by many claims at once.
    const limit = w.int(0, 3);
    return { name: `q${index + 1}`, maxConcurrency: limit === 0 ? null : limit + 1 };
  });
  const queues = shape.queues ?? drawnQueues;
  const stepMs = shape.stepMs ?? { min: TIMINGS.stepMsMin, max: TIMINGS.stepMsMax };
  const resourceKeys = w.int(0, 4);
  const attemptsMax = w.int(2, 4);
  const failurePercent = w.pick([0, 5, 15]);
  // Drawn even when pinned, so a pin never changes the rest of the workload.
  const drawnIdentity = w.chance(1, 2) ? 'per-start' : 'stable';
  const workerIdentity = shape.workerIdentity ?? drawnIdentity;
  const releaseOnStop = w.chance(1, 2);
  const groupsWanted = Math.min(Math.floor(shape.jobs / 10), w.int(0, 20));

  const options: WorldOptions = {
    seed,
    policy: 'random',
    faults: ['crash', 'shutdown', 'contention'],
    workers: shape.workers,
    clients: shape.clients,
    reapers: Math.min(2, shape.workers),
    jobs: shape.jobs,
    groups: groupsWanted,
    queues,
    resourceKeys,
    attemptsMax,
    failurePercent,
    stepMsMin: stepMs.min,
    stepMsMax: stepMs.max,
    pollIntervalMs: TIMINGS.pollIntervalMs,
    heartbeatIntervalMs: TIMINGS.heartbeatIntervalMs,
    reaperIntervalMs: TIMINGS.reaperIntervalMs,
    reaperThresholdMs: TIMINGS.reaperThresholdMs,
    lockTtlMs: TIMINGS.lockTtlMs,
    // Real clocks of one machine: no injected skew. The checkers' tolerance is set by the lane (see postgres-lane.ts).
    clockSkewMaxMs: 0,
    pidMax: 4 * (shape.workers + shape.clients) + 8,
    pauseMsMax: 0,
    restartDelayMs: TIMINGS.restartDelayMs,
    rates: { crashPerMille: 0, lostAckPerMille: 0, pausePerMille: 0, pidReusePercent: 0, restarts: 0, shutdownPerMille: 0 },
    safetyMs: shape.safetyMs,
    healBudgetMs: shape.healBudgetMs,
    stepsMax: Number.MAX_SAFE_INTEGER,
    workerIdentity,
    releaseOnStop,
  };

  const enqueuers = [...Array.from({ length: shape.clients }, (_, index) => `c${index + 1}`), ...Array.from({ length: shape.workers }, (_, index) => `w${index + 1}`)];
  const groups: { id: string; size: number }[] = [];
  const groupOf = new Map<number, { id: string; size: number; first: number }>();
  let next = 0;
  for (let index = 0; index < groupsWanted; index += 1) {
    const size = w.int(2, 5);
    if (next + size > shape.jobs) break;
    const group = { id: `g${index + 1}`, size };
    groups.push(group);
    for (let member = 0; member < size; member += 1) groupOf.set(next + member, { ...group, first: next });
    next += size;
  }

  const jobs: PlannedJob[] = [];
  const leaders = new Map<number, { enqueuer: string; delayMs: number }>();
  for (let k = 0; k < shape.jobs; k += 1) {
    const membership = groupOf.get(k);
    let arrival = membership === undefined ? undefined : leaders.get(membership.first);
    if (arrival === undefined) {
      // A group arrives together, from one enqueuer.
      arrival = { enqueuer: enqueuers[w.int(0, enqueuers.length - 1)]!, delayMs: w.int(0, shape.arrivalMs) };
      if (membership !== undefined) leaders.set(membership.first, arrival);
    }
    const failAttempts = w.int(0, 99) < failurePercent ? w.int(1, attemptsMax) : 0;
    const spec: PlannedJob['spec'] = {
      queue: queues[w.int(0, queues.length - 1)]!.name,
      priority: w.int(0, 2),
      attemptsMax,
      idempotencyKey: `job-${k}`,
      payload: { k, durationMs: w.int(stepMs.min, stepMs.max), failAttempts },
    };
    if (resourceKeys > 0 && w.chance(1, 4)) spec.resourceKey = `r${w.int(1, resourceKeys)}`;
    if (membership !== undefined) spec.group = { id: membership.id, size: membership.size };
    jobs.push({ k, enqueuer: arrival.enqueuer, delayMs: arrival.delayMs, spec });
  }
  // Each enqueuer's loop takes its jobs in arrival order.
  jobs.sort((left, right) => left.delayMs - right.delayMs || left.k - right.k);
  return { options, jobs, groups, killGapMs: { min: 100, max: 600 }, stopPerMille: 250, killsMax: shape.killsMax, faults: streams.faults };
}
