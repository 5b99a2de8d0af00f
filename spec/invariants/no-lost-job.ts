// NO_LOST_JOB: every acknowledged enqueue ends in exactly one terminal outcome,
// and the rows agree with the history about which. A job whose row vanished, or
// whose terminal outcome the rows contradict, was lost; a job that ended twice
// ran its outcome's consequences twice. Judged in the pass for the "twice" half
// and against the final state at the end for the rest (a job still queued at the
// end is ALL_TERMINAL's concern, not a lost one).
import type { History, OperationEvent } from '../history.ts';
import { TERMINAL_STATUSES, type JobState, type State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryCheckOptions, HistoryInvariant } from './definition.ts';
import { at, changeText, outcomeText } from './explain.ts';
import { maybeTerminal, walkHistory, type Change, type HistoryMonitor, type HistoryWalk, type JobTrack, type Outcome } from './history-walk.ts';

class NoLostJobMonitor implements HistoryMonitor {
  readonly invariant = 'NO_LOST_JOB';

  constructor(private readonly finalState: State | undefined) {}

  onTransition(event: OperationEvent, job: JobTrack, change: Change, outcome: Outcome | null, walk: HistoryWalk): void {
    if (change !== 'terminal' || job.terminal === null) return;
    const first = job.terminal;
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job.id],
      processes: first.process === event.process ? [event.process] : [first.process, event.process],
      explanation:
        `Let ${outcomeText(first, job.id)}. ` +
        `Then ${changeText(event, change, outcome)}, a second accepted terminal outcome, ` +
        `because the engine accepted a terminal write for a job that had already ended.`,
    });
  }

  onEnd(walk: HistoryWalk): void {
    if (this.finalState === undefined) return;
    const rows = new Map<number, JobState>();
    for (const row of this.finalState.jobs) rows.set(row.id, row);
    const end = this.finalState.time;
    for (const job of walk.allJobs()) {
      if (job.enqueueIndex < 0) continue;
      const row = rows.get(job.id);
      if (row === undefined) {
        walk.report({
          invariant: this.invariant,
          eventIndex: job.enqueueIndex,
          time: job.enqueueTime,
          jobs: [job.id],
          processes: job.enqueueProcess === null ? [] : [job.enqueueProcess],
          explanation:
            `Let ${job.enqueueProcess ?? 'a process'}'s enqueue of job ${job.id} have been acknowledged at ${at(job.enqueueTime)}. ` +
            `Then at the end (${at(end)} on the rows' clock) no row of job ${job.id} exists, ` +
            `because something deleted or never committed an acknowledged job.`,
        });
        continue;
      }
      const last = job.lastOutcome;
      if (last !== null) {
        if (row.status === last.outcome) continue;
        walk.report({
          invariant: this.invariant,
          eventIndex: last.index,
          time: last.time,
          jobs: [job.id],
          processes: [last.process],
          explanation:
            `Let ${outcomeText(last, job.id)} (its last accepted terminal outcome). ` +
            `Then at the end job ${job.id}'s row says ${row.status}, ` +
            `because a later write overwrote or undid an accepted terminal outcome.`,
        });
        continue;
      }
      // A write, reap or startup whose answer was lost may have ended it: the row then tells its outcome.
      if (!TERMINAL_STATUSES.has(row.status) || maybeTerminal(job, walk)) continue;
      walk.report({
        invariant: this.invariant,
        eventIndex: job.enqueueIndex,
        time: job.enqueueTime,
        jobs: [job.id],
        processes: row.owner === null ? [] : [row.owner],
        explanation:
          `Let job ${job.id} have been enqueued at ${at(job.enqueueTime)}. ` +
          `Then at the end its row says ${row.status}${row.owner === null ? '' : ` (owner ${row.owner})`}, but no accepted write, reap or startup in the history ended it, ` +
          `because something ended the job outside any operation the history records.`,
      });
    }
  }
}

export function checkNoLostJob(history: History, options?: HistoryCheckOptions): Violation[] {
  return walkHistory(history, [new NoLostJobMonitor(options?.finalState)]).violations;
}

export const NO_LOST_JOB: HistoryInvariant = {
  id: 'NO_LOST_JOB',
  family: 'NO_LOST_JOB',
  statement:
    'Every job whose enqueue was acknowledged still exists at the end, reaches at most one accepted terminal outcome, and its final status agrees with the last accepted terminal outcome in the history.',
  origin: [
    { incident: '001', why: 'stale finishers and double claims can end a step twice, or overwrite its outcome with a requeue, so the outcome the caller saw is not the one kept.' },
  ],
  implies: [],
  kind: 'history',
  requires: ['stateView'],
  check: checkNoLostJob,
  monitor: (options) => new NoLostJobMonitor(options.finalState),
};
