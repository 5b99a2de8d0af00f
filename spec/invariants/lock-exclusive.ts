// LOCK_EXCLUSIVE: a resource key has at most one live holder, and a running job
// with a key holds that key's lock. Incident 001 took the lock in a separate
// transaction from the claim, so two claimants (or a claimant and a vacuum)
// could both believe they owned one LanceDB.
//
// An expired lock still held by the running job's owner is not a violation by
// itself: expiry is how a TTL lock lets a stalled holder be superseded, a pause
// longer than the TTL is a fault no engine can prevent, and the harm - someone
// else taking the key - shows here as another holder or a second running job.
import type { LockState, State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { StateInvariant } from './definition.ts';
import { at, distinct, listText } from './explain.ts';

function lockText(lock: LockState, now: number): string {
  const job = lock.jobId === null ? '' : ` for job ${lock.jobId}`;
  const until = lock.expiresAt > now ? `until ${at(lock.expiresAt)}` : `expired at ${at(lock.expiresAt)}`;
  return `${lock.holder}${job} (${until})`;
}

export function checkLockExclusive(state: State): Violation[] {
  const now = state.time;
  const violations: Violation[] = [];
  const byKey = new Map<string, LockState[]>();
  for (const lock of state.locks) {
    const list = byKey.get(lock.key);
    if (list === undefined) byKey.set(lock.key, [lock]);
    else list.push(lock);
  }

  // At most one unexpired holder per key (engines whose lock table lets a key repeat).
  for (const [key, locks] of byKey) {
    const live = locks.filter((lock) => lock.expiresAt > now);
    if (live.length <= 1) continue;
    violations.push({
      invariant: LOCK_EXCLUSIVE.id,
      eventIndex: null,
      time: now,
      jobs: distinct(live.map((lock) => lock.jobId)),
      processes: distinct(live.map((lock) => lock.holder)),
      explanation:
        `Let resource key ${key} admit one holder at a time. ` +
        `Then at ${at(now)} it has ${live.length} unexpired holders: ${listText(live.map((lock) => lockText(lock, now)))}, ` +
        `because an acquire did not see (or did not respect) the other holder's unexpired lock.`,
    });
  }

  // A running job with a key holds its lock, and no two running jobs share a key.
  const runningByKey = new Map<string, number[]>();
  for (const job of state.jobs) {
    if (job.status !== 'running' || job.resourceKey === null) continue;
    const key = job.resourceKey;
    const sharing = runningByKey.get(key);
    if (sharing === undefined) runningByKey.set(key, [job.id]);
    else sharing.push(job.id);
    const locks = byKey.get(key) ?? [];
    const held = locks.some((lock) => lock.holder === job.owner && (lock.jobId === null || lock.jobId === job.id));
    if (held) continue;
    const others = locks.map((lock) => lockText(lock, now));
    violations.push({
      invariant: LOCK_EXCLUSIVE.id,
      eventIndex: null,
      time: now,
      jobs: distinct([job.id, ...locks.map((lock) => lock.jobId)]),
      processes: distinct([job.owner, ...locks.map((lock) => lock.holder)]),
      explanation:
        `Let job ${job.id} run under ${job.owner ?? 'no owner'} with resource key ${key} at ${at(now)}. ` +
        `Then ${others.length === 0 ? `no lock on ${key} exists` : `the lock on ${key} is held by ${listText(others)}`}, ` +
        `because the claim did not take the key's lock in its own transaction, or something released or took it while the job still ran; ` +
        `another writer of the same resource can now run beside job ${job.id} (incident 001).`,
    });
  }
  for (const [key, jobIds] of runningByKey) {
    if (jobIds.length <= 1) continue;
    const owners = distinct(state.jobs.filter((job) => jobIds.includes(job.id)).map((job) => job.owner));
    violations.push({
      invariant: LOCK_EXCLUSIVE.id,
      eventIndex: null,
      time: now,
      jobs: jobIds,
      processes: owners,
      explanation:
        `Let resource key ${key} keep jobs that share it from running at once. ` +
        `Then at ${at(now)} jobs ${listText(jobIds)} are all running with it${owners.length > 0 ? ` (under ${listText(owners)})` : ''}, ` +
        `because a claim took a job whose key was already held.`,
    });
  }
  return violations;
}

export const LOCK_EXCLUSIVE: StateInvariant = {
  id: 'LOCK_EXCLUSIVE',
  family: 'LOCK_EXCLUSIVE',
  statement:
    'A resource key has at most one unexpired holder, a running job with a resource key holds that key’s lock as its owner (an expired lock still counts until someone else takes the key), and no two running jobs share a key.',
  origin: [
    {
      incident: '001',
      why: 'the resource lock was taken outside the claim transaction, so two claimants, or a claimant and a vacuum, could write one LanceDB at once.',
    },
  ],
  implies: [],
  kind: 'state',
  requires: ['stateView', 'resourceLocks'],
  check: checkLockExclusive,
};
