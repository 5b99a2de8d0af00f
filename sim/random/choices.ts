// The recorded choice stream. Every decision the simulator makes (world options,
// which process runs next, whether a fault fires) is an integer drawn here, so a
// run is fully described by its seed — or, after shrinking, by the list of
// choices it consumed (Hypothesis's idea: shrink the choices, not the objects).
import { createHash } from 'node:crypto';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** Largest seed accepted: seeds are unsigned 32-bit integers. */
export const SEED_MAX = 0xffff_ffff;

/** A source of bounded integers. `draw(n)` returns an integer in [0, n). */
export interface ChoiceSource {
  draw(bound: number): number;
}

/** Draws from pure-rand's xoroshiro128+ and records what it drew. */
export class RecordingSource implements ChoiceSource {
  readonly recorded: number[] = [];
  constructor(private readonly generator: JumpableRandomGenerator) {}
  draw(bound: number): number {
    if (!(bound >= 1 && Number.isInteger(bound))) throw new Error(`choice bound must be a positive integer, got ${bound}`);
    const value = bound === 1 ? 0 : uniformInt(this.generator, 0, bound - 1);
    this.recorded.push(value);
    return value;
  }
}

/**
 * Replays a (possibly shrunk) list of choices. A value too large for the bound
 * asked now is clamped; past the end it answers 0, the simplest choice — so any
 * edit of the list still describes a valid run.
 */
export class ReplaySource implements ChoiceSource {
  readonly recorded: number[] = [];
  private position = 0;
  constructor(private readonly choices: readonly number[]) {}
  draw(bound: number): number {
    const raw = this.position < this.choices.length ? this.choices[this.position]! : 0;
    this.position += 1;
    const value = Math.min(Math.max(0, raw), bound - 1);
    this.recorded.push(value);
    return value;
  }
}

/** Typed draws over a ChoiceSource. */
export class Random {
  constructor(readonly source: ChoiceSource) {}
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (max < min) throw new Error(`empty range [${min}, ${max}]`);
    return min + this.source.draw(max - min + 1);
  }
  /** True with probability numerator/denominator (a choice of 0 means "no": shrinking towards 0 removes events). */
  chance(numerator: number, denominator: number): boolean {
    if (numerator <= 0) return false;
    if (numerator >= denominator) return true;
    return this.source.draw(denominator) >= denominator - numerator;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.source.draw(items.length)]!;
  }
}

/** The three sub-streams of a run. Changing fault options never shifts the workload's draws. */
export interface Streams {
  workload: Random;
  schedule: Random;
  faults: Random;
}

export type StreamName = keyof Streams;
export const STREAM_NAMES: readonly StreamName[] = ['workload', 'schedule', 'faults'];

export type RecordedChoices = Record<StreamName, number[]>;

/**
 * The generator's 128-bit state for a seed: the first 16 bytes of
 * sha256("wf-sim:" + seed), read as four 32-bit words.
 *
 * Why not pure-rand's xoroshiro128plus(seed): it fills the state as
 * (-1, ~seed, seed, 0), so neighbouring small seeds start from nearly the same
 * state and their first draws are patterned (seeds 0 and 100 drew the same
 * world shape, and no seed below 128 had an enqueue-only client). Hashing makes
 * every seed's state unrelated to every other's; it cannot be all zeros in
 * practice (a 2^-128 chance), which xoroshiro would not survive.
 */
export function stateFromSeed(seed: number): number[] {
  const digest = createHash('sha256').update(`wf-sim:${seed >>> 0}`).digest();
  return [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
}

/** Independent sub-streams from one seed: each is the base generator jumped a different number of times (2^64 draws apart). */
export function streamsFromSeed(seed: number): { streams: Streams; recorded: () => RecordedChoices } {
  const base = xoroshiro128plusFromState(stateFromSeed(seed));
  const sources = STREAM_NAMES.map((_, index) => {
    const generator = base.clone() as JumpableRandomGenerator;
    for (let jump = 0; jump < index; jump += 1) generator.jump();
    return new RecordingSource(generator);
  });
  return fromSources(sources);
}

/** Sub-streams that replay recorded choices (for shrinking and for replaying a shrunk run). */
export function streamsFromChoices(choices: RecordedChoices): { streams: Streams; recorded: () => RecordedChoices } {
  return fromSources(STREAM_NAMES.map((name) => new ReplaySource(choices[name])));
}

function fromSources(sources: (RecordingSource | ReplaySource)[]): { streams: Streams; recorded: () => RecordedChoices } {
  const [workload, schedule, faults] = sources as [RecordingSource | ReplaySource, RecordingSource | ReplaySource, RecordingSource | ReplaySource];
  return {
    streams: { workload: new Random(workload), schedule: new Random(schedule), faults: new Random(faults) },
    recorded: () => ({ workload: [...workload.recorded], schedule: [...schedule.recorded], faults: [...faults.recorded] }),
  };
}
