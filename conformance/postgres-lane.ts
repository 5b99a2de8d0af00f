// The real-Postgres lane: the same adapter, driven by many real concurrent
// connections instead of the simulator. It exists for the anomalies PGlite's one
// session cannot show: two transactions open at once under READ COMMITTED, claims
// that really race through FOR UPDATE SKIP LOCKED, a worker whose backend dies
// mid-transaction. Every round gets its own schema, a workload drawn from its
// seed, kills and graceful stops at real-time gaps, then a heal phase; the
// history and snapshots go to the same checkers as the simulated lane's.
//
// This lane is NOT deterministic: the seed names the workload, the interleaving
// is whatever the machine did. A failing round is evidence, not a replayable
// seed; its report says so.
import pg from 'pg';
import type { History } from '../spec/history.ts';
import { checkHistory, checkLiveness } from '../spec/check.ts';
import type { State } from '../spec/state.ts';
import type { Verdict, Violation } from '../spec/verdict.ts';
import { LIVENESS_INVARIANTS } from '../spec/catalog.ts';
import { createPostgresDatabase } from '../src/db/postgres.ts';
import type { EngineAdapter } from '../sim/adapter/contract.ts';
import { orphanBoundMs } from '../sim/world/options.ts';
import { guardAdapter } from './guard.ts';
import { monotonicNowMs } from './real-clock.ts';
import { drawRound, type RoundShape } from './postgres/round.ts';
import { RoundRunner, type RoundEvidence } from './postgres/round-runner.ts';
import { capViolations, type SeedOutcome } from './seed-outcome.ts';
import { seedList } from './simulated-lane.ts';

/**
 * The timing tolerance the checkers get in place of a clock-skew bound: events
 * are stamped when JavaScript sees them, a little after the database did.
 */
export const REAL_TIME_TOLERANCE_MS = 250;

export interface PostgresLaneOptions {
  /** postgres://… ; every round creates and drops its own schema there. */
  connectionString: string;
  /** Rounds, each with the workload of one seed. */
  rounds: number;
  from: number;
  /** Limit on one adapter call, ms of real time (database waits included). */
  timeoutMs: number;
  workers?: number;
  clients?: number;
  /** Jobs per round. */
  jobs?: number;
  /** Worker kills per round, at most. Default: one per 50 jobs, 2 … 40. */
  killsMax?: number;
  safetyMs?: number;
  healBudgetMs?: number;
  /** Real ms a job's step takes (default 0 … 4). */
  stepMs?: { min: number; max: number };
  /** Pinned queues instead of the ones drawn from each round's seed. */
  queues?: { name: string; maxConcurrency: number | null }[];
  /** Pinned worker identity instead of the one drawn from each round's seed. */
  workerIdentity?: 'stable' | 'per-start';
  /** Real ms between two state snapshots (each is one REPEATABLE READ transaction). Default 250. */
  stateCheckIntervalMs?: number;
  /** Keep each round's schema for inspection instead of dropping it. */
  keepSchemas?: boolean;
  /** Return each round's history too (tests validate it against spec/history.ts). */
  keepHistories?: boolean;
  onRound?: (outcome: SeedOutcome, done: number, total: number) => void;
}

export interface PostgresLaneFigures {
  workers: number;
  jobs: number;
  rounds: number;
  kills: number;
  /** Kills that caught at least one of the worker's backends inside a transaction or a statement. */
  killsInTransaction: number;
  gracefulStops: number;
  restarts: number;
  /** Jobs with more than one accepted terminal outcome, or claimed while a live holder still held them. */
  duplicateExecutions: number;
  /** Acknowledged jobs missing, not terminal, or with an outcome the rows contradict at the end. */
  lostJobs: number;
  events: number;
  statements: number;
  seconds: number;
  jobsPerSecond: number;
}

export interface PostgresLaneRun {
  outcomes: SeedOutcome[];
  figures: PostgresLaneFigures;
  skippedSeeds: number;
  wallMs: number;
  histories: History[];
}

export const POSTGRES_LANE_NOTE =
  'real-Postgres lane: many real connections, kills mid-transaction, real time — NOT deterministic: a seed names the workload of a round, not its interleaving, so a failure cannot be replayed by seed';

let schemaCounter = 0;

/** The lane cannot run: the database is unreachable or refuses the lane's role. An environment problem (exit 2), not the adapter's fault. */
export class LaneEnvironmentError extends Error {
  override readonly name = 'LaneEnvironmentError';
}

async function preflight(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new LaneEnvironmentError(`cannot use the Postgres at ${maskPassword(connectionString)}: ${error instanceof Error ? error.message : String(error)}; check the URL and that the server is up`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL with its password masked, for reports that end up in CI logs. */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function roundShape(options: PostgresLaneOptions): RoundShape {
  const jobs = options.jobs ?? 200;
  return {
    workers: options.workers ?? 4,
    clients: options.clients ?? 1,
    jobs,
    killsMax: options.killsMax ?? Math.min(40, Math.max(2, Math.floor(jobs / 50))),
    safetyMs: options.safetyMs ?? Math.max(2_000, jobs),
    healBudgetMs: options.healBudgetMs ?? 30_000 + jobs * 5,
    arrivalMs: Math.min(1_000, jobs * 2),
    ...(options.stepMs === undefined ? {} : { stepMs: options.stepMs }),
    ...(options.queues === undefined ? {} : { queues: options.queues }),
    ...(options.workerIdentity === undefined ? {} : { workerIdentity: options.workerIdentity }),
  };
}

export async function runPostgresLane(adapter: EngineAdapter, options: PostgresLaneOptions): Promise<PostgresLaneRun> {
  await preflight(options.connectionString);
  const started = monotonicNowMs();
  const guarded = guardAdapter(adapter, { timeoutMs: options.timeoutMs, budget: 'real-time' });
  const shape = roundShape(options);
  const seeds = seedList(options.from, options.rounds);
  const outcomes: SeedOutcome[] = [];
  const histories: History[] = [];
  const figures: PostgresLaneFigures = {
    workers: shape.workers,
    jobs: 0,
    rounds: 0,
    kills: 0,
    killsInTransaction: 0,
    gracefulStops: 0,
    restarts: 0,
    duplicateExecutions: 0,
    lostJobs: 0,
    events: 0,
    statements: 0,
    seconds: 0,
    jobsPerSecond: 0,
  };
  for (const seed of seeds) {
    schemaCounter += 1;
    const schema = `wf_conformance_${process.pid}_${seed}_${schemaCounter}`;
    const round = drawRound(seed, shape);
    const roundStarted = monotonicNowMs();
    let evidence: RoundEvidence;
    try {
      evidence = await new RoundRunner({ connectionString: options.connectionString, schema, adapter: guarded, round, stateCheckIntervalMs: options.stateCheckIntervalMs ?? 250, stopWaitMs: 2 * options.timeoutMs }).run();
    } finally {
      if (options.keepSchemas !== true) await dropSchema(options.connectionString, schema);
    }
    const wallMs = Math.round(monotonicNowMs() - roundStarted);
    const outcome = judgeRound(seed, evidence, guarded, round.options.reaperThresholdMs, orphanBoundMs(round.options), wallMs);
    const history = evidence.recorder.events;
    const counted = countDamage(history, evidence.finalState, outcome.allViolations);
    figures.rounds += 1;
    figures.jobs += evidence.enqueued;
    figures.kills += evidence.kills;
    figures.killsInTransaction += evidence.killsInTransaction;
    figures.gracefulStops += evidence.stops;
    figures.restarts += evidence.restarts;
    figures.duplicateExecutions += counted.duplicateExecutions;
    figures.lostJobs += counted.lostJobs;
    figures.events += history.length;
    figures.statements += evidence.statements;
    if (options.keepHistories === true) histories.push(history);
    outcomes.push(outcome.seed);
    options.onRound?.(outcome.seed, outcomes.length, seeds.length);
    if (outcome.seed.outcome === 'adapter-error') break;
  }
  const wallMs = Math.round(monotonicNowMs() - started);
  figures.seconds = Math.round(wallMs / 100) / 10;
  figures.jobsPerSecond = wallMs > 0 ? Math.round((figures.jobs * 1000) / wallMs) : 0;
  return { outcomes, figures, skippedSeeds: seeds.length - outcomes.length, wallMs, histories };
}

function judgeRound(
  seed: number,
  evidence: RoundEvidence,
  adapter: EngineAdapter,
  thresholdMs: number,
  boundMs: number,
  wallMs: number,
): { seed: SeedOutcome; allViolations: Violation[] } {
  const history = evidence.recorder.events;
  const base = { seed, traceHash: '', wallMs, coveredMs: evidence.endTime, events: history.length, statements: evidence.statements };
  if (evidence.fault !== null) {
    return { seed: { ...base, outcome: 'adapter-error', violations: [], violationCounts: {}, notApplicable: [], fault: evidence.fault }, allViolations: [] };
  }
  const capabilities = adapter.capabilities;
  const historyVerdict = checkHistory(history, capabilities, {
    clockSkewMaxMs: REAL_TIME_TOLERANCE_MS,
    ...(evidence.finalState === null ? {} : { finalState: evidence.finalState }),
    violationsPerInvariantMax: Number.MAX_SAFE_INTEGER,
  });
  const livenessVerdict: Verdict =
    evidence.finalState === null
      ? { valid: true, violations: [], notApplicable: LIVENESS_INVARIANTS.map((invariant) => ({ invariant: invariant.id, missing: 'stateView' })) }
      : checkLiveness(history, evidence.finalState, capabilities, {
          healTime: evidence.healTime,
          endTime: evidence.endTime,
          thresholdMs,
          boundMs,
          aliveProcesses: evidence.aliveProcesses,
          healCompleted: evidence.healCompleted,
          violationsPerInvariantMax: Number.MAX_SAFE_INTEGER,
        });
  const violations = [...evidence.stateViolations, ...historyVerdict.violations, ...livenessVerdict.violations].sort(
    (left, right) => (left.eventIndex ?? Number.MAX_SAFE_INTEGER) - (right.eventIndex ?? Number.MAX_SAFE_INTEGER) || left.invariant.localeCompare(right.invariant),
  );
  const notApplicable = new Map<string, string>();
  for (const item of [...historyVerdict.notApplicable, ...livenessVerdict.notApplicable]) if (!notApplicable.has(item.invariant)) notApplicable.set(item.invariant, item.missing);
  const { kept, counts } = capViolations(violations);
  return {
    seed: {
      ...base,
      outcome: violations.length === 0 ? 'pass' : 'fail',
      violations: kept,
      violationCounts: counts,
      notApplicable: [...notApplicable.entries()].map(([invariant, missing]) => ({ invariant, missing })),
      fault: null,
    },
    allViolations: violations,
  };
}

/**
 * The two figures of the lane's headline, counted from the evidence itself (not
 * only from violations, so a checker's blind spot cannot hide them).
 */
export function countDamage(history: History, finalState: State | null, violations: readonly Violation[]): { duplicateExecutions: number; lostJobs: number } {
  const acceptedTerminal = new Map<number, number>();
  const enqueued = new Set<number>();
  for (const event of history) {
    if (event.type !== 'ok' || event.job == null) continue;
    if (event.op === 'enqueue') enqueued.add(event.job);
    const terminal = (event.op === 'complete' && event.applied === true) || (event.op === 'fail' && event.applied === true && event.status === 'failed');
    if (terminal) acceptedTerminal.set(event.job, (acceptedTerminal.get(event.job) ?? 0) + 1);
  }
  const duplicated = new Set<number>();
  for (const [job, count] of acceptedTerminal) if (count > 1) duplicated.add(job);
  for (const violation of violations) if (violation.invariant === 'SINGLE_OWNER') for (const job of violation.jobs) duplicated.add(job);

  const lost = new Set<number>();
  if (finalState !== null) {
    const rows = new Map(finalState.jobs.map((row) => [row.id, row]));
    for (const job of enqueued) {
      const row = rows.get(job);
      if (row === undefined || (row.status !== 'completed' && row.status !== 'failed' && row.status !== 'cancelled')) lost.add(job);
    }
  } else {
    // Without rows, a job is counted lost when the history shows no accepted terminal outcome for it.
    for (const job of enqueued) if (!acceptedTerminal.has(job)) lost.add(job);
  }
  for (const violation of violations) if (violation.invariant === 'NO_LOST_JOB') for (const job of violation.jobs) lost.add(job);
  return { duplicateExecutions: duplicated.size, lostJobs: lost.size };
}

async function dropSchema(connectionString: string, schema: string): Promise<void> {
  try {
    const db = await createPostgresDatabase({ connectionString, schema, max: 1 });
    try {
      await db.dropSchema();
    } finally {
      await db.close();
    }
  } catch {
    // Cleanup is best effort: a schema left behind is named for the run and harmless.
  }
}
