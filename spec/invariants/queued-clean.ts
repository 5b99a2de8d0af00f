// QUEUED_CLEAN: a queued job carries no trace of a past run. Incident 003 is
// this rule broken: a requeue kept the dead run's pid, the OS gave that pid to
// another process, and the liveness check believed the job was still running.
import type { State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { StateInvariant } from './definition.ts';
import { at, listText } from './explain.ts';

export function checkQueuedClean(state: State): Violation[] {
  const violations: Violation[] = [];
  for (const job of state.jobs) {
    if (job.status !== 'queued') continue;
    const kept: string[] = [];
    if (job.owner !== null) kept.push(`owner ${job.owner}`);
    if (job.leaseToken !== null) kept.push(`lease ${job.leaseToken}`);
    if (job.pid !== null) kept.push(`pid ${job.pid}`);
    if (job.runId !== null) kept.push(`run ${job.runId}`);
    if (job.startedAt !== null) kept.push(`startedAt ${at(job.startedAt)}`);
    if (kept.length === 0) continue;
    violations.push({
      invariant: QUEUED_CLEAN.id,
      eventIndex: null,
      time: state.time,
      jobs: [job.id],
      processes: job.owner === null ? [] : [job.owner],
      explanation:
        `Let job ${job.id} be queued in queue ${job.queue} at ${at(state.time)}. ` +
        `Then it still carries ${listText(kept)}, ` +
        `because whatever returned it to the queue did not clear its ownership; ` +
        `a check that trusts the stale ${job.pid !== null ? `pid ${job.pid}` : 'ownership'} can judge a dead run alive and wedge the queue (incident 003).`,
    });
  }
  return violations;
}

export const QUEUED_CLEAN: StateInvariant = {
  id: 'QUEUED_CLEAN',
  family: 'QUEUED_CLEAN',
  statement: 'A queued job has no owner, lease token, pid, run id or start time.',
  origin: [
    {
      incident: '003',
      why: 'requeue paths kept the dead run’s pid and run id; a reused pid then looked alive and the reaper guarded a phantom run forever.',
    },
  ],
  implies: [],
  kind: 'state',
  requires: ['stateView'],
  check: checkQueuedClean,
};
