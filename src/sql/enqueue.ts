// Enqueue: an idempotency lookup, the group row (locked so concurrent members
// of one group count each other), and the job insert.
import type { Statement } from '../db/database.ts';

/** $1 idempotency_key. */
export const findJobByIdempotencyKey: Statement = {
  name: 'wf_find_job_by_idempotency_key',
  text: `SELECT id FROM wf_jobs WHERE idempotency_key = $1::text`,
};

/**
 * Creates the group or locks the existing row. The no-op DO UPDATE is what
 * takes the row lock: a concurrent enqueue into the same group waits here until
 * this transaction ends, so its member count (next statement) includes ours.
 * $1 id, $2 size.
 */
export const lockGroup: Statement = {
  name: 'wf_lock_group',
  text: `
    INSERT INTO wf_groups AS g (id, size, status)
    VALUES ($1::text, $2::integer, 'open')
    ON CONFLICT (id) DO UPDATE SET size = g.size
    RETURNING g.size, g.status`,
};

/** $1 group id. */
export const countGroupMembers: Statement = {
  name: 'wf_count_group_members',
  text: `SELECT count(*) AS members FROM wf_jobs WHERE group_id = $1::text`,
};

/**
 * A duplicate idempotency key inserts nothing and returns no row (the caller
 * then returns the existing job). $1 queue, $2 type, $3 payload, $4 priority,
 * $5 available_at, $6 resource_key, $7 group_id, $8 attempts_max,
 * $9 idempotency_key, $10 created_at.
 */
export const insertJob: Statement = {
  name: 'wf_insert_job',
  text: `
    INSERT INTO wf_jobs (
      queue, type, payload, priority, available_at, resource_key, group_id,
      attempts, attempts_max, status, idempotency_key, created_at)
    VALUES (
      $1::text, $2::text, $3::jsonb, $4::integer, $5::timestamptz, $6::text, $7::text,
      0, $8::integer, 'queued', $9::text, $10::timestamptz)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id`,
};
