// Mutant benchmark (issue 5): how fast wf-sim catches each incident's bug.
// Per mutant, 20 campaigns from different base seeds, each stopped at the first
// seed whose violations include the invariant the mutant names: median
// seeds-to-detection and wall seconds-to-detection; then one failure shrunk, with
// its trace length. Everything runs in this process, one PGlite per mutant (and
// one for the reference engine, the shrink's control).
import { performance } from 'node:perf_hooks';
import { caughtBy, mutantOverrides, MUTANTS, type Mutant } from '../../conformance/mutants/index.ts';
import { shrinkFailure } from '../../sim/cli/shrink-failure.ts';
import { Harness } from '../../sim/harness.ts';
import { relevantLength } from '../../sim/shrink.ts';
import { eventLineCount, shrunkTimeline } from '../../sim/timeline-text.ts';
import { median } from './median.ts';

export interface MutantBenchRow {
  mutant: string;
  invariant: string;
  campaigns: number;
  caught_campaigns: number;
  median_seeds_to_detection: number | null;
  median_wall_seconds_to_detection: number | null;
  original_trace_events: number | null;
  shrunk_trace_events: number | null;
  /** Lines the command prints for the shrunk case: its events, with heartbeats and idle stretches folded (sim/timeline-text.ts). */
  shrunk_timeline_lines: number | null;
  shrink_replays: number | null;
  /** Replays of the reference engine as the shrink's control (not counted in the budget of replays). */
  shrink_reference_replays: number | null;
  shrink_stopped_by: string | null;
  /** The reference engine on the shrunk choices: 'passes' when the case shows the mutant's bug, not the world's. */
  shrunk_reference: string | null;
}

export async function benchMutant(mutant: Mutant, campaigns: number, seedsMax: number): Promise<MutantBenchRow> {
  const harness = new Harness(mutant.adapter);
  const overrides = mutantOverrides(mutant);
  const seedsToDetection: number[] = [];
  const wallSeconds: number[] = [];
  let firstFailure: Awaited<ReturnType<Harness['run']>> | undefined;
  try {
    for (let campaign = 0; campaign < campaigns; campaign += 1) {
      const base = 100_000 + campaign * 10_000;
      const started = performance.now();
      for (let offset = 0; offset < seedsMax; offset += 1) {
        const result = await harness.run({ seed: base + offset, ...overrides });
        if (caughtBy(mutant, result.violations)) {
          seedsToDetection.push(offset + 1);
          wallSeconds.push((performance.now() - started) / 1000);
          firstFailure ??= result;
          break;
        }
      }
    }
    // As the command shrinks it (sim/cli/shrink-failure.ts): the named invariant, the reference as control, 60 s.
    const shrink = firstFailure === undefined ? undefined : await shrinkFailure(harness, firstFailure, mutant, overrides);
    return {
      mutant: mutant.name,
      invariant: mutant.invariant,
      campaigns,
      caught_campaigns: seedsToDetection.length,
      median_seeds_to_detection: median(seedsToDetection),
      median_wall_seconds_to_detection: median(wallSeconds),
      original_trace_events: firstFailure === undefined || shrink === undefined ? null : relevantLength(firstFailure, shrink.invariant),
      shrunk_trace_events: shrink?.traceLength ?? null,
      shrunk_timeline_lines: shrink === undefined ? null : eventLineCount(shrunkTimeline(shrink)),
      shrink_replays: shrink?.runs ?? null,
      shrink_reference_replays: shrink?.controlRuns ?? null,
      shrink_stopped_by: shrink?.stoppedBy ?? null,
      shrunk_reference: shrink?.control ?? null,
    };
  } finally {
    await harness.close();
  }
}

export async function benchMutants(campaigns: number, seedsMax: number, only?: readonly string[]): Promise<MutantBenchRow[]> {
  const rows: MutantBenchRow[] = [];
  for (const mutant of MUTANTS) {
    if (only !== undefined && !only.includes(mutant.name)) continue;
    process.stderr.write(`  mutant:${mutant.name} …\n`);
    rows.push(await benchMutant(mutant, campaigns, seedsMax));
  }
  return rows;
}
