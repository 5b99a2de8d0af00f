// Simulator benchmarks: throughput on a standard world, the share of wall time
// spent outside PGlite, threads vs processes, simulated-time speed on a lease-
// and reaper-heavy world, and memory over a long campaign. Wall-clock and memory
// readings happen here, outside any simulated code.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { createPGliteDatabase } from '../../src/db/pglite.ts';
import type { Database, Queryable } from '../../src/db/database.ts';
import { runCampaign } from '../../sim/campaign.ts';
import { Harness } from '../../sim/harness.ts';
import { runSeed } from '../../sim/run.ts';
import type { OptionOverrides } from '../../sim/world/options.ts';
import { parseFaultSelection } from '../../sim/world/faults.ts';
import { median } from './median.ts';

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
    median_wall_ms_per_seed: median(walls)!,
    median_statements_per_seed: median(statements)!,
    share_of_wall_outside_pglite: 1 - (insideMs() - insideBefore) / wallMs,
  };
}

export interface ParallelRun {
  seconds: number;
  /** Seeds per second over the whole command, start-up (tsx, PGlite initdb) and the determinism re-runs included. */
  seeds_per_second: number;
  /** Seeds per second once every thread or process has reported its first seed: start-up excluded. */
  steady_seeds_per_second: number;
  /** User + system CPU seconds of the command and its threads. */
  cpu_seconds: number;
}

export interface ParallelResult {
  seeds: number;
  one_thread: ParallelRun;
  two_threads: ParallelRun;
  /** --parallel 2 against --parallel 1, whole commands. */
  threads_ratio: number;
  threads_ratio_steady: number;
  one_process: ParallelRun;
  /** Two separate wf-sim processes, each running half the seeds at once (figures are for the pair). */
  two_processes: ParallelRun;
  /** The machine's own limit measured the same way: two processes against one. */
  two_processes_ratio: number;
  two_processes_ratio_steady: number;
  /** A pure-CPU loop, two processes at once against one: what two cores give here at all. */
  cpu_loop_ratio: number;
}

const bin = join(import.meta.dirname, '..', '..', 'sim', 'cli', 'wf-sim.mjs');

interface CliRun {
  started: number;
  ended: number;
  /** Arrival time of each seed's JSON line. */
  lines: number[];
  cpuSeconds: number;
}

/** Runs wf-sim with --json and notes when each seed's line arrives. */
function cliRun(args: string[]): Promise<CliRun> {
  return new Promise((resolvePromise, rejectPromise) => {
    const started = performance.now();
    const lines: number[] = [];
    // /usr/bin/time is not everywhere; the child's CPU comes from its own rusage instead.
    const child = spawn(process.execPath, [bin, ...args, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        if (buffered.slice(0, newline).trim().startsWith('{')) lines.push(performance.now());
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    });
    child.on('error', rejectPromise);
    child.on('exit', (code) => {
      if (code !== 0) rejectPromise(new Error(`wf-sim ${args.join(' ')} exited with ${code}`));
      else resolvePromise({ started, ended: performance.now(), lines, cpuSeconds: childCpuSeconds() });
    });
  });
}

let childCpuBefore = 0;
/** CPU seconds of children that ended since the last call (getrusage(RUSAGE_CHILDREN) through process.resourceUsage is not per child; this is). */
function childCpuSeconds(): number {
  const usage = readChildrenCpu();
  const delta = usage - childCpuBefore;
  childCpuBefore = usage;
  return delta;
}

function readChildrenCpu(): number {
  // /proc/self/stat fields 16 and 17: cutime and cstime, in clock ticks, of waited-for children.
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Whole-command and steady-state figures for one or more commands that ran at once. */
function parallelRun(runs: CliRun[], seeds: number): ParallelRun {
  const started = Math.min(...runs.map((run) => run.started));
  const ended = Math.max(...runs.map((run) => run.ended));
  const arrivals = runs.flatMap((run) => run.lines).sort((a, b) => a - b);
  // Steady state begins when the slowest starter has reported its first seed.
  const from = Math.max(...runs.map((run) => run.lines[0] ?? ended));
  const after = arrivals.filter((time) => time > from);
  const last = arrivals[arrivals.length - 1] ?? ended;
  return {
    seconds: (ended - started) / 1000,
    seeds_per_second: seeds / ((ended - started) / 1000),
    steady_seeds_per_second: after.length / ((last - from) / 1000),
    cpu_seconds: runs.reduce((sum, run) => sum + run.cpuSeconds, 0),
  };
}

/** Seconds for a pure-CPU loop in one process, and for two at once (the slower of the pair). */
async function cpuLoopRatio(): Promise<number> {
  const loop = 'let x = 0; for (let i = 0; i < 4e8; i += 1) x = (x + i * 7) % 1000003; if (x < 0) console.log(x);';
  const once = () =>
    new Promise<number>((resolvePromise, rejectPromise) => {
      const started = performance.now();
      const child = spawn(process.execPath, ['-e', loop], { stdio: 'ignore' });
      child.on('error', rejectPromise);
      child.on('exit', () => resolvePromise((performance.now() - started) / 1000));
    });
  const single = await once();
  const pairStarted = performance.now();
  await Promise.all([once(), once()]);
  const pair = (performance.now() - pairStarted) / 1000;
  return (2 * single) / pair;
}

/**
 * --parallel 2 against one thread over the same seeds, beside the machine's own
 * limit measured in the same run: two separate wf-sim processes against one, and
 * a pure-CPU loop in two processes against one. Each figure is given for whole
 * commands (start-up included) and for the steady state (start-up excluded).
 */
export async function benchParallel(seeds: number): Promise<ParallelResult> {
  const from = 1000;
  const cpuLoop = await cpuLoopRatio();
  childCpuSeconds();
  const one = parallelRun([await cliRun(['--seeds', String(seeds), '--from', String(from), '--parallel', '1'])], seeds);
  const two = parallelRun([await cliRun(['--seeds', String(seeds), '--from', String(from), '--parallel', '2'])], seeds);
  // One process running half the seeds, then two processes each running a half at once.
  const half = Math.ceil(seeds / 2);
  const single = parallelRun([await cliRun(['--seeds', String(half), '--from', String(from)])], half);
  const pair = parallelRun(await Promise.all([cliRun(['--seeds', String(half), '--from', String(from)]), cliRun(['--seeds', String(half), '--from', String(from + half)])]), 2 * half);
  return {
    seeds,
    one_thread: one,
    two_threads: two,
    threads_ratio: two.seeds_per_second / one.seeds_per_second,
    threads_ratio_steady: two.steady_seeds_per_second / one.steady_seeds_per_second,
    one_process: single,
    two_processes: pair,
    two_processes_ratio: pair.seeds_per_second / single.seeds_per_second,
    two_processes_ratio_steady: pair.steady_seeds_per_second / single.steady_seeds_per_second,
    cpu_loop_ratio: cpuLoop,
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
  return { seeds, median_simulated_ms: median(simulated)!, median_wall_ms: median(walls)!, median_speedup: median(speedups)! };
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
