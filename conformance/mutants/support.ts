// Plumbing the mutants share: the reference engine's parameter conventions and
// row mappings, so a mutant that replaces one statement passes it exactly what
// the reference engine would and the rest of the operation stays identical.
// The bugs live in the mutant files; the one piece of buggy behaviour here is
// startupWithout, the startup the three incident-003 mutants share.
import type { Queryable, Statement } from '../../src/db/database.ts';
import { toIds, toJob, toKeys, type JobRow } from '../../src/engine/rows.ts';
import { toTimestamp } from '../../src/engine/time.ts';
import * as sql from '../../src/sql/index.ts';
import type { ClaimedJob, ProcessContext, StartupResult } from '../../sim/adapter/contract.ts';
import { REFERENCE_LOCK_TTL_MS } from '../reference/adapter.ts';

/** The reference engine's default backoff between a failed attempt and its retry. */
export const RETRY_BACKOFF_MS = 0;

/** The TTL the reference session gives resource locks: the world's setting, else the adapter's default. */
export function lockTtlMs(ctx: ProcessContext): number {
  return ctx.settings?.lockTtlMs ?? REFERENCE_LOCK_TTL_MS;
}

/** The eight parameters of the reference claim statement ($1 … $8), as the engine builds them. */
export function claimParams(ctx: ProcessContext, now: number, leaseToken: string, queues: readonly string[] | undefined): unknown[] {
  return [ctx.processId, toTimestamp(now), leaseToken, ctx.pid, ctx.runId, queues ?? null, null, toTimestamp(now + lockTtlMs(ctx))];
}

/**
 * The reference engine's claim with the claim statement given: one statement on
 * a single-session database, else a transaction that first locks the limited
 * queues' rows. A statement that takes no lock has no $8 (the lock expiry):
 * pass `takesLock: false`.
 */
export async function claimWith(ctx: ProcessContext, now: number, statement: Statement, args: { leaseToken: string; queues?: string[] }, takesLock = true): Promise<ClaimedJob | null> {
  const params = claimParams(ctx, now, args.leaseToken, args.queues).slice(0, takesLock ? 8 : 7);
  const { rows } =
    ctx.db.singleSession === true
      ? await ctx.db.query<JobRow>(statement, params)
      : await ctx.db.transaction(async (tx) => {
          await tx.query(sql.lockLimitedQueues, [args.queues ?? null]);
          return tx.query<JobRow>(statement, params);
        });
  const row = rows[0];
  return row === undefined ? null : toClaimedJob(row);
}

/** A claimed job row as the adapter contract's ClaimedJob (the reference session's mapping). */
export function toClaimedJob(row: JobRow): ClaimedJob | null {
  const job = toJob(row);
  if (job.leaseToken === null) return null;
  return { jobId: job.id, leaseToken: job.leaseToken, queue: job.queue, payload: job.payload, attempts: job.attempts, resourceKey: job.resourceKey, groupId: job.groupId };
}

export interface Recovery {
  requeued: number[];
  failed: number[];
  locks: string[];
}

/** Runs a recovery statement shaped like the reference `recoverJobs` ($1 owners, $2 orphans too, $3 now, $4 reason). */
export async function recoverWith(tx: Queryable, statement: Statement, owners: readonly string[], orphans: boolean, now: number, reason: string): Promise<Recovery> {
  const { rows } = await tx.query<{ requeued: unknown; failed: unknown; locks: unknown }>(statement, [owners, orphans, toTimestamp(now), reason]);
  const row = single(rows, statement.name);
  return { requeued: toIds(row.requeued), failed: toIds(row.failed), locks: toKeys(row.locks) };
}

/**
 * The reference startup (register, then recover what an earlier incarnation of
 * this worker id left running) with the recovery statement given and WITHOUT
 * the sanitize pass: the sanitizer is incident 003's own fix, so an engine with
 * 003's bug predates it.
 */
export async function startupWithout(ctx: ProcessContext, now: number, recovery: Statement): Promise<StartupResult> {
  return ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ run_id: string }>(sql.lockWorker, [ctx.processId]);
    const previous = rows[0];
    await tx.query(sql.upsertWorker, [ctx.processId, ctx.role, ctx.pid, ctx.runId, toTimestamp(now)]);
    if (previous !== undefined && previous.run_id === ctx.runId) return { requeued: [], failed: [], healed: [] };
    const recovered = await recoverWith(tx, recovery, [ctx.processId], false, now, `recovered at startup: worker ${ctx.processId} restarted`);
    return { requeued: recovered.requeued, failed: recovered.failed, healed: [] };
  });
}

/** Aggregate statements return exactly one row; anything else is a bug in the mutant. */
export function single<Row>(rows: readonly Row[], statement: string): Row {
  const row = rows[0];
  if (rows.length !== 1 || row === undefined) throw new Error(`statement ${statement} returned ${rows.length} rows, expected exactly 1`);
  return row;
}
