// What the mutant tests share: a campaign over seeds 0 … SEEDS_MAX − 1 that
// stops at the first failing seed, as `wf-sim --seeds 200 --engine mutant:NAME`
// does, run under the mutant's own world pins.
import { expect } from 'vitest';
import { caughtBy, expectedInvariants, findMutant, mutantOverrides, type Mutant } from '../../conformance/mutants/index.ts';
import { Harness } from '../../sim/harness.ts';
import type { RunResult } from '../../sim/run.ts';

/** The campaign length a mutant must be caught within. */
export const SEEDS_MAX = 200;

/** A mutant campaign runs up to SEEDS_MAX seeds at up to ~10 s each on a slow CI core. */
export const CAMPAIGN_TIMEOUT_MS = 1_800_000;

export function mutantNamed(name: string): Mutant {
  const mutant = findMutant(name);
  if (mutant === undefined) throw new Error(`no mutant named ${name}`);
  return mutant;
}

/** The first failing seed of the campaign, or null when every seed passed. */
export async function firstFailingSeed(mutant: Mutant, seedsMax = SEEDS_MAX): Promise<RunResult | null> {
  const harness = new Harness(mutant.adapter);
  try {
    for (let seed = 0; seed < seedsMax; seed += 1) {
      const result = await harness.run({ seed, ...mutantOverrides(mutant) });
      if (!result.ok) return result;
    }
    return null;
  } finally {
    await harness.close();
  }
}

/** Runs the campaign and asserts the mutant is caught, by a verdict (not an adapter error) naming its invariant(s). */
export async function expectCaught(name: string): Promise<void> {
  const mutant = mutantNamed(name);
  const failing = await firstFailingSeed(mutant);
  expect(failing, `mutant:${name} passed all ${SEEDS_MAX} seeds`).not.toBeNull();
  const result = failing!;
  const tripped = [...new Set(result.violations.map((violation) => violation.invariant))].sort();
  expect(result.outcome, `seed ${result.seed}: ${result.error ?? ''}`).toBe('fail');
  expect(caughtBy(mutant, result.violations), `seed ${result.seed} tripped ${tripped.join(', ')}, not all of ${expectedInvariants(mutant).join(', ')}`).toBe(true);
}
