// The columns every statement that returns a job row selects, in one place so
// that claim, getJob and friends map through the same row type.

const COLUMNS = [
  'id',
  'queue',
  'type',
  'status',
  'priority',
  'available_at',
  'resource_key',
  'group_id',
  'attempts',
  'attempts_max',
  'owner',
  'lease_token',
  'pid',
  'run_id',
  'started_at',
  'finished_at',
  'payload',
  'result',
  'error',
  'idempotency_key',
] as const;

/** `j.id, j.queue, …` for a table aliased `alias`. */
export function jobColumns(alias: string): string {
  return COLUMNS.map((column) => `${alias}.${column}`).join(', ');
}
