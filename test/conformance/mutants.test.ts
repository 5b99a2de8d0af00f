// Goal: every mutant (a known incident bug put back into the reference engine)
// fails its named invariant through the same `wf-sim conformance` command an
// engine author runs — exit 1, its invariant VIOLATED in the table, the replay
// line pointing at the failing seed. The first failing seed is found the cheap
// way (a campaign that stops there, as test/mutants/ does); the command then
// judges that seed and the next one, so the table shows a real count.
import { describe, expect, it } from 'vitest';
import { familyOf } from '../../spec/catalog.ts';
import { main } from '../../sim/cli/main.ts';
import { memoryOutput } from '../../sim/cli/output.ts';
import { expectedInvariants, MUTANTS } from '../../conformance/mutants/index.ts';
import { CAMPAIGN_TIMEOUT_MS, firstFailingSeed, SEEDS_MAX } from '../mutants/campaign.ts';

/** DESIGN.md lists ten incident bugs; the kit must have a mutant for each (more is fine). */
const MUTANTS_MIN = 10;

describe('mutants through `wf-sim conformance --adapter mutant:NAME`', () => {
  if (MUTANTS.length === 0) {
    it.skip('skipped: conformance/mutants/index.ts lists no mutants yet — this suite covers them as they land', () => {});
    return;
  }

  it(`the kit has at least ${MUTANTS_MIN} mutants (has ${MUTANTS.length})`, () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(MUTANTS_MIN);
  });

  for (const mutant of MUTANTS) {
    const expected = expectedInvariants(mutant);
    it(`mutant:${mutant.name} fails ${expected.join(' and ')}`, async () => {
      const failing = await firstFailingSeed(mutant);
      expect(failing, `mutant:${mutant.name} passed all ${SEEDS_MAX} seeds of its campaign`).not.toBeNull();
      const seed = failing!.seed;
      const output = memoryOutput();
      const code = await main(['conformance', '--adapter', `mutant:${mutant.name}`, '--from', String(seed), '--seeds', '2'], output);
      const text = output.stdout.join('\n');
      expect(code, text + output.stderr.join('\n')).toBe(1);
      for (const invariant of expected) {
        // The expectation may name a rule's family: any of its ids (e.g. SHUTDOWN_CLEAN_STATE for SHUTDOWN_CLEAN) counts.
        const rows = output.stdout.filter((line) => {
          const id = /^\s+([A-Z_]+)\s/.exec(line)?.[1];
          return id !== undefined && (id === invariant || familyOf(id) === invariant);
        });
        const violated = rows.filter((row) => /\bVIOLATED\b/.test(row));
        expect(violated.length, `${invariant} is not VIOLATED in:\n${text}`).toBeGreaterThan(0);
        expect(violated[0]).toMatch(new RegExp(`first ${seed}\\s+npx wf-sim --seed ${seed} --engine mutant:${mutant.name}`));
      }
      expect(text).toContain(`replay: npx wf-sim --seed ${seed} --engine mutant:${mutant.name}`);
    }, CAMPAIGN_TIMEOUT_MS);
  }
});
