// A plain stress test, as a careful team would write one without a simulator:
// several workers with their own connections race on a real Postgres, jobs take
// random real sleeps, heartbeat and reaper loops run on their intervals, workers
// are killed now and then (their backends terminated, mid-transaction when they
// have one open) and restarted, a few get a graceful stop; then the test waits
// for the work to drain and judges. Round after round, until a budget of wall
// time or of rounds runs out.
//
// It is the real-Postgres lane's round (conformance/postgres-lane.ts) in a loop,
// so the processes, the history and the checkers are exactly the simulator's;
// only the scheduling (the machine's, not a seeded scheduler's) and the faults
// differ. The faults are the ones an ordinary test can produce: kills, restarts,
// graceful stops. No pauses (SIGSTOP / GC stalls), no lost acks beyond what a kill
// causes, no clock skew, no pid reuse (the lane's pid table holds 27 pids and a
// round starts about ten processes, as a real OS with a pid_max in the millions
// hands out fresh pids), no container restart. That is the honest baseline: the
// faults the simulator injects on purpose are what the comparison measures.
//
// It gets more than a typical team's test in one respect, on purpose: the kit's
// checkers, including a state snapshot every 250 ms. So "caught" means the same
// invariant the simulator reports, and a bug the stress test misses is missed
// for lack of the interleaving, not for lack of an assertion.
import type { EngineAdapter } from '../sim/adapter/contract.ts';
import { runPostgresLane, type PostgresLaneOptions } from './postgres-lane.ts';
import { monotonicNowMs } from './real-clock.ts';

/**
 * The stress world: 4 workers (2 of them run a reaper loop) and 1 enqueue-only
 * client over 200 jobs, each job's step a real sleep of 0-50 ms, up to 4 kills
 * per round, and a heal phase of at most 10 s (the reaper threshold is 3 s, so a
 * killed worker's job is back well within it; the reference engine drains in
 * about a second). Queues, resource keys, groups and failing attempts are drawn
 * from each round's seed, as in the lane.
 */
export const STRESS_ROUND = {
  workers: 4,
  clients: 1,
  jobs: 200,
  killsMax: 4,
  stepMs: { min: 0, max: 50 },
  healBudgetMs: 10_000,
} as const;

/** Limit on one adapter call, ms of real time: a call that hangs this long is an adapter error, not a verdict. */
const CALL_TIMEOUT_MS = 10_000;

export interface StressTestOptions {
  connectionString: string;
  /** Start no new round once this much wall time has passed, ms. At least one of budgetMs and roundsMax. */
  budgetMs?: number;
  /** Run at most this many rounds (tests use a count of rounds, never a time). */
  roundsMax?: number;
  /** The first round's workload seed; round i runs seed from + i. Default 0. */
  from?: number;
  /** Whether a round's tripped invariants (ids) count as catching the bug under test. */
  isCaught: (invariants: readonly string[]) => boolean;
  /** End at the first round that catches the bug (default) or keep going to the budget, to count how often rounds catch it. */
  stopAtFirstCatch?: boolean;
  /** A mutant's structural world pins; its fault pins are not taken (the stress test has only its own faults). */
  queues?: PostgresLaneOptions['queues'];
  workerIdentity?: PostgresLaneOptions['workerIdentity'];
  /** Shape overrides (tests: a smaller round). */
  round?: Partial<Pick<PostgresLaneOptions, 'workers' | 'clients' | 'jobs' | 'killsMax' | 'stepMs' | 'healBudgetMs'>>;
  onRound?: (round: StressRound) => void;
}

export interface StressRound {
  seed: number;
  /** Wall seconds from the start of the stress test to the end of this round (when its verdict is known). */
  endSeconds: number;
  caught: boolean;
  /** Invariant ids this round tripped. */
  invariants: string[];
  adapterError: string | null;
}

export interface StressTestResult {
  rounds: number;
  caughtRounds: number;
  /** Wall seconds from the start to the end of the first round that caught the bug; null when none did. */
  firstCaughtSeconds: number | null;
  firstCaughtRound: number | null;
  seconds: number;
  /** Per invariant id: the rounds that tripped it (whatever isCaught says). */
  roundsPerInvariant: Record<string, number>;
  kills: number;
  gracefulStops: number;
  /** The first adapter error, which ends the stress test: after it no verdict means anything. */
  adapterError: string | null;
  roundsDetail: StressRound[];
}

export async function runStressTest(adapter: EngineAdapter, options: StressTestOptions): Promise<StressTestResult> {
  if (options.budgetMs === undefined && options.roundsMax === undefined) throw new Error('runStressTest needs budgetMs or roundsMax: a stress test without an end never reports');
  const started = monotonicNowMs();
  const elapsedMs = () => monotonicNowMs() - started;
  const from = options.from ?? 0;
  const stopAtFirstCatch = options.stopAtFirstCatch ?? true;
  const result: StressTestResult = {
    rounds: 0,
    caughtRounds: 0,
    firstCaughtSeconds: null,
    firstCaughtRound: null,
    seconds: 0,
    roundsPerInvariant: {},
    kills: 0,
    gracefulStops: 0,
    adapterError: null,
    roundsDetail: [],
  };
  while ((options.roundsMax === undefined || result.rounds < options.roundsMax) && (options.budgetMs === undefined || elapsedMs() < options.budgetMs)) {
    const seed = from + result.rounds;
    const run = await runPostgresLane(adapter, {
      ...STRESS_ROUND,
      ...options.round,
      connectionString: options.connectionString,
      rounds: 1,
      from: seed,
      timeoutMs: CALL_TIMEOUT_MS,
      ...(options.queues === undefined ? {} : { queues: options.queues }),
      ...(options.workerIdentity === undefined ? {} : { workerIdentity: options.workerIdentity }),
    });
    const outcome = run.outcomes[0];
    const invariants = Object.keys(outcome?.violationCounts ?? {}).sort();
    const adapterError = outcome?.fault == null ? null : `${outcome.fault.operation}: ${outcome.fault.message}`;
    const caught = adapterError === null && invariants.length > 0 && options.isCaught(invariants);
    const round: StressRound = { seed, endSeconds: elapsedMs() / 1000, caught, invariants, adapterError };
    result.rounds += 1;
    result.kills += run.figures.kills;
    result.gracefulStops += run.figures.gracefulStops;
    for (const invariant of invariants) result.roundsPerInvariant[invariant] = (result.roundsPerInvariant[invariant] ?? 0) + 1;
    result.roundsDetail.push(round);
    options.onRound?.(round);
    if (adapterError !== null) {
      result.adapterError = adapterError;
      break;
    }
    if (caught) {
      result.caughtRounds += 1;
      if (result.firstCaughtSeconds === null) {
        result.firstCaughtSeconds = round.endSeconds;
        result.firstCaughtRound = result.rounds;
      }
      if (stopAtFirstCatch) break;
    }
  }
  result.seconds = elapsedMs() / 1000;
  return result;
}
