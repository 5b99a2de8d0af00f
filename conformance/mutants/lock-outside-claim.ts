// Mutant lock-outside-claim (incident 001): the claim looks at the lock table
// to decide eligibility but takes the job's resource lock only afterwards, in a
// separate statement, with a blind upsert that steals the key from whoever holds
// it - the window the refactor closed by inserting the lock in the claim's own
// transaction. Between the two statements a running job holds no lock, and a
// second claim of a job with the same key sees the key free: two jobs with one
// key run at once. LOCK_EXCLUSIVE must catch it.
import type { Statement } from '../../src/db/database.ts';
import { toTimestamp } from '../../src/engine/time.ts';
import type { ClaimedJob, EngineSession } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { claimStatement } from './sql/claim.ts';
import { claimWith, lockTtlMs } from './support.ts';

/** The reference claim without its lock-taking gate; a key counts as free when the lock table has no unexpired holder for it. */
export const claimWithoutLock = claimStatement('mutant_lock_outside_claim_claim', {
  lockInClaim: false,
  keyFree: `NOT EXISTS (
                SELECT 1 FROM wf_locks l
                WHERE l.key = j.resource_key
                  AND l.expires_at > $2::timestamptz
                  AND NOT (l.holder = $1::text AND (l.job_id IS NULL OR l.job_id = j.id)))`,
});

/** The lock, taken after the claim committed: an upsert that overwrites any holder. $1 key, $2 holder, $3 job id, $4 now, $5 expiry. */
export const stealLock: Statement = {
  name: 'mutant_lock_outside_claim_take',
  text: `
    INSERT INTO wf_locks AS l (key, holder, job_id, acquired_at, expires_at)
    VALUES ($1::text, $2::text, $3::bigint, $4::timestamptz, $5::timestamptz)
    ON CONFLICT (key) DO UPDATE
      SET holder = EXCLUDED.holder,
          job_id = EXCLUDED.job_id,
          acquired_at = EXCLUDED.acquired_at,
          expires_at = EXCLUDED.expires_at`,
};

class LockOutsideClaimSession extends ReferenceSession {
  override async claim(args: { leaseToken: string; queues?: string[] }): Promise<ClaimedJob | null> {
    const job = await claimWith(this.ctx, this.now(), claimWithoutLock, args, false);
    if (job === null || job.resourceKey === null) return job;
    const now = this.now();
    await this.ctx.db.query(stealLock, [job.resourceKey, this.ctx.processId, job.jobId, toTimestamp(now), toTimestamp(now + lockTtlMs(this.ctx))]);
    return job;
  }
}

export const lockOutsideClaim: Mutant = {
  name: 'lock-outside-claim',
  incident: '001',
  invariant: 'LOCK_EXCLUSIVE',
  bug: 'The claim takes the job’s resource lock in a separate statement after it commits, with an upsert that steals the key, so two jobs with one key run at once.',
  adapter: createReferenceAdapter({
    name: 'mutant:lock-outside-claim',
    session: (engine, ctx): EngineSession => new LockOutsideClaimSession(engine, ctx),
  }),
};
