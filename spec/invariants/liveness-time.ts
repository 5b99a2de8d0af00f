// The moment liveness is judged, on the history's global clock: the end of the
// run if the caller knows it, else the last event. Final-state times are on the
// engine's clock and are never mixed with it.
import type { History } from '../history.ts';
import type { LivenessOptions } from './definition.ts';

export function judgedAt(history: History, options: LivenessOptions): number {
  if (options.endTime !== undefined) return options.endTime;
  const last = history[history.length - 1];
  return last === undefined ? options.healTime : last.time;
}

export function aliveSet(options: LivenessOptions): ReadonlySet<string> {
  return options.aliveProcesses instanceof Set ? (options.aliveProcesses as ReadonlySet<string>) : new Set(options.aliveProcesses);
}

/** For a sentence that starts with "Let the faults stop at … and": "the heal phase end at t=9000". */
export function healEndText(options: LivenessOptions, time: number): string {
  if (options.healCompleted !== false) return `the heal phase end at t=${time}`;
  return options.stall === undefined ? `the heal phase be cut by its budget at t=${time}` : `the heal phase be stopped at t=${time}${stallText(options.stall)}`;
}

/** For a clause after a time: " (the heal phase was cut by its budget)", or nothing when the work drained. */
export function healCutText(options: LivenessOptions): string {
  if (options.healCompleted !== false) return '';
  return options.stall === undefined ? ' (the heal phase was cut by its budget)' : ` (the heal phase was stopped${stallText(options.stall)})`;
}

function stallText(stall: NonNullable<LivenessOptions['stall']>): string {
  return ` because it had stalled: no job's row had changed since t=${stall.since}, longer than any recovery takes (${stall.boundMs} ms)`;
}
