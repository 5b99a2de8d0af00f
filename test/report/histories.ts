// Hand-written histories for the report tests: small enough to reason about,
// valid against the history schema, and judged by the real checkers, so the
// violations the pictures mark are the ones the kit would report.
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { checkHistory } from '../../spec/check.ts';
import { HistorySchema, type History, type HistoryEvent, type OperationEvent, type WorldEvent } from '../../spec/history.ts';
import type { RunResult } from '../../sim/run.ts';
import type { WorldOptions } from '../../sim/world/options.ts';

type OperationFields = Omit<OperationEvent, 'index' | 'time' | 'type' | 'process' | 'run' | 'pid' | 'role' | 'op'>;
type WorldFields = Omit<WorldEvent, 'index' | 'time' | 'type' | 'process' | 'run' | 'pid' | 'role' | 'op'>;

interface Who {
  process: string;
  run: string;
  pid: number;
  role: 'worker' | 'client';
}

export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];

  world(time: number, who: Who | null, op: WorldEvent['op'], fields: WorldFields = {}): this {
    const base = who === null ? { process: 'world', run: null, pid: null, role: 'world' as const } : who;
    this.events.push({ index: this.events.length, time, type: 'world', ...base, op, ...fields });
    return this;
  }

  /** An operation as invoke at `time` and its completion one ms later. */
  call(time: number, who: Who, op: OperationEvent['op'], invoke: OperationFields, done: OperationFields & { type?: 'ok' | 'fail' | 'info' } = {}): this {
    this.events.push({ index: this.events.length, time, type: 'invoke', ...who, op, ...invoke });
    const { type = 'ok', ...rest } = done;
    this.events.push({ index: this.events.length, time: time + 1, type, ...who, op, ...invoke, ...rest } as OperationEvent);
    return this;
  }

  build(): History {
    return HistorySchema.parse(this.events);
  }
}

export const W1: Who = { process: 'w1', run: 'w1.1', pid: 2, role: 'worker' };
export const W2: Who = { process: 'w2', run: 'w2.1', pid: 3, role: 'worker' };
export const C1: Who = { process: 'c1', run: 'c1.1', pid: 4, role: 'client' };
export const W1_AGAIN: Who = { process: 'w1', run: 'w1.2', pid: 3, role: 'worker' };

/**
 * Incident 001 in miniature: w1 claims job 1 and pauses; w2's reaper requeues
 * it, w2 claims and completes it; w1 wakes and completes it too — a stale write
 * that took effect. Then w1 crashes holding job 2, a container restart, and w1
 * comes back on pid 3 (w2's old pid).
 */
export function staleWriteHistory(): History {
  const h = new HistoryBuilder();
  h.world(0, W1, 'spawn', { detail: 'generation 1, clock skew 0 ms' })
    .world(0, W2, 'spawn', { detail: 'generation 1, clock skew 0 ms' })
    .world(0, C1, 'spawn', { detail: 'generation 1, clock skew 0 ms' })
    .call(1, W1, 'startup', {}, { jobs: [], failedJobs: [] })
    .call(3, W2, 'startup', {}, { jobs: [], failedJobs: [] })
    .call(10, C1, 'enqueue', { queue: 'q1' }, { job: 1 })
    .call(12, C1, 'enqueue', { queue: 'q1' }, { job: 2 })
    .call(100, W1, 'claim', { lease: 'L1' }, { job: 1, lease: 'L1', queue: 'q1' })
    .call(600, W1, 'heartbeat', {}, { applied: true })
    .world(700, W1, 'pause', { until: 5000, loop: 'all' })
    .call(3000, W2, 'reap', { thresholdMs: 2000 }, { workers: ['w1'], jobs: [1], failedJobs: [] })
    .call(3100, W2, 'claim', { lease: 'L2' }, { job: 1, lease: 'L2', queue: 'q1' })
    .call(3900, W2, 'complete', { job: 1, lease: 'L2' }, { applied: true })
    .world(5000, W1, 'resume', { loop: 'all' })
    .call(5001, W1, 'complete', { job: 1, lease: 'L1' }, { applied: true })
    .call(5010, W1, 'heartbeat', {}, { applied: false })
    .call(5100, W1, 'claim', { lease: 'L3' }, { job: 2, lease: 'L3', queue: 'q1' })
    .world(5600, W1, 'crash', { detail: 'before its call' })
    .call(7000, W2, 'reap', { thresholdMs: 2000 }, { workers: ['w1'], jobs: [2], failedJobs: [] })
    .call(7100, W2, 'claim', { lease: 'L4' }, { job: 2, lease: 'L4', queue: 'q1' })
    .call(7600, W2, 'fail', { job: 2, lease: 'L4' }, { applied: true, status: 'queued' })
    .world(8000, null, 'restart', { detail: 'every process dies; the pid counter starts over' })
    .world(9000, W1_AGAIN, 'spawn', { detail: 'generation 2, clock skew 0 ms' })
    .call(9001, W1_AGAIN, 'startup', {}, { jobs: [], failedJobs: [] })
    .world(9500, null, 'heal', { detail: 'faults stop; every process runs again' })
    .call(9600, W1_AGAIN, 'claim', { lease: 'L5' }, { job: 2, lease: 'L5', queue: 'q1' })
    .call(9900, W1_AGAIN, 'release', { job: 2, lease: 'L5' }, { applied: true });
  return h.build();
}

export function optionsFor(seed: number): WorldOptions {
  return {
    seed,
    policy: 'random',
    faults: ['pause', 'crash', 'restart'],
    workers: 2,
    clients: 1,
    reapers: 2,
    jobs: 2,
    groups: 0,
    queues: [{ name: 'q1', maxConcurrency: null }],
    resourceKeys: 0,
    attemptsMax: 2,
    failurePercent: 0,
    stepMsMin: 100,
    stepMsMax: 500,
    pollIntervalMs: 50,
    heartbeatIntervalMs: 500,
    reaperIntervalMs: 500,
    reaperThresholdMs: 2000,
    lockTtlMs: 4000,
    clockSkewMaxMs: 0,
    pidMax: 16,
    pauseMsMax: 6000,
    restartDelayMs: 1000,
    rates: { crashPerMille: 5, lostAckPerMille: 0, pausePerMille: 8, pidReusePercent: 0, restarts: 1, shutdownPerMille: 0 },
    safetyMs: 9500,
    healBudgetMs: 10_000,
    stepsMax: 60_000,
    workerIdentity: 'stable',
    releaseOnStop: true,
  };
}

/** A RunResult around a hand-written history, judged by the real history checkers. */
export function resultFor(history: History, seed = 7): RunResult {
  const verdict = checkHistory(history, ALL_CAPABILITIES, { clockSkewMaxMs: 0 });
  const last = history[history.length - 1];
  return {
    seed,
    outcome: verdict.violations.length === 0 ? 'pass' : 'fail',
    ok: verdict.violations.length === 0,
    violations: verdict.violations,
    undecided: verdict.undecided ?? [],
    notApplicable: verdict.notApplicable,
    traceHash: '0123456789abcdef',
    options: optionsFor(seed),
    stats: { statements: history.length, checkStatements: 0, steps: history.length, events: history.length, simMs: last?.time ?? 0, wallMs: 5 },
    history,
    choices: { workload: [], schedule: [], faults: [] },
    firedFaults: [],
    storyEvents: [],
    phases: { safety: 'done', heal: 'done' },
  };
}
