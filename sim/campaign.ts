// A campaign: many seeds, on one or more threads (one PGlite each), stopping at
// the first failing seed unless asked to keep going. It then re-runs a sample of
// its seeds on a fresh harness in this thread and fails on any trace-hash
// mismatch: the kit checks its own determinism on every campaign.
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
  return result.ok ? { ...result, history: [], choices: { workload: [], schedule: [], faults: [] } } : result;
}

export async function runCampaign(request: CampaignRequest, nowMs: () => number): Promise<CampaignResult> {
  const started = nowMs();
  const results = request.parallel <= 1 || request.seeds.length <= 1 ? await runHere(request) : await runThreads(request);
  results.sort((a, b) => a.seed - b.seed);
  const stoppedEarly = !request.keepGoing && results.some((result) => !result.ok) && results.length < request.seeds.length;
  const resampled = pickResample(results.map((result) => result.seed), request.resampleCount);
  const mismatches: DeterminismCheck[] = [];
  if (resampled.length > 0) {
    const harness = new Harness(request.adapter);
    try {
      for (const seed of resampled) {
        const first = results.find((result) => result.seed === seed)!;
        const again = await harness.run({ seed, ...request.overrides });
        if (again.traceHash !== first.traceHash) mismatches.push({ seed, first: first.traceHash, again: again.traceHash });
      }
    } finally {
      await harness.close();
    }
  }
  return { results, mismatches, resampled, stoppedEarly, wallMs: nowMs() - started };
}

async function runHere(request: CampaignRequest): Promise<RunResult[]> {
  const harness = new Harness(request.adapter);
  const results: RunResult[] = [];
  try {
    for (const seed of request.seeds) {
      const result = await harness.run({ seed, ...request.overrides });
      results.push(result);
      request.onResult?.(result, results.length, request.seeds.length);
      if (!result.ok && !request.keepGoing) break;
    }
  } finally {
    await harness.close();
  }
  return results;
}

async function runThreads(request: CampaignRequest): Promise<RunResult[]> {
  const results: RunResult[] = [];
  let stop = false;
  const threads = Math.min(request.parallel, request.seeds.length);
  // Seeds are dealt round-robin so every thread gets a similar mix.
  const slices = Array.from({ length: threads }, (_, thread) => request.seeds.filter((_, index) => index % threads === thread));
  await Promise.all(
    slices.map(
      (seeds) =>
        new Promise<void>((resolvePromise, rejectPromise) => {
          const worker = new Worker(new URL('./cli/thread.mjs', import.meta.url), {
            workerData: { engine: request.engine, overrides: serializeOverrides(request.overrides), seeds, keepGoing: request.keepGoing },
          });
          worker.on('message', (message: { type: 'result'; result: RunResult } | { type: 'error'; error: string }) => {
            if (message.type === 'error') {
              rejectPromise(new Error(message.error));
              return;
            }
            results.push(message.result);
            request.onResult?.(message.result, results.length, request.seeds.length);
            if (!message.result.ok && !request.keepGoing && !stop) {
              stop = true;
              // Stop every thread at the first failure; what they had not finished is not reported.
              void worker.terminate();
            }
          });
          worker.on('error', rejectPromise);
          worker.on('exit', () => resolvePromise());
        }),
    ),
  );
  return results;
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
