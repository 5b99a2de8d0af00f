// Mutant unfenced-terminal-writes (incident 001): complete, fail and release
// check only that the job is running, not that the caller's lease token is the
// job's current one - the runner before the refactor that gated complete_step /
// error_step / release_step on the lease. A worker that stalls, is reaped, and
// wakes after someone else claimed the job finalizes (or hands back) a run it
// no longer owns: STALE_WRITE_FENCED must catch the write.
import type { Statement } from '../../src/db/database.ts';
import { toTimestamp } from '../../src/engine/time.ts';
import type { EngineSession, FailResult, LeaseRef } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { RETRY_BACKOFF_MS } from './support.ts';

/** src/sql/complete.ts without the lease gate. $1 job id, $2 result, $3 now. */
export const completeUnfenced: Statement = {
  name: 'mutant_unfenced_complete',
  text: `
    WITH done AS (
      UPDATE wf_jobs
      SET status = 'completed', result = $2::jsonb, finished_at = $3::timestamptz
      WHERE id = $1::bigint AND status = 'running'
      RETURNING id, resource_key
    ),
    unlocked AS (
      DELETE FROM wf_locks l USING done d
      WHERE l.key = d.resource_key AND l.job_id = d.id
      RETURNING l.key
    )
    SELECT d.id FROM done d`,
};

/** src/sql/fail.ts without the lease gate. $1 job id, $2 error, $3 now, $4 retry available_at. */
export const failUnfenced: Statement = {
  name: 'mutant_unfenced_fail',
  text: `
    WITH failed AS (
      UPDATE wf_jobs j
      SET status       = CASE WHEN j.attempts < j.attempts_max THEN 'queued' ELSE 'failed' END,
          available_at = CASE WHEN j.attempts < j.attempts_max THEN $4::timestamptz ELSE j.available_at END,
          finished_at  = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE $3::timestamptz END,
          owner        = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.owner END,
          lease_token  = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.lease_token END,
          pid          = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.pid END,
          run_id       = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.run_id END,
          started_at   = CASE WHEN j.attempts < j.attempts_max THEN NULL ELSE j.started_at END,
          error        = $2::text
      WHERE j.id = $1::bigint AND j.status = 'running'
      RETURNING j.id, j.resource_key, j.status
    ),
    unlocked AS (
      DELETE FROM wf_locks l USING failed f
      WHERE l.key = f.resource_key AND l.job_id = f.id
      RETURNING l.key
    )
    SELECT f.status FROM failed f`,
};

/** src/sql/release.ts without the lease gate. $1 job id. */
export const releaseUnfenced: Statement = {
  name: 'mutant_unfenced_release',
  text: `
    WITH released AS (
      UPDATE wf_jobs j
      SET status = 'queued',
          attempts = GREATEST(j.attempts - 1, 0),
          owner = NULL, lease_token = NULL, pid = NULL, run_id = NULL, started_at = NULL
      WHERE j.id = $1::bigint AND j.status = 'running'
      RETURNING j.id, j.resource_key
    ),
    unlocked AS (
      DELETE FROM wf_locks l USING released r
      WHERE l.key = r.resource_key AND l.job_id = r.id
      RETURNING l.key
    )
    SELECT r.id FROM released r`,
};

class UnfencedTerminalWritesSession extends ReferenceSession {
  override async complete(lease: LeaseRef): Promise<boolean> {
    const { rows } = await this.ctx.db.query(completeUnfenced, [lease.jobId, null, toTimestamp(this.now())]);
    return rows.length > 0;
  }

  override async fail(lease: LeaseRef & { error: string }): Promise<FailResult> {
    const now = this.now();
    const { rows } = await this.ctx.db.query<{ status: 'queued' | 'failed' }>(failUnfenced, [lease.jobId, lease.error, toTimestamp(now), toTimestamp(now + RETRY_BACKOFF_MS)]);
    const row = rows[0];
    return row === undefined ? { applied: false, status: null } : { applied: true, status: row.status };
  }

  override async release(lease: LeaseRef): Promise<boolean> {
    const { rows } = await this.ctx.db.query(releaseUnfenced, [lease.jobId]);
    return rows.length > 0;
  }
}

export const unfencedTerminalWrites: Mutant = {
  name: 'unfenced-terminal-writes',
  incident: '001',
  invariant: 'STALE_WRITE_FENCED',
  bug: 'Complete, fail and release check only that the job is running, not the lease token, so a reaped worker that wakes finalizes a job someone else now owns.',
  adapter: createReferenceAdapter({
    name: 'mutant:unfenced-terminal-writes',
    session: (engine, ctx): EngineSession => new UnfencedTerminalWritesSession(engine, ctx),
  }),
};
