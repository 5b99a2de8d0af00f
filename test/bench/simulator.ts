// Simulator benchmarks: throughput on a standard world, the share of wall time
// spent outside PGlite, threads vs processes, simulated-time speed on a lease-
// and reaper-heavy world, and memory over a long campaign. Wall-clock and memory
// readings happen here, outside any simulated code.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { createPGliteDatabase } from '../../src/db/pglite.ts';
import type { Database, Queryable } from '../../src/db/database.ts';
import { runCampaign } from '../../sim/campaign.ts';
import { Harness } from '../../sim/harness.ts';
import { runSeed } from '../../sim/run.ts';
import type { OptionOverrides } from '../../sim/world/options.ts';
import { parseFaultSelection } from '../../sim/world/faults.ts';

const exec = promisify(execFile);

/** A mid-sized world with every fault kind in the swarm: the figure quoted for seeds/s. */
export const STANDARD_WORLD: OptionOverrides = { world: { workers: 4, clients: 1, jobs: 40, groups: 2 } };

/** Long steps, long leases, a slow reaper: the world where time jumps pay most. */
export const LEASE_HEAVY_WORLD: OptionOverrides = {
  faults: parseFaultSelection('crash,pause,restart'),
  world: {
    workers: 3,
    clients: 1,
    jobs: 20,
    stepMsMin: 60_000,
    stepMsMax: 600_000,
    pollIntervalMs: 5_000,
    heartbeatIntervalMs: 30_000,
    reaperIntervalMs: 60_000,
    reaperThresholdMs: 120_000,
    lockTtlMs: 240_000,
    pauseMsMax: 360_000,
    restartDelayMs: 60_000,
    safetyMs: 6 * 3_600_000,
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Times every call that reaches PGlite. */
function timed(db: Database): { db: Database; insideMs: () => number } {
  let inside = 0;
  const wrapQuery = (target: Queryable): Queryable['query'] => async (statement, params) => {
    const started = performance.now();
    try {
      return await target.query(statement, params);
    } finally {
      inside += performance.now() - started;
    }
  };
  const wrapped: Database = {
    kind: db.kind,
    query: wrapQuery(db) as Database['query'],
    exec: async (sql) => {
      const started = performance.now();
      try {
        await db.exec(sql);
      } finally {
        inside += performance.now() - started;
      }
    },
    transaction: async (fn) => {
      const started = performance.now();
      try {
        return await db.transaction(fn);
      } finally {
        inside += performance.now() - started;
      }
    },
    close: () => db.close(),
  };
  return { db: wrapped, insideMs: () => inside };
}

export interface StandardWorldResult {
  seeds: number;
  seeds_per_second: number;
  statements_per_second: number;
  median_wall_ms_per_seed: number;
  median_statements_per_seed: number;
  share_of_wall_outside_pglite: number;
}

export async function benchStandardWorld(seeds: number): Promise<StandardWorldResult> {
  const pglite = await createPGliteDatabase();
  await referenceAdapter.install(pglite);
  const { db, insideMs } = timed(pglite);
  const walls: number[] = [];
  const statements: number[] = [];
  let totalStatements = 0;
  const started = performance.now();
  const insideBefore = insideMs();
  for (let seed = 0; seed < seeds; seed += 1) {
    await referenceAdapter.reset!(pglite);
    const result = await runSeed({ seed, adapter: referenceAdapter, db, ...STANDARD_WORLD });
    if (!result.ok) throw new Error(`reference failed seed ${seed} in the benchmark: ${result.violations[0]?.explanation ?? result.error}`);
    walls.push(result.stats.wallMs);
    statements.push(result.stats.statements + result.stats.checkStatements);
    totalStatements += result.stats.statements + result.stats.checkStatements;
  }
  const wallMs = performance.now() - started;
  await pglite.close();
  return {
    seeds,
    seeds_per_second: seeds / (wallMs / 1000),
    statements_per_second: totalStatements / (wallMs / 1000),
    median_wall_ms_per_seed: median(walls),
    median_statements_per_seed: median(statements),
    share_of_wall_outside_pglite: 1 - (insideMs() - insideBefore) / wallMs,
  };
}

export interface ParallelResult {
  seeds: number;
  one_thread_seeds_per_second: number;
  two_threads_seeds_per_second: number;
  threads_ratio: number;
  /** The machine's own limit measured the same way: two separate processes against one. */
  two_processes_ratio: number;
}

const bin = join(import.meta.dirname, '..', '..', 'sim', 'cli', 'wf-sim.mjs');

async function cliSeconds(args: string[]): Promise<number> {
  const started = performance.now();
  await exec(process.execPath, [bin, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return (performance.now() - started) / 1000;
}

export async function benchParallel(seeds: number): Promise<ParallelResult> {
  const base = ['--seeds', String(seeds), '--from', '1000', '--json'];
  const one = await cliSeconds([...base, '--parallel', '1']);
  const two = await cliSeconds([...base, '--parallel', '2']);
  // The physical limit on this machine: one process running half the seeds, then two processes each running half at once.
  const half = Math.ceil(seeds / 2);
  const single = await cliSeconds(['--seeds', String(half), '--from', '1000', '--json']);
  const startedPair = performance.now();
  await Promise.all([cliSeconds(['--seeds', String(half), '--from', '1000', '--json']), cliSeconds(['--seeds', String(half), '--from', String(1000 + half), '--json'])]);
  const pair = (performance.now() - startedPair) / 1000;
  return {
    seeds,
    one_thread_seeds_per_second: seeds / one,
    two_threads_seeds_per_second: seeds / two,
    threads_ratio: one / two,
    two_processes_ratio: (2 * half) / pair / (half / single),
  };
}

export interface TimeSpeedResult {
  seeds: number;
  median_simulated_ms: number;
  median_wall_ms: number;
  median_speedup: number;
}

export async function benchSimulatedTime(seeds: number): Promise<TimeSpeedResult> {
  const harness = new Harness(referenceAdapter);
  const simulated: number[] = [];
  const walls: number[] = [];
  const speedups: number[] = [];
  try {
    for (let seed = 0; seed < seeds; seed += 1) {
      const result = await harness.run({ seed, ...LEASE_HEAVY_WORLD });
      if (!result.ok) throw new Error(`reference failed the lease-heavy seed ${seed}: ${result.violations[0]?.explanation ?? result.error}`);
      simulated.push(result.stats.simMs);
      walls.push(result.stats.wallMs);
      speedups.push(result.stats.simMs / Math.max(1, result.stats.wallMs));
    }
  } finally {
    await harness.close();
  }
  return { seeds, median_simulated_ms: median(simulated), median_wall_ms: median(walls), median_speedup: median(speedups) };
}

export interface MemoryResult {
  seeds: number;
  rss_mb_after_warmup: number;
  rss_mb_at_end: number;
  growth: number;
  /** Seeds the reference engine failed during the campaign (reported, not hidden: each is a finding to look at). */
  failing_seeds: number[];
}

export async function benchMemory(seeds: number): Promise<MemoryResult> {
  const warmup = Math.min(50, Math.floor(seeds / 5));
  let afterWarmup = 0;
  const result = await runCampaign(
    {
      seeds: Array.from({ length: seeds }, (_, index) => 5000 + index),
      engine: 'reference',
      adapter: referenceAdapter,
      overrides: {},
      parallel: 1,
      keepGoing: true,
      resampleCount: 0,
      onResult: (_result, done) => {
        if (done === warmup) {
          globalThis.gc?.();
          afterWarmup = process.memoryUsage().rss;
        }
      },
    },
    () => performance.now(),
  );
  globalThis.gc?.();
  const end = process.memoryUsage().rss;
  const failing = result.results.filter((item) => !item.ok).map((item) => item.seed);
  return { seeds, rss_mb_after_warmup: afterWarmup / 2 ** 20, rss_mb_at_end: end / 2 ** 20, growth: (end - afterWarmup) / afterWarmup, failing_seeds: failing };
}
