// ATTEMPTS_BOUNDED: a job is claimed at most attemptsMax times. Incident 001's
// error path elevates a step to FAILED at the threshold; a claim or a requeue
// that forgets to count lets a poison job run forever.
import type { State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { StateInvariant } from './definition.ts';
import { at, countText } from './explain.ts';

export function checkAttemptsBounded(state: State): Violation[] {
  const violations: Violation[] = [];
  for (const job of state.jobs) {
    if (job.attempts <= job.attemptsMax) continue;
    violations.push({
      invariant: ATTEMPTS_BOUNDED.id,
      eventIndex: null,
      time: state.time,
      jobs: [job.id],
      processes: job.owner === null ? [] : [job.owner],
      explanation:
        `Let job ${job.id} allow ${countText(job.attemptsMax, 'attempt')}. ` +
        `Then at ${at(state.time)} it has been claimed ${countText(job.attempts, 'time')} (status ${job.status}), ` +
        `because a claim ran it again after its attempts were spent instead of ending it failed.`,
    });
  }
  return violations;
}

export const ATTEMPTS_BOUNDED: StateInvariant = {
  id: 'ATTEMPTS_BOUNDED',
  family: 'ATTEMPTS_BOUNDED',
  statement: 'A job’s attempts never exceed its attemptsMax.',
  origin: [{ incident: '001', why: 'error_step elevates a step to FAILED at the retry threshold; a path that skips the count retries a poison job forever.' }],
  implies: [],
  kind: 'state',
  requires: ['stateView', 'attempts'],
  check: checkAttemptsBounded,
};
