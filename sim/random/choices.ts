// The recorded choice stream. Every decision the simulator makes (world options,
// which process runs next, whether a fault fires) is an integer drawn here, so a
// run is fully described by its seed — or, after shrinking, by the list of
// choices it consumed (Hypothesis's idea: shrink the choices, not the objects).
import { createHash } from 'node:crypto';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import type { StoryFault } from '../world/story-faults.ts';

/** Largest seed accepted: seeds are unsigned 32-bit integers. */
export const SEED_MAX = 0xffff_ffff;

/** A source of bounded integers. `draw(n)` returns an integer in [0, n). */
export interface ChoiceSource {
  draw(bound: number): number;
  /**
   * Holds a position that this run does not need (a fault kind that is off, a
   * pause that did not fire): recorded as 0, never drawn from the generator, so
   * seeds draw what they always drew while the recorded stream keeps a fixed
   * layout — zeroing one decision then never shifts the decisions after it.
   */
  pad(): void;
}

/** Draws from pure-rand's xoroshiro128+ and records what it drew. */
export class RecordingSource implements ChoiceSource {
  readonly recorded: number[] = [];
  /** `generator` may be shared with other sources (keyed sub-streams draw from their parent's generator). */
  constructor(private readonly generator: JumpableRandomGenerator) {}
  draw(bound: number): number {
    const value = this.drawUnrecorded(bound);
    this.recorded.push(value);
    return value;
  }
  /** Draws without recording: for a decision recorded in another form (the scheduler records the fiber it picked, not the index). */
  drawUnrecorded(bound: number): number {
    if (!(bound >= 1 && Number.isInteger(bound))) throw new Error(`choice bound must be a positive integer, got ${bound}`);
    return bound === 1 ? 0 : uniformInt(this.generator, 0, bound - 1);
  }
  /** Records a value that was decided without drawing. */
  record(value: number): void {
    this.recorded.push(value);
  }
  pad(): void {
    this.recorded.push(0);
  }
  /** A source that draws from the same generator but records elsewhere (a keyed sub-stream). */
  sibling(): RecordingSource {
    return new RecordingSource(this.generator);
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
    const value = Math.min(Math.max(0, this.next()), bound - 1);
    this.recorded.push(value);
    return value;
  }
  /** The next recorded value as it is, unclamped (the scheduler's recorded fiber codes). */
  readRaw(): number {
    const value = Math.max(0, this.next());
    this.recorded.push(value);
    return value;
  }
  pad(): void {
    this.next();
    this.recorded.push(0);
  }
  private next(): number {
    const raw = this.position < this.choices.length ? this.choices[this.position]! : 0;
    this.position += 1;
    return raw;
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
  /** Holds `count` positions this run does not use (see ChoiceSource.pad). */
  pad(count = 1): void {
    for (let index = 0; index < count; index += 1) this.source.pad();
  }
}

/** The three sub-streams of a run. Changing fault options never shifts the workload's draws. */
export interface Streams {
  workload: Random;
  schedule: Random;
  faults: Random;
  /**
   * A sub-stream owned by one thing of the world (a process's starts, one loop's
   * turns): drawn from `from`'s generator, so a seed's run is unchanged, but
   * recorded under `key`, so removing another process never shifts it. Keys are
   * `<s|f>.<owner>` (see keyedName).
   */
  keyed(from: StreamName, owner: string): Random;
  /** True when replaying recorded choices, false when drawing from a seed. */
  replaying: boolean;
}

export type StreamName = 'workload' | 'schedule' | 'faults';
export const STREAM_NAMES: readonly StreamName[] = ['workload', 'schedule', 'faults'];

/**
 * What shrinking removed from the world, kept with the choices so that a shrunk
 * run replays from its token alone. Removal never renumbers: job k and process
 * w3 keep their names and their draws.
 */
export interface ChoiceStructure {
  /** Planned jobs (by workload index k) that do not exist in this run. */
  jobsOmitted: number[];
  /** Process slots (c1, w2, …) that are never started. */
  processesOmitted: string[];
  /** The safety phase ends here instead of at the drawn length (a shorter run of a liveness failure). */
  safetyMs?: number;
  /**
   * The loops' faults, tied to the story (world/story-faults.ts): when present,
   * no turn draws faults and these fire instead, each after its anchor.
   */
  storyFaults?: StoryFault[];
}

export interface RecordedChoices {
  workload: number[];
  schedule: number[];
  faults: number[];
  /** Keyed sub-streams (Streams.keyed), by key; absent in choices recorded before they existed. */
  keyed?: Record<string, number[]>;
  structure?: ChoiceStructure;
}

/** The recorded name of a keyed sub-stream: `s.w1` (schedule draws of w1's starts), `f.w1/main` (fault draws of w1's main loop). */
export function keyedName(from: StreamName, owner: string): string {
  return `${from === 'workload' ? 'w' : from === 'schedule' ? 's' : 'f'}.${owner}`;
}

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
  return fromSources(sources, (from, _key) => sources[STREAM_NAMES.indexOf(from)]!.sibling(), false, undefined);
}

/** Sub-streams that replay recorded choices (for shrinking and for replaying a shrunk run). */
export function streamsFromChoices(choices: RecordedChoices): { streams: Streams; recorded: () => RecordedChoices } {
  return fromSources(
    STREAM_NAMES.map((name) => new ReplaySource(choices[name])),
    (_from, key) => new ReplaySource(choices.keyed?.[key] ?? []),
    true,
    choices.structure,
  );
}

function fromSources(
  sources: (RecordingSource | ReplaySource)[],
  keyedSource: (from: StreamName, key: string) => RecordingSource | ReplaySource,
  replaying: boolean,
  structure: ChoiceStructure | undefined,
): { streams: Streams; recorded: () => RecordedChoices } {
  const [workload, schedule, faults] = sources as [RecordingSource | ReplaySource, RecordingSource | ReplaySource, RecordingSource | ReplaySource];
  const keyed = new Map<string, { source: RecordingSource | ReplaySource; random: Random }>();
  return {
    streams: {
      workload: new Random(workload),
      schedule: new Random(schedule),
      faults: new Random(faults),
      keyed: (from, owner) => {
        const key = keyedName(from, owner);
        let entry = keyed.get(key);
        if (entry === undefined) {
          const source = keyedSource(from, key);
          entry = { source, random: new Random(source) };
          keyed.set(key, entry);
        }
        return entry.random;
      },
      replaying,
    },
    recorded: () => {
      const choices: RecordedChoices = { workload: [...workload.recorded], schedule: [...schedule.recorded], faults: [...faults.recorded] };
      const entries = [...keyed.entries()].filter(([, entry]) => entry.source.recorded.length > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (entries.length > 0) choices.keyed = Object.fromEntries(entries.map(([key, entry]) => [key, [...entry.source.recorded]]));
      if (structure !== undefined) choices.structure = cloneStructure(structure);
      return choices;
    },
  };
}

export function cloneStructure(structure: ChoiceStructure): ChoiceStructure {
  return {
    jobsOmitted: [...structure.jobsOmitted],
    processesOmitted: [...structure.processesOmitted],
    ...(structure.safetyMs === undefined ? {} : { safetyMs: structure.safetyMs }),
    ...(structure.storyFaults === undefined ? {} : { storyFaults: structure.storyFaults.map((fault) => ({ ...fault, anchor: { ...fault.anchor } })) }),
  };
}

export function cloneChoices(choices: RecordedChoices): RecordedChoices {
  const copy: RecordedChoices = { workload: [...choices.workload], schedule: [...choices.schedule], faults: [...choices.faults] };
  if (choices.keyed !== undefined) copy.keyed = Object.fromEntries(Object.entries(choices.keyed).map(([key, values]) => [key, [...values]]));
  if (choices.structure !== undefined) copy.structure = cloneStructure(choices.structure);
  return copy;
}
