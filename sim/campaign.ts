// A campaign: many seeds, on one or more threads (one PGlite each), stopping at
// the first failing seed unless asked to keep going. It then re-runs a sample of
// its seeds and fails on any trace-hash mismatch: the kit checks its own
// determinism on every campaign.
//
// Threads live for the whole campaign and are dealt one seed at a time, so a
// thread that drew short seeds is never idle while another works through a long
// slice, and the re-run sample runs on the same warm harnesses instead of paying
// a new PGlite (≈ 2.5–3 s of initdb) at the end.
import { Worker } from 'node:worker_threads';
import type { EngineAdapter } from './adapter/contract.ts';
import { Harness } from './harness.ts';
import type { RunResult } from './run.ts';
import type { OptionOverrides } from './world/options.ts';

export interface CampaignRequest {
  seeds: number[];
  /** Engine name or adapter path, for threads to load on their own. */
  engine: string;
  adapter: EngineAdapter;
  overrides: OptionOverrides;
  parallel: number;
  keepGoing: boolean;
  /** Seeds re-run to check determinism (0 = none). */
  resampleCount: number;
  onResult?: (result: RunResult, done: number, total: number) => void;
}

export interface DeterminismCheck {
  seed: number;
  first: string;
  again: string;
}

export interface CampaignResult {
  results: RunResult[];
  /** Re-runs whose hash differed: any entry fails the campaign. */
  mismatches: DeterminismCheck[];
  resampled: number[];
  stoppedEarly: boolean;
  wallMs: number;
}

/** Results of passing seeds travel between threads without their history. */
export function slim(result: RunResult): RunResult {
  return result.ok ? { ...result, history: [], choices: { workload: [], schedule: [], faults: [] }, firedFaults: [], storyEvents: [] } : result;
}

/** Main thread → campaign thread. */
export type ThreadCommand = { type: 'run'; seed: number } | { type: 'close' };
/** Campaign thread → main thread. */
export type ThreadReply = { type: 'result'; result: RunResult } | { type: 'error'; error: string };

/**
 * Runs seeds somewhere and re-runs some of them. A re-run is told which thread
 * ran the seed first, so a pool can re-run it on another one.
 */
interface SeedRunner {
  /** Runs the seeds, stopping early when `stop` says so; resolves with each seed's result and the runner that ran it. */
  runAll(seeds: readonly number[], stop: (result: RunResult) => boolean, onResult: (result: RunResult) => void): Promise<Map<number, number>>;
  /** Runs each seed again (on another thread than `ranOn` when there are threads); the threads share the work. */
  rerunAll(seeds: readonly { seed: number; ranOn: number }[]): Promise<Map<number, RunResult>>;
  close(): Promise<void>;
}

export async function runCampaign(request: CampaignRequest, nowMs: () => number): Promise<CampaignResult> {
  const started = nowMs();
  const threads = Math.min(Math.max(1, request.parallel), request.seeds.length);
  const runner: SeedRunner = threads <= 1 ? new HereRunner(request) : new ThreadPool(request, threads);
  const results: RunResult[] = [];
  const mismatches: DeterminismCheck[] = [];
  let resampled: number[] = [];
  let stoppedEarly = false;
  try {
    let stopping = false;
    const ranOn = await runner.runAll(
      request.seeds,
      (result) => {
        if (!result.ok && !request.keepGoing) stopping = true;
        return stopping;
      },
      (result) => {
        results.push(result);
        request.onResult?.(result, results.length, request.seeds.length);
      },
    );
    results.sort((a, b) => a.seed - b.seed);
    stoppedEarly = !request.keepGoing && results.some((result) => !result.ok) && results.length < request.seeds.length;
    resampled = pickResample(results.map((result) => result.seed), request.resampleCount);
    // A re-run happens after every other seed, on a harness that has run and reset
    // many times since: state that leaks through a reset shows as a different hash
    // (the sample always includes the first seed, which first ran on a fresh
    // database). With threads it also runs on another thread than the first time.
    const again = await runner.rerunAll(resampled.map((seed) => ({ seed, ranOn: ranOn.get(seed) ?? 0 })));
    for (const seed of resampled) {
      const first = results.find((result) => result.seed === seed)!;
      const hash = again.get(seed)!.traceHash;
      if (hash !== first.traceHash) mismatches.push({ seed, first: first.traceHash, again: hash });
    }
  } finally {
    await runner.close();
  }
  return { results, mismatches, resampled, stoppedEarly, wallMs: nowMs() - started };
}

/** One harness in this thread. */
class HereRunner implements SeedRunner {
  private readonly harness: Harness;
  constructor(private readonly request: CampaignRequest) {
    this.harness = new Harness(request.adapter);
  }

  async runAll(seeds: readonly number[], stop: (result: RunResult) => boolean, onResult: (result: RunResult) => void): Promise<Map<number, number>> {
    for (const seed of seeds) {
      // Kept as threads send them: a passing seed without its history, which would
      // otherwise pile up (≈ 0.5 MB a seed) for the length of the campaign.
      const result = slim(await this.harness.run({ seed, ...this.request.overrides }));
      onResult(result);
      if (stop(result)) break;
    }
    return new Map(seeds.map((seed) => [seed, 0]));
  }

  async rerunAll(seeds: readonly { seed: number }[]): Promise<Map<number, RunResult>> {
    const again = new Map<number, RunResult>();
    for (const { seed } of seeds) again.set(seed, slim(await this.harness.run({ seed, ...this.request.overrides })));
    return again;
  }

  close(): Promise<void> {
    return this.harness.close();
  }
}

interface PoolThread {
  index: number;
  worker: Worker;
  /** Settles the seed this thread is running now. */
  pending: { resolve: (result: RunResult) => void; reject: (error: Error) => void } | null;
  /** Set when the thread has exited: a seed sent to it would never be answered. */
  gone: boolean;
  exited: Promise<void>;
}

/** N persistent threads, one harness each, fed one seed at a time. */
class ThreadPool implements SeedRunner {
  private readonly threads: PoolThread[];
  private failure: Error | null = null;

  constructor(request: CampaignRequest, count: number) {
    const workerData = { engine: request.engine, overrides: serializeOverrides(request.overrides) };
    this.threads = Array.from({ length: count }, (_, index) => {
      const worker = new Worker(new URL('./cli/thread.mjs', import.meta.url), { workerData });
      const thread: PoolThread = { index, worker, pending: null, gone: false, exited: Promise.resolve() };
      thread.exited = new Promise<void>((resolvePromise) => {
        worker.on('exit', () => {
          thread.gone = true;
          this.settle(thread, new Error(`campaign thread ${index} exited while running a seed`));
          resolvePromise();
        });
      });
      worker.on('message', (message: ThreadReply) => {
        if (message.type === 'error') this.settle(thread, new Error(message.error));
        else {
          const pending = thread.pending;
          thread.pending = null;
          pending?.resolve(message.result);
        }
      });
      worker.on('error', (error) => this.settle(thread, error));
      return thread;
    });
  }

  async runAll(seeds: readonly number[], stop: (result: RunResult) => boolean, onResult: (result: RunResult) => void): Promise<Map<number, number>> {
    const ranOn = new Map<number, number>();
    let next = 0;
    let stopping = false;
    // Each thread takes the next seed as soon as it is free; results arrive in any order (the campaign sorts them).
    await Promise.all(
      this.threads.map(async (thread) => {
        while (!stopping && next < seeds.length) {
          const seed = seeds[next]!;
          next += 1;
          const result = await this.runOn(thread, seed);
          ranOn.set(seed, thread.index);
          onResult(result);
          // Seeds already running on other threads finish and are reported; no new one starts.
          if (stop(result)) stopping = true;
        }
      }),
    );
    return ranOn;
  }

  async rerunAll(seeds: readonly { seed: number; ranOn: number }[]): Promise<Map<number, RunResult>> {
    const again = new Map<number, RunResult>();
    // Each thread works through the seeds it re-runs one after another (it runs one seed at a time); threads run at once.
    await Promise.all(
      this.threads.map(async (thread) => {
        for (const { seed } of seeds.filter((item) => (item.ranOn + 1) % this.threads.length === thread.index)) again.set(seed, await this.runOn(thread, seed));
      }),
    );
    return again;
  }

  async close(): Promise<void> {
    for (const thread of this.threads) thread.worker.postMessage({ type: 'close' } satisfies ThreadCommand);
    await Promise.all(this.threads.map((thread) => thread.exited));
  }

  private runOn(thread: PoolThread, seed: number): Promise<RunResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (thread.gone) return Promise.reject(new Error(`campaign thread ${thread.index} exited before the campaign ended`));
    return new Promise<RunResult>((resolve, reject) => {
      thread.pending = { resolve, reject };
      thread.worker.postMessage({ type: 'run', seed } satisfies ThreadCommand);
    });
  }

  private settle(thread: PoolThread, error: Error): void {
    const pending = thread.pending;
    thread.pending = null;
    if (pending === null) return;
    this.failure ??= error;
    pending.reject(error);
    // One broken thread ends the campaign: the others stop where they are.
    for (const other of this.threads) if (other !== thread) void other.worker.terminate();
  }
}

function serializeOverrides(overrides: OptionOverrides): unknown {
  const faults = overrides.faults;
  return { ...overrides, faults: faults === undefined ? undefined : faults.mode === 'swarm' ? faults : { mode: 'fixed', kinds: [...faults.kinds] } };
}

export function deserializeOverrides(raw: unknown): OptionOverrides {
  const value = raw as OptionOverrides & { faults?: { mode: 'swarm' } | { mode: 'fixed'; kinds: string[] } };
  const faults = value.faults;
  return { ...value, faults: faults === undefined ? undefined : faults.mode === 'swarm' ? faults : { mode: 'fixed', kinds: new Set(faults.kinds) } } as OptionOverrides;
}

/** The first seed, the last, and evenly spaced ones between. */
function pickResample(seeds: number[], count: number): number[] {
  if (count <= 0 || seeds.length === 0) return [];
  if (seeds.length <= count) return [...seeds];
  const picked = new Set<number>();
  for (let index = 0; index < count; index += 1) picked.add(seeds[Math.floor((index * (seeds.length - 1)) / (count - 1 || 1))]!);
  return [...picked];
}
