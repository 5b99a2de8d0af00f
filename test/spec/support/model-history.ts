// Long valid histories from the queue model, drawn from a seeded pure-rand
// stream with the weights of a busy queue (mostly claims, completions and
// heartbeats; now and then a reap, a crash, a lost ack, a shutdown). Used by the
// checker benchmark and by tests that need a big valid history.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { HistoryEvent } from '../../../spec/history.ts';
import type { State } from '../../../spec/state.ts';
import { QueueModel, type ActionKind } from './queue-model.ts';

const WEIGHTS: readonly [ActionKind, number][] = [
  ['claim', 250],
  ['complete', 200],
  ['heartbeat', 150],
  ['enqueue', 120],
  ['tick', 100],
  ['fail', 40],
  ['release', 20],
  ['reap', 40],
  ['group', 25],
  ['crash', 4],
  ['lostAck', 3],
  ['restart', 30],
  ['shutdown', 3],
  ['containerRestart', 1],
];
const TOTAL = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

export interface ModelRun {
  history: HistoryEvent[];
  finalState: State;
  healTime: number;
  aliveProcesses: Set<string>;
  endTime: number;
}

/** Runs the model until the history has at least `eventsMin` events, then heals it. */
export function modelHistory(seed: number, eventsMin: number, options: { workers?: number; boundMs?: number } = {}): ModelRun {
  const rng = xoroshiro128plus(seed);
  // Enough capacity that the backlog stays small: the model's claim scans the queued jobs.
  const model = new QueueModel({
    workers: options.workers ?? 6,
    clients: 2,
    thresholdMs: 1000,
    lockTtlMs: 2000,
    attemptsMax: 3,
    pidMax: 32,
    queues: [
      { name: 'q1', maxConcurrency: 2 },
      { name: 'q2', maxConcurrency: null },
      { name: 'q3', maxConcurrency: null },
    ],
    resourceKeys: ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'],
  });
  const actionsMax = eventsMin * 4;
  for (let step = 0; step < actionsMax && model.history.length < eventsMin; step += 1) {
    let pick = uniformInt(rng, 0, TOTAL - 1);
    let kind: ActionKind = 'tick';
    for (const [candidate, weight] of WEIGHTS) {
      if (pick < weight) {
        kind = candidate;
        break;
      }
      pick -= weight;
    }
    model.apply({ kind, a: uniformInt(rng, 0, 1 << 20), b: uniformInt(rng, 0, 1 << 20) });
  }
  model.heal(options.boundMs ?? 1000);
  return { history: model.history, finalState: model.snapshot(), healTime: model.healTime!, aliveProcesses: model.aliveProcesses(), endTime: model.time };
}
