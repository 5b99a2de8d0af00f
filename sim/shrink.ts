// Shrinking a failing run. A run is a pure function of its three choice streams
// (workload, schedule, faults), so shrinking edits the recorded choices and
// replays them, keeping an edit whenever the run still violates the target
// invariant (Hypothesis's approach; none of the deterministic-simulation
// anchors shrink automatically). Draws are written so that 0 is the simplest
// answer — fewer workers and jobs, no fault, the first runnable fiber — so
// zeroing is the main move: ranges first (coarse to fine, as in ddmin), then
// deleting chunks, then lowering single values. Every replay is a full run, so
// shrinking has a budget of runs and of wall time, and says when it hit one.
import type { RecordedChoices, StreamName } from './random/choices.ts';
import type { RunResult } from './run.ts';

export interface ShrinkRequest {
  /** The failing run to shrink. */
  failing: RunResult;
  /** Invariant to preserve; default: the first violation's. */
  invariant?: string;
  /** Replays a choice stream (the same engine, seed and options as the failing run), up to a horizon when given. */
  replay: (choices: RecordedChoices, horizonMs: number | undefined) => Promise<RunResult>;
  runsMax?: number;
  wallMsMax?: number;
  nowMs: () => number;
}

export interface ShrinkResult {
  result: RunResult;
  choices: RecordedChoices;
  invariant: string;
  /** Replays run. */
  runs: number;
  /** Edits kept. */
  shrinks: number;
  /** Why shrinking stopped: nothing left to try, or a budget. */
  stoppedBy: 'fixpoint' | 'runs' | 'time';
  /** Events up to and including the violation (safety) or the whole history (liveness). */
  traceLength: number;
}

const ORDER: readonly StreamName[] = ['faults', 'workload', 'schedule'];

/** History invariants judged against the end state: their replays must run to the end. */
const END_STATE_INVARIANTS: ReadonlySet<string> = new Set(['NO_LOST_JOB']);

/** Events that establish the violation: for a safety invariant any prefix through the violating event does. */
export function relevantLength(result: RunResult, invariant: string): number {
  const violation = result.violations.find((item) => item.invariant === invariant);
  if (violation === undefined || violation.eventIndex === null) return result.history.length;
  return violation.eventIndex + 1;
}

export async function shrinkRun(request: ShrinkRequest): Promise<ShrinkResult> {
  const invariant = request.invariant ?? request.failing.violations[0]?.invariant;
  if (invariant === undefined) throw new Error('shrinkRun needs a failing run');
  const runsMax = request.runsMax ?? 300;
  const deadline = request.nowMs() + (request.wallMsMax ?? 30_000);
  let best = request.failing;
  let choices: RecordedChoices = clone(request.failing.choices);
  let runs = 0;
  let shrinks = 0;
  let stoppedBy: ShrinkResult['stoppedBy'] = 'fixpoint';

  const size = (result: RunResult) => relevantLength(result, invariant);
  /** Replays a candidate; keeps it when it still fails the same way and is no larger. */
  const attempt = async (candidate: RecordedChoices): Promise<boolean> => {
    if (runs >= runsMax) {
      stoppedBy = 'runs';
      return false;
    }
    if (request.nowMs() > deadline) {
      stoppedBy = 'time';
      return false;
    }
    runs += 1;
    const result = await request.replay(candidate, horizonFor(best));
    if (!result.violations.some((item) => item.invariant === invariant)) return false;
    if (size(result) > size(best)) return false;
    best = result;
    // Keep what the replay actually consumed: it is canonical (clamped, no unread tail).
    choices = clone(result.choices);
    shrinks += 1;
    return true;
  };
  const outOfBudget = () => stoppedBy !== 'fixpoint';

  // Cheapest, most powerful moves first: the world's shape (the first workload draws) and the faults,
  // then whole ranges of every stream, then single deletions — which on the long schedule stream
  // would eat the whole budget, so they are kept for the shorter streams.
  for (let round = 0; round < 3 && !outOfBudget(); round += 1) {
    const before = shrinks;
    await lowerValues('workload');
    for (const stream of ORDER) {
      if (outOfBudget()) break;
      await zeroRanges(stream);
    }
    if (!outOfBudget()) await lowerValues('faults');
    for (const stream of ['faults', 'workload'] as const) {
      if (outOfBudget()) break;
      await deleteChunks(stream);
    }
    if (shrinks === before) break;
  }
  // The best run was a horizon replay: run it once more in full, so what is reported (and replayed by the
  // printed command) is the complete run of those choices.
  if (best !== request.failing) {
    const full = await request.replay(choices, undefined);
    if (full.violations.some((item) => item.invariant === invariant)) best = full;
  }
  return { result: best, choices, invariant, runs, shrinks, stoppedBy, traceLength: size(best) };

  /** A safety violation shown at a known time lets replays stop there; liveness and end-state checks need the whole run. */
  function horizonFor(result: RunResult): number | undefined {
    const violation = result.violations.find((item) => item.invariant === invariant);
    if (violation === undefined || violation.eventIndex === null || violation.time === null || END_STATE_INVARIANTS.has(invariant)) return undefined;
    return violation.time;
  }

  async function zeroRanges(stream: StreamName): Promise<void> {
    for (let parts = 1; parts <= 64 && !outOfBudget(); parts *= 2) {
      const length = choices[stream].length;
      if (length === 0) return;
      const width = Math.ceil(length / parts);
      for (let start = 0; start < choices[stream].length && !outOfBudget(); start += width) {
        const values = choices[stream];
        if (values.slice(start, start + width).every((value) => value === 0)) continue;
        const next = [...values];
        for (let index = start; index < Math.min(start + width, next.length); index += 1) next[index] = 0;
        await attempt({ ...choices, [stream]: next });
      }
    }
  }

  async function deleteChunks(stream: StreamName): Promise<void> {
    for (const width of [8, 2, 1]) {
      for (let start = 0; start < choices[stream].length && !outOfBudget(); ) {
        const values = choices[stream];
        const next = [...values.slice(0, start), ...values.slice(start + width)];
        if (!(await attempt({ ...choices, [stream]: next }))) start += width;
      }
    }
  }

  async function lowerValues(stream: StreamName): Promise<void> {
    // The first draws shape the world (how many workers, jobs, queues…); lowering them pays most.
    const limit = Math.min(choices[stream].length, stream === 'workload' ? 40 : 24);
    for (let index = 0; index < limit && !outOfBudget(); index += 1) {
      let high = choices[stream][index] ?? 0;
      let low = 0;
      while (low < high && !outOfBudget()) {
        const middle = Math.floor((low + high) / 2);
        const next = [...choices[stream]];
        next[index] = middle;
        if (await attempt({ ...choices, [stream]: next })) high = middle;
        else low = middle + 1;
      }
    }
  }
}

function clone(choices: RecordedChoices): RecordedChoices {
  return { workload: [...choices.workload], schedule: [...choices.schedule], faults: [...choices.faults] };
}
