// The three entry points that turn evidence into a verdict: a state snapshot,
// a history, and the end of the heal phase. Each honours the engine's
// capabilities: an invariant that needs a concept the engine lacks is listed in
// `notApplicable` with what is missing, never judged and never passed silently.
//
// The verdict's `valid`:
// - false when any invariant is violated;
// - 'unknown' when none is, but some judgement rests on the unknown outcome of an
//   `info` operation (a process died before it saw the answer) such that one
//   outcome is a violation and the other is not, and nothing later in the
//   history or in the final state settles which (see `undecided`). Checkers read
//   every other `info` in the way that blames no one, as Elle does, because later
//   evidence usually settles it: a later claim of a job proves a lost complete did
//   not apply, a terminal row proves it did;
// - true otherwise.
import type { Capabilities, Capability } from './capabilities.ts';
import { HISTORY_INVARIANTS, LIVENESS_INVARIANTS, STATE_INVARIANTS } from './catalog.ts';
import type { History } from './history.ts';
import type { HistoryCheckOptions, Invariant, LivenessOptions } from './invariants/definition.ts';
import { walkHistory, type HistoryMonitor } from './invariants/history-walk.ts';
import type { State, StateContext } from './state.ts';
import type { Verdict, Violation } from './verdict.ts';

/** A limit on everything: a broken engine can violate one invariant thousands of times; the first ones tell the story. */
export const VIOLATIONS_PER_INVARIANT_MAX = 100;

export interface CheckLimits {
  /** Violations listed per invariant; the rest are counted in `omitted`. Default VIOLATIONS_PER_INVARIANT_MAX. */
  violationsPerInvariantMax?: number;
}

export interface StateCheckOptions extends CheckLimits {
  /** The last history event before the snapshot, stamped on every violation. */
  eventIndex?: number | null;
}

type NotApplicable = Verdict['notApplicable'][number];

function missingCapabilities(invariant: Invariant, capabilities: Capabilities): Capability[] {
  return invariant.requires.filter((capability) => !capabilities[capability]);
}

function partition<T extends Invariant>(invariants: readonly T[], capabilities: Capabilities): { judged: T[]; notApplicable: NotApplicable[] } {
  const judged: T[] = [];
  const notApplicable: NotApplicable[] = [];
  for (const invariant of invariants) {
    const missing = missingCapabilities(invariant, capabilities);
    if (missing.length === 0) judged.push(invariant);
    else notApplicable.push({ invariant: invariant.id, missing: missing.join(', ') });
  }
  return { judged, notApplicable };
}

function verdict(violations: Violation[], undecided: Violation[], notApplicable: NotApplicable[], limits: CheckLimits): Verdict {
  const max = limits.violationsPerInvariantMax ?? VIOLATIONS_PER_INVARIANT_MAX;
  const counts = new Map<string, number>();
  const listed: Violation[] = [];
  for (const violation of violations) {
    const count = (counts.get(violation.invariant) ?? 0) + 1;
    counts.set(violation.invariant, count);
    if (count <= max) listed.push(violation);
  }
  const omitted: { invariant: string; count: number }[] = [];
  for (const [invariant, count] of counts) if (count > max) omitted.push({ invariant, count: count - max });
  // Stable: in history order, end-of-run findings last; the sort keeps each checker's own order within an index.
  listed.sort((left, right) => (left.eventIndex ?? Number.MAX_SAFE_INTEGER) - (right.eventIndex ?? Number.MAX_SAFE_INTEGER));
  const result: Verdict = {
    valid: violations.length > 0 ? false : undecided.length > 0 ? 'unknown' : true,
    violations: listed,
    notApplicable,
    undecided: undecided.slice(0, max),
  };
  if (omitted.length > 0) result.omitted = omitted;
  return result;
}

/** Judges one snapshot of the engine's rows against every applicable state invariant. */
export function checkState(state: State, context: StateContext, capabilities: Capabilities, options: StateCheckOptions = {}): Verdict {
  const { judged, notApplicable } = partition(STATE_INVARIANTS, capabilities);
  const eventIndex = options.eventIndex ?? null;
  const violations: Violation[] = [];
  for (const invariant of judged) {
    for (const violation of invariant.check(state, context, capabilities)) violations.push(eventIndex === null ? violation : { ...violation, eventIndex });
  }
  return verdict(violations, [], notApplicable, options);
}

/** Judges a recorded history against every applicable history invariant, in one pass. */
export function checkHistory(history: History, capabilities: Capabilities, options: HistoryCheckOptions & CheckLimits): Verdict {
  const { judged, notApplicable } = partition(HISTORY_INVARIANTS, capabilities);
  const monitors: HistoryMonitor[] = [];
  for (const invariant of judged) {
    // NO_LOST_JOB compares the history with the end state; without one it cannot be judged.
    if (invariant.id === 'NO_LOST_JOB' && options.finalState === undefined) {
      notApplicable.push({ invariant: invariant.id, missing: 'finalState' });
      continue;
    }
    monitors.push(invariant.monitor(options));
  }
  const walk = walkHistory(history, monitors);
  return verdict(walk.violations, walk.undecided, notApplicable, options);
}

/** Judges the end of the heal phase: the final rows, and the history for how long orphans waited. */
export function checkLiveness(history: History, finalState: State, capabilities: Capabilities, options: LivenessOptions & CheckLimits): Verdict {
  const { judged, notApplicable } = partition(LIVENESS_INVARIANTS, capabilities);
  const violations: Violation[] = [];
  for (const invariant of judged) for (const violation of invariant.check(history, finalState, options)) violations.push(violation);
  return verdict(violations, [], notApplicable, options);
}
