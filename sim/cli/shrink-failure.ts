// Shrinking a failing run the way the command does it, shared with the mutant
// benchmark so the case the README reports is the case the command prints: a
// mutant's run is shrunk for the invariant the mutant names, with the reference
// engine as the control (the shrunk case must fail by the mutant's bug, not by
// a world no engine could pass).
import { shrinkTarget, type Mutant } from '../../conformance/mutants/index.ts';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { Harness } from '../harness.ts';
import type { RecordedChoices } from '../random/choices.ts';
import type { RunResult } from '../run.ts';
import { shrinkRun, type ShrinkResult } from '../shrink.ts';
import { wallNowMs } from '../wall-clock.ts';
import type { OptionOverrides } from '../world/options.ts';

/** Shrinks `failing` by replaying it on `harness`; `seconds`: the wall-time budget (default shrinkRun's). */
export async function shrinkFailure(harness: Harness, failing: RunResult, mutant: Mutant | undefined, overrides: OptionOverrides, seconds?: number): Promise<ShrinkResult> {
  const target = mutant === undefined ? undefined : shrinkTarget(mutant, failing.violations);
  const run = (on: Harness) => (candidate: RecordedChoices, horizonMs: number | undefined) =>
    on.run({ seed: failing.seed, ...overrides, choices: candidate, ...(horizonMs === undefined ? {} : { horizonMs }) });
  const control = mutant === undefined ? undefined : new Harness(referenceAdapter);
  try {
    return await shrinkRun({
      failing,
      ...(target === undefined ? {} : { invariant: target }),
      replay: run(harness),
      ...(control === undefined ? {} : { control: run(control) }),
      ...(seconds === undefined ? {} : { wallMsMax: seconds * 1_000 }),
      nowMs: wallNowMs,
    });
  } finally {
    await control?.close();
  }
}
