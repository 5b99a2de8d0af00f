// The public surface of wf-sim/spec: the schemas of the evidence (history,
// state, capabilities, verdicts), the catalog of invariants with their pure
// checkers, and the three entry points that turn evidence into verdicts.
export * from './capabilities.ts';
export * from './history.ts';
export * from './state.ts';
export * from './verdict.ts';
export * from './parse.ts';
export * from './invariants/index.ts';
export { CATALOG, HISTORY_INVARIANTS, INVARIANT_IDS, LIVENESS_INVARIANTS, STATE_INVARIANTS, familyOf, invariantById, type InvariantId } from './catalog.ts';
export { VIOLATIONS_PER_INVARIANT_MAX, checkHistory, checkLiveness, checkState, type CheckLimits, type StateCheckOptions } from './check.ts';
export { REGENERATE_COMMAND, renderInvariantsMarkdown } from './render-invariants.ts';
