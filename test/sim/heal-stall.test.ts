// Goal: a heal phase in which nothing moves any more ends when it has stalled,
// not at its budget, and says so; and ending it there changes no verdict. The
// budget assumes every job drains one at a time through every attempt, so a
// wedged world of 47 jobs used to poll through 807 simulated seconds (32,000
// events) for the verdict it had after 78 s. The stall bound is every wait a job
// can be in, one after the other (world/options.ts stallBoundMs); an engine that
// does not state its retry backoff gets the budget, as before.
import { afterAll, describe, expect, it } from 'vitest';
import { findMutant, mutantOverrides } from '../../conformance/mutants/index.ts';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import type { EngineAdapter } from '../../sim/adapter/contract.ts';
import { Harness } from '../../sim/harness.ts';
import type { RunResult } from '../../sim/run.ts';
import { stallBoundMs } from '../../sim/world/options.ts';

const mutant = findMutant('reaper-trusts-bare-pid')!;
const overrides = mutantOverrides(mutant);
// Seed 100000: 47 jobs, a heal budget of 807 s. A container restart kills two workers holding jobs, the next
// generation reuses their pids, and the mutant's reaper, trusting the pids, never recovers the jobs.
const SEED = 100_000;

/** The mutant as an engine that does not state its retry backoff: the simulator cannot tell a stall from a long wait. */
const { retryBackoffMaxMs: _declared, ...undeclared } = mutant.adapter;
const budgetOnly: EngineAdapter = undeclared;

const healAt = (result: RunResult) => result.history.find((event) => event.type === 'world' && event.op === 'heal')!.time;
const verdicts = (result: RunResult) => result.violations.map((violation) => `${violation.invariant} ${violation.jobs.join(',')}`).sort();

describe('a stalled heal phase', () => {
  const harness = new Harness(mutant.adapter);
  const budget = new Harness(budgetOnly);
  const reference = new Harness(referenceAdapter);
  afterAll(async () => {
    await harness.close();
    await budget.close();
    await reference.close();
  });

  it('ends once no job row has changed for the stall bound, with the verdict the budget gives', { timeout: 120_000 }, async () => {
    expect(mutant.adapter.retryBackoffMaxMs).toBe(0);
    const stalled = await harness.run({ seed: SEED, ...overrides });
    const full = await budget.run({ seed: SEED, ...overrides });

    const bound = stallBoundMs(stalled.options, 0);
    expect(stalled.phases.heal).toBe('stalled');
    expect(stalled.stats.simMs).toBeGreaterThan(healAt(stalled) + bound);
    expect(stalled.stats.simMs).toBeLessThan(healAt(stalled) + stalled.options.healBudgetMs);
    const allTerminal = stalled.violations.find((violation) => violation.invariant === 'ALL_TERMINAL');
    expect(allTerminal?.explanation).toMatch(new RegExp(`heal phase be stopped at t=${stalled.stats.simMs} because it had stalled: no job's row had changed since t=\\d+, longer than any recovery takes \\(${bound} ms\\)`));

    // The same world run to its budget: many more events, the same verdicts.
    expect(full.phases.heal).toBe('time');
    // The last turn before the budget: a live worker heartbeats at least this often.
    expect(full.stats.simMs).toBeGreaterThan(healAt(full) + full.options.healBudgetMs - full.options.heartbeatIntervalMs);
    expect(full.history.length).toBeGreaterThan(2 * stalled.history.length);
    expect(verdicts(stalled)).toEqual(verdicts(full));
    expect(verdicts(stalled)).toContain('ORPHANS_RECOVERED 21');
    expect(verdicts(stalled).filter((verdict) => verdict.startsWith('ALL_TERMINAL ')).length).toBeGreaterThan(1);
    expect(full.violations.find((violation) => violation.invariant === 'ALL_TERMINAL')?.explanation).toContain('the heal phase be cut by its budget');
  });

  it('never cuts a world that recovers: the reference on the same seed drains', { timeout: 120_000 }, async () => {
    const drained = await reference.run({ seed: SEED, ...overrides });
    expect(drained.violations).toEqual([]);
    expect(drained.phases.heal).toBe('done');
  });
});
