// graphile-worker's rows as the spec's normalized state. graphile-worker
// deletes a job when it completes, so the adapter's ledger of enqueued jobs is
// what tells a completed job from a missing one:
// - no row any more → completed;
// - locked (locked_at set) → running, owner = the process behind the pool id in
//   `locked_by`, startedAt = locked_at;
// - unlocked with attempts left → queued; unlocked with none → failed
//   (graphile-worker keeps permanently failed jobs);
// - attempts / attemptsMax = attempts / max_attempts (a completed job's last
//   attempt count went with its row: reported as 0);
// - no lease tokens, pids, workers, locks or groups.
import type { Database } from '../../../src/db/database.ts';
import type { JobStatus, State } from '../../../spec/state.ts';
import { observeJobs, observeQueues, type ObservedRow } from './statements.ts';

function timeOf(value: Date | string | null): number | null {
  if (value === null) return null;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

export function statusOf(row: ObservedRow): JobStatus {
  if (!row.present) return 'completed';
  if (row.locked_at !== null) return 'running';
  return Number(row.attempts) >= Number(row.max_attempts) ? 'failed' : 'queued';
}

/** `locked_by` is `<process id>/<run id>` (GraphileSession.poolId). */
export function ownerOf(lockedBy: string | null): string | null {
  if (lockedBy === null) return null;
  const slash = lockedBy.indexOf('/');
  return slash < 0 ? lockedBy : lockedBy.slice(0, slash);
}

export async function observeGraphile(db: Database, now: number, schema: string): Promise<State> {
  const { rows } = await db.query<ObservedRow>(observeJobs(schema));
  const { rows: queues } = await db.query<{ name: string; max_concurrency: number | null }>(observeQueues(schema));
  return {
    time: now,
    jobs: rows.map((row) => {
      const status = statusOf(row);
      return {
        id: Number(row.job_id),
        queue: row.ledger_queue,
        status,
        owner: status === 'running' ? ownerOf(row.locked_by) : null,
        leaseToken: null,
        pid: null,
        runId: null,
        startedAt: row.present ? timeOf(row.locked_at) : null,
        attempts: row.present ? Number(row.attempts) : 0,
        attemptsMax: Number(row.present ? row.max_attempts : row.ledger_max_attempts),
        resourceKey: null,
        groupId: null,
      };
    }),
    workers: [],
    locks: [],
    groups: [],
    queues: queues.map((row) => ({ name: row.name, maxConcurrency: row.max_concurrency === null ? null : 1 })),
  };
}
