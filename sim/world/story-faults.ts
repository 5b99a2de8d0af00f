// Faults tied to the story instead of to a loop's n-th turn. A seed's world
// decides its faults turn by turn (world.ts beforeTurn): each turn of a loop
// draws a frame from that loop's own sub-stream. That layout keeps a fault in
// place when another loop's faults are removed, but not when the loop itself
// turns a different number of times — and every edit a shrinker makes (one job
// fewer, a quieter poll, an earlier arrival) does exactly that, so the stop that
// had to land while w2 held job 7 lands on an idle w2 and the failure is lost.
//
// A story fault says instead: in loop w2/main, N ms after w2's 1st claim of
// planned job 7 (or after w2's 2nd start), crash / pause / stop / lose an ack.
// The anchor is the slot's latest event that concerns a job (planned job keys,
// which removal never renumbers), or its latest start when that is more recent.
// A shrinker turns a failing run's fired faults into story faults once (the
// replay is the same run), and from then on removing jobs and processes, moving
// arrivals and quieting loops carries each fault along with the job it is about.
// Seeds never use them: a seed's world is drawn as it always was.
import type { Operation } from '../../spec/history.ts';
import type { PointKind } from '../scheduler.ts';

export type StoryFaultKind = 'crash' | 'pause' | 'stop' | 'lost-ack';

export type StoryAnchor =
  /** The slot's start number `generation` (1 = its first start). */
  | { kind: 'start'; generation: number }
  /** The slot's `nth` returned `op` on planned job `job` (k). */
  | { kind: 'op'; op: Operation; job: number; nth: number };

export interface StoryFault {
  /** The loop it fires in: `<slot>/<fiber>`, e.g. `w2/main`. */
  loop: string;
  kind: StoryFaultKind;
  anchor: StoryAnchor;
  /** It fires at the loop's first turn at least this long after the anchor (in the anchor's generation). */
  delayMs: number;
  /** The kind of turn it fired at; at exactly its time it waits for one (a wake and the statement after it share a millisecond). */
  point: PointKind;
  /** A pause's length, in the world's relative steps of its longest pause. */
  pauseSteps?: number;
  /** A pause stops the whole process (true) or only this loop. */
  whole?: boolean;
  /** A crash (or lost ack) after which a squatter takes the pid, living this many relative steps; absent: none. */
  squatSteps?: number;
}

interface Mark {
  generation: number;
  time: number;
}

/** A slot's returned operation on a planned job: what an `op` anchor names, in the order they happened. */
export interface StoryEvent {
  slot: string;
  op: Operation;
  /** The planned job (k). */
  job: number;
}

/**
 * What each slot has done that a story fault can be anchored to: its starts,
 * and its returned operations on planned jobs. Both halves use it — a run
 * records each fault it fires against the latest anchor, and a replay of story
 * faults asks when an anchor happened.
 */
export class StoryTracker {
  private readonly starts = new Map<string, Mark[]>();
  private readonly jobEvents = new Map<string, Mark[]>();
  private readonly latest = new Map<string, { anchor: StoryAnchor; mark: Mark }>();
  private readonly order: StoryEvent[] = [];

  started(slot: string, generation: number, time: number): void {
    const mark = { generation, time };
    const list = this.starts.get(slot) ?? [];
    list.push(mark);
    this.starts.set(slot, list);
    this.latest.set(slot, { anchor: { kind: 'start', generation }, mark });
  }

  jobEvent(slot: string, generation: number, op: Operation, job: number, time: number): void {
    const key = jobKey(slot, op, job);
    const list = this.jobEvents.get(key) ?? [];
    const mark = { generation, time };
    list.push(mark);
    this.jobEvents.set(key, list);
    this.latest.set(slot, { anchor: { kind: 'op', op, job, nth: list.length }, mark });
    this.order.push({ slot, op, job });
  }

  /** Every slot's returned operations on planned jobs so far, in order (a shrinker reads who played which part). */
  events(): readonly StoryEvent[] {
    return this.order;
  }

  /** The fault a slot's loop fires now, at a turn of this kind, anchored to the slot's latest event. */
  describe(loop: string, slot: string, kind: StoryFaultKind, point: PointKind, now: number): StoryFault {
    const latest = this.latest.get(slot);
    if (latest === undefined) return { loop, kind, anchor: { kind: 'start', generation: 1 }, delayMs: now, point };
    return { loop, kind, anchor: latest.anchor, delayMs: now - latest.mark.time, point };
  }

  /** When the anchor happened, if it has, in the given generation of the slot; null otherwise. */
  timeOf(slot: string, anchor: StoryAnchor, generation: number): number | null {
    const mark = this.markOf(slot, anchor);
    return mark === undefined || mark.generation !== generation ? null : mark.time;
  }

  /** Whether the anchor can still come to pass in a slot now in this generation (an anchor of an earlier generation cannot). */
  stillPossible(slot: string, anchor: StoryAnchor, generation: number): boolean {
    if (anchor.kind === 'start') return anchor.generation >= generation;
    const mark = this.markOf(slot, anchor);
    return mark === undefined || mark.generation >= generation;
  }

  private markOf(slot: string, anchor: StoryAnchor): Mark | undefined {
    return anchor.kind === 'start' ? this.starts.get(slot)?.[anchor.generation - 1] : this.jobEvents.get(jobKey(slot, anchor.op, anchor.job))?.[anchor.nth - 1];
  }
}

function jobKey(slot: string, op: Operation, job: number): string {
  return `${slot} ${op} ${job}`;
}
