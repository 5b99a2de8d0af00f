// Shrinking a failing run. A run is a pure function of its recorded choices, so
// shrinking edits the choices and replays them, keeping an edit whenever the run
// still violates the target invariant and its trace is no longer (Hypothesis's
// approach; none of the deterministic-simulation anchors shrink automatically).
//
// The choices are laid out so that removing one thing does not reshuffle the
// rest (see random/choices.ts, world/picker.ts, world/world.ts): every job's
// draws sit at fixed positions of the workload stream; each process start and
// each loop's turns draw from their own keyed sub-streams in fixed frames; the
// schedule records WHICH fiber ran, not an index. So the passes run from coarse
// to fine, as ddmin does:
//   1. structure — remove processes (and their schedule entries and sub-streams),
//      groups, jobs, and whole loops' fault streams; cut a liveness run's safety
//      phase short;
//   2. fault events — zero each fault that fired, one by one; fewer and sooner
//      container restarts (with every arrival, when a restart alone cannot move);
//   3. choices — lower the world's shape draws, zero ranges of every stream.
// After the first round the faults that fired become story faults
// (world/story-faults.ts): each tied to the job or start it followed, not to a
// loop's n-th turn, so removing a job or moving an arrival carries them along;
// they are then removed one by one and moved sooner after their anchors; and
// when removing one hands another's part to a different slot, the story is
// recast (shrink/recast.ts): that fault follows its part to the slot now
// playing it, with a second reaper if it stops the only one, and a moved
// pause's length is swept.
// An edit is kept only if the case still shows the engine's bug: a liveness
// target keeps a reaper (without one no engine recovers anything), and with a
// control engine (the reference, for a mutant) the control must still pass.
// A safety violation seen at time t lets every replay stop at t (horizonMs): the
// trace counted is the events up to and including the violation. Every replay is
// a full run up to that point, so shrinking has a budget of runs and wall time,
// and says when it hit one.
import { LIVENESS_INVARIANTS } from '../spec/catalog.ts';
import { cloneChoices, type RecordedChoices, type StreamName } from './random/choices.ts';
import type { RunResult } from './run.ts';
import { orphanBoundMs, REAPERS_DRAW, RESTART_COUNT_DRAW } from './world/options.ts';
import { jobTimeDraws } from './shrink/job-draws.ts';
import { recastFaults, recastSlots } from './shrink/recast.ts';
import { canonicalFaults, firedPositions, firstFiredFrame, withoutFaults } from './shrink/turn-faults.ts';
import { slotOfCode } from './world/picker.ts';
import { ARRIVAL_STEP_MS, clientIds, redrawWorkload, workerIds, type PlannedJob } from './world/workload.ts';
import type { StoryFault } from './world/story-faults.ts';
import { RESTART_DRAWS, TURN_FRAME } from './world/world.ts';

export interface ShrinkRequest {
  /** The failing run to shrink. */
  failing: RunResult;
  /** Invariant to preserve; default: the first violation's. */
  invariant?: string;
  /** Replays a choice stream (the same engine, seed and options as the failing run), up to a horizon when given. */
  replay: (choices: RecordedChoices, horizonMs: number | undefined) => Promise<RunResult>;
  /**
   * The same choices on an engine known to keep the invariant (for a mutant: the
   * reference engine, with the mutant's world overrides). When given, an edit is
   * kept only if this run does not violate the invariant too: the shrunk case
   * must show the engine's bug, not a world no engine could pass. Its replays
   * (one per edit that would otherwise be kept) count against the wall-time
   * budget, not the budget of runs, which stays the engine's.
   */
  control?: (choices: RecordedChoices, horizonMs: number | undefined) => Promise<RunResult>;
  runsMax?: number;
  wallMsMax?: number;
  nowMs: () => number;
  /** Told after each pass: its name, replays run, edits kept, and the trace length after it (for tuning the passes). */
  onPass?: (pass: { name: string; runs: number; kept: number; traceLength: number; wallMs: number }) => void;
}

export interface ShrinkResult {
  result: RunResult;
  choices: RecordedChoices;
  invariant: string;
  /** Replays run. */
  runs: number;
  /** Replays of the control engine (0 without one). */
  controlRuns: number;
  /** Edits kept. */
  shrinks: number;
  /** Why shrinking stopped: nothing left to try, or a budget (of replays, wall time, or rounds of the passes). */
  stoppedBy: 'fixpoint' | 'runs' | 'time' | 'rounds';
  /** Events up to and including the violation (safety) or the whole history (liveness). */
  traceLength: number;
  /** With a control engine: whether it violates the invariant on the shrunk choices too (whole run). */
  control?: 'passes' | 'fails';
}

/**
 * Invariants judged against the end state (liveness, and the history's NO_LOST_JOB):
 * their replays must run to the end, whatever event index the violation names
 * (ORPHANS_RECOVERED names the orphaning, which is long before it is judged).
 */
const LIVENESS_IDS: ReadonlySet<string> = new Set(LIVENESS_INVARIANTS.map((invariant) => invariant.id));
const END_STATE_INVARIANTS: ReadonlySet<string> = new Set(['NO_LOST_JOB', ...LIVENESS_IDS]);

/** Bisection steps for each job's arrival and step length (after trying 0): a rough cut, most of the story's time is elsewhere. */
const JOB_TIME_STEPS = 3;

/** Bisection steps for a story fault's delay and a pause's length (after trying the floor). */
const FAULT_STEPS = 6;

/**
 * Replays a shrink may run by default. The wall-time budget is what bounds a
 * shrink in practice; this one is high enough not to end a search the time
 * would have let finish (unfenced-terminal-writes seed 100020 reaches its
 * fixpoint, 58 events, at 1,064 replays in ~45 s; at 1,000 it stopped short of
 * it, and before the story could be recast, at 400 it stopped at 168).
 */
export const RUNS_MAX = 1_500;

/** A shrink's wall-time budget by default (the CLI's --shrink-seconds and the benchmark's). */
export const WALL_MS_MAX = 60_000;

/**
 * Rounds of all the passes: an edit a later pass makes often lets an earlier
 * one cut again. A backstop: the other budgets end a shrink sooner (the cases
 * of the mutant benchmark reach their fixpoints within 12 rounds).
 */
const ROUNDS_MAX = 20;

/** Workload draws that shape the world (counts, queues, timings) before the per-job draws. */
const WORKLOAD_SHAPE_DRAWS = 24;
/**
 * Shape draws (world/options.ts) that set how often the world's loops act —
 * poll interval, heartbeat interval, reaper interval; each list starts with its
 * quietest value — then the step length (min, multiplier). Lowered first: they
 * decide most of a trace's filler (heartbeats, empty claims).
 */
const QUIET_DRAWS = [14, 13, 15, 11, 12];

/**
 * Lengths a recast pause is tried at, as fractions of its length before: the
 * length that lets a moved pause replay the story (the stale worker must wake
 * while the job's next holder still runs it) is a window bounded on both
 * sides, which bisection cannot find, so it is swept.
 */
const RECAST_PAUSE_GRID = 32;

/**
 * Events that establish the violation. For a safety invariant any prefix through
 * the violating event does. A liveness violation is established at a time, not
 * an event: the moment by which something should have happened. Its trace is
 * every event up to that moment (and at least through the event it names):
 * ORPHANS_RECOVERED's deadline for an orphan nobody recovered (the orphaning,
 * or the heal if later, plus threshold and bound, as the checker states it), or
 * the end of the run for a verdict on the end state (ALL_TERMINAL, a requeued
 * orphan never run again, …). Nothing in that window is left out of the count.
 */
export function relevantLength(result: RunResult, invariant: string): number {
  const violation = result.violations.find((item) => item.invariant === invariant);
  if (violation === undefined) return result.history.length;
  if (!LIVENESS_IDS.has(invariant)) return violation.eventIndex === null ? result.history.length : violation.eventIndex + 1;
  const through = violation.eventIndex === null ? 0 : violation.eventIndex + 1;
  const until = establishedAt(result, violation);
  if (until === null) return result.history.length;
  let count = 0;
  while (count < result.history.length && result.history[count]!.time <= until) count += 1;
  return Math.max(through, count);
}

/** When a liveness verdict was settled, on the history's clock; null when only the end state settles it. */
function establishedAt(result: RunResult, violation: RunResult['violations'][number]): number | null {
  if (violation.time === null) return null;
  // Reported at the run's end (ALL_TERMINAL's judgement time): the whole run is its evidence.
  if (violation.eventIndex === null) return violation.time;
  if (violation.invariant !== 'ORPHANS_RECOVERED') return null;
  // A requeue in time that nobody followed up is judged by the end state; a late recovery names its own (late) event.
  if (violation.explanation.includes('in time, but nobody ran it again')) return null;
  // Recovered late: the named event is the witness, and the trace runs through it.
  if (violation.explanation.includes('after its deadline')) return violation.time;
  if (!violation.explanation.includes('nobody had claimed it again')) return null;
  const heal = result.history.find((item) => item.type === 'world' && item.op === 'heal');
  const healTime = heal?.time ?? violation.time;
  return Math.max(violation.time, healTime) + result.options.reaperThresholdMs + orphanBoundMs(result.options);
}

export async function shrinkRun(request: ShrinkRequest): Promise<ShrinkResult> {
  const invariant = request.invariant ?? request.failing.violations[0]?.invariant;
  if (invariant === undefined) throw new Error('shrinkRun needs a failing run');
  const runsMax = request.runsMax ?? RUNS_MAX;
  const deadline = request.nowMs() + (request.wallMsMax ?? WALL_MS_MAX);
  let best = request.failing;
  let choices: RecordedChoices = withStructure(request.failing.choices);
  let runs = 0;
  let controlRuns = 0;
  let shrinks = 0;
  let stoppedBy: ShrinkResult['stoppedBy'] = 'fixpoint';
  /** Whether the best run was replayed without a horizon (it is then the complete run of its choices). */
  let bestIsWhole = true;
  /** Candidates already replayed (by content): ddmin revisits the same edit after an unrelated one failed. */
  const tried = new Set<string>();
  /** Story faults already removed to see who plays the rest (recastStory): the same probe gives the same answer. */
  const recastTried = new Set<string>();

  const size = (result: RunResult) => relevantLength(result, invariant);
  const violates = (result: RunResult) => result.violations.some((item) => item.invariant === invariant);
  /** Replays a candidate; keeps it when it still fails the same way and is no larger. */
  /**
   * `stretch`: the edit may move the violation later in time while making the
   * trace shorter (a quieter world has fewer events per second; fewer workers
   * drain slower), so the replay runs the whole safety phase instead of
   * stopping at the best run's violation time. `strictly`: keep it only when
   * the trace is shorter (an edit that is not a step towards 0).
   */
  const attempt = async (candidate: RecordedChoices, stretch = false, strictly = false): Promise<boolean> => {
    if (runs >= runsMax) {
      stoppedBy = 'runs';
      return false;
    }
    if (request.nowMs() > deadline) {
      stoppedBy = 'time';
      return false;
    }
    const key = JSON.stringify(candidate);
    if (tried.has(key)) return false;
    // Without its reapers the best run's world could not recover anything (edits only lower the reaper count).
    if (!keepsPremises(best, candidate)) return false;
    tried.add(key);
    runs += 1;
    const replayHorizon = stretch ? stretchedHorizon(best) : horizonFor(best);
    const result = await request.replay(candidate, replayHorizon);
    if (!violates(result)) return false;
    if (size(result) > size(best) || (strictly && size(result) === size(best))) return false;
    if (!keepsPremises(result, candidate)) return false;
    if (request.control !== undefined) {
      controlRuns += 1;
      if (violates(await request.control(candidate, replayHorizon))) return false;
    }
    best = result;
    bestIsWhole = replayHorizon === undefined;
    // Keep what the replay actually consumed: it is canonical (clamped, no unread tail, structure carried).
    choices = withStructure(result.choices);
    shrinks += 1;
    return true;
  };
  const outOfBudget = () => stoppedBy !== 'fixpoint';

  for (let round = 0; !outOfBudget(); round += 1) {
    if (round === ROUNDS_MAX) {
      stoppedBy = 'rounds';
      break;
    }
    const before = shrinks;
    // A liveness replay runs the whole safety phase: shortening it first makes every later replay cheaper.
    // A verdict on the end state counts the whole run, and the heal phase's budget grows with the jobs: fewer jobs first.
    if (judgedAtEnd()) await pass('removeJobs', removeJobs);
    await pass('cutSafetyPhase', cutSafetyPhase);
    // From the second round on, the faults are tied to the story (world/story-faults.ts): every later edit carries
    // them along. Not in the first: there, an edit that shifts a loop's turns also lands faults elsewhere, which
    // sometimes finds a big cut that carrying them cannot (unfenced-terminal-writes seed 100020: converting before
    // the first round ended at 673 events in the 60 s budget, converting after it at 168).
    if (round === 1) await pass('storyFaults', toStoryFaults);
    // Jobs first: most of a world's jobs are beside the point, and each one removed makes every later replay cheaper.
    await pass('removeLateJobs', removeLateJobs);
    await pass('quietWorld', quietWorld);
    await pass('removeJobs', removeJobs);
    await pass('removeProcesses', removeProcesses);
    await pass('removeFaultStreams', removeFaultStreams);
    await pass('canonicalizeFaults', canonicalizeFaults);
    await pass('removeFaultEvents', removeFaultEvents);
    await pass('advanceFaults', advanceFaults);
    await pass('removeStoryFaults', removeStoryFaults);
    await pass('lowerStoryFaults', lowerStoryFaults);
    await pass('lowerShape', () => lowerValues('workload', WORKLOAD_SHAPE_DRAWS));
    await pass('lowerJobTimes', lowerJobTimes);
    await pass('zeroFaultSwitches', zeroFaultSwitches);
    // After the switches: a story that needs no restart loses them there, before moving them could change its path.
    await pass('lowerRestarts', lowerRestarts);
    for (const stream of ['workload', 'schedule'] as const) await pass(`zeroRanges ${stream}`, () => zeroRanges(() => choices[stream], (next) => ({ ...choices, [stream]: next })));
    for (const key of keyedNames()) await pass(`zeroRanges ${key}`, () => zeroRanges(() => choices.keyed?.[key] ?? [], (next) => withKeyed(key, next)));
    // A first round with no cut still hands over to the story faults' round. A later one is a fixpoint of the
    // passes above: only there is the story recast (its sweeps are dear), and a recast kept starts another round.
    if (shrinks === before && round > 0) {
      await pass('recastStory', recastStory);
      if (shrinks === before) break;
    }
  }
  // The best run was a horizon replay: run it once more in full, so what is reported (and replayed by the
  // printed command) is the complete run of those choices. (A liveness run was replayed whole already.)
  if (!bestIsWhole) {
    const full = await request.replay(choices, undefined);
    if (violates(full)) best = full;
  }
  let control: ShrinkResult['control'];
  if (request.control !== undefined) {
    controlRuns += 1;
    control = violates(await request.control(choices, undefined)) ? 'fails' : 'passes';
  }
  return { result: best, choices, invariant, runs, controlRuns, shrinks, stoppedBy, traceLength: size(best), ...(control === undefined ? {} : { control }) };

  /**
   * A liveness verdict presumes a world in which recovery can happen: a reaper
   * among its workers (every drawn world has one: the first `reapers` workers
   * reap, world/options.ts). Removing the last one would make any engine fail
   * ORPHANS_RECOVERED or ALL_TERMINAL, so such an edit is no step towards a
   * smaller case of the engine's bug. Safety verdicts presume nothing.
   */
  function keepsPremises(result: RunResult, candidate: RecordedChoices): boolean {
    if (!LIVENESS_IDS.has(invariant)) return true;
    const omitted = new Set(structureOf(candidate).processesOmitted);
    return workerIds(result.options).slice(0, result.options.reapers).some((id) => !omitted.has(id));
  }

  async function pass(name: string, run: () => Promise<void>): Promise<void> {
    const [runsBefore, keptBefore, startedMs] = [runs, shrinks, request.nowMs()];
    await run();
    request.onPass?.({ name, runs: runs - runsBefore, kept: shrinks - keptBefore, traceLength: size(best), wallMs: request.nowMs() - startedMs });
  }

  /** A safety violation shown at a known time in the safety phase lets replays stop there; liveness and end-state checks need the whole run. */
  function horizonFor(result: RunResult): number | undefined {
    const violation = result.violations.find((item) => item.invariant === invariant);
    if (violation === undefined || violation.eventIndex === null || violation.time === null || END_STATE_INVARIANTS.has(invariant)) return undefined;
    // A replay with a horizon stops before the heal: a violation seen while healing needs the whole run.
    const heal = result.history.findIndex((event) => event.type === 'world' && event.op === 'heal');
    if (heal >= 0 && heal < violation.eventIndex) return undefined;
    return violation.time;
  }

  /** The horizon of a replay that may show the violation later than `result` did: the whole safety phase. */
  function stretchedHorizon(result: RunResult): number | undefined {
    const horizon = horizonFor(result);
    return horizon === undefined ? undefined : Math.max(horizon, result.options.safetyMs);
  }

  /** The violation is reported at the run's end (ALL_TERMINAL): its trace is the whole run, heal budget included. */
  function judgedAtEnd(): boolean {
    return best.violations.find((item) => item.invariant === invariant)?.eventIndex === null;
  }

  function keyedNames(): string[] {
    return Object.keys(choices.keyed ?? {}).sort();
  }

  /** The keyed fault streams of loops' turns (`f.w1/main`), in frames of TURN_FRAME; not per-start (`f.w1`) or crash (`f.w1/crash`) streams. */
  function turnFaultStreams(): string[] {
    return keyedNames().filter((name) => name.startsWith('f.') && name.includes('/') && !name.endsWith('/crash'));
  }

  function withKeyed(key: string, values: number[]): RecordedChoices {
    return { ...choices, keyed: { ...choices.keyed, [key]: values } };
  }

  /**
   * Removes chunks of `items` (halves, quarters, … singles) while the failure
   * survives: ddmin's complement step, which is what pays when most of a world
   * is irrelevant to its bug.
   */
  async function removeChunks<T>(items: () => readonly T[], without: (removed: readonly T[]) => RecordedChoices, stretch = false, whole = false): Promise<void> {
    if (whole && items().length > 1 && !outOfBudget() && (await attempt(without(items()), stretch))) return;
    for (let width = Math.max(1, Math.floor(items().length / 2)); width >= 1 && !outOfBudget(); width = width === 1 ? 0 : Math.max(1, Math.floor(width / 2))) {
      for (let start = 0; start < items().length && !outOfBudget(); ) {
        const chunk = items().slice(start, start + width);
        if (!(await attempt(without(chunk), stretch))) start += width;
      }
    }
  }

  /** A liveness failure is judged after the safety phase: try ending that phase sooner (binary search on its length). */
  async function cutSafetyPhase(): Promise<void> {
    if (horizonFor(best) !== undefined) return;
    let high = choices.structure?.safetyMs ?? best.options.safetyMs;
    let low = 0;
    // The boldest cut first: heal right after the moment the violation names (an orphaning), one replay for most of the run.
    const named = best.violations.find((item) => item.invariant === invariant)?.time ?? null;
    if (named !== null && !outOfBudget()) {
      const soon = Math.ceil((named + 1) / 1_000) * 1_000;
      if (soon < high) {
        if (await attempt({ ...choices, structure: { ...structureOf(choices), safetyMs: soon } })) return;
        low = soon;
      }
    }
    while (high - low > 1_000 && !outOfBudget()) {
      const middle = Math.floor((low + high) / 2 / 1_000) * 1_000;
      if (await attempt({ ...choices, structure: { ...structureOf(choices), safetyMs: middle } })) high = middle;
      else low = middle;
    }
  }

  /**
   * Jobs that arrive after the violation never exist in the replayed prefix:
   * one replay drops them all, sparing ddmin a pass over them.
   */
  async function removeLateJobs(): Promise<void> {
    const horizon = horizonFor(best);
    if (horizon === undefined) return;
    const late = plannedJobs().filter((job) => job.delayMs > horizon).map((job) => job.k);
    if (late.length === 0) return;
    const structure = structureOf(choices);
    await attempt({ ...choices, structure: { ...structure, jobsOmitted: [...structure.jobsOmitted, ...late].sort((a, b) => a - b) } });
  }

  /** The loops' intervals and the step length at their quietest, all at once, then one by one (see QUIET_DRAWS). */
  async function quietWorld(): Promise<void> {
    if (QUIET_DRAWS.every((index) => (choices.workload[index] ?? 0) === 0)) return;
    const next = [...choices.workload];
    for (const index of QUIET_DRAWS) if (index < next.length) next[index] = 0;
    if (await attempt({ ...choices, workload: next }, true)) return;
    for (const index of QUIET_DRAWS) await lowerAt('workload', index, true);
  }

  /** Processes of the world: remove one and its schedule entries and sub-streams go with it, nothing else moves. */
  async function removeProcesses(): Promise<void> {
    const present = () => {
      const omitted = new Set(structureOf(choices).processesOmitted);
      const ids = [...workerIds(best.options), ...clientIds(best.options)];
      // Later workers first: w1 is a reaper in every world, so it is the likeliest to matter.
      return ids.filter((id) => !omitted.has(id)).reverse();
    };
    const without = (removed: readonly string[]): RecordedChoices => {
      const gone = new Set(removed);
      const keyed = Object.fromEntries(Object.entries(choices.keyed ?? {}).filter(([key]) => !gone.has(ownerSlot(key))));
      const structure = structureOf(choices);
      const storyFaults = structure.storyFaults?.filter((fault) => !gone.has(fault.loop.split('/')[0]!));
      return {
        ...choices,
        schedule: choices.schedule.filter((code) => !gone.has(slotOfCode(code) ?? '')),
        keyed,
        structure: { ...structure, processesOmitted: [...structure.processesOmitted, ...removed].sort(), ...(storyFaults === undefined ? {} : { storyFaults }) },
      };
    };
    // The processes the violation names are the likeliest to matter: all the others, in one replay.
    const named = new Set((best.violations.find((item) => item.invariant === invariant)?.processes ?? []).map((id) => id.split('~')[0]!));
    const unnamed = present().filter((id) => !named.has(id));
    if (named.size > 0 && unnamed.length > 0 && unnamed.length < present().length && !outOfBudget()) await attempt(without(unnamed), true);
    await removeChunks(present, without, true);
  }

  /** Jobs, whole groups first (their members share an enqueuer and an arrival), then one by one. */
  async function removeJobs(): Promise<void> {
    const present = () => plannedJobs().map((job) => job.k);
    const without = (removed: readonly number[]) => {
      const structure = structureOf(choices);
      return { ...choices, structure: { ...structure, jobsOmitted: [...structure.jobsOmitted, ...removed].sort((a, b) => a - b) } };
    };
    const groups = () => [...new Set(plannedJobs().flatMap((job) => (job.spec.group === undefined ? [] : [job.spec.group.id])))];
    const membersOf = (names: readonly string[]) => plannedJobs().filter((job) => job.spec.group !== undefined && names.includes(job.spec.group.id)).map((job) => job.k);
    await removeChunks(groups, (removed) => without(membersOf(removed)));
    await removeChunks(present, without);
  }

  /** The jobs of the best run, drawn again from its workload choices (as the run drew them). */
  function plannedJobs(): PlannedJob[] {
    return redrawWorkload(best.options, choices).jobs;
  }

  /** Whole loops' fault streams (no fault ever fires in that loop), then per-start and crash sub-streams. */
  async function removeFaultStreams(): Promise<void> {
    const faultStreams = () => keyedNames().filter((key) => key.startsWith('f.') && (choices.keyed?.[key] ?? []).some((value) => value !== 0));
    await removeChunks(faultStreams, (removed) => {
      const keyed = { ...choices.keyed };
      for (const key of removed) keyed[key] = [];
      return { ...choices, keyed };
    });
  }

  /**
   * A fault that fires at a loop's n-th turn can often fire sooner: delete whole
   * frames before it (halves first), which moves it — and that loop's later
   * faults — to earlier turns, and a shorter run.
   */
  async function advanceFaults(): Promise<void> {
    for (const key of turnFaultStreams()) {
      const frames = () => Math.floor((choices.keyed?.[key]?.length ?? 0) / TURN_FRAME);
      const firstFired = () => firstFiredFrame(choices.keyed?.[key] ?? [], best.options.rates);
      for (let width = Math.max(1, Math.floor(firstFired() / 2)); firstFired() > 0 && width >= 1 && !outOfBudget(); ) {
        const values = choices.keyed?.[key] ?? [];
        const start = Math.max(0, firstFired() - width);
        const next = [...values.slice(0, start * TURN_FRAME), ...values.slice((start + width) * TURN_FRAME)];
        if (!(await attempt(withKeyed(key, next)))) width = Math.floor(width / 2);
        else width = Math.min(width, Math.max(1, Math.floor(firstFired() / 2)));
        if (frames() === 0) break;
      }
    }
  }

  /**
   * The faults that fired, as story faults (anchored to the job or start they
   * followed) in place of the loops' turn draws: one replay, the same run when
   * it reproduces (it is kept only if it still fails the same way). A run with
   * no faults fired gets an empty list, so no later edit can make a turn fire one.
   */
  async function toStoryFaults(): Promise<void> {
    if (structureOf(choices).storyFaults !== undefined) return;
    const keyed = Object.fromEntries(Object.entries(choices.keyed ?? {}).filter(([key]) => !isLoopFaultStream(key)));
    await attempt({ ...choices, keyed, structure: { ...structureOf(choices), storyFaults: best.firedFaults.map((fault) => ({ ...fault })) } });
  }

  function storyFaults(): StoryFault[] {
    return structureOf(choices).storyFaults ?? [];
  }

  function withStoryFaults(faults: StoryFault[]): RecordedChoices {
    return { ...choices, structure: { ...structureOf(choices), storyFaults: faults } };
  }

  /** Story faults, removed in chunks (all at once first): most of a swarm's faults are beside the point. */
  async function removeStoryFaults(): Promise<void> {
    const indexes = () => storyFaults().map((_, index) => index);
    await removeChunks(indexes, (removed) => withStoryFaults(storyFaults().filter((_, index) => !removed.includes(index))), false, true);
  }

  /**
   * Each story fault sooner after its anchor (at once, then a few bisection
   * steps), and a pause shorter: the story ends sooner. Anchored to its job,
   * a fault moved this way stays inside that job's run.
   */
  async function lowerStoryFaults(): Promise<void> {
    for (let index = 0; index < storyFaults().length && !outOfBudget(); index += 1) {
      await lowerNumber(() => storyFaults()[index]?.delayMs ?? 0, (value) => withStoryFaults(storyFaults().map((fault, at) => (at === index ? { ...fault, delayMs: value } : fault))), { steps: FAULT_STEPS });
      if (storyFaults()[index]?.kind === 'pause') {
        await lowerNumber(() => storyFaults()[index]?.pauseSteps ?? 1, (value) => withStoryFaults(storyFaults().map((fault, at) => (at === index ? { ...fault, pauseSteps: value } : fault))), { floor: 1, steps: FAULT_STEPS });
      }
    }
  }

  /**
   * A story fault that cannot go alone because the others then land on the
   * wrong slot (sim/shrink/recast.ts): remove it, replay once to see who now
   * plays each part, move the faults whose slot no longer reaches its anchor to
   * the slot that does, and try that. A moved fault that stops a reaper may have
   * stopped the world's only one, so it is tried with one reaper more as well;
   * a moved pause is tried at its length, then swept shortest first
   * (RECAST_PAUSE_GRID). Tried only at a fixpoint of the other passes; one recast
   * kept ends the pass, and the rounds go on from it.
   */
  async function recastStory(): Promise<void> {
    for (let index = 0; index < storyFaults().length && !outOfBudget(); index += 1) {
      const rest = storyFaults().filter((_, at) => at !== index);
      // Only a fault anchored to an operation on a job can change hands.
      if (!rest.some((fault) => fault.anchor.kind === 'op')) continue;
      const without = withStoryFaults(rest);
      const key = JSON.stringify(without);
      if (recastTried.has(key)) continue;
      recastTried.add(key);
      const probe = await observe(without);
      const moved = probe === null ? null : recastFaults(rest, probe.storyEvents);
      if (moved === null) continue;
      const reapers = workerIds(best.options).slice(0, best.options.reapers);
      const casts = [withStoryFaults(moved)];
      if (recastSlots(rest, moved).some((slot) => reapers.includes(slot)) && best.options.reapers < best.options.workers && (choices.workload[REAPERS_DRAW] ?? 0) === 0) {
        const workload = [...choices.workload];
        workload[REAPERS_DRAW] = 1;
        casts.push({ ...withStoryFaults(moved), workload });
      }
      const movedPause = (fault: StoryFault, at: number) => fault.kind === 'pause' && fault.loop !== rest[at]!.loop;
      const shares = moved.some(movedPause) ? [RECAST_PAUSE_GRID, ...Array.from({ length: RECAST_PAUSE_GRID - 1 }, (_, step) => step + 1)] : [RECAST_PAUSE_GRID];
      for (const cast of casts) {
        for (const share of shares) {
          if (outOfBudget()) return;
          const faults = moved.map((fault, at) => (movedPause(fault, at) ? { ...fault, pauseSteps: Math.max(1, Math.round(((fault.pauseSteps ?? 1) * share) / RECAST_PAUSE_GRID)) } : fault));
          if (await attempt({ ...cast, structure: { ...structureOf(cast), storyFaults: faults } }, true)) return;
        }
      }
    }
  }

  /** Replays a candidate only to look at it (never kept), within the budgets; null when a budget is spent. */
  async function observe(candidate: RecordedChoices): Promise<RunResult | null> {
    if (runs >= runsMax) stoppedBy = 'runs';
    else if (request.nowMs() > deadline) stoppedBy = 'time';
    if (outOfBudget()) return null;
    runs += 1;
    return await request.replay(candidate, stretchedHorizon(best));
  }

  /**
   * Container restarts sooner (at 1 s, then a few bisection steps): a restart
   * falls at a drawn time of the safety phase, not after a job or a start, so
   * no story fault carries it. Alone it often cannot move: the job it must
   * catch in flight arrives later, and lowering that arrival alone lets the job
   * finish before the restart. So then the two move together: the restart and
   * every job's arrival, earlier by the same time.
   */
  async function lowerRestarts(): Promise<void> {
    if (best.options.rates.restarts === 0) return;
    if ((choices.faults[RESTART_COUNT_DRAW] ?? 0) > 0) await lowerAt('faults', RESTART_COUNT_DRAW);
    for (const index of RESTART_DRAWS.slice(0, best.options.rates.restarts)) {
      if ((choices.faults[index] ?? 0) === 0) continue;
      await lowerAt('faults', index, false, FAULT_STEPS);
      await lowerNumber(() => choices.faults[index] ?? 0, (value) => withStorySooner(index, value), { steps: FAULT_STEPS });
    }
  }

  /** Restart `index` at draw `value` (1 ms a unit), and every arrival earlier by as much (to no earlier than 0). */
  function withStorySooner(index: number, value: number): RecordedChoices {
    const shiftMs = (choices.faults[index] ?? 0) - value;
    const workload = [...choices.workload];
    const arrivals = new Set(plannedJobs().flatMap((job) => jobTimeDraws(best.options, choices, job.k)?.delay ?? []));
    for (const draw of arrivals) workload[draw] = Math.max(0, (workload[draw] ?? 0) - Math.round(shiftMs / ARRIVAL_STEP_MS));
    const faults = [...choices.faults];
    faults[index] = value;
    return { ...choices, faults, workload };
  }

  /**
   * A number lowered towards `floor`: straight there first (one replay where it
   * works), then at most `steps` bisection steps.
   */
  async function lowerNumber(current: () => number, with_: (value: number) => RecordedChoices, { floor = 0, steps = Infinity, stretch = false } = {}): Promise<void> {
    let high = current();
    if (high <= floor || outOfBudget()) return;
    if (await attempt(with_(floor), stretch)) return;
    let low = floor + 1;
    for (let step = 0; low < high && step < steps && !outOfBudget(); step += 1) {
      const middle = Math.floor((low + high) / 2);
      if (await attempt(with_(middle), stretch)) high = middle;
      else low = middle + 1;
    }
  }

  /** Every decision that did not fire drawn as 0, in one replay (the run is the same): from then on a non-zero decision is a fault that fired. */
  async function canonicalizeFaults(): Promise<void> {
    const keyed = { ...choices.keyed };
    let changed = false;
    for (const key of turnFaultStreams()) {
      const values = keyed[key] ?? [];
      const next = canonicalFaults(values, best.options.rates);
      if (next.some((value, index) => value !== values[index])) changed = true;
      keyed[key] = next;
    }
    if (changed) await attempt({ ...choices, keyed });
  }

  /** The faults that fired in loops' turns, removed in chunks (all of them first, then halves, … one by one): a frame's other positions stay where they are. */
  async function removeFaultEvents(): Promise<void> {
    const fired = () => turnFaultStreams().flatMap((key) => firedPositions(choices.keyed?.[key] ?? [], best.options.rates).map((index) => `${key}#${index}`));
    await removeChunks(fired, (removed) => {
      const keyed = { ...choices.keyed };
      for (const key of new Set(removed.map((item) => item.slice(0, item.lastIndexOf('#'))))) {
        const positions = removed.filter((item) => item.startsWith(`${key}#`)).map((item) => Number(item.slice(key.length + 1)));
        keyed[key] = withoutFaults(keyed[key] ?? [], positions);
      }
      return { ...choices, keyed };
    }, false, true);
  }

  /** The swarm's fault kinds, switched off one by one (the first draws of the faults stream). */
  async function zeroFaultSwitches(): Promise<void> {
    for (let index = 0; index < Math.min(8, choices.faults.length) && !outOfBudget(); index += 1) {
      if (choices.faults[index] === 0) continue;
      const next = [...choices.faults];
      next[index] = 0;
      await attempt({ ...choices, faults: next });
    }
  }

  async function zeroRanges(values: () => number[], with_: (next: number[]) => RecordedChoices): Promise<void> {
    for (let parts = 1; parts <= 64 && !outOfBudget(); parts *= 2) {
      const length = values().length;
      if (length === 0) return;
      const width = Math.ceil(length / parts);
      for (let start = 0; start < values().length && !outOfBudget(); start += width) {
        const current = values();
        if (current.slice(start, start + width).every((value) => value === 0)) continue;
        const next = [...current];
        for (let index = start; index < Math.min(start + width, next.length); index += 1) next[index] = 0;
        await attempt(with_(next));
      }
    }
  }

  /** The remaining jobs' arrival and step length, lowered towards 0 (arrive at once, shortest step): an earlier story is a shorter trace. */
  async function lowerJobTimes(): Promise<void> {
    const indexes = new Set<number>();
    for (const job of plannedJobs()) {
      const draws = jobTimeDraws(best.options, choices, job.k);
      if (draws !== null) for (const index of [draws.delay, draws.duration]) indexes.add(index);
    }
    if (indexes.size === 0) return;
    // All at once first (one replay when the story does not hang on the times), then each with a few bisection steps:
    // a full bisection of every job's two draws was ~10 replays a draw, most of them kept without shortening anything.
    const zeroed = [...choices.workload];
    for (const index of indexes) zeroed[index] = 0;
    if (zeroed.some((value, index) => value !== choices.workload[index]) && !outOfBudget() && (await attempt({ ...choices, workload: zeroed }))) return;
    for (const index of indexes) await lowerAt('workload', index, false, JOB_TIME_STEPS);
  }

  async function lowerAt(stream: StreamName, index: number, stretch = false, steps = Infinity): Promise<void> {
    await lowerNumber(
      () => choices[stream][index] ?? 0,
      (value) => {
        const next = [...choices[stream]];
        next[index] = value;
        return { ...choices, [stream]: next };
      },
      { stretch, steps },
    );
  }

  async function lowerValues(stream: StreamName, count: number): Promise<void> {
    const limit = Math.min(choices[stream].length, count);
    for (let index = 0; index < limit && !outOfBudget(); index += 1) await lowerAt(stream, index, true);
  }
}

/** A loop's turn faults (`f.w1/main`) or a slot's crash draws (`f.w1/crash`): what story faults replace. */
function isLoopFaultStream(key: string): boolean {
  return key.startsWith('f.') && key.includes('/');
}

/** The slot a keyed sub-stream belongs to (`f.w2/main` → w2), or '' for the world's own (`s.pct`). */
function ownerSlot(key: string): string {
  const owner = key.slice(2).split('/')[0]!;
  return /^[cw][0-9]+$/.test(owner) ? owner : '';
}

function structureOf(choices: RecordedChoices): NonNullable<RecordedChoices['structure']> {
  return choices.structure ?? { jobsOmitted: [], processesOmitted: [] };
}

function withStructure(choices: RecordedChoices): RecordedChoices {
  const copy = cloneChoices(choices);
  copy.structure ??= { jobsOmitted: [], processesOmitted: [] };
  return copy;
}
