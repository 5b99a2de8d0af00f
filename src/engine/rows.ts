// Maps database rows to the engine's types. Both drivers return bigint as
// number, timestamptz as Date and jsonb parsed, so there is one mapping.
import type { Job, JobStatus, Snapshot } from './types.ts';
import { fromNullableTimestamp, fromTimestamp } from './time.ts';

export interface JobRow {
  id: number;
  queue: string;
  type: string;
  status: string;
  priority: number;
  available_at: unknown;
  resource_key: string | null;
  group_id: string | null;
  attempts: number;
  attempts_max: number;
  owner: string | null;
  lease_token: string | null;
  pid: number | null;
  run_id: string | null;
  started_at: unknown;
  finished_at: unknown;
  payload: unknown;
  result: unknown;
  error: string | null;
  idempotency_key: string | null;
}

export function toJob(row: JobRow): Job {
  return {
    id: Number(row.id),
    queue: row.queue,
    type: row.type,
    status: row.status as JobStatus,
    priority: row.priority,
    availableAt: fromTimestamp(row.available_at),
    resourceKey: row.resource_key,
    groupId: row.group_id,
    attempts: row.attempts,
    attemptsMax: row.attempts_max,
    owner: row.owner,
    leaseToken: row.lease_token,
    pid: row.pid,
    runId: row.run_id,
    startedAt: fromNullableTimestamp(row.started_at),
    finishedAt: fromNullableTimestamp(row.finished_at),
    payload: row.payload ?? null,
    result: row.result ?? null,
    error: row.error,
    idempotencyKey: row.idempotency_key,
  };
}

/** A JSON array column (json_agg) as numbers; some drivers hand json back as text. */
export function toIds(value: unknown): number[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new Error(`expected a JSON array of ids, got ${String(value)}`);
  return parsed.map((id) => Number(id));
}

export function toKeys(value: unknown): string[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new Error(`expected a JSON array of keys, got ${String(value)}`);
  return parsed.map((key) => String(key));
}

export interface SnapshotRow {
  queues: unknown;
  jobs: unknown;
  workers: unknown;
  locks: unknown;
  groups: unknown;
}

function array<T>(value: unknown): T[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new Error(`expected a JSON array in the snapshot, got ${String(value)}`);
  return parsed as T[];
}

/** The snapshot statement already shapes every row; only parsing remains. */
export function toSnapshot(row: SnapshotRow): Snapshot {
  return {
    queues: array(row.queues),
    jobs: array(row.jobs),
    workers: array(row.workers),
    locks: array(row.locks),
    groups: array(row.groups),
  };
}
