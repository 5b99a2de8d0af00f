// Goal: the shrinker's reading of the choice layout matches the world's. It
// tells a fault that fired from a draw that did not (a non-zero draw is usually
// NO fault), and finds the draw that sets a group member's arrival (its group's
// first member's); if the world's layout moved, these would silently stop
// shrinking anything, so they are checked against the world's own draws. The
// same holds for the container restarts' times, which the shrinker lowers.
import { afterAll, describe, expect, it } from 'vitest';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { Harness } from '../../sim/harness.ts';
import { arrivalLeader, jobTimeDraws } from '../../sim/shrink/job-draws.ts';
import { canonicalFaults, firedPositions, firstFiredFrame, withoutFaults } from '../../sim/shrink/turn-faults.ts';
import { streamsFromChoices, streamsFromSeed } from '../../sim/random/choices.ts';
import { parseFaultSelection } from '../../sim/world/faults.ts';
import { drawOptions, FAULT_OPTION_DRAWS, RESTART_COUNT_DRAW, type FaultRates } from '../../sim/world/options.ts';
import { drawWorkload, redrawWorkload } from '../../sim/world/workload.ts';
import { RESTART_DRAWS, TURN_FRAME } from '../../sim/world/world.ts';

const rates: FaultRates = { crashPerMille: 5, lostAckPerMille: 15, pausePerMille: 20, pidReusePercent: 0, restarts: 0, shutdownPerMille: 0 };

describe('fired faults in a loop’s turn frames', () => {
  // Frame 0: nothing fired (large draws below the thresholds). Frame 1: a pause (draw 985 ≥ 980) of length 412, whole.
  // Frame 2: a crash (996 ≥ 995), the rest padded. Frame 3: a lost ack (990 ≥ 985).
  const values = [994, 979, 0, 0, 0, 984, 3, 985, 412, 1, 0, 0, 996, 0, 0, 0, 0, 0, 7, 500, 0, 0, 0, 990];

  it('names the decisions that fired, not every non-zero draw', () => {
    expect(firedPositions(values, rates)).toEqual([TURN_FRAME + 1, 2 * TURN_FRAME, 3 * TURN_FRAME + 5]);
    expect(firstFiredFrame(values, rates)).toBe(1);
    expect(firstFiredFrame(values, { ...rates, pausePerMille: 0 })).toBe(2);
  });

  it('draws the unfired decisions as 0 and keeps the fired ones with a pause’s length and scope', () => {
    expect(canonicalFaults(values, rates)).toEqual([0, 0, 0, 0, 0, 0, 0, 985, 412, 1, 0, 0, 996, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 990]);
  });

  it('removes a pause with its length and scope, and leaves every other position where it was', () => {
    const next = withoutFaults(values, [TURN_FRAME + 1]);
    expect(next.slice(TURN_FRAME, 2 * TURN_FRAME)).toEqual([3, 0, 0, 0, 0, 0]);
    expect(next.length).toBe(values.length);
    expect(firedPositions(next, rates)).toEqual([2 * TURN_FRAME, 3 * TURN_FRAME + 5]);
  });
});

describe('the draw that sets a job’s arrival', () => {
  it('is its group’s first member’s delay draw, as the world draws it, for 40 seeds', () => {
    let members = 0;
    for (let seed = 0; seed < 40; seed += 1) {
      const { streams, recorded } = streamsFromSeed(seed);
      const options = drawOptions(seed, streams);
      const workload = drawWorkload(options, streams.workload);
      const choices = recorded();
      for (const job of workload.jobs) {
        const draws = jobTimeDraws(options, choices, job.k)!;
        expect(choices.workload[draws.delay]! * 20, `seed ${seed} job ${job.k}`).toBe(job.delayMs);
        if (job.spec.group !== undefined && arrivalLeader(options, choices, job.k) !== job.k) members += 1;
        // Lowering that draw moves the job (and its group), and nothing else's arrival.
        const lowered = { ...choices, workload: choices.workload.map((value, index) => (index === draws.delay ? 0 : value)) };
        const moved = redrawWorkload(options, lowered).jobs.filter((other, index) => other.delayMs !== workload.jobs[index]!.delayMs);
        for (const other of moved) expect(arrivalLeader(options, choices, other.k)).toBe(arrivalLeader(options, choices, job.k));
      }
    }
    // The seeds have groups whose later members are not their own leaders (else this checks nothing).
    expect(members).toBeGreaterThan(10);
  });
});

describe('the draws that set the container restarts’ times', () => {
  const harness = new Harness(referenceAdapter);
  afterAll(() => harness.close());

  it('set the number of restarts at the draw the shrinker lowers', () => {
    const { streams, recorded } = streamsFromSeed(1);
    drawOptions(1, streams, { faults: parseFaultSelection('restart') });
    const drawn = recorded().faults;
    const withCount = (value: number) => drawOptions(1, streamsFromChoices({ ...recorded(), faults: drawn.map((draw, index) => (index === RESTART_COUNT_DRAW ? value : draw)) }).streams, { faults: parseFaultSelection('restart') });
    expect(withCount(0).rates.restarts).toBe(1);
    expect(withCount(1).rates.restarts).toBe(2);
  });

  it('follow drawOptions’ fault draws, swarm or not, for 40 seeds', () => {
    for (let seed = 0; seed < 40; seed += 1) {
      for (const overrides of [{}, { faults: parseFaultSelection('restart,pause') }]) {
        const { streams, recorded } = streamsFromSeed(seed);
        drawOptions(seed, streams, overrides);
        expect(recorded().faults.length, `seed ${seed}`).toBe(FAULT_OPTION_DRAWS);
      }
    }
  });

  it('are where the world reads them: the restarts fall at 1 s plus the draws', { timeout: 60_000 }, async () => {
    const result = await harness.run({ seed: 3, faults: parseFaultSelection('restart'), world: { jobs: 4 } });
    expect(result.options.rates.restarts).toBeGreaterThan(0);
    const drawn = RESTART_DRAWS.slice(0, result.options.rates.restarts).map((index) => 1_000 + result.choices.faults[index]!);
    const restarts = result.history.filter((event) => event.type === 'world' && event.op === 'restart').map((event) => event.time);
    // A restart drawn after the heal (the work drained before it) never falls.
    const heal = result.history.find((event) => event.type === 'world' && event.op === 'heal')!.time;
    expect(restarts.length).toBeGreaterThan(0);
    expect(restarts).toEqual(drawn.filter((time) => time < heal).sort((a, b) => a - b));
  });
});
