// STALE_WRITE_FENCED: a write under a lease that something has since superseded
// changes nothing. Incident 001 gated complete / error / release on the lease
// token precisely so that a worker reaped between its claim and its write -
// paused, or just slow - cannot finalize a step on top of a fresh claimant.
import type { History, OperationEvent } from '../history.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryCheckOptions, HistoryInvariant } from './definition.ts';
import { at, endText, leaseText, writeText } from './explain.ts';
import { walkHistory, type HistoryMonitor, type HistoryWalk, type JobTrack, type RunTrack } from './history-walk.ts';

class StaleWriteFencedMonitor implements HistoryMonitor {
  readonly invariant = 'STALE_WRITE_FENCED';

  onWrite(event: OperationEvent, _run: RunTrack, job: JobTrack, walk: HistoryWalk): void {
    const lease = event.lease;
    if (lease == null) return;
    if (job.holder !== null && job.holder.lease === lease) return;
    const record = walk.claimWithLease(job, lease);
    if (record !== null) {
      const end = record.end;
      // A lease that ended with the job's terminal write is TERMINAL_FINAL's case.
      if (end === null || end.reason === 'terminal') return;
      walk.report({
        invariant: this.invariant,
        eventIndex: event.index,
        time: event.time,
        jobs: [job.id],
        processes: end.process === event.process ? [event.process] : [event.process, end.process],
        explanation:
          `Let ${leaseText(lease)} be ${record.run.process}'s lease on job ${job.id} from its claim at ${at(record.time)}. ` +
          `Then ${endText(end, job.id)}, which superseded ${lease}. ` +
          `${writeText(event)} and the write took effect, but it should have had no effect because ${lease} was no longer the job's lease.`,
      });
      return;
    }
    if (job.terminal !== null) return;
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job.id],
      processes: [event.process],
      explanation:
        `Let a write take effect only under the lease of the job's current claim. ` +
        `Then ${writeText(event)} and the write took effect, but no claim of job ${job.id} ever returned ${leaseText(lease)}` +
        `${job.holder === null ? '' : ` (the current lease is ${leaseText(job.holder.lease)})`}, so the write was not fenced at all.`,
    });
  }
}

export function checkStaleWriteFenced(history: History, _options?: HistoryCheckOptions): Violation[] {
  return walkHistory(history, [new StaleWriteFencedMonitor()]).violations;
}

export const STALE_WRITE_FENCED: HistoryInvariant = {
  id: 'STALE_WRITE_FENCED',
  family: 'STALE_WRITE_FENCED',
  statement:
    'A complete, fail or release carrying a lease that a later claim of the job, or a requeue of it (reap, release, fail-retry, startup, shutdown), superseded is not applied.',
  origin: [
    { incident: '001', why: 'terminal writes were gated on the lease so a worker reaped between claim and write cannot finalize a step on top of a fresh claimant.' },
  ],
  implies: [],
  kind: 'history',
  requires: ['leaseTokens'],
  check: checkStaleWriteFenced,
  monitor: () => new StaleWriteFencedMonitor(),
};
