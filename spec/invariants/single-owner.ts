// SINGLE_OWNER: one job, one execution at a time, and only its holder may end
// it. Incident 001's old runner set RUNNING after a separate read, so two
// workers could claim one step, and a worker reaped between claim and write
// could finalize a step on top of a fresh claimant.
//
// A holding starts with a claim ok and ends with the holder's accepted terminal
// write, a requeue (reap, startup, shutdown, release, fail-retry), or a newer
// claim. A newer claim while the previous holder's incarnation is still alive is
// an overlap; once that incarnation has died its execution is over, so a
// recovery that needs no requeue (lease expiry) is not one. Writes to a job that
// already ended terminal are TERMINAL_FINAL's to report.
import type { History, OperationEvent } from '../history.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryCheckOptions, HistoryInvariant } from './definition.ts';
import { at, endText, leaseText, runName, trackName, writeText } from './explain.ts';
import { walkHistory, type HistoryMonitor, type HistoryWalk, type JobTrack, type RunTrack } from './history-walk.ts';

class SingleOwnerMonitor implements HistoryMonitor {
  readonly invariant = 'SINGLE_OWNER';

  onClaim(event: OperationEvent, _run: RunTrack, job: JobTrack | null, walk: HistoryWalk): void {
    const holder = job?.holder ?? null;
    if (job === null || holder === null || !holder.run.alive) return;
    const lost = walk.lastWideInfo;
    if (lost !== null && lost.index > holder.index) {
      // A reap (startup, shutdown) whose answer was lost may have requeued the job in between: then this is no overlap.
      walk.undecide({
        invariant: this.invariant,
        eventIndex: event.index,
        time: event.time,
        jobs: [job.id],
        processes: holder.run.process === event.process ? [event.process] : [holder.run.process, event.process],
        explanation:
          `${runName(event.process, event.run)}'s claim at ${at(event.time)} returned job ${job.id} while ${trackName(holder.run)} still held it from ${at(holder.time)} with ${leaseText(holder.lease)}; ` +
          `${lost.process}'s ${lost.op} at ${at(lost.time)} lost its answer and may have requeued it, so whether two executions overlap cannot be judged.`,
      });
      return;
    }
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job.id],
      processes: holder.run.process === event.process ? [event.process] : [holder.run.process, event.process],
      explanation:
        `Let ${trackName(holder.run)} hold job ${job.id} from its claim at ${at(holder.time)} with ${leaseText(holder.lease)}; ` +
        `it had not finished, nothing had requeued the job and ${holder.run.process} was alive. ` +
        `Then ${runName(event.process, event.run)}'s claim at ${at(event.time)} returned job ${job.id} again with ${leaseText(event.lease)}, ` +
        `because the claim did not take the job atomically (or took a job that was not queued), so two executions of job ${job.id} overlap.`,
    });
  }

  onWrite(event: OperationEvent, run: RunTrack, job: JobTrack, walk: HistoryWalk): void {
    if (job.terminal !== null) return;
    const holder = job.holder;
    if (holder !== null && holder.run === run && (holder.lease === null || event.lease == null || holder.lease === event.lease)) return;
    let because: string;
    const processes = [event.process];
    if (holder !== null) {
      because =
        holder.run === run
          ? `${trackName(run)} held job ${job.id} under a newer claim at ${at(holder.time)} with ${leaseText(holder.lease)}`
          : `the job's latest claim was ${trackName(holder.run)}'s at ${at(holder.time)} with ${leaseText(holder.lease)}`;
      if (holder.run.process !== event.process) processes.push(holder.run.process);
    } else if (job.lastEnd !== null) {
      because = `nobody held job ${job.id} any more: ${endText(job.lastEnd, job.id)}`;
      if (job.lastEnd.process !== event.process) processes.push(job.lastEnd.process);
    } else {
      because = `no claim of job ${job.id} appears in the history`;
    }
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job.id],
      processes,
      explanation:
        `Let only the holder of job ${job.id}'s latest claim end it. ` +
        `Then ${writeText(event)} and the write took effect, but ${because}, ` +
        `so ${event.process}'s write should have had no effect.`,
    });
  }
}

export function checkSingleOwner(history: History, _options?: HistoryCheckOptions): Violation[] {
  return walkHistory(history, [new SingleOwnerMonitor()]).violations;
}

export const SINGLE_OWNER: HistoryInvariant = {
  id: 'SINGLE_OWNER',
  family: 'SINGLE_OWNER',
  statement:
    'Every accepted complete, fail or release comes from the current holder of the job’s latest claim, and a job is never claimed while an earlier claim of it is held by a live process.',
  origin: [
    {
      incident: '001',
      why: 'claim was read-then-set, so two workers could claim one step, and a worker reaped between claim and write could finalize a step on top of a fresh claimant.',
    },
  ],
  implies: ['STALE_WRITE_FENCED'],
  kind: 'history',
  requires: [],
  check: checkSingleOwner,
  monitor: () => new SingleOwnerMonitor(),
};
