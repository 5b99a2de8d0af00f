// The fast state check for the reference engine's schema (see src/sql/check-state.ts).
import type { Database } from '../db/database.ts';
import { checkState } from '../sql/check-state.ts';

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
