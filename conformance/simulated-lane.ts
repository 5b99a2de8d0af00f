// The simulated lane: N seeds of the deterministic simulator over the guarded
// adapter, on one embedded PGlite per thread. Unlike a campaign it does not stop
// at the first failing seed (a conformance report wants every invariant's count),
// but it does stop at the first adapter error: a broken adapter breaks every
// seed the same way, and a hung one would cost the watchdog's limit per seed.
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import type { EngineAdapter } from '../sim/adapter/contract.ts';
import { Harness } from '../sim/harness.ts';
import { builtInEngine } from './engines.ts';
import type { OptionOverrides } from '../sim/world/options.ts';
import { faultFromError } from './adapter-fault.ts';
import { guardAdapter } from './guard.ts';
import { monotonicNowMs } from './real-clock.ts';
import { faultedSeed, seedOutcomeOf, type SeedOutcome } from './seed-outcome.ts';

export interface SimulatedLaneOptions {
  seeds: number;
  from: number;
  /** Per adapter call, ms of the adapter's own running time. */
  timeoutMs: number;
  /** Threads, one PGlite each. Needs `engineRef` (a thread loads the adapter itself); ignored without it. */
  parallel?: number;
  /** How a thread finds the adapter: a module path, or a built-in name ('reference', 'mutant:NAME'). */
  engineRef?: string;
  /** Options pinned for every seed (tests); the command uses the defaults, so `npx wf-sim --seed S --engine PATH` replays a seed. */
  overrides?: OptionOverrides;
  onSeed?: (outcome: SeedOutcome, done: number, total: number) => void;
}

export interface SimulatedLaneRun {
  outcomes: SeedOutcome[];
  /** Seeds asked for but not run because an adapter error stopped the lane. */
  skippedSeeds: number;
  wallMs: number;
}

export function seedList(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => from + index);
}

/** Runs seeds on one harness in this thread until the first adapter error. */
export async function runSeedsHere(adapter: EngineAdapter, seeds: readonly number[], timeoutMs: number, overrides: OptionOverrides, onSeed: (outcome: SeedOutcome) => void): Promise<void> {
  const harness = new Harness(guardAdapter(adapter, { timeoutMs, budget: 'own-time' }));
  try {
    for (const seed of seeds) {
      let outcome: SeedOutcome;
      try {
        outcome = seedOutcomeOf(await harness.run({ seed, ...overrides }));
      } catch (error) {
        // install, reset, setup or the final observe failed: the harness and world let it escape.
        outcome = faultedSeed(seed, faultFromError(error, seed));
      }
      onSeed(outcome);
      if (outcome.outcome === 'adapter-error') return;
    }
  } finally {
    await harness.close().catch(() => undefined);
  }
}

export async function runSimulatedLane(adapter: EngineAdapter, options: SimulatedLaneOptions): Promise<SimulatedLaneRun> {
  const started = monotonicNowMs();
  const seeds = seedList(options.from, options.seeds);
  const outcomes: SeedOutcome[] = [];
  const report = (outcome: SeedOutcome) => {
    outcomes.push(outcome);
    options.onSeed?.(outcome, outcomes.length, seeds.length);
  };
  const threads = Math.min(options.parallel ?? 1, seeds.length);
  if (threads > 1 && options.engineRef !== undefined) {
    // Threads may start elsewhere than the caller's directory: a path travels absolute, a built-in name as is.
    const engineRef = builtInEngine(options.engineRef) === undefined ? resolve(options.engineRef) : options.engineRef;
    await runOnThreads(engineRef, seeds, threads, options, report);
  }
  else await runSeedsHere(adapter, seeds, options.timeoutMs, options.overrides ?? {}, report);
  outcomes.sort((left, right) => left.seed - right.seed);
  return { outcomes, skippedSeeds: seeds.length - outcomes.length, wallMs: Math.round(monotonicNowMs() - started) };
}

type ThreadMessage = { type: 'seed'; outcome: SeedOutcome } | { type: 'error'; error: string };

async function runOnThreads(engineRef: string, seeds: number[], threads: number, options: SimulatedLaneOptions, report: (outcome: SeedOutcome) => void): Promise<void> {
  const workers: Worker[] = [];
  let stopped = false;
  // Seeds are dealt round-robin so every thread gets a similar mix.
  const slices = Array.from({ length: threads }, (_, thread) => seeds.filter((_, index) => index % threads === thread));
  await Promise.all(
    slices.map(
      (slice) =>
        new Promise<void>((resolvePromise, rejectPromise) => {
          const worker = new Worker(new URL('./thread.mjs', import.meta.url), {
            workerData: { engineRef, seeds: slice, timeoutMs: options.timeoutMs, overrides: options.overrides ?? {} },
          });
          workers.push(worker);
          worker.on('message', (message: ThreadMessage) => {
            if (message.type === 'error') {
              rejectPromise(new Error(message.error));
              return;
            }
            if (stopped) return;
            report(message.outcome);
            if (message.outcome.outcome === 'adapter-error') {
              // One adapter error is the verdict; the other threads stop where they are.
              stopped = true;
              for (const other of workers) void other.terminate();
            }
          });
          worker.on('error', rejectPromise);
          worker.on('exit', () => resolvePromise());
        }),
    ),
  );
}
