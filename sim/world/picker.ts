// Which runnable fiber gets the next turn, and how that choice is recorded.
// Drawing from a seed, the pick is the scheduler's usual one (a weighted draw,
// or PCT's highest priority) and costs the same draws as ever; but what is
// recorded is WHO ran — a fiber code naming the process slot and the loop — at
// every turn, not an index into the runnable list. Replaying, the recorded
// fiber runs when it is runnable and the first runnable fiber otherwise (0 asks
// for the first runnable outright: the simplest schedule). So a shrinker that
// removes a process deletes that process's codes and the others keep their
// order, where an index would have pointed at a different fiber from then on.
import { RecordingSource, ReplaySource, type Random } from '../random/choices.ts';
import { pickByPolicy, type Fiber, type Policy } from '../scheduler.ts';

/** Loops of a process, in a fixed order; a loop not listed gets the last code of its slot. */
const LOOPS = ['main', 'heartbeat', 'reaper', 'enqueue'] as const;
const CODES_PER_SLOT = 8;
/** Worker slots are numbered after this many client slots. */
const CLIENT_SLOTS_MAX = 32;

/** The slot a process run belongs to: runs are named `<slot>.<generation>`. */
export function slotOfRun(run: string): string {
  return run.slice(0, run.lastIndexOf('.'));
}

/** The start number of a process run (`w2.3` → 3). */
export function generationOfRun(run: string): number {
  return Number(run.slice(run.lastIndexOf('.') + 1));
}

/** The code of a slot's loop (≥ 1; 0 means "the first runnable"). */
export function fiberCode(slot: string, loop: string): number {
  const number = Number.parseInt(slot.slice(1), 10);
  const rank = slot.startsWith('c') ? number - 1 : CLIENT_SLOTS_MAX + number - 1;
  const loopIndex = (LOOPS as readonly string[]).indexOf(loop);
  return rank * CODES_PER_SLOT + (loopIndex < 0 ? CODES_PER_SLOT - 1 : loopIndex) + 1;
}

/** The slot a recorded fiber code belongs to (the shrinker drops a removed slot's codes). */
export function slotOfCode(code: number): string | null {
  if (code <= 0) return null;
  const rank = Math.floor((code - 1) / CODES_PER_SLOT);
  return rank < CLIENT_SLOTS_MAX ? `c${rank + 1}` : `w${rank - CLIENT_SLOTS_MAX + 1}`;
}

export function codeOfFiber(fiber: Fiber): number {
  return fiberCode(slotOfRun(fiber.process.run), fiber.name);
}

/** A pick function for the scheduler (SchedulerOptions.chooser), over the schedule stream. */
export function fiberPicker(policy: Policy, schedule: Random): (runnable: readonly Fiber[]) => Fiber {
  const source = schedule.source;
  if (source instanceof ReplaySource) {
    return (runnable) => {
      const code = source.readRaw();
      if (code > 0) for (const fiber of runnable) if (codeOfFiber(fiber) === code) return fiber;
      return runnable[0]!;
    };
  }
  if (!(source instanceof RecordingSource)) throw new Error('the schedule stream must be recorded or replayed');
  return (runnable) => {
    // The scheduler's own pick, with the same draws, so seeds keep their runs; only what is recorded differs.
    const fiber = pickByPolicy(policy, runnable, (bound) => source.drawUnrecorded(bound));
    source.record(codeOfFiber(fiber));
    return fiber;
  };
}
