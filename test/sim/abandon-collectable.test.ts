// Goal: a process killed mid-turn leaves nothing behind once its run is over.
// Its fiber waits forever on the promise abandon() returns; if that promise were
// shared (one module-level never-settling promise), every abandoned fiber would
// hang a reaction on it and keep its whole world reachable: RSS doubled over a
// 1,000-seed campaign. Here the fiber's state must be collectable.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { streamsFromSeed } from '../../sim/random/choices.ts';
import { Scheduler } from '../../sim/scheduler.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fiber that holds a world and waits on abandon(); returns a weak reference to the world. */
function abandonHolding(scheduler: Scheduler, index: number): WeakRef<object> {
  const world = { rows: new Array(1000).fill(index) };
  void (async (held: object) => {
    await scheduler.abandon();
    // Never reached: the fiber only keeps `held` alive while it waits.
    return held;
  })(world);
  return new WeakRef(world);
}

describe('Scheduler.abandon', () => {
  it('holds nothing the abandoned fiber referenced once the scheduler is dropped', async () => {
    let scheduler: Scheduler | null = new Scheduler({ policy: 'random', random: streamsFromSeed(1).streams.schedule, pctDepth: 3, pctSteps: 100, statementMs: 1 });
    const refs = [0, 1, 2].map((index) => abandonHolding(scheduler!, index));
    scheduler = null;
    await nextTask();
    gc();
    await nextTask();
    expect(refs.map((ref) => ref.deref() === undefined)).toEqual([true, true, true]);
  });
});
