// The fast state check for the reference engine's schema (see src/sql/check-state.ts),
// and which of the engine's own statements provably cannot change its answer.
import type { Database, ExecutedStatement, Statement } from '../db/database.ts';
import { checkState } from '../sql/check-state.ts';
import {
  claim,
  completeGroup,
  countGroupMembers,
  deleteStaleWorkers,
  findJobByIdempotencyKey,
  heartbeat,
  insertJob,
  lockGroup,
  lockLimitedQueues,
  recoverJobs,
  sanitize,
  sweepLocks,
} from '../sql/index.ts';

export interface StateCheckContext {
  /** Ids of enqueue-only clients. */
  clients: readonly string[];
  /** Ids of workers whose graceful shutdown has returned. */
  shutDown: readonly string[];
}

/** The ids of the state invariants the rows break right now, in catalog order; [] when all hold. */
export async function checkEngineState(db: Database, now: number, context: StateCheckContext): Promise<string[]> {
  const result = await db.query<{ invariant: string }>(checkState, [new Date(now).toISOString(), [...context.clients], [...context.shutDown]]);
  return result.rows.map((row) => row.invariant);
}

/**
 * Whether these statements, with these results, left every row the check
 * reads as it was (under the same clients and shut-down workers), so a check
 * that found nothing before them would find nothing after. Only the engine's
 * own statement objects are vouched for, each by what its text does; anything
 * else, including the same name with other text (a mutant's SQL), is not,
 * unless `also` (a mutant's argument for its own statements) vouches for it.
 * If you change one of these statements or the check, re-read its case here
 * (test/engine/check-state-unchanged.test.ts pins their texts).
 *
 * The check reads wf_jobs, wf_queues, wf_locks and wf_workers' id, pid and
 * run_id; never wf_groups nor heartbeat_at. The schema has no triggers or rules.
 * Time passing alone can only end a SHUTDOWN_CLEAN violation (a lock expires),
 * never start one: the only row the check compares with `now`.
 * - heartbeat: moves wf_workers.heartbeat_at, which the check never reads, and
 *   extends the worker's own locks' expires_at, which only SHUTDOWN_CLEAN reads,
 *   for workers whose shutdown has returned. Unchanged unless it extended a
 *   lock (its `locks` count) of a worker in `shutDown`.
 * - claim: a data-modifying CTE (the lock insert) feeding one UPDATE of the
 *   job; the UPDATE takes the job exactly when the candidate exists and the
 *   lock was taken (or is not needed), and the lock insert only runs for the
 *   candidate. So 0 rows updated means no lock inserted either: unchanged.
 * - lockLimitedQueues, findJobByIdempotencyKey, countGroupMembers: reads (the
 *   first takes row locks, no data).
 * - lockGroup, completeGroup: write wf_groups only.
 * - insertJob: inserts a queued row with no owner, lease, pid, run id or
 *   started_at (or nothing, on a duplicate key). Every clause of the check
 *   reads running jobs only, except QUEUED_CLEAN, which needs one of those set.
 * - deleteStaleWorkers: unchanged when it deleted no worker (it returns each
 *   deleted id).
 * - recoverJobs: unchanged when it requeued, failed and unlocked nothing: every
 *   job its UPDATE touched ends queued or failed and is listed under one of
 *   the two, every lock its DELETE removed is listed under `locks`.
 * - sanitize: unchanged when it healed nothing (it lists every row it updated).
 * - sweepLocks: unchanged when it dropped no lock (it lists every key dropped).
 */
export function checkUnchangedBy(statements: readonly ExecutedStatement[], shutDown: ReadonlySet<string>, also?: (executed: ExecutedStatement) => boolean): boolean {
  return statements.every((executed) => vouchedFor(executed, shutDown) || also?.(executed) === true);
}

const READS: ReadonlySet<Statement> = new Set([lockLimitedQueues, findJobByIdempotencyKey, countGroupMembers]);
const GROUPS_ONLY: ReadonlySet<Statement> = new Set([lockGroup, completeGroup]);

function vouchedFor(executed: ExecutedStatement, shutDown: ReadonlySet<string>): boolean {
  const { statement } = executed;
  if (READS.has(statement) || GROUPS_ONLY.has(statement) || statement === insertJob) return true;
  if (statement === heartbeat) {
    const locks = Number(firstRow(executed).locks ?? Number.NaN);
    return locks === 0 || !shutDown.has(String(executed.params[0]));
  }
  if (statement === claim || statement === deleteStaleWorkers) return executed.rowCount === 0;
  if (statement === recoverJobs) return emptyLists(executed, ['requeued', 'failed', 'locks']);
  if (statement === sanitize) return emptyLists(executed, ['healed']);
  if (statement === sweepLocks) return emptyLists(executed, ['keys']);
  return false;
}

function firstRow(executed: ExecutedStatement): Record<string, unknown> {
  const row = executed.rows[0];
  return typeof row === 'object' && row !== null ? (row as Record<string, unknown>) : {};
}

/** The one row's JSON-array columns are all empty (a driver may hand json back parsed or as text); anything else is not. */
function emptyLists(executed: ExecutedStatement, columns: readonly string[]): boolean {
  if (executed.rows.length !== 1) return false;
  const row = firstRow(executed);
  return columns.every((column) => {
    const value = row[column];
    return (Array.isArray(value) && value.length === 0) || value === '[]';
  });
}
