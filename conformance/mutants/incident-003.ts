// Mutant incident-003 (incident 003, end to end): requeue keeps the dead run's
// pid (as requeue-keeps-pid, with no sanitizer), and the claim counts a queue's
// occupied slots as its running jobs PLUS its queued jobs whose pid the OS says
// is alive - the "phantom running" the orchestrator's job-reaper guarded by a
// bare pid. After a container restart the next generation gets the same low
// pids (or a squatter takes a dead one), so a queued job carrying a reused pid
// occupies its queue's only slot for good and a maxConcurrency = 1 queue wedges:
// QUEUED_CLEAN catches the dirty requeue, ALL_TERMINAL the wedge.
import type { Statement } from '../../src/db/database.ts';
import type { JobRow } from '../../src/engine/rows.ts';
import * as sql from '../../src/sql/index.ts';
import type { ClaimedJob, EngineSession } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { RequeueKeepsPidSession } from './requeue-keeps-pid.ts';
import { claimStatement } from './sql/claim.ts';
import { claimParams, toClaimedJob } from './support.ts';

/** The pids queued rows still carry. */
export const queuedPids: Statement = {
  name: 'mutant_003_queued_pids',
  text: `SELECT DISTINCT pid FROM wf_jobs WHERE status = 'queued' AND pid IS NOT NULL ORDER BY pid`,
};

/** The reference claim, with queued jobs whose pid is in $9 (pids the OS reports alive) counted as running. */
export const claimCountingPhantoms = claimStatement('mutant_003_claim_counting_phantoms', {
  occupiedSlots: `SELECT count(*) FROM wf_jobs r
              WHERE r.queue = j.queue
                AND (r.status = 'running' OR (r.status = 'queued' AND r.pid = ANY ($9::integer[])))`,
});

class Incident003Session extends RequeueKeepsPidSession {
  override async claim(args: { leaseToken: string; queues?: string[] }): Promise<ClaimedJob | null> {
    const params = claimParams(this.ctx, this.now(), args.leaseToken, args.queues);
    const { rows } = await this.ctx.db.transaction(async (tx) => {
      const carried = await tx.query<{ pid: number }>(queuedPids, []);
      // The bug's premise: a live pid means the job's run is still going.
      const alive = carried.rows.map((row) => Number(row.pid)).filter((pid) => this.ctx.os.isAlive(pid));
      await tx.query(sql.lockLimitedQueues, [args.queues ?? null]);
      return tx.query<JobRow>(claimCountingPhantoms, [...params, alive]);
    });
    const row = rows[0];
    return row === undefined ? null : toClaimedJob(row);
  }
}

export const incident003: Mutant = {
  name: 'incident-003',
  incident: '003',
  invariant: 'ALL_TERMINAL',
  alsoTrips: ['QUEUED_CLEAN'],
  bug: 'Requeue keeps the dead run’s pid and the claim counts queued jobs with a live-looking pid as running, so a reused pid wedges a maxConcurrency 1 queue.',
  // The incident's world. Container restarts are its pid reuse: the next generation gets the same low pids. Workers
  // keep their id across restarts, so their own startup requeues what the dead generation left (requeue_running_jobs
  // at boot), keeping a pid that the restart has just handed to a live process. Crashes are left out: they move the
  // pid counter on, so a dirty requeue may carry a pid nobody holds (QUEUED_CLEAN without the wedge). One queue with
  // a single slot is the incident's max_concurrency = 1.
  faults: 'restart',
  world: { queues: [{ name: 'q1', maxConcurrency: 1 }], workerIdentity: 'stable' },
  adapter: createReferenceAdapter({
    name: 'mutant:incident-003',
    session: (engine, ctx): EngineSession => new Incident003Session(engine, ctx),
  }),
};
