// Phrases shared by the explanations of violations, so every checker names
// processes, runs, leases and times the same way ("w2 (run w2.1)", "t=5200",
// "lease L3") and a reader can grep a trace for what a sentence cites.
import type { OperationEvent } from '../history.ts';
import type { EndRecord, OutcomeRecord, RunTrack } from './history-walk.ts';

export function at(time: number): string {
  return `t=${time}`;
}

export function leaseText(lease: string | null | undefined): string {
  return lease == null ? 'no lease' : `lease ${lease}`;
}

/** "w2 (run w2.1)", or just the process id when the history has no run ids. */
export function runName(process: string, run: string | null | undefined): string {
  return run == null || run === process ? process : `${process} (run ${run})`;
}

export function trackName(run: RunTrack): string {
  return runName(run.process, run.run);
}

const WRITE_VERBS: Record<string, string> = {
  complete: 'completed',
  fail: 'failed',
  release: 'released',
  attachRun: 'attached its run to',
};

/** "w2 completed job 7 at t=5200 with lease L3". */
export function writeText(event: OperationEvent): string {
  const verb = WRITE_VERBS[event.op] ?? event.op;
  return `${event.process} ${verb} job ${event.job} at ${at(event.time)} with ${leaseText(event.lease)}`;
}

/** What an operation did to a job, as a clause: "w3's reap requeued it at t=4100". */
export function changeText(event: OperationEvent, change: 'requeue' | 'terminal', outcome: string | null): string {
  switch (event.op) {
    case 'reap':
      return change === 'requeue'
        ? `${event.process}'s reap requeued it at ${at(event.time)}`
        : `${event.process}'s reap ended it failed at ${at(event.time)} (attempts spent)`;
    case 'startup':
      return change === 'requeue'
        ? `${event.process}'s startup requeued it at ${at(event.time)}`
        : `${event.process}'s startup ended it failed at ${at(event.time)} (attempts spent)`;
    case 'shutdown':
      return `${event.process}'s shutdown released it at ${at(event.time)}`;
    case 'release':
      return `${event.process} released it at ${at(event.time)} with ${leaseText(event.lease)}`;
    case 'fail':
      return change === 'requeue'
        ? `${event.process}'s fail at ${at(event.time)} with ${leaseText(event.lease)} sent it back to the queue for a retry`
        : `${event.process}'s fail at ${at(event.time)} with ${leaseText(event.lease)} ended it failed`;
    case 'complete':
      return `${event.process} completed it at ${at(event.time)} with ${leaseText(event.lease)}`;
    default:
      return `${event.process}'s ${event.op} ${change === 'requeue' ? 'requeued it' : `ended it ${outcome ?? 'terminal'}`} at ${at(event.time)}`;
  }
}

/** How a holding ended, as a clause naming who and when. */
export function endText(end: EndRecord, job: number): string {
  switch (end.reason) {
    case 'claim':
      return `${end.process} claimed job ${job} at ${at(end.time)} with ${leaseText(end.lease)}`;
    case 'requeue':
      switch (end.op) {
        case 'reap':
          return `${end.process}'s reap requeued job ${job} at ${at(end.time)}`;
        case 'startup':
          return `${end.process}'s startup requeued job ${job} at ${at(end.time)}`;
        case 'shutdown':
          return `${end.process}'s shutdown released job ${job} at ${at(end.time)}`;
        case 'release':
          return `${end.process} released job ${job} at ${at(end.time)} with ${leaseText(end.lease)}`;
        case 'fail':
          return `${end.process}'s fail at ${at(end.time)} with ${leaseText(end.lease)} sent job ${job} back to the queue`;
        default:
          return `${end.process}'s ${end.op} requeued job ${job} at ${at(end.time)}`;
      }
    case 'terminal':
      return `${end.process}'s ${end.op} ended job ${job} ${end.outcome ?? 'terminal'} at ${at(end.time)}`;
  }
}

/** For a sentence that starts with "Let": "job 3 have ended completed at t=20 by w1's complete with lease L1". */
export function outcomeText(outcome: OutcomeRecord, job: number): string {
  const how =
    outcome.op === 'complete' || outcome.op === 'fail'
      ? `${outcome.process}'s ${outcome.op} with ${leaseText(outcome.lease)}`
      : `${outcome.process}'s ${outcome.op}`;
  return `job ${job} have ended ${outcome.outcome} at ${at(outcome.time)} by ${how}`;
}

/** "1 attempt", "3 attempts". */
export function countText(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Distinct, in first-seen order, without empty entries. */
export function distinct<T>(items: readonly (T | null | undefined)[]): T[] {
  const seen = new Set<T>();
  for (const item of items) if (item != null) seen.add(item);
  return [...seen];
}

export function listText(items: readonly (string | number)[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
