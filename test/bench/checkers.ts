// Benchmark of the history checkers: one valid history of about a million
// events (1,002,570) from the queue model, judged by checkHistory (every history invariant,
// one pass), median of three runs; the same on a quarter of the events shows
// whether the cost is linear (time(1M) / time(250k) ≈ 4). Target: ≥ 1M events/s
// on one core. test/bench/main.ts imports and prints it.
import { performance } from 'node:perf_hooks';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { checkHistory } from '../../spec/check.ts';
import type { HistoryEvent } from '../../spec/history.ts';
import type { State } from '../../spec/state.ts';
import { modelHistory } from '../spec/support/model-history.ts';
import { median } from './median.ts';

const EVENTS = 1_000_000;
const QUARTER = 250_000;
/** The heal phase that drains the model's backlog adds about 14% to the events of the fault phase. */
const SAFETY_SHARE = 0.875;
const REPEATS = 3;
const SEED = 20261122;

function judgeMs(history: readonly HistoryEvent[], finalState: State): number {
  const started = performance.now();
  const verdict = checkHistory(history, ALL_CAPABILITIES, { clockSkewMaxMs: 0, finalState });
  const ms = performance.now() - started;
  // A benchmark of a checker that rejects its input measures the wrong thing.
  if (verdict.valid !== true) throw new Error(`benchCheckers: the model's history was judged ${String(verdict.valid)}: ${verdict.violations[0]?.explanation ?? verdict.undecided?.[0]?.explanation ?? ''}`);
  return ms;
}

export async function benchCheckers(): Promise<{ events: number; events_per_second: number; ms: number; linear_ratio: number }> {
  const full = modelHistory(SEED, Math.round(EVENTS * SAFETY_SHARE));
  const quarter = modelHistory(SEED, Math.round(QUARTER * SAFETY_SHARE));
  // Warm the JIT on the small history first, so neither measurement pays for compilation.
  judgeMs(quarter.history, quarter.finalState);
  judgeMs(quarter.history, quarter.finalState);
  // Interleaved, so a noisy neighbour slows both sizes alike and the ratio stays meaningful.
  const fullMs: number[] = [];
  const quarterMs: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat += 1) {
    quarterMs.push(judgeMs(quarter.history, quarter.finalState));
    fullMs.push(judgeMs(full.history, full.finalState));
  }
  const ms = median(fullMs)!;
  const events = full.history.length;
  const quarterEvents = quarter.history.length;
  return {
    events,
    events_per_second: Math.round(events / (ms / 1000)),
    ms: Math.round(ms * 10) / 10,
    // Normalized by the event counts, which are not exactly 4:1 (the model stops between actions and then heals).
    linear_ratio: Math.round((ms / median(quarterMs)!) * ((quarterEvents * 4) / events) * 100) / 100,
  };
}
