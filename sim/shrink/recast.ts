// Recasting a story. A story fault is anchored to a slot's operation on a job
// ("w2's 1st claim of planned job 13"). Removing another fault can change who
// plays that part: without the pause that held w1 back, w1 claims job 13 and
// w2 claims another, so the fault that made job 13's holder go stale never
// fires and the failure is lost. No single edit gets past this; the story has
// to be recast: the fault moves to the slot that now plays its anchor's part.
import type { StoryEvent, StoryFault } from '../world/story-faults.ts';

/**
 * The faults with each `op`-anchored one whose slot never reached its anchor in
 * `events` moved to the first slot that did return that operation on that job
 * (anchored to that slot's 1st time), keeping its fiber (`w2/heartbeat` →
 * `w1/heartbeat`). Null when no fault moved, or one that must move has no slot
 * to move to.
 */
export function recastFaults(faults: readonly StoryFault[], events: readonly StoryEvent[]): StoryFault[] | null {
  let moved = false;
  const next: StoryFault[] = [];
  for (const fault of faults) {
    const anchor = fault.anchor;
    const slot = slotOf(fault.loop);
    if (anchor.kind !== 'op' || events.filter((event) => event.slot === slot && event.op === anchor.op && event.job === anchor.job).length >= anchor.nth) {
      next.push(fault);
      continue;
    }
    const player = events.find((event) => event.slot !== slot && event.op === anchor.op && event.job === anchor.job);
    if (player === undefined) return null;
    next.push({ ...fault, loop: `${player.slot}/${fiberOf(fault.loop)}`, anchor: { ...anchor, nth: 1 } });
    moved = true;
  }
  return moved ? next : null;
}

/** The slots a recast moved a fault to (the loops that differ from before). */
export function recastSlots(before: readonly StoryFault[], after: readonly StoryFault[]): string[] {
  return [...new Set(after.filter((fault, index) => fault.loop !== before[index]?.loop).map((fault) => slotOf(fault.loop)))];
}

function slotOf(loop: string): string {
  return loop.split('/')[0]!;
}

function fiberOf(loop: string): string {
  return loop.slice(loop.indexOf('/') + 1);
}
