// Which positions of a loop's turn-fault sub-stream fired a fault. A frame of
// TURN_FRAME positions (world/world.ts beforeTurn) holds: crash, pause, pause
// length, pause scope, stop, lost ack. A decision is a `chance(n, 1000)` draw
// that fires when the drawn value is at least 1000 − n, so a non-zero value is
// usually a fault that did NOT fire; positions not drawn are padded with 0.
// The shrinker removes fired faults and clears the rest (zero is "no fault").
import type { FaultRates } from '../world/options.ts';
import { TURN_FRAME } from '../world/world.ts';

const PER_MILLE = 1000;

/** Frame offsets of the decisions, and the rate that decides each. */
const DECISIONS: readonly { offset: number; rate: (rates: FaultRates) => number }[] = [
  { offset: 0, rate: (rates) => rates.crashPerMille },
  { offset: 1, rate: (rates) => rates.pausePerMille },
  { offset: 4, rate: (rates) => rates.shutdownPerMille },
  { offset: 5, rate: (rates) => rates.lostAckPerMille },
];
/** A pause's length and scope follow its decision. */
const PAUSE_OFFSET = 1;
const PAUSE_DETAILS = 2;

function fires(value: number, rate: number): boolean {
  return rate > 0 && (rate >= PER_MILLE || value >= PER_MILLE - rate);
}

/** Positions (indexes into the stream) whose decision fired under these rates. */
export function firedPositions(values: readonly number[], rates: FaultRates): number[] {
  const fired: number[] = [];
  for (let frame = 0; frame * TURN_FRAME < values.length; frame += 1) {
    for (const decision of DECISIONS) {
      const index = frame * TURN_FRAME + decision.offset;
      if (index < values.length && fires(values[index]!, decision.rate(rates))) fired.push(index);
    }
  }
  return fired;
}

/** The first turn (frame) at which a fault fired, or -1. */
export function firstFiredFrame(values: readonly number[], rates: FaultRates): number {
  const first = firedPositions(values, rates)[0];
  return first === undefined ? -1 : Math.floor(first / TURN_FRAME);
}

/** The stream with these fired positions removed (a pause's length and scope with it). */
export function withoutFaults(values: readonly number[], positions: readonly number[]): number[] {
  const next = [...values];
  for (const index of positions) {
    next[index] = 0;
    if (index % TURN_FRAME === PAUSE_OFFSET) for (let detail = 1; detail <= PAUSE_DETAILS && index + detail < next.length; detail += 1) next[index + detail] = 0;
  }
  return next;
}

/**
 * The same faults with every decision that did not fire drawn as 0 (and a
 * non-pause's padding kept at 0): the run is unchanged, and afterwards a
 * non-zero decision is a fault that fired, so the later passes see the faults.
 */
export function canonicalFaults(values: readonly number[], rates: FaultRates): number[] {
  const fired = new Set(firedPositions(values, rates));
  const next = values.map(() => 0);
  for (const index of fired) {
    next[index] = values[index]!;
    if (index % TURN_FRAME === PAUSE_OFFSET) for (let detail = 1; detail <= PAUSE_DETAILS && index + detail < values.length; detail += 1) next[index + detail] = values[index + detail]!;
  }
  return next;
}
