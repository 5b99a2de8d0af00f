// The bridge from a run to the spec's checkers: state invariants after each turn,
// history invariants on the recorded history, liveness at the end of healing.
// Capabilities decide what is judged; the rest is reported not applicable.
import type { Capabilities } from '../spec/capabilities.ts';
import { checkHistory, checkLiveness, checkState } from '../spec/check.ts';
import type { History } from '../spec/history.ts';
import type { State, StateContext } from '../spec/state.ts';
import type { Verdict, Violation } from '../spec/verdict.ts';
import { LIVENESS_INVARIANTS } from '../spec/catalog.ts';

export type NotApplicable = Verdict['notApplicable'][number];

export interface JudgeOptions {
  clockSkewMaxMs: number;
  finalState: State | null;
}

export interface LivenessJudgeOptions {
  healTime: number;
  endTime: number;
  thresholdMs: number;
  boundMs: number;
  aliveProcesses: ReadonlySet<string>;
  healCompleted: boolean;
  /** The heal phase stalled: no job's row changed from `since` for more than `boundMs`. */
  stall?: { since: number; boundMs: number };
}

export function judgeState(state: State, context: StateContext, capabilities: Capabilities): Violation[] {
  return checkState(state, context, capabilities).violations;
}

export function judgeHistory(history: History, capabilities: Capabilities, options: JudgeOptions): Verdict {
  return checkHistory(history, capabilities, {
    clockSkewMaxMs: options.clockSkewMaxMs,
    ...(options.finalState === null ? {} : { finalState: options.finalState }),
  });
}

export function judgeLiveness(history: History, finalState: State | null, capabilities: Capabilities, options: LivenessJudgeOptions): Verdict {
  if (finalState === null) {
    // Without a view of the rows there is no end state to judge liveness on.
    return { valid: true, violations: [], notApplicable: LIVENESS_INVARIANTS.map((invariant) => ({ invariant: invariant.id, missing: 'stateView' })) };
  }
  return checkLiveness(history, finalState, capabilities, {
    healTime: options.healTime,
    endTime: options.endTime,
    thresholdMs: options.thresholdMs,
    boundMs: options.boundMs,
    aliveProcesses: options.aliveProcesses,
    healCompleted: options.healCompleted,
    ...(options.stall === undefined ? {} : { stall: options.stall }),
  });
}
