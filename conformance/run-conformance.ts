// runConformance: one adapter, one lane, a report. The lane follows the
// database: 'pglite' (the default) runs the deterministic simulator over the
// embedded PGlite, a postgres:// URL runs the real-Postgres lane. An adapter
// object that does not have the contract's shape is an adapter error before
// anything runs, exactly as a module the command cannot load.
import { AdapterShapeSchema, type EngineAdapter } from '../sim/adapter/contract.ts';
import { ALL_CAPABILITIES, type Capabilities } from '../spec/capabilities.ts';
import type { OptionOverrides } from '../sim/world/options.ts';
import type { AdapterFault } from './adapter-fault.ts';
import { POSTGRES_LANE_NOTE, maskPassword, runPostgresLane, type PostgresLaneOptions } from './postgres-lane.ts';
import { buildReport, type ConformanceReport } from './report.ts';
import type { SeedOutcome } from './seed-outcome.ts';
import { runSimulatedLane } from './simulated-lane.ts';
import { OPERATION_TIMEOUT_MS_DEFAULT } from './watchdog.ts';

export const SEEDS_DEFAULT = 50;

export const SIMULATED_LANE_NOTE =
  'simulated lane: the deterministic simulator over embedded PGlite — one seed is one run, byte for byte, so every failing seed replays with the command shown';

export interface ConformanceOptions {
  /** Seeds (simulated lane) or rounds (Postgres lane). Default 50. */
  seeds?: number;
  /** First seed. Default 0. */
  from?: number;
  /** 'pglite' (default: the simulated lane) or a postgres:// URL (the real-Postgres lane). */
  database?: string;
  /** Limit on one adapter call, ms of real time. Default 10 000. */
  timeoutMs?: number;
  /** The adapter's module path as the user would pass it to `--engine`: used in replay commands and by threads. */
  adapterPath?: string;
  /** Threads for the simulated lane (needs adapterPath). */
  parallel?: number;
  /** World options pinned for every simulated seed (a mutant's pins, tests). Replay commands carry only `replayFlags`. */
  overrides?: OptionOverrides;
  /** Appended to every replay command (e.g. a mutant's `--faults …`). */
  replayFlags?: string;
  /** Shape of the Postgres lane's rounds (workers, jobs, kills, …). */
  postgres?: Omit<PostgresLaneOptions, 'connectionString' | 'rounds' | 'from' | 'timeoutMs' | 'onRound'>;
  /** Called after every seed or round. */
  onSeed?: (outcome: SeedOutcome, done: number, total: number) => void;
}


export function replayLine(seed: number, adapterPath: string | undefined, flags?: string): string {
  const line = `npx wf-sim --seed ${seed} --engine ${adapterPath ?? '<path to your adapter>'}`;
  return flags === undefined || flags === '' ? line : `${line} ${flags}`;
}

export async function runConformance(adapter: EngineAdapter, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const seeds = options.seeds ?? SEEDS_DEFAULT;
  const from = options.from ?? 0;
  const database = options.database ?? 'pglite';
  const timeoutMs = options.timeoutMs ?? OPERATION_TIMEOUT_MS_DEFAULT;
  const postgres = database !== 'pglite';
  const lane = postgres
    ? { name: 'postgres' as const, deterministic: false, note: POSTGRES_LANE_NOTE, database: maskPassword(database) }
    : { name: 'simulated' as const, deterministic: true, note: SIMULATED_LANE_NOTE, database: 'pglite' };
  const adapterPath = options.adapterPath ?? null;

  const shape = AdapterShapeSchema.safeParse(adapter);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    const fault: AdapterFault = {
      operation: 'load',
      message: `the adapter must be an EngineAdapter; at ${issue?.path.join('.') || '(adapter)'}: ${issue?.message ?? 'invalid'}`,
      seed: null,
    };
    const name = typeof (adapter as { name?: unknown } | null)?.name === 'string' ? (adapter as { name: string }).name : '(unnamed)';
    const capabilities: Capabilities = { ...ALL_CAPABILITIES, ...((adapter as { capabilities?: Partial<Capabilities> } | null)?.capabilities ?? {}) };
    return buildReport({ adapterName: name, adapterPath, capabilities, lane, from, requested: seeds, outcomes: [], fault, wallMs: 0, replay: () => null });
  }

  if (postgres) {
    const run = await runPostgresLane(adapter, {
      ...options.postgres,
      connectionString: database,
      rounds: seeds,
      from,
      timeoutMs,
      ...(options.onSeed === undefined ? {} : { onRound: options.onSeed }),
    });
    return buildReport({
      adapterName: adapter.name,
      adapterPath,
      capabilities: adapter.capabilities,
      lane,
      from,
      requested: seeds,
      outcomes: run.outcomes,
      wallMs: run.wallMs,
      figures: { ...run.figures },
      // A round cannot be replayed; this reruns its workload, which is the best a real database allows.
      replay: (seed) => `not replayable (real Postgres); rerun the round's workload: npx wf-sim conformance --adapter ${adapterPath ?? '<path>'} --database <url> --from ${seed} --seeds 1`,
    });
  }

  const run = await runSimulatedLane(adapter, {
    seeds,
    from,
    timeoutMs,
    ...(options.parallel === undefined ? {} : { parallel: options.parallel }),
    ...(options.adapterPath === undefined ? {} : { engineRef: options.adapterPath }),
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    ...(options.onSeed === undefined ? {} : { onSeed: options.onSeed }),
  });
  const statements = run.outcomes.reduce((sum, outcome) => sum + outcome.statements, 0);
  return buildReport({
    adapterName: adapter.name,
    adapterPath,
    capabilities: adapter.capabilities,
    lane,
    from,
    requested: seeds,
    outcomes: run.outcomes,
    wallMs: run.wallMs,
    figures: { statements, seedsPerSecond: run.wallMs > 0 ? Math.round((run.outcomes.length * 10_000) / run.wallMs) / 10 : 0 },
    replay: (seed) => replayLine(seed, options.adapterPath, options.replayFlags),
  });
}
