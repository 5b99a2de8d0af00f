// conformanceSuite: the conformance lane inside an engine's own vitest suite.
// The seeds run once (beforeAll); then one `it` per invariant, grouped in one
// `describe` per kind (state / history / liveness), asserts its own verdict. A
// failure in CI therefore names the invariant, the seed, the explanation and the
// replay command. An invariant the engine does not claim is an `it.skip` with
// the reason in its name — visible in every reporter, never a silent pass. An
// adapter error fails a dedicated test and every invariant test with the same
// line, because no invariant was judged.
//
//   import { conformanceSuite } from 'wf-sim/conformance';
//   import adapter from './my-adapter.ts';
//   conformanceSuite(adapter, { seeds: 30, adapterPath: './my-adapter.ts' });
import { beforeAll, describe, it } from 'vitest';
import type { EngineAdapter } from '../sim/adapter/contract.ts';
import { CATALOG } from '../spec/catalog.ts';
import { faultLine } from './adapter-fault.ts';
import { KIND_TITLES, missingCapabilities, type ConformanceReport, type InvariantRow } from './report.ts';
import { runConformance, SEEDS_DEFAULT, type ConformanceOptions } from './run-conformance.ts';
import { OPERATION_TIMEOUT_MS_DEFAULT } from './watchdog.ts';

export interface ConformanceSuiteOptions extends ConformanceOptions {
  /** The outer describe's title. Default "wf-sim conformance: <adapter name>". */
  title?: string;
  /** Time the seeds may take in beforeAll, ms. Default: generous for the lane (seeds × 20 s + 60 s). */
  runTimeoutMs?: number;
}

export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

function failureMessage(row: InvariantRow, report: ConformanceReport): string {
  const noun = report.lane.name === 'postgres' ? 'round' : 'seed';
  const violation = row.firstViolation;
  const lines = [`${row.id} VIOLATED on ${row.failingSeeds.length} of ${row.seedsJudged} ${noun}s (first: ${noun} ${row.failingSeeds[0]}).`, `Invariant: ${row.statement}`];
  if (violation !== null) {
    const where = violation.eventIndex === null ? 'at the end of the run' : `at event ${violation.eventIndex}, t=${violation.time ?? '?'} ms`;
    lines.push(`${where}: ${violation.explanation}`);
  }
  if (row.replay !== null) lines.push(`replay: ${row.replay}`);
  if (!report.lane.deterministic) lines.push(report.lane.note);
  return lines.join('\n');
}

export function conformanceSuite(adapter: EngineAdapter, options: ConformanceSuiteOptions = {}): void {
  const seeds = options.seeds ?? SEEDS_DEFAULT;
  const title = options.title ?? `wf-sim conformance: ${adapter.name}${options.database !== undefined && options.database !== 'pglite' ? ' (real Postgres)' : ''}`;
  const runTimeoutMs = options.runTimeoutMs ?? seeds * 20_000 + 60_000 + 3 * (options.timeoutMs ?? OPERATION_TIMEOUT_MS_DEFAULT);
  describe(title, () => {
    let report: ConformanceReport | undefined;
    let crashed: unknown;
    beforeAll(async () => {
      try {
        report = await runConformance(adapter, options);
      } catch (error) {
        // Kept for the tests to report: a throw here would only say "beforeAll failed".
        crashed = error;
      }
    }, runTimeoutMs);

    const ready = (): ConformanceReport => {
      if (report === undefined) throw new ConformanceFailure(`the conformance run did not finish: ${crashed instanceof Error ? crashed.message : String(crashed)}`);
      return report;
    };
    const rowOf = (id: string): InvariantRow => {
      const row = ready().invariants.find((candidate) => candidate.id === id);
      if (row === undefined) throw new ConformanceFailure(`the report has no row for ${id}`);
      return row;
    };

    it('the adapter answers within the contract (no adapter error)', () => {
      const current = ready();
      if (current.fault !== null) throw new ConformanceFailure(`${faultLine(current.fault)}\nNo invariant was judged: an adapter that fails cannot be trusted to pass or to fail.`);
    });

    for (const { kind } of KIND_TITLES) {
      const invariants = CATALOG.filter((invariant) => invariant.kind === kind);
      describe(kind, () => {
        for (const invariant of invariants) {
          const missing = missingCapabilities(invariant.requires, adapter.capabilities);
          if (missing.length > 0) {
            it.skip(`${invariant.id} — not applicable: the adapter does not claim ${missing.join(', ')}`, () => {});
            continue;
          }
          it(`${invariant.id}: ${invariant.statement}`, (context) => {
            const row = rowOf(invariant.id);
            const current = ready();
            switch (row.verdict) {
              case 'holds':
                return;
              case 'violated':
                throw new ConformanceFailure(failureMessage(row, current));
              case 'adapter-error':
                throw new ConformanceFailure(`not judged: ${row.reason ?? 'adapter error'}`);
              case 'not-applicable':
                // Applicable by capability, yet no seed could judge it (for example no final state): say so, do not pass.
                context.skip(`not applicable: ${row.reason ?? 'no seed could judge it'}`);
                return;
            }
          });
        }
      });
    }
  });
}
