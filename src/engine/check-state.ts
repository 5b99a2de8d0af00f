// The fast state check for the reference engine's schema (see src/sql/check-state.ts),
// and which of the engine's own statements provably cannot change its answer.
import type { Database, ExecutedStatement } from '../db/database.ts';
import { checkState } from '../sql/check-state.ts';
import { claim, heartbeat, lockLimitedQueues } from '../sql/index.ts';

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
 * else, including the same name with other text (a mutant's SQL), is not. If
 * you change one of these statements or the check, re-read its case here
 * (test/engine/check-state-unchanged.test.ts pins their texts).
 * - heartbeat: moves wf_workers.heartbeat_at, which the check never reads, and
 *   extends the worker's own locks' expires_at, which only SHUTDOWN_CLEAN reads,
 *   for workers whose shutdown has returned. Unchanged unless it extended a
 *   lock (its `locks` count) of a worker in `shutDown`.
 * - claim: a data-modifying CTE (the lock insert) feeding one UPDATE of the
 *   job; the UPDATE takes the job exactly when the candidate exists and the
 *   lock was taken (or is not needed), and the lock insert only runs for the
 *   candidate. So 0 rows updated means no lock inserted either: unchanged.
 * - lockLimitedQueues: a SELECT … FOR NO KEY UPDATE; row locks, no data.
 * Time passing alone can only end a SHUTDOWN_CLEAN violation (a lock expires),
 * never start one: the only row the check compares with `now`.
 */
export function checkUnchangedBy(statements: readonly ExecutedStatement[], shutDown: ReadonlySet<string>): boolean {
  return statements.every((executed) => {
    if (executed.statement === heartbeat) {
      const locks = Number((executed.rows[0] as { locks?: unknown } | undefined)?.locks ?? Number.NaN);
      return locks === 0 || !shutDown.has(String(executed.params[0]));
    }
    if (executed.statement === claim) return executed.rowCount === 0;
    return executed.statement === lockLimitedQueues;
  });
}
