// The reference claim statement (src/sql/claim.ts) rebuilt from its clauses, so
// that a mutant changes exactly one clause and says which. With no variant the
// text equals the reference claim (test/mutants/sql.test.ts holds them equal),
// so everything a mutant does not name behaves as the reference does.
//
// Parameters as the reference: $1 worker id, $2 now, $3 lease token, $4 pid,
// $5 run id, $6 queues filter, $7 types filter, $8 lock expiry; a variant may
// use $9 and up for its own inputs.
import type { Statement } from '../../../src/db/database.ts';
import { jobColumns } from '../../../src/sql/job-columns.ts';

export interface ClaimVariant {
  /** The count of a queue's occupied slots that must stay under max_concurrency (the row being judged is `j`). */
  occupiedSlots?: string;
  /** When a job's resource key counts as free (the row being judged is `j`). */
  keyFree?: string;
  /** Who may claim. */
  caller?: string;
  /** false: the statement takes no resource lock (the caller must take it some other way). */
  lockInClaim?: boolean;
  /** The pid and run id stamped on the claimed row. */
  pid?: string;
  runId?: string;
}

export const REFERENCE_CLAIM_CLAUSES: Required<ClaimVariant> = {
  occupiedSlots: `SELECT count(*) FROM wf_jobs r WHERE r.queue = j.queue AND r.status = 'running'`,
  keyFree: `NOT EXISTS (
                SELECT 1 FROM wf_locks l
                WHERE l.key = j.resource_key
                  AND l.expires_at > $2::timestamptz
                  AND NOT (l.holder = $1::text AND (l.job_id IS NULL OR l.job_id = j.id)))
              -- A running job keeps its key whatever its lock's expiry says: a
              -- paused holder's lock may expire before the reaper requeues its
              -- job, and a TTL alone would let a second job with the key run
              -- beside it (incident 001). The reaper, not the clock, supersedes it.
              AND NOT EXISTS (
                SELECT 1 FROM wf_jobs o
                WHERE o.resource_key = j.resource_key AND o.status = 'running')`,
  caller: `SELECT 1 FROM wf_workers w
              WHERE w.id = $1::text AND w.role = 'worker' AND NOT w.stopping
              FOR SHARE`,
  lockInClaim: true,
  pid: `$4::integer`,
  runId: `$5::text`,
};

export function claimStatement(name: string, variant: ClaimVariant = {}): Statement {
  const clauses = { ...REFERENCE_CLAIM_CLAUSES, ...variant };
  const taken = `
    taken AS (
      INSERT INTO wf_locks AS l (key, holder, job_id, acquired_at, expires_at)
      SELECT c.resource_key, $1::text, c.id, $2::timestamptz, $8::timestamptz
      FROM candidate c
      WHERE c.resource_key IS NOT NULL
      ON CONFLICT (key) DO UPDATE
        SET holder = EXCLUDED.holder,
            job_id = EXCLUDED.job_id,
            acquired_at = EXCLUDED.acquired_at,
            expires_at = EXCLUDED.expires_at
        WHERE l.expires_at <= EXCLUDED.acquired_at
           OR (l.holder = EXCLUDED.holder AND (l.job_id IS NULL OR l.job_id = EXCLUDED.job_id))
      RETURNING l.key
    )`;
  return {
    name,
    text: `
    WITH candidate AS (
      SELECT j.id, j.resource_key
      FROM wf_jobs j
      JOIN wf_queues q ON q.name = j.queue
      WHERE j.status = 'queued'
        AND j.available_at <= $2::timestamptz
        AND j.attempts < j.attempts_max
        AND ($6::text[] IS NULL OR j.queue = ANY ($6::text[]))
        AND ($7::text[] IS NULL OR j.type = ANY ($7::text[]))
        AND (q.max_concurrency IS NULL OR (
              ${clauses.occupiedSlots}
            ) < q.max_concurrency)
        AND (j.resource_key IS NULL OR (
              ${clauses.keyFree}))
        AND EXISTS (
              ${clauses.caller})
      ORDER BY j.priority DESC, j.id ASC
      LIMIT 1
      FOR UPDATE OF j SKIP LOCKED
    )${clauses.lockInClaim ? `,${taken}` : ''}
    UPDATE wf_jobs j
    SET status = 'running',
        owner = $1::text,
        lease_token = $3::text,
        pid = ${clauses.pid},
        run_id = ${clauses.runId},
        started_at = $2::timestamptz,
        finished_at = NULL,
        attempts = j.attempts + 1
    WHERE j.id = (SELECT c.id FROM candidate c)${clauses.lockInClaim ? `
      AND (j.resource_key IS NULL OR EXISTS (SELECT 1 FROM taken))` : ''}
    RETURNING ${jobColumns('j')}`,
  };
}
