// fast-check arbitraries of model actions, weighted like a busy queue with
// faults: enough ticks and reaps that leases go stale and stale writes get
// refused, and container restarts rare enough that work still happens.
import fc from 'fast-check';
import type { Action, ActionKind } from './queue-model.ts';

const WEIGHTS: Record<ActionKind, number> = {
  tick: 12,
  enqueue: 9,
  claim: 12,
  complete: 8,
  fail: 4,
  release: 2,
  heartbeat: 5,
  reap: 8,
  group: 5,
  crash: 2,
  lostAck: 2,
  restart: 6,
  shutdown: 2,
  containerRestart: 1,
};

const KINDS: ActionKind[] = (Object.entries(WEIGHTS) as [ActionKind, number][]).flatMap(([kind, weight]) => Array.from({ length: weight }, () => kind));

export const actionArbitrary: fc.Arbitrary<Action> = fc.record({ kind: fc.constantFrom(...KINDS), a: fc.nat(10_000), b: fc.nat(10_000) });

/** A run of the model: long enough for leases to be superseded and groups to fill. */
export function actionsArbitrary(lengthMin = 40, lengthMax = 150): fc.Arbitrary<Action[]> {
  return fc.array(actionArbitrary, { minLength: lengthMin, maxLength: lengthMax });
}
