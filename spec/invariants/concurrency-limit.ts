// CONCURRENCY_LIMIT: a queue never runs more jobs than its maxConcurrency.
// Incidents 002 and 003 both wedged a max_concurrency = 1 queue; the limit is
// what turned one stuck run into a stuck queue, so it must hold exactly.
import type { JobState, State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { StateInvariant } from './definition.ts';
import { at, distinct, listText } from './explain.ts';

export function checkConcurrencyLimit(state: State): Violation[] {
  const running = new Map<string, JobState[]>();
  for (const job of state.jobs) {
    if (job.status !== 'running') continue;
    const list = running.get(job.queue);
    if (list === undefined) running.set(job.queue, [job]);
    else list.push(job);
  }
  const violations: Violation[] = [];
  for (const queue of state.queues) {
    const limit = queue.maxConcurrency;
    const jobs = running.get(queue.name);
    if (limit === null || jobs === undefined || jobs.length <= limit) continue;
    violations.push({
      invariant: CONCURRENCY_LIMIT.id,
      eventIndex: null,
      time: state.time,
      jobs: jobs.map((job) => job.id),
      processes: distinct(jobs.map((job) => job.owner)),
      explanation:
        `Let queue ${queue.name} allow ${limit} running job${limit === 1 ? '' : 's'}. ` +
        `Then at ${at(state.time)} ${jobs.length} are running: ${listText(jobs.map((job) => `job ${job.id}${job.owner === null ? '' : ` under ${job.owner}`}`))}, ` +
        `because a claim did not count the queue's running jobs in the same statement that took the job.`,
    });
  }
  return violations;
}

export const CONCURRENCY_LIMIT: StateInvariant = {
  id: 'CONCURRENCY_LIMIT',
  family: 'CONCURRENCY_LIMIT',
  statement: 'The running jobs of a queue never outnumber its maxConcurrency.',
  origin: [
    { incident: '002', why: 'a one-per-thread queue is the single-execution guarantee once the redundant owner claim is gone, so it must never admit two.' },
    { incident: '003', why: 'at max_concurrency = 1 one phantom running job wedged every project’s queue; the limit must be exact to be judged.' },
  ],
  implies: [],
  kind: 'state',
  requires: ['stateView', 'maxConcurrency'],
  check: checkConcurrencyLimit,
};
