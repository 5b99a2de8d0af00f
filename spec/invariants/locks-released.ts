// LOCKS_RELEASED: at the end nobody dead holds a lock and no lock outlived its
// TTL. Incident 001's resource locks are TTL-based with a sweeper, and the
// reaper drops a reaped worker's locks; a lock left behind blocks every job and
// vacuum of its resource.
import type { History } from '../history.ts';
import type { State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { LivenessInvariant, LivenessOptions } from './definition.ts';
import { at, listText } from './explain.ts';
import { aliveSet, healEndText, judgedAt } from './liveness-time.ts';

export function checkLocksReleased(history: History, finalState: State, options: LivenessOptions): Violation[] {
  const alive = aliveSet(options);
  const time = judgedAt(history, options);
  const violations: Violation[] = [];
  for (const lock of finalState.locks) {
    const reasons: string[] = [];
    if (!alive.has(lock.holder)) reasons.push(`its holder ${lock.holder} is not alive`);
    if (lock.expiresAt <= finalState.time) reasons.push(`it expired at ${at(lock.expiresAt)}, before ${at(finalState.time)} on the rows' clock, and was never swept`);
    if (reasons.length === 0) continue;
    violations.push({
      invariant: LOCKS_RELEASED.id,
      eventIndex: null,
      time,
      jobs: lock.jobId === null ? [] : [lock.jobId],
      processes: [lock.holder],
      explanation:
        `Let the faults stop at ${at(options.healTime)} and ${healEndText(options, time)}. ` +
        `Then the lock on ${lock.key} is still held by ${lock.holder}${lock.jobId === null ? '' : ` for job ${lock.jobId}`}, but ${listText(reasons)}, ` +
        `because neither the reaper, the lock's release nor a sweep dropped it; it blocks every job and writer of ${lock.key} (incident 001).`,
    });
  }
  return violations;
}

export const LOCKS_RELEASED: LivenessInvariant = {
  id: 'LOCKS_RELEASED',
  family: 'LOCKS_RELEASED',
  statement: 'When the heal phase ends, no lock is held by a process that is not alive and none is past its expiry.',
  origin: [
    { incident: '001', why: 'resource locks are TTL-based with a sweeper and reaped workers’ locks are cleared alongside; one left behind blocks its resource for good.' },
  ],
  implies: [],
  kind: 'liveness',
  requires: ['stateView', 'resourceLocks'],
  check: checkLocksReleased,
};
