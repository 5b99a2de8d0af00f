// Goal: a run's fired faults, replayed as story faults (world/story-faults.ts)
// instead of the loops' turn draws, give the very same run; a story fault does
// fire (removing it changes the run) and follows its anchor when the story
// moves; and the token carries story faults exactly, refusing a malformed one.
import { afterAll, describe, expect, it } from 'vitest';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { ChoicesFormatError, decodeChoices, encodeChoices } from '../../sim/choices-codec.ts';
import { Harness } from '../../sim/harness.ts';
import type { RecordedChoices } from '../../sim/random/choices.ts';
import type { RunResult } from '../../sim/run.ts';
import type { StoryFault } from '../../sim/world/story-faults.ts';

/** The run's choices with its loops' turn draws replaced by these story faults. */
function asStory(run: RunResult, faults: StoryFault[]): RecordedChoices {
  const keyed = Object.fromEntries(Object.entries(run.choices.keyed ?? {}).filter(([key]) => !(key.startsWith('f.') && key.includes('/'))));
  return { ...run.choices, keyed, structure: { jobsOmitted: [], processesOmitted: [], storyFaults: faults } };
}

describe('story faults', () => {
  const harness = new Harness(referenceAdapter);
  afterAll(() => harness.close());
  const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7];

  it('replay a seed exactly: the same trace hash as the turn draws they replace, through the printed token', async () => {
    let fired = 0;
    for (const seed of SEEDS) {
      const run = await harness.run({ seed });
      fired += run.firedFaults.length;
      const replayed = await harness.run({ seed, choices: decodeChoices(encodeChoices(asStory(run, run.firedFaults))) });
      expect(replayed.traceHash, `seed ${seed}`).toBe(run.traceHash);
      expect(replayed.firedFaults).toEqual(run.firedFaults);
    }
    // The check means something only if faults fired (a swarm leaves some seeds quiet, not eight).
    expect(fired).toBeGreaterThan(15);
  }, 120_000);

  it('do fire: without them the run is a different one, and no turn draws a fault in their place', async () => {
    const seed = await firstSeedWith((run) => run.firedFaults.some((fault) => fault.kind === 'crash'));
    const run = await harness.run({ seed });
    const quiet = await harness.run({ seed, choices: asStory(run, []) });
    expect(quiet.traceHash).not.toBe(run.traceHash);
    expect(quiet.firedFaults).toEqual([]);
    expect(quiet.history.some((event) => event.type === 'world' && (event.op === 'crash' || event.op === 'pause' || event.op === 'stop'))).toBe(false);
  }, 120_000);

  it('fire at their anchor plus their delay: a later delay moves the fault by as much, in the same loop', async () => {
    const movable = (fault: StoryFault) => fault.kind === 'crash' && fault.anchor.kind === 'op';
    const seed = await firstSeedWith((run) => run.firedFaults.some(movable));
    const run = await harness.run({ seed });
    const index = run.firedFaults.findIndex(movable);
    const crash = run.firedFaults[index]!;
    const slot = crash.loop.split('/')[0]!;
    const crashTimes = (result: RunResult) => result.history.filter((event) => event.type === 'world' && event.op === 'crash' && event.run?.startsWith(`${slot}.`)).map((event) => event.time);
    // The same faults with this crash 40 ms later: the runs agree until the crash, which comes at least 40 ms later.
    const later = await harness.run({ seed, choices: asStory(run, run.firedFaults.map((fault, at) => (at === index ? { ...fault, delayMs: fault.delayMs + 40 } : fault))) });
    const before = crashTimes(run);
    const after = crashTimes(later);
    const moved = before.findIndex((time, at) => after[at] !== time);
    expect(moved).toBeGreaterThanOrEqual(0);
    expect(after[moved]).toBeGreaterThanOrEqual(before[moved]! + 40);
    // An anchor that never comes to pass (a planned job nobody runs) fires nothing.
    const never = await harness.run({ seed, choices: asStory(run, [{ ...crash, anchor: { kind: 'op', op: 'complete', job: 9_999, nth: 1 } }]) });
    expect(crashTimes(never)).toEqual([]);
    expect(never.firedFaults).toEqual([]);
  }, 120_000);

  async function firstSeedWith(wanted: (run: RunResult) => boolean): Promise<number> {
    for (let seed = 0; seed < 60; seed += 1) if (wanted(await harness.run({ seed }))) return seed;
    throw new Error('no seed below 60 has the fault this test needs');
  }
});

describe('story faults in the choices token', () => {
  const faults: StoryFault[] = [
    { loop: 'w2/heartbeat', kind: 'stop', point: 'sleep', anchor: { kind: 'op', op: 'claim', job: 27, nth: 1 }, delayMs: 168 },
    { loop: 'w1/main', kind: 'pause', point: 'db', anchor: { kind: 'start', generation: 2 }, delayMs: 0, pauseSteps: 731, whole: false },
    { loop: 'w3/reaper', kind: 'crash', point: 'start', anchor: { kind: 'op', op: 'tryCompleteGroup', job: 0, nth: 3 }, delayMs: 12_345, squatSteps: 999 },
    { loop: 'c1/main', kind: 'lost-ack', point: 'db', anchor: { kind: 'op', op: 'enqueue', job: 40, nth: 1 }, delayMs: 5 },
  ];

  it('round-trips every kind, anchor and detail', () => {
    const choices: RecordedChoices = { workload: [1], schedule: [], faults: [], structure: { jobsOmitted: [], processesOmitted: [], storyFaults: faults } };
    const token = encodeChoices(choices);
    expect(token).toMatch(/^[0-9a-z.\-:/_+]+$/);
    expect(decodeChoices(token).structure?.storyFaults).toEqual(faults);
    // An empty list is kept (it says: no turn draws faults), not dropped.
    expect(decodeChoices(encodeChoices({ ...choices, structure: { jobsOmitted: [], processesOmitted: [], storyFaults: [] } })).structure?.storyFaults).toEqual([]);
  });

  it('refuses a malformed story fault with one line naming it', () => {
    for (const bad of ['w2/main_x_d_2_1_1_5', 'q2/main_c_d_2_1_1_5', 'w2/main_c_q_2_1_1_5', 'w2/main_c_d_z_1_1_5']) {
      expect(() => decodeChoices(`1--+story:${bad}`), bad).toThrow(ChoicesFormatError);
    }
  });
});
