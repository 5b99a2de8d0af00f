// pg-boss's rows as the spec's normalized state (spec/state.ts). pg-boss keeps
// less than the spec asks for, and the view says so instead of inventing it:
// - status: created/retry → queued, active → running, the rest as named;
// - owner, pid, run id: null — pg-boss records none of them; lease: null on
//   10, on 12 the running attempt (queue/id#retry_count) its fence matches;
// - startedAt: started_on as it is, also on a job back in `retry` (pg-boss
//   keeps the last start there: it is how fetch knows to count a retry);
// - attempts: fetches so far (retry_count + 1 once started, else 0), against
//   attemptsMax = retry_limit + 1;
// - queues: a singleton-policy queue has a limit of one active job;
// - no workers, locks or groups: pg-boss has none.
import type { Database } from '../../../src/db/database.ts';
import type { JobStatus, State } from '../../../spec/state.ts';
import { isAdapterUuid, jobNumberOf } from './ids.ts';
import { jobRows, queueRows, type JobRow, type QueueRow } from './statements.ts';

export function statusOf(state: string): JobStatus {
  switch (state) {
    case 'created':
    case 'retry':
      return 'queued';
    case 'active':
      return 'running';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    default:
      throw new Error(`pg-boss job state ${state} is not one the adapter knows`);
  }
}

function timeOf(value: Date | string | null): number | null {
  if (value === null) return null;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/**
 * `leaseOfRow`: the lease a running row carries, where the line has one (12:
 * the job key and retry_count, the attempt its fence matches); 10 has none.
 */
export async function observePgBoss(db: Database, now: number, schema: string, leaseOfRow?: (row: JobRow) => string): Promise<State> {
  const { rows: jobs } = await db.query<JobRow>(jobRows(schema));
  const { rows: queues } = await db.query<QueueRow>(queueRows(schema));
  return {
    time: now,
    jobs: jobs
      .filter((row) => isAdapterUuid(row.id))
      .map((row) => {
        const startedAt = timeOf(row.started_on);
        return {
          id: jobNumberOf(row.id),
          queue: row.name,
          status: statusOf(row.state),
          owner: null,
          leaseToken: leaseOfRow !== undefined && row.state === 'active' ? leaseOfRow(row) : null,
          pid: null,
          runId: null,
          startedAt,
          attempts: startedAt === null ? 0 : Number(row.retry_count) + 1,
          attemptsMax: Number(row.retry_limit) + 1,
          resourceKey: null,
          groupId: null,
        };
      })
      .sort((left, right) => left.id - right.id),
    workers: [],
    locks: [],
    groups: [],
    queues: queues.map((row) => ({ name: row.name, maxConcurrency: row.policy === 'singleton' ? 1 : null })),
  };
}
