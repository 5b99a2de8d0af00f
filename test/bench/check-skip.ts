// The state-check skip side by side: the same seeds with the adapter's
// unchangedBy (the world skips the check after a turn it vouches for) and
// without it (a check after every turn that touched the database), alternating
// seed by seed in one process so the machine's drift hits both alike. The runs
// must be the same (trace hashes and violations are compared); what differs is
// how many checks ran and how long a seed took.
import { performance } from 'node:perf_hooks';
import { builtInEngine } from '../../conformance/engines.ts';
import { findMutant, mutantOverrides } from '../../conformance/mutants/index.ts';
import type { EngineAdapter } from '../../sim/adapter/contract.ts';
import { Harness } from '../../sim/harness.ts';
import type { OptionOverrides } from '../../sim/world/options.ts';

export interface CheckSkipBenchRow {
  engine: string;
  seeds: string;
  checks_skipping: number;
  checks_every_turn: number;
  wall_ms_skipping: number;
  wall_ms_every_turn: number;
  /** Wall time with the skip over wall time checking every turn, summed over the seeds. */
  wall_ratio: number;
}

/** The reference, and the two mutants that need the most seeds to be caught. */
const ENGINES = ['reference', 'mutant:unfenced-terminal-writes', 'mutant:reaper-trusts-bare-pid'];
const FIRST_SEED = 1_000;

export async function benchCheckSkip(seeds: number): Promise<CheckSkipBenchRow[]> {
  const rows: CheckSkipBenchRow[] = [];
  for (const name of ENGINES) {
    const { adapter, overrides } = engine(name);
    const { unchangedBy: _vouches, ...everyTurn } = adapter;
    const skipping = new Harness(adapter);
    const checking = new Harness(everyTurn);
    const totals = { checks_skipping: 0, checks_every_turn: 0, wall_ms_skipping: 0, wall_ms_every_turn: 0 };
    try {
      // Warm both (PGlite's initdb, the first Parse of each statement) outside the figures.
      await skipping.run({ seed: 0, ...overrides });
      await checking.run({ seed: 0, ...overrides });
      for (let seed = FIRST_SEED; seed < FIRST_SEED + seeds; seed += 1) {
        // Alternate which goes first, so neither always runs on a cache the other warmed.
        const order = seed % 2 === 0 ? ([skipping, checking] as const) : ([checking, skipping] as const);
        const runs = new Map<Harness, string>();
        for (const harness of order) {
          const started = performance.now();
          const result = await harness.run({ seed, ...overrides });
          const wallMs = performance.now() - started;
          // The run and what was found in it: a wrong skip would keep the trace and lose a violation.
          runs.set(harness, JSON.stringify({ trace: result.traceHash, violations: result.violations }));
          if (harness === skipping) {
            totals.checks_skipping += result.stats.checkStatements;
            totals.wall_ms_skipping += wallMs;
          } else {
            totals.checks_every_turn += result.stats.checkStatements;
            totals.wall_ms_every_turn += wallMs;
          }
        }
        if (runs.get(skipping) !== runs.get(checking)) throw new Error(`${name} seed ${seed}: the skip changed the run or its verdict (${runs.get(skipping)} vs ${runs.get(checking)})`);
      }
    } finally {
      await skipping.close();
      await checking.close();
    }
    rows.push({ engine: name, seeds: `${FIRST_SEED}–${FIRST_SEED + seeds - 1}`, ...totals, wall_ratio: totals.wall_ms_skipping / totals.wall_ms_every_turn });
  }
  return rows;
}

/** A built-in engine by the name the command takes, with a mutant's pinned world (as `wf-sim --engine` runs it). */
function engine(name: string): { adapter: EngineAdapter; overrides: OptionOverrides } {
  const adapter = builtInEngine(name);
  if (adapter === undefined) throw new Error(`no built-in engine ${name}`);
  const mutant = name.startsWith('mutant:') ? findMutant(name.slice('mutant:'.length)) : undefined;
  return { adapter, overrides: mutant === undefined ? {} : mutantOverrides(mutant) };
}
