// Snapshot: every row of every engine table in one statement.
import type { Statement } from '../db/database.ts';

// Epoch milliseconds: extract() is exact numeric and every stored time has ms precision.
function ms(column: string): string {
  return `(extract(epoch FROM ${column}) * 1000)::bigint`;
}

/**
 * One statement is one snapshot: the five tables are seen at the same instant,
 * even on a real Postgres with writers running. Rows are sorted by primary key
 * (text keys in byte order, COLLATE "C", so PGlite and Postgres agree whatever
 * the database's collation); times are epoch milliseconds.
 */
export const snapshot: Statement = {
  name: 'wf_snapshot',
  text: `
    SELECT
      (SELECT coalesce(json_agg(json_build_object(
                'name', q.name,
                'maxConcurrency', q.max_concurrency)
              ORDER BY q.name COLLATE "C"), '[]')
       FROM wf_queues q) AS queues,
      (SELECT coalesce(json_agg(json_build_object(
                'id', j.id,
                'queue', j.queue,
                'type', j.type,
                'status', j.status,
                'priority', j.priority,
                'availableAt', ${ms('j.available_at')},
                'resourceKey', j.resource_key,
                'groupId', j.group_id,
                'attempts', j.attempts,
                'attemptsMax', j.attempts_max,
                'owner', j.owner,
                'leaseToken', j.lease_token,
                'pid', j.pid,
                'runId', j.run_id,
                'startedAt', ${ms('j.started_at')},
                'finishedAt', ${ms('j.finished_at')},
                'payload', j.payload,
                'result', j.result,
                'error', j.error,
                'idempotencyKey', j.idempotency_key)
              ORDER BY j.id), '[]')
       FROM wf_jobs j) AS jobs,
      (SELECT coalesce(json_agg(json_build_object(
                'workerId', w.id,
                'role', w.role,
                'pid', w.pid,
                'runId', w.run_id,
                'heartbeatAt', ${ms('w.heartbeat_at')},
                'startedAt', ${ms('w.started_at')},
                'stopping', w.stopping)
              ORDER BY w.id COLLATE "C"), '[]')
       FROM wf_workers w) AS workers,
      (SELECT coalesce(json_agg(json_build_object(
                'key', l.key,
                'holder', l.holder,
                'jobId', l.job_id,
                'acquiredAt', ${ms('l.acquired_at')},
                'expiresAt', ${ms('l.expires_at')})
              ORDER BY l.key COLLATE "C"), '[]')
       FROM wf_locks l) AS locks,
      (SELECT coalesce(json_agg(json_build_object(
                'id', g.id,
                'size', g.size,
                'status', g.status,
                'completedAt', ${ms('g.completed_at')})
              ORDER BY g.id COLLATE "C"), '[]')
       FROM wf_groups g) AS groups`,
};
