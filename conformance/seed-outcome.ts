// What a lane keeps of one seed (or one Postgres round): the verdict and a few
// explanations, never the history. A campaign of thousands of seeds over a
// broken engine would otherwise hold thousands of histories and millions of
// violations; the report needs the first explanation per invariant and counts.
import type { Violation } from '../spec/verdict.ts';
import type { RunResult } from '../sim/run.ts';
import { faultFromLine, type AdapterFault } from './adapter-fault.ts';

/** Explanations kept per invariant per seed; the rest are counted. */
export const EXPLANATIONS_PER_INVARIANT_MAX = 3;

export interface SeedOutcome {
  seed: number;
  outcome: 'pass' | 'fail' | 'adapter-error';
  /** At most EXPLANATIONS_PER_INVARIANT_MAX per invariant, in history order. */
  violations: Violation[];
  /** Every violation counted, per invariant. */
  violationCounts: Record<string, number>;
  /** Invariants this seed could not judge, and why. */
  notApplicable: { invariant: string; missing: string }[];
  fault: AdapterFault | null;
  traceHash: string;
  wallMs: number;
  /** Simulated (or, in the Postgres lane, real) ms the run covered. */
  coveredMs: number;
  events: number;
  statements: number;
}

export function capViolations(violations: readonly Violation[]): { kept: Violation[]; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const kept: Violation[] = [];
  for (const violation of violations) {
    const count = (counts[violation.invariant] ?? 0) + 1;
    counts[violation.invariant] = count;
    if (count <= EXPLANATIONS_PER_INVARIANT_MAX) kept.push(violation);
  }
  return { kept, counts };
}

export function seedOutcomeOf(result: RunResult): SeedOutcome {
  const { kept, counts } = capViolations(result.violations);
  return {
    seed: result.seed,
    outcome: result.outcome,
    violations: kept,
    violationCounts: counts,
    notApplicable: result.notApplicable.map((item) => ({ invariant: item.invariant, missing: item.missing })),
    fault: result.outcome === 'adapter-error' ? faultFromLine(result.error ?? 'adapter error: (no message)', result.seed) : null,
    traceHash: result.traceHash,
    wallMs: result.stats.wallMs,
    coveredMs: result.stats.simMs,
    events: result.stats.events,
    statements: result.stats.statements,
  };
}

/** A seed that ended before the simulator could say anything (install, reset, setup or the final observe failed). */
export function faultedSeed(seed: number, fault: AdapterFault): SeedOutcome {
  return { seed, outcome: 'adapter-error', violations: [], violationCounts: {}, notApplicable: [], fault, traceHash: '', wallMs: 0, coveredMs: 0, events: 0, statements: 0 };
}
