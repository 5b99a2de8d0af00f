// The state invariants of spec/ as ONE query over the reference engine's rows,
// cheap enough to run after every committed transaction of a simulated run. It
// only says WHICH invariants are broken; the caller then takes a snapshot and
// asks the spec's pure checkers for the explanation (and tests keep the two in
// agreement). $1 = now, $2 = ids of enqueue-only clients, $3 = ids of workers
// whose graceful shutdown has returned.
import type { Statement } from '../db/database.ts';

export const checkState: Statement = {
  name: 'wf_check_state',
  text: `
    SELECT invariant FROM (
      SELECT 1 AS position, 'QUEUED_CLEAN' AS invariant
      WHERE EXISTS (
        SELECT 1 FROM wf_jobs
        WHERE status = 'queued'
          AND (owner IS NOT NULL OR lease_token IS NOT NULL OR pid IS NOT NULL OR run_id IS NOT NULL OR started_at IS NOT NULL))
      UNION ALL
      SELECT 2, 'RUNNING_OWNED'
      WHERE EXISTS (
        SELECT 1 FROM wf_jobs
        WHERE status = 'running' AND (owner IS NULL OR lease_token IS NULL OR started_at IS NULL))
      UNION ALL
      SELECT 3, 'ATTEMPTS_BOUNDED'
      WHERE EXISTS (SELECT 1 FROM wf_jobs WHERE attempts > attempts_max)
      UNION ALL
      SELECT 4, 'CONCURRENCY_LIMIT'
      WHERE EXISTS (
        SELECT 1 FROM wf_queues q
        WHERE q.max_concurrency IS NOT NULL
          AND (SELECT count(*) FROM wf_jobs j WHERE j.queue = q.name AND j.status = 'running') > q.max_concurrency)
      UNION ALL
      SELECT 5, 'LOCK_EXCLUSIVE'
      WHERE EXISTS (
        SELECT 1 FROM wf_jobs a
        JOIN wf_jobs b ON b.resource_key = a.resource_key AND b.id > a.id AND b.status = 'running'
        WHERE a.status = 'running')
        OR EXISTS (
        SELECT 1 FROM wf_jobs j
        WHERE j.status = 'running' AND j.resource_key IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM wf_locks l
            WHERE l.key = j.resource_key AND l.holder = j.owner AND (l.job_id IS NULL OR l.job_id = j.id)))
      UNION ALL
      SELECT 6, 'RUN_IDENTITY'
      WHERE EXISTS (
        SELECT 1 FROM wf_jobs j JOIN wf_workers w ON w.id = j.owner
        WHERE j.status = 'running'
          AND ((j.pid IS NOT NULL AND j.pid IS DISTINCT FROM w.pid) OR (j.run_id IS NOT NULL AND j.run_id IS DISTINCT FROM w.run_id)))
      UNION ALL
      SELECT 7, 'CLIENT_NEVER_CLAIMS'
      WHERE EXISTS (SELECT 1 FROM wf_jobs WHERE status = 'running' AND owner = ANY ($2::text[]))
      UNION ALL
      SELECT 8, 'SHUTDOWN_CLEAN'
      WHERE EXISTS (SELECT 1 FROM wf_jobs WHERE status = 'running' AND owner = ANY ($3::text[]))
        OR EXISTS (SELECT 1 FROM wf_locks WHERE holder = ANY ($3::text[]) AND expires_at > $1::timestamptz)
    ) AS broken
    ORDER BY position`,
};
