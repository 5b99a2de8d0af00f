// Goal: a shrunk case shows the engine's bug, not a world no engine could pass.
// A liveness verdict presumes a reaper (every drawn world has one); a shrinker
// free to remove it found "counterexamples" the reference engine fails too. So
// an edit that removes the last reaper is never kept for a liveness target, and
// with a control engine (for a mutant: the reference) an edit is kept only if
// the control still passes.
import { afterAll, describe, expect, it } from 'vitest';
import { findMutant, mutantOverrides } from '../../conformance/mutants/index.ts';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { decodeChoices } from '../../sim/choices-codec.ts';
import { Harness } from '../../sim/harness.ts';
import type { RecordedChoices } from '../../sim/random/choices.ts';
import type { RunResult } from '../../sim/run.ts';
import { shrinkRun } from '../../sim/shrink.ts';
import { workerIds } from '../../sim/world/workload.ts';

const mutant = findMutant('reaper-trusts-bare-pid')!;
const overrides = mutantOverrides(mutant);
const SEED = 100_000;
// Seed 100000's failure, shrunk (2026-12-01) with and without the premise: one world keeps its only worker, w1, which
// reaps; the other removed w1 and kept w3, so nobody reaps at all. Both fail the mutant by ORPHANS_RECOVERED.
const JOBS = '+jobs:0.1.2.3.4.5.6.7.8.9.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.r.s.t.u.v.w.y.z.10.11.12.13.14.15.16.17.18.1a';
const WITH_REAPER = `_2.q._8.1.5._3.1._61.iq.2m.0.78.bm.fl.0.o2.dh.1d.2--_4.1._8.1.0.bko.bko-${JOBS}-+procs:c1.w2.w3.w4-+safety:d48-+story:`;
const WITHOUT_REAPER = `2.0.q._8.1.5._3.1._61.iq.2m.0.78.bm.fl.0.o2.dh.1d.2--_4.1._8.1.0.bko.bko-${JOBS}-+procs:c1.w1.w2.w4-+safety:d48-+story:`;

const violates = (result: RunResult) => result.violations.some((violation) => violation.invariant === 'ORPHANS_RECOVERED');
const reapers = (result: RunResult, choices: RecordedChoices) => {
  const omitted = new Set(choices.structure?.processesOmitted ?? []);
  return workerIds(result.options).slice(0, result.options.reapers).filter((id) => !omitted.has(id));
};

describe('shrinking keeps a case that shows the bug', () => {
  const harness = new Harness(mutant.adapter);
  const reference = new Harness(referenceAdapter);
  afterAll(async () => {
    await harness.close();
    await reference.close();
  });
  const on = (engine: Harness) => (choices: RecordedChoices, horizonMs: number | undefined) =>
    engine.run({ seed: SEED, ...overrides, choices, ...(horizonMs === undefined ? {} : { horizonMs }) });

  it('a world without its reaper fails on any engine; with it, only on the mutant', { timeout: 60_000 }, async () => {
    const bare = decodeChoices(WITHOUT_REAPER);
    const bareRun = await harness.run({ seed: SEED, ...overrides, choices: bare });
    expect(reapers(bareRun, bare)).toEqual([]);
    expect(violates(bareRun)).toBe(true);
    expect(violates(await reference.run({ seed: SEED, ...overrides, choices: bare })), 'no reaper: the reference fails too').toBe(true);

    const kept = decodeChoices(WITH_REAPER);
    const keptRun = await harness.run({ seed: SEED, ...overrides, choices: kept });
    expect(reapers(keptRun, kept)).toEqual(['w1']);
    expect(violates(keptRun)).toBe(true);
    expect(violates(await reference.run({ seed: SEED, ...overrides, choices: kept })), 'w1 reaps: the reference recovers the job').toBe(false);
  });

  it('never removes the last reaper for a liveness target, even with no control', { timeout: 300_000 }, async () => {
    const failing = await harness.run({ seed: SEED, ...overrides });
    expect(reapers(failing, failing.choices)).toEqual(['w1']);
    expect(violates(failing)).toBe(true);
    // A budget of runs, not time: the same search on any machine. Without the premise this search removes w1 at its
    // 30th replay and ends at 104 events with w3 alone (nobody reaps); with it, it removes the others and keeps w1.
    const shrunk = await shrinkRun({ failing, invariant: 'ORPHANS_RECOVERED', replay: on(harness), runsMax: 34, wallMsMax: 600_000, nowMs: () => 0 });
    expect(shrunk.choices.structure?.processesOmitted.length).toBeGreaterThan(0);
    expect(violates(shrunk.result)).toBe(true);
    expect(reapers(shrunk.result, shrunk.choices)).toEqual(['w1']);
    expect(shrunk.control).toBeUndefined();
    expect(shrunk.controlRuns).toBe(0);
  });

  it('keeps an edit only while the control passes, and says how the control judged the result', { timeout: 300_000 }, async () => {
    const failing = await harness.run({ seed: SEED, ...overrides, choices: decodeChoices(WITH_REAPER) });
    const checked = await shrinkRun({ failing, invariant: 'ORPHANS_RECOVERED', replay: on(harness), control: on(reference), runsMax: 40, wallMsMax: 600_000, nowMs: () => 0 });
    expect(checked.control).toBe('passes');
    // A control replay for every edit the engine's replay would keep (kept or then refused), and one for the verdict.
    expect(checked.controlRuns).toBeGreaterThanOrEqual(checked.shrinks + 1);
    expect(violates(checked.result)).toBe(true);
    expect(violates(await reference.run({ seed: SEED, ...overrides, choices: checked.choices }))).toBe(false);
    // Negative space: a control that fails as the engine does (the mutant itself) lets no edit through.
    const blocked = await shrinkRun({ failing, invariant: 'ORPHANS_RECOVERED', replay: on(harness), control: on(harness), runsMax: 40, wallMsMax: 600_000, nowMs: () => 0 });
    expect(blocked.shrinks).toBe(0);
    expect(blocked.control).toBe('fails');
    expect(blocked.result.traceHash).toBe(failing.traceHash);
  });
});
