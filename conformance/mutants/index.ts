// The mutants: the reference engine with one incident's bug put back. Each names
// the incident and the invariant the kit must catch it by; a mutant the default
// swarm cannot reach carries the world pins under which it is caught, so the
// CLI, the tests and the benchmark all run it the same way.
import { familyOf } from '../../spec/catalog.ts';
import type { Violation } from '../../spec/verdict.ts';
import type { EngineAdapter } from '../../sim/adapter/contract.ts';
import { parseFaultSelection } from '../../sim/world/faults.ts';
import type { OptionOverrides } from '../../sim/world/options.ts';
import { claimKeepsStalePidMutant } from './claim-keeps-stale-pid.ts';
import { clientRunsDispatcher } from './client-runs-dispatcher.ts';
import { groupSnapshotThenUpdate } from './group-snapshot-then-update.ts';
import { incident003 } from './incident-003.ts';
import { lockOutsideClaim } from './lock-outside-claim.ts';
import { reaperReapsItself } from './reaper-reaps-itself.ts';
import { reaperTrustsBarePid } from './reaper-trusts-bare-pid.ts';
import { requeueKeepsPid } from './requeue-keeps-pid.ts';
import { runOwnerClaim } from './run-owner-claim.ts';
import { shutdownKeepsJobs } from './shutdown-keeps-jobs.ts';
import { unfencedTerminalWrites } from './unfenced-terminal-writes.ts';

export interface Mutant {
  name: string;
  incident: '000' | '001' | '002' | '003';
  /** The invariant this mutant must trip: an id, or a rule's family (its state half counts, e.g. SHUTDOWN_CLEAN_STATE for SHUTDOWN_CLEAN). */
  invariant: string;
  /** Further invariants (ids or families) the failing seed must also include: an incident that breaks more than one rule. */
  alsoTrips?: readonly string[];
  /** One sentence: the bug. */
  bug: string;
  adapter: EngineAdapter;
  /** Fault selection the mutant is run under (the CLI's --faults syntax); absent = the default swarm. */
  faults?: string;
  /** World options pinned for this mutant; absent = drawn from the seed. */
  world?: OptionOverrides['world'];
}

/** In incident order, then by the order DESIGN.md lists them. */
export const MUTANTS: readonly Mutant[] = [
  clientRunsDispatcher,
  unfencedTerminalWrites,
  reaperReapsItself,
  groupSnapshotThenUpdate,
  lockOutsideClaim,
  shutdownKeepsJobs,
  runOwnerClaim,
  requeueKeepsPid,
  claimKeepsStalePidMutant,
  reaperTrustsBarePid,
  incident003,
];

export function findMutant(name: string): Mutant | undefined {
  return MUTANTS.find((mutant) => mutant.name === name);
}

/** The world overrides a mutant is run under: its pinned faults and world options, nothing when it has none. */
export function mutantOverrides(mutant: Mutant): OptionOverrides {
  return {
    ...(mutant.faults === undefined ? {} : { faults: parseFaultSelection(mutant.faults) }),
    ...(mutant.world === undefined ? {} : { world: mutant.world }),
  };
}

/** The invariants (ids or families) a failing seed of this mutant must include. */
export function expectedInvariants(mutant: Mutant): string[] {
  return [mutant.invariant, ...(mutant.alsoTrips ?? [])];
}

/**
 * The violation of a failing run to shrink for this mutant: the first one of the invariant it names (or of that
 * invariant's family). A run often trips a neighbour first (a stale write breaks SINGLE_OWNER before
 * STALE_WRITE_FENCED), and shrinking that one would show a story other than the mutant's. Undefined when the run does
 * not trip the named invariant at all (then the caller shrinks the first violation).
 */
export function shrinkTarget(mutant: Mutant, violations: readonly Pick<Violation, 'invariant'>[]): string | undefined {
  return violations.find((violation) => caughtBy(mutant, [violation]) || violation.invariant === mutant.invariant || familyOf(violation.invariant) === mutant.invariant)?.invariant;
}

/** Whether a run's violations include every invariant the mutant must trip (an id matches itself and its family). */
export function caughtBy(mutant: Mutant, violations: readonly Pick<Violation, 'invariant'>[]): boolean {
  const tripped = new Set(violations.flatMap((violation) => [violation.invariant, familyOf(violation.invariant)]));
  return expectedInvariants(mutant).every((invariant) => tripped.has(invariant));
}
