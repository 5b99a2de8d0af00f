// Goal: skipping the state check after a turn the adapter vouches for
// (EngineAdapter.unchangedBy) changes no verdict. The reference engine and every
// mutant run the same seeds twice, with the skip and with a check after every
// turn: the same trace, the same violations at the same events with the same
// explanations, and fewer checks. The checks read and never write, so the run
// is the same either way; what could differ is only what the checks see.
import { afterAll, describe, expect, it } from 'vitest';
import { MUTANTS, mutantOverrides } from '../../conformance/mutants/index.ts';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import type { EngineAdapter } from '../../sim/adapter/contract.ts';
import { Harness } from '../../sim/harness.ts';
import type { OptionOverrides } from '../../sim/world/options.ts';

/** The bench's first base seeds: most mutants fail within them, so failing runs are compared too. */
const SEEDS = [100_000, 100_001, 100_002];

const engines: { name: string; adapter: EngineAdapter; overrides: OptionOverrides }[] = [
  { name: 'reference', adapter: referenceAdapter, overrides: {} },
  ...MUTANTS.map((mutant) => ({ name: `mutant:${mutant.name}`, adapter: mutant.adapter, overrides: mutantOverrides(mutant) })),
];

describe('skipping state checks after turns the adapter vouches for', () => {
  const harnesses: Harness[] = [];
  afterAll(async () => {
    for (const harness of harnesses) await harness.close();
  });
  let checksSkipping = 0;
  let checksEveryTurn = 0;
  let violations = 0;

  for (const engine of engines) {
    it(`${engine.name}: the same runs and verdicts as a check after every turn`, { timeout: 60_000 }, async () => {
      expect(engine.adapter.unchangedBy).toBeDefined();
      const { unchangedBy: _vouches, ...everyTurn } = engine.adapter;
      const skipping = new Harness(engine.adapter);
      const checking = new Harness(everyTurn);
      harnesses.push(skipping, checking);
      for (const seed of SEEDS) {
        const a = await skipping.run({ seed, ...engine.overrides });
        const b = await checking.run({ seed, ...engine.overrides });
        expect(a.traceHash, `seed ${seed}`).toBe(b.traceHash);
        expect(a.violations, `seed ${seed}`).toEqual(b.violations);
        checksSkipping += a.stats.checkStatements;
        checksEveryTurn += b.stats.checkStatements;
        violations += a.violations.length;
      }
    });
  }

  it('compared failing runs, and skipped checks', () => {
    expect(violations).toBeGreaterThan(0);
    expect(checksSkipping).toBeLessThan(checksEveryTurn * 0.3);
  });
});
