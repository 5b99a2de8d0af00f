// The stress column of the mutant benchmark (issue 5): each mutant under a plain
// stress test on a real Postgres (conformance/stress-test.ts: workers racing with
// random real sleeps, kills and restarts, no simulator), beside the simulator's
// median time to detection, so the README can say how much faster wf-sim finds
// each bug, or that the stress test never does.
//
// Two budgets, both from one run of rounds:
// - the equal budget, max(5 s, the simulator's median seconds to detection): the
//   stress test starts rounds while less than that has passed, and a round it
//   started runs to its end, so it always gets at least one whole round (about
//   5-7 s here) - more time than the simulator needed, never less;
// - the long budget (--stress-seconds, default 60 s): rounds keep running after a
//   catch, to count how often a round catches the bug; each catch ends one
//   "campaign" and the next starts, so the median time to detection is over those
//   campaigns (a last, uncaught stretch is left out, and said so by the counts).
import { caughtBy, findMutant, mutantOverrides } from '../../conformance/mutants/index.ts';
import { runStressTest, STRESS_ROUND } from '../../conformance/stress-test.ts';
import { median } from './median.ts';

/** The floor of the equal budget: one stress round cannot be judged sooner. */
export const EQUAL_BUDGET_FLOOR_SECONDS = 5;

export const STRESS_SKIP_REASON = 'stress column skipped: set WF_SIM_DATABASE_URL to run it (it needs a real Postgres)';

export interface StressBenchRow {
  mutant: string;
  invariant: string;
  /** The simulator's median wall seconds to detection (null: not caught, or not measured in this run). */
  sim_median_seconds: number | null;
  equal_budget_seconds: number;
  caught_within_equal_budget: boolean;
  budget_seconds: number;
  rounds: number;
  caught_rounds: number;
  first_detection_seconds: number | null;
  median_seconds_to_detection: number | null;
  /** Stress median seconds to detection over the simulator's (below 1: the stress test was faster); null when either did not catch it. */
  stress_over_sim: number | null;
  round_seconds_median: number;
  /** Per invariant: the rounds that tripped it (a mutant may trip others than its own). */
  rounds_per_invariant: Record<string, number>;
  kills: number;
  graceful_stops: number;
  adapter_error: string | null;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export async function benchStressMutant(name: string, simMedianSeconds: number | null, options: { connectionString: string; budgetSeconds: number }): Promise<StressBenchRow> {
  const mutant = findMutant(name);
  if (mutant === undefined) throw new Error(`unknown mutant ${name}`);
  // The mutant's structural pins (its incident's queues, worker identity); its fault pins belong to the simulator.
  const world = mutantOverrides(mutant).world;
  const result = await runStressTest(mutant.adapter, {
    connectionString: options.connectionString,
    budgetMs: options.budgetSeconds * 1000,
    from: 1,
    stopAtFirstCatch: false,
    isCaught: (invariants) => caughtBy(mutant, invariants.map((invariant) => ({ invariant }))),
    ...(world?.queues === undefined ? {} : { queues: world.queues }),
    ...(world?.workerIdentity === undefined ? {} : { workerIdentity: world.workerIdentity }),
    onRound: (round) => process.stderr.write(`    round ${round.seed} ended at ${round.endSeconds.toFixed(1)} s: ${round.caught ? 'caught' : 'not caught'}${round.invariants.length > 0 ? ` (${round.invariants.join(', ')})` : ''}\n`),
  });
  const equalBudget = Math.max(EQUAL_BUDGET_FLOOR_SECONDS, simMedianSeconds ?? 0);
  const starts = result.roundsDetail.map((_, index) => (index === 0 ? 0 : result.roundsDetail[index - 1]!.endSeconds));
  const durations = result.roundsDetail.map((round, index) => round.endSeconds - starts[index]!);
  // Each catch ends a campaign; the next campaign starts where it ended.
  const campaigns: number[] = [];
  let campaignStart = 0;
  for (const round of result.roundsDetail) {
    if (!round.caught) continue;
    campaigns.push(round.endSeconds - campaignStart);
    campaignStart = round.endSeconds;
  }
  const stressMedian = median(campaigns);
  return {
    mutant: mutant.name,
    invariant: mutant.invariant,
    sim_median_seconds: simMedianSeconds,
    equal_budget_seconds: round2(equalBudget),
    caught_within_equal_budget: result.roundsDetail.some((round, index) => round.caught && starts[index]! < equalBudget),
    budget_seconds: options.budgetSeconds,
    rounds: result.rounds,
    caught_rounds: result.caughtRounds,
    first_detection_seconds: result.firstCaughtSeconds === null ? null : round2(result.firstCaughtSeconds),
    median_seconds_to_detection: stressMedian === null ? null : round2(stressMedian),
    stress_over_sim: stressMedian === null || simMedianSeconds === null || simMedianSeconds <= 0 ? null : Math.round((stressMedian / simMedianSeconds) * 10) / 10,
    round_seconds_median: round2(median(durations) ?? 0),
    rounds_per_invariant: result.roundsPerInvariant,
    kills: result.kills,
    graceful_stops: result.gracefulStops,
    adapter_error: result.adapterError,
  };
}

/** The column for the given mutants, in order; simMedians maps a mutant to the simulator's median seconds to detection. */
export async function benchStress(mutants: readonly string[], simMedians: ReadonlyMap<string, number | null>, options: { connectionString: string; budgetSeconds: number }): Promise<StressBenchRow[]> {
  const rows: StressBenchRow[] = [];
  process.stderr.write(`stress: each mutant under a plain stress test on real Postgres (${STRESS_ROUND.workers} workers, ${STRESS_ROUND.jobs} jobs a round, random 0-${STRESS_ROUND.stepMs.max} ms steps, kills), ${options.budgetSeconds} s each …\n`);
  for (const name of mutants) {
    process.stderr.write(`  stress:${name} …\n`);
    rows.push(await benchStressMutant(name, simMedians.get(name) ?? null, options));
  }
  return rows;
}
