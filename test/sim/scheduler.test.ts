// Goal: the scheduler runs exactly one fiber between scheduling points, jumps
// simulated time when nothing is runnable, and kills processes with no cleanup.
import { describe, expect, it } from 'vitest';
import { streamsFromSeed } from '../../sim/random/choices.ts';
import { Scheduler, type SimProcess } from '../../sim/scheduler.ts';

function process(id: string): SimProcess {
  return { id, run: `${id}.1`, role: 'worker', pid: 2, generation: 1, skewMs: 0, alive: true, pausedUntil: 0, stopRequested: false, fibers: [] };
}

function scheduler(seed = 1) {
  return new Scheduler({ policy: 'random', random: streamsFromSeed(seed).streams.schedule, pctDepth: 3, pctSteps: 100, statementMs: 1 });
}

describe('Scheduler', () => {
  it('never runs two fibers between scheduling points', async () => {
    const s = scheduler();
    let inside = 0;
    let overlaps = 0;
    for (const name of ['a', 'b', 'c']) {
      s.spawnFiber(process(name), 'main', 1, async (fiber) => {
        for (let step = 0; step < 20; step += 1) {
          inside += 1;
          if (inside > 1) overlaps += 1;
          await Promise.resolve();
          inside -= 1;
          await s.point(fiber);
        }
      });
    }
    expect(await s.run({ until: () => false, stepsMax: 10_000, timeMax: 1_000_000 })).toBe('idle');
    expect(overlaps).toBe(0);
    // Each fiber gets 21 turns: its start, then one after each of its 20 points.
    expect(s.steps).toBe(63);
  });

  it('jumps simulated time to the next wake-up when nothing is runnable', async () => {
    const s = scheduler();
    const woke: number[] = [];
    s.spawnFiber(process('a'), 'main', 1, async (fiber) => {
      await s.sleep(fiber, 3_600_000);
      woke.push(s.now);
    });
    expect(await s.run({ until: () => false, stepsMax: 100, timeMax: 10_000_000 })).toBe('idle');
    expect(woke).toEqual([3_600_000]);
  });

  it('stops at the time budget instead of hanging, and says so', async () => {
    const s = scheduler();
    s.spawnFiber(process('a'), 'main', 1, async (fiber) => {
      for (;;) await s.sleep(fiber, 1000);
    });
    expect(await s.run({ until: () => false, stepsMax: 1_000_000, timeMax: 5_500 })).toBe('time');
    expect(s.now).toBeLessThanOrEqual(5_500);
  });

  it('a killed process never runs again; its peers do', async () => {
    const s = scheduler();
    const victim = process('victim');
    const ran: string[] = [];
    s.spawnFiber(victim, 'main', 1, async (fiber) => {
      for (;;) {
        await s.sleep(fiber, 10);
        ran.push('victim');
      }
    });
    s.spawnFiber(process('peer'), 'main', 1, async (fiber) => {
      for (let step = 0; step < 5; step += 1) {
        await s.sleep(fiber, 10);
        ran.push('peer');
      }
    });
    s.at(25, () => s.kill(victim));
    await s.run({ until: () => false, stepsMax: 1000, timeMax: 1000 });
    expect(ran.filter((name) => name === 'victim')).toHaveLength(2);
    expect(ran.filter((name) => name === 'peer')).toHaveLength(5);
  });

  it('a paused process is not scheduled until its pause ends', async () => {
    const s = scheduler();
    const paused = process('paused');
    paused.pausedUntil = 500;
    const times: number[] = [];
    s.spawnFiber(paused, 'main', 1, async () => {
      times.push(s.now);
    });
    await s.run({ until: () => false, stepsMax: 100, timeMax: 10_000 });
    expect(times).toEqual([500]);
  });

  it('the same seed gives the same interleaving; another seed gives another', async () => {
    const order = async (seed: number) => {
      const s = scheduler(seed);
      const seen: string[] = [];
      for (const name of ['a', 'b', 'c', 'd']) {
        s.spawnFiber(process(name), 'main', 1, async (fiber) => {
          for (let step = 0; step < 10; step += 1) {
            seen.push(name);
            await s.point(fiber);
          }
        });
      }
      await s.run({ until: () => false, stepsMax: 1000, timeMax: 1000 });
      return seen.join('');
    };
    expect(await order(7)).toBe(await order(7));
    expect(await order(7)).not.toBe(await order(8));
  });
});
