// What every invariant of the catalog states about itself: a stable id, one
// sentence, the incidents it comes from and why, what it implies, which kind of
// evidence it judges, and the engine capabilities it needs. The checkers live
// next to their definitions; the shapes of those checkers are declared here so
// the catalog can hold all three kinds in one list.
import type { Capabilities, Capability } from '../capabilities.ts';
import type { History } from '../history.ts';
import type { State, StateContext } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryMonitor } from './history-walk.ts';

/** The public incidents in ../shared/seeds/ the kit exists to catch. */
export type IncidentId = '000' | '001' | '002' | '003';

export type InvariantKind = 'state' | 'history' | 'liveness';

export interface InvariantOrigin {
  incident: IncidentId;
  /** Why the incident needs this invariant, in one short sentence. */
  why: string;
}

export interface InvariantDefinition {
  /** Stable: reports, mutant expectations and replays refer to it. */
  readonly id: string;
  /** Several ids may state halves of one rule (a history half and a state half); the family is the rule's name. */
  readonly family: string;
  /** One sentence. */
  readonly statement: string;
  readonly origin: readonly InvariantOrigin[];
  /**
   * Invariants that hold whenever this one holds (this one is at least as
   * strong), so a violation of any of them is also a violation of this one.
   */
  readonly implies: readonly string[];
  readonly kind: InvariantKind;
  /** Capabilities the engine must declare for the invariant to be judged; otherwise it is reported not applicable. */
  readonly requires: readonly Capability[];
}

/**
 * A state checker judges one snapshot. `capabilities` is optional: when given,
 * a checker skips the parts of its rule about a concept the engine lacks (for
 * example the lease token of RUNNING_OWNED when the engine has no tokens).
 */
export type StateChecker = (state: State, context: StateContext, capabilities?: Capabilities) => Violation[];

export interface HistoryCheckOptions {
  /** The bound on |process clock − global clock|, ms; the world's `clockSkewMaxMs`. */
  clockSkewMaxMs: number;
  /**
   * The engine's rows at the end of the run. NO_LOST_JOB needs it; GROUP_ONCE
   * reads group membership from it when enqueue events do not name the group.
   */
  finalState?: State;
}

export type HistoryChecker = (history: History, options: HistoryCheckOptions) => Violation[];

export interface LivenessOptions {
  /** Global simulated time the heal phase began (the `heal` world event). */
  healTime: number;
  /** The reaper threshold, ms. */
  thresholdMs: number;
  /** The slack granted beyond the threshold for an orphan to run again, ms. */
  boundMs: number;
  /** Process ids alive at the end of the run. */
  aliveProcesses: Iterable<string>;
  /** Global simulated time the run ended; defaults to the time of the last event. */
  endTime?: number;
  /** Whether the heal phase ended because the work drained (false: it was cut by its budget, or it stalled). Used in explanations. */
  healCompleted?: boolean;
  /**
   * The heal phase was ended because it stalled: no job's row changed from
   * `since` for longer than `boundMs`, longer than any recovery takes. Used in
   * explanations.
   */
  stall?: { since: number; boundMs: number };
}

export type LivenessChecker = (history: History, finalState: State, options: LivenessOptions) => Violation[];

export interface StateInvariant extends InvariantDefinition {
  readonly kind: 'state';
  readonly check: StateChecker;
}

export interface HistoryInvariant extends InvariantDefinition {
  readonly kind: 'history';
  readonly check: HistoryChecker;
  /** The same rule as a monitor, so checkHistory judges every invariant in one pass over the history. */
  readonly monitor: (options: HistoryCheckOptions) => HistoryMonitor;
}

export interface LivenessInvariant extends InvariantDefinition {
  readonly kind: 'liveness';
  readonly check: LivenessChecker;
}

export type Invariant = StateInvariant | HistoryInvariant | LivenessInvariant;
