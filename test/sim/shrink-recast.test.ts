// Goal: when removing one story fault hands another's part to a different slot,
// the shrinker recasts the story — the fault follows its part (the operation on
// the job it was anchored to) to the slot that now plays it — and the recast is
// kept only when the case still fails by the mutant's bug. Checked on the pure
// step, on the layout draw it raises (a second reaper), and end to end on the
// case that needed it: unfenced-terminal-writes seed 100020, whose shrink stood
// at 134 events without it.
import { afterAll, describe, expect, it } from 'vitest';
import { caughtBy, findMutant, mutantOverrides } from '../../conformance/mutants/index.ts';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { decodeChoices, encodeChoices } from '../../sim/choices-codec.ts';
import { Harness } from '../../sim/harness.ts';
import { streamsFromChoices, streamsFromSeed } from '../../sim/random/choices.ts';
import { relevantLength, shrinkRun } from '../../sim/shrink.ts';
import { recastFaults, recastSlots } from '../../sim/shrink/recast.ts';
import { drawOptions, REAPERS_DRAW } from '../../sim/world/options.ts';
import type { StoryEvent, StoryFault } from '../../sim/world/story-faults.ts';

const pause = (loop: string, anchor: StoryFault['anchor']): StoryFault => ({ loop, kind: 'pause', anchor, delayMs: 40, point: 'sleep', pauseSteps: 305, whole: true });

describe('recasting story faults', () => {
  const onClaim13 = pause('w2/heartbeat', { kind: 'op', op: 'claim', job: 13, nth: 1 });
  const onStart = pause('w1/heartbeat', { kind: 'start', generation: 1 });

  it('moves a fault whose slot never played its part to the slot that did, keeping its fiber and the rest', () => {
    // w1 now claims job 13; w2 claims job 1.
    const events: StoryEvent[] = [
      { slot: 'w1', op: 'enqueue', job: 13 },
      { slot: 'w2', op: 'claim', job: 1 },
      { slot: 'w1', op: 'claim', job: 13 },
    ];
    const moved = recastFaults([onStart, onClaim13], events)!;
    expect(moved).toEqual([onStart, { ...onClaim13, loop: 'w1/heartbeat' }]);
    expect(recastSlots([onStart, onClaim13], moved)).toEqual(['w1']);
  });

  it('leaves a fault whose slot still plays its part, and says so with null', () => {
    const events: StoryEvent[] = [{ slot: 'w2', op: 'claim', job: 13 }];
    expect(recastFaults([onStart, onClaim13], events)).toBeNull();
  });

  it('counts the nth time: a second claim that never came moves to the slot that claimed the job, as its 1st', () => {
    const second = pause('w2/main', { kind: 'op', op: 'claim', job: 13, nth: 2 });
    const events: StoryEvent[] = [
      { slot: 'w2', op: 'claim', job: 13 },
      { slot: 'w3', op: 'claim', job: 13 },
    ];
    expect(recastFaults([second], events)).toEqual([{ ...second, loop: 'w3/main', anchor: { kind: 'op', op: 'claim', job: 13, nth: 1 } }]);
  });

  it('gives up (null) when nobody plays the part: the story cannot be recast', () => {
    expect(recastFaults([onClaim13], [{ slot: 'w1', op: 'claim', job: 1 }])).toBeNull();
    expect(recastFaults([onClaim13], [])).toBeNull();
  });
});

describe('the reapers draw the recast raises', () => {
  it('is where drawOptions reads how many workers reap: 0 → one, 1 → two, for 20 seeds', () => {
    for (let seed = 0; seed < 20; seed += 1) {
      const { streams, recorded } = streamsFromSeed(seed);
      drawOptions(seed, streams);
      const drawn = recorded();
      const withReapers = (value: number) => drawOptions(seed, streamsFromChoices({ ...drawn, workload: drawn.workload.map((draw, index) => (index === REAPERS_DRAW ? value : draw)) }).streams);
      const [one, two] = [withReapers(0), withReapers(1)];
      expect(one.reapers, `seed ${seed}`).toBe(1);
      expect(two.reapers, `seed ${seed}`).toBe(Math.min(2, two.workers));
      // Nothing else of the world moves.
      expect({ ...two, reapers: 1 }, `seed ${seed}`).toEqual(one);
    }
  });
});

describe('recasting end to end', () => {
  const mutant = findMutant('unfenced-terminal-writes')!;
  const overrides = mutantOverrides(mutant);
  const harness = new Harness(mutant.adapter);
  const reference = new Harness(referenceAdapter);
  afterAll(async () => {
    await harness.close();
    await reference.close();
  });
  // What the shrinker reached for seed 100020 before it could recast (134 events, its fixpoint then): the
  // enqueuing worker w1 paused 8.8 s, and w2 paused after claiming planned job 13. Removing w1's pause lets
  // w1 claim job 13 instead, so w2's pause never fires and no single edit keeps the failure.
  const before =
    '_2.d.2.1._4.1.0.2.1.2.1._4.2._w.1.pk.27.37.2.jf.fe.1n.3.9i.3l.oj.0.p5.f2.7.2.nl-75.7d.7d.7g.7e.7d-_7.1-+jobs:0.1.2.3.6.7.8.9.a.b.c.f.g.k.l.m.n-+procs:w3.w4.w5-+story:w1/heartbeat_p_t_g_1_0_0_69.w1/main_p_s_g_1_0_17o_nb_1.w2/heartbeat_p_s_2_d_1_0_8h_1';
  const run = (on: Harness) => (choices: ReturnType<typeof decodeChoices>, horizonMs: number | undefined) =>
    on.run({ seed: 100_020, ...overrides, choices, ...(horizonMs === undefined ? {} : { horizonMs }) });

  it('takes the case past its old fixpoint, still failing on the mutant and passing on the reference', { timeout: 600_000 }, async () => {
    const failing = await run(harness)(decodeChoices(before), undefined);
    expect(caughtBy(mutant, failing.violations)).toBe(true);
    expect(relevantLength(failing, mutant.invariant)).toBe(134);
    const kept: Record<string, number> = {};
    // A budget of runs, not wall time: the same input gives the same output on any machine.
    const shrunk = await shrinkRun({
      failing,
      invariant: mutant.invariant,
      replay: run(harness),
      control: run(reference),
      runsMax: 400,
      wallMsMax: 600_000,
      nowMs: () => 0,
      onPass: (pass) => {
        kept[pass.name] = (kept[pass.name] ?? 0) + pass.kept;
      },
    });
    expect(kept.recastStory).toBeGreaterThan(0);
    expect(shrunk.traceLength).toBeLessThan(80);
    // The recast moved w2's pause to w1, the worker that now claims the job, and gave the world a second reaper.
    expect(shrunk.choices.structure?.storyFaults?.map((fault) => fault.loop)).not.toContain('w2/heartbeat');
    expect(shrunk.result.options.reapers).toBe(2);
    // It replays from its token, and the reference engine passes the same choices.
    const replayed = await run(harness)(decodeChoices(encodeChoices(shrunk.choices)), undefined);
    expect(replayed.traceHash).toBe(shrunk.result.traceHash);
    expect(caughtBy(mutant, replayed.violations)).toBe(true);
    expect(shrunk.control).toBe('passes');
    const honest = await run(reference)(shrunk.choices, undefined);
    expect(honest.outcome).not.toBe('adapter-error');
    expect(caughtBy(mutant, honest.violations)).toBe(false);
  });
});
