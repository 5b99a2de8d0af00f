// One seed, one run: draw the world from the seed, run it on a (reset) database,
// check every invariant, and hash the trace. Same seed ⇒ same result, byte for
// byte; `choices` replays a recorded (possibly shrunk) choice stream instead.
import type { Database } from '../src/db/database.ts';
import type { History } from '../spec/history.ts';
import type { Violation } from '../spec/verdict.ts';
import type { EngineAdapter } from './adapter/contract.ts';
import { judgeHistory, judgeLiveness, judgeState, type NotApplicable } from './checks.ts';
import { AdapterError } from './errors.ts';
import { streamsFromChoices, streamsFromSeed, type RecordedChoices } from './random/choices.ts';
import { traceHash } from './trace.ts';
import { wallNowMs } from './wall-clock.ts';
import { drawOptions, healBudgetFor, orphanBoundMs, type OptionOverrides, type WorldOptions } from './world/options.ts';
import { drawWorkload } from './world/workload.ts';
import { World } from './world/world.ts';
import type { StoryEvent, StoryFault } from './world/story-faults.ts';

export interface RunRequest extends OptionOverrides {
  seed: number;
  adapter: EngineAdapter;
  /** A database with the adapter installed and empty (the caller resets it between runs). */
  db: Database;
  /** Replay these choices instead of drawing from the seed (shrinking, replay of a shrunk run). */
  choices?: RecordedChoices;
  /**
   * End the run at this simulated time, before healing, and judge only state and
   * history safety (no liveness, no end state). Shrinking uses it: a candidate
   * must violate no later than the best run so far, so the rest is wasted work.
   */
  horizonMs?: number;
}

export type Outcome = 'pass' | 'fail' | 'adapter-error';

export interface RunStats {
  /** Engine statements (scheduling points that reached the database). */
  statements: number;
  /** Queries the checker ran (not counted above). */
  checkStatements: number;
  steps: number;
  events: number;
  simMs: number;
  wallMs: number;
}

export interface RunResult {
  seed: number;
  outcome: Outcome;
  ok: boolean;
  violations: Violation[];
  /**
   * Judgements that hang on a lost answer (an `info` event) nothing later
   * settled: not violations, not proofs of correctness either (Elle's "unknown").
   */
  undecided: Violation[];
  notApplicable: NotApplicable[];
  traceHash: string;
  options: WorldOptions;
  stats: RunStats;
  history: History;
  choices: RecordedChoices;
  /** The faults that fired in loops' turns, tied to the story: a shrinker replays these in place of the turns' draws. */
  firedFaults: StoryFault[];
  /** Which slot returned which operation on which planned job, in order: who played each part of the story (a shrinker moves a fault to the slot that now plays its anchor's part). */
  storyEvents: readonly StoryEvent[];
  /** Set for outcome 'adapter-error': one line saying what the adapter did wrong. */
  error?: string;
  /** How each phase ended ('done', or the budget that cut it). */
  phases: { safety: string; heal: string };
}

export async function runSeed(request: RunRequest): Promise<RunResult> {
  const startedMs = wallNowMs();
  const { streams, recorded } = request.choices === undefined ? streamsFromSeed(request.seed) : streamsFromChoices(request.choices);
  // What a shrinker removed travels with the choices: a cut safety phase is one more world pin.
  const structure = request.choices?.structure;
  const overrides: OptionOverrides = structure?.safetyMs === undefined ? request : { ...request, world: { ...request.world, safetyMs: structure.safetyMs } };
  const options = drawOptions(request.seed, streams, overrides);
  const workload = drawWorkload(options, streams.workload, structure);
  // Fewer jobs drain sooner: the liveness budget is stated for the jobs that exist (options.jobs stays the drawn count, which places them).
  if (workload.jobs.length < options.jobs && request.world?.healBudgetMs === undefined) options.healBudgetMs = healBudgetFor({ ...options, jobs: workload.jobs.length });
  const capabilities = request.adapter.capabilities;
  const world = new World({
    options,
    workload,
    adapter: request.adapter,
    db: request.db,
    streams,
    ...(structure === undefined ? {} : { structure }),
    judge: (state, context) => judgeState(state, context, capabilities),
    ...(request.horizonMs === undefined ? {} : { horizonMs: request.horizonMs }),
  });
  const outcome = await world.run();
  const history = world.recorder.events;
  const stats: RunStats = {
    statements: outcome.statements,
    checkStatements: outcome.checkStatements,
    steps: outcome.steps,
    events: history.length,
    simMs: outcome.endTime,
    wallMs: 0,
  };
  const phases = { safety: outcome.safetyStop, heal: outcome.healStop };
  if (outcome.error !== undefined) {
    const error = outcome.error instanceof AdapterError ? outcome.error.message : `adapter error: ${describe(outcome.error)}`;
    stats.wallMs = Math.round(wallNowMs() - startedMs);
    return { seed: request.seed, outcome: 'adapter-error', ok: false, violations: [], undecided: [], notApplicable: [], traceHash: traceHash(history, []), options, stats, history, choices: recorded(), firedFaults: outcome.firedFaults, storyEvents: outcome.storyEvents, error, phases };
  }

  const historyVerdict = judgeHistory(history, capabilities, { clockSkewMaxMs: options.clockSkewMaxMs, finalState: outcome.finalState });
  const livenessVerdict = request.horizonMs !== undefined ? { valid: true as const, violations: [], notApplicable: [] } : judgeLiveness(history, outcome.finalState, capabilities, {
    healTime: outcome.healTime,
    endTime: outcome.endTime,
    thresholdMs: options.reaperThresholdMs,
    boundMs: orphanBoundMs(options),
    aliveProcesses: new Set(outcome.aliveProcesses),
    healCompleted: outcome.healStop === 'done',
    ...(outcome.stall === null ? {} : { stall: outcome.stall }),
  });
  const violations = [...outcome.stateViolations, ...historyVerdict.violations, ...livenessVerdict.violations].sort(byPosition);
  const notApplicable = mergeNotApplicable([...historyVerdict.notApplicable, ...livenessVerdict.notApplicable]);
  stats.wallMs = Math.round(wallNowMs() - startedMs);
  return {
    seed: request.seed,
    outcome: violations.length === 0 ? 'pass' : 'fail',
    ok: violations.length === 0,
    violations,
    undecided: [...(historyVerdict.undecided ?? []), ...(livenessVerdict.undecided ?? [])],
    notApplicable,
    traceHash: traceHash(history, violations),
    options,
    stats,
    history,
    choices: recorded(),
    firedFaults: outcome.firedFaults,
    storyEvents: outcome.storyEvents,
    phases,
  };
}

function byPosition(left: Violation, right: Violation): number {
  const a = left.eventIndex ?? Number.MAX_SAFE_INTEGER;
  const b = right.eventIndex ?? Number.MAX_SAFE_INTEGER;
  return a - b || left.invariant.localeCompare(right.invariant);
}

function mergeNotApplicable(items: NotApplicable[]): NotApplicable[] {
  const seen = new Map<string, NotApplicable>();
  for (const item of items) if (!seen.has(item.invariant)) seen.set(item.invariant, item);
  return [...seen.values()].sort((a, b) => a.invariant.localeCompare(b.invariant));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
