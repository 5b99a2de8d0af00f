// One process's handle on pg-boss 12: the 10.4.2 session
// (../../pg-boss/session.ts) with what 12 changed, and nothing else:
//
// claim     = fetch, as in 10; the lease is the job key and the attempt it
//             was fetched at (`queue/id#retryCount`): every fetch after the
//             first increments retry_count, so the lease is per claim.
// complete  = complete(name, { id, retryCount }) and
// fail      = fail(name, { id, retryCount }): the form pg-boss's own work()
//             settles with, which 12 fences to the fetched attempt (#925:
//             state = 'active' and `id:retry_count` matches). A plain id would
//             still be unfenced, as in 10; a pg-boss 12 user who calls
//             complete(name, job.id) by hand keeps 10's behaviour.
// reap      = pg-boss 12's expiry (failJobsByTimeout, per queue table) under
//             its advisory lock, with the same reads before and after as 10.
// heartbeat, release, shutdown: as in 10. 12 has touch() and per-job
//             heartbeatSeconds, but the adapter sends jobs without one (as the
//             10 adapter does), so expiry by expireInSeconds is still what
//             lets a dead worker's job go; a fetch consumer's stop() still
//             hands nothing back (12's failWip covers work() handlers only).
import type { ProcessContext, ReapResult } from '../../../../sim/adapter/contract.ts';
import type { Boss, FetchedJob, SettleId } from '../../pg-boss/boss.ts';
import { databaseExecutor, inClockedTransaction } from '../../pg-boss/executor.ts';
import { jobNumberOf } from '../../pg-boss/ids.ts';
import { PgBossSession, type PgBossWorld } from '../../pg-boss/session.ts';
import { jobStates } from '../../pg-boss/statements.ts';
import { createBoss12, plans12 } from './boss.ts';
import { expiredJobs12, expiryLock, expiryStatement, queueTables, type QueueTableRow } from './statements.ts';

/** The lease of one claim: the job key and the attempt (retry_count) the fetch returned. */
export function attemptLeaseOf(queue: string, uuid: string, retryCount: number): string {
  return `${queue}/${uuid}#${retryCount}`;
}

export function parseAttemptLease(lease: string): { queue: string; id: string; retryCount: number } {
  const match = /^(.+)\/([0-9a-f-]{36})#(\d+)$/.exec(lease);
  if (match === null) throw new Error(`lease ${lease} is not a pg-boss 12 attempt (queue/id#retryCount)`);
  return { queue: match[1]!, id: match[2]!, retryCount: Number(match[3]) };
}

export class PgBoss12Session extends PgBossSession {
  constructor(ctx: ProcessContext, world: PgBossWorld) {
    // Boss12 accepts everything the 10 session passes (SettleId: a string or an attempt).
    super(ctx, world, createBoss12(databaseExecutor(ctx.db, () => ctx.clock.now(), world.schema), world.schema, () => ctx.clock.now()) as unknown as Boss);
  }

  protected override leaseFor(queue: string, job: FetchedJob): string {
    return attemptLeaseOf(queue, job.id, job.retryCount);
  }

  protected override settleTarget(leaseToken: string): { queue: string; id: string; target: SettleId } {
    const { queue, id, retryCount } = parseAttemptLease(leaseToken);
    return { queue, id, target: { id, retryCount } };
  }

  override async reap(_args: { thresholdMs: number }): Promise<ReapResult> {
    const { schema } = this.world;
    return inClockedTransaction(this.ctx.db, this.ctx.clock.now(), schema, async (tx) => {
      const { rows: tables } = await tx.query<QueueTableRow>(queueTables(schema));
      const expired: string[] = [];
      for (const { table_name: table, names } of tables) {
        await tx.query(expiryLock(schema, table));
        const { rows } = await tx.query<{ id: string }>(expiredJobs12(schema, table), [names]);
        if (rows.length === 0) continue;
        expired.push(...rows.map((row) => row.id));
        // pg-boss repeats a batch while it comes back full; the rows were all locked above, so this ends.
        for (;;) {
          const { rows: batch } = await tx.query<{ expiryPicked: number }>(expiryStatement(schema, table, names));
          if (Number(batch[0]?.expiryPicked ?? 0) < plans12.EXPIRY_BATCH_SIZE) break;
        }
      }
      if (expired.length === 0) return { workers: [], requeued: [], failed: [] };
      const { rows } = await tx.query<{ id: string; state: string }>(jobStates(schema), [expired]);
      const requeued: number[] = [];
      const failed: number[] = [];
      for (const row of rows) (row.state === 'failed' ? failed : requeued).push(jobNumberOf(row.id));
      return { workers: [], requeued: requeued.sort((a, b) => a - b), failed: failed.sort((a, b) => a - b) };
    });
  }
}
