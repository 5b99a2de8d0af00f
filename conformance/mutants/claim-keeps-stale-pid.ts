// Mutant claim-keeps-stale-pid (incident 003): the claim stamps the new run's
// pid and run id only where the row has none (COALESCE), and, as in 003, a
// restarted worker's startup recovery requeues its jobs keeping the dead run's
// pid and run id (with no sanitizer to heal them). So a job recovered at restart
// is claimed by another worker, or by the new incarnation, under the dead run's
// identity: RUN_IDENTITY must catch the running job whose pid / run id are not
// its owner's.
import type { ClaimedJob, EngineSession, SanitizeResult, StartupResult } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { claimStatement } from './sql/claim.ts';
import { recoverKeepsPid } from './sql/requeue-keeps-pid.ts';
import { claimWith, startupWithout } from './support.ts';

/** The reference claim, but a pid or run id already on the row wins over the claimant's. */
export const claimKeepsStalePid = claimStatement('mutant_claim_keeps_stale_pid', {
  pid: `COALESCE(j.pid, $4::integer)`,
  runId: `COALESCE(j.run_id, $5::text)`,
});

class ClaimKeepsStalePidSession extends ReferenceSession {
  override claim(args: { leaseToken: string; queues?: string[] }): Promise<ClaimedJob | null> {
    return claimWith(this.ctx, this.now(), claimKeepsStalePid, args);
  }

  /** As in 003, a restarted worker requeues what its dead run left, keeping that run's pid and run id. */
  override startup(): Promise<StartupResult> {
    return startupWithout(this.ctx, this.now(), recoverKeepsPid);
  }

  /** No sanitizer before ORCH-126: it would heal the kept identity before the next claim. */
  override async sanitize(): Promise<SanitizeResult> {
    await this.engine.locks.sweep(this.now());
    return { healed: [] };
  }
}

export const claimKeepsStalePidMutant: Mutant = {
  name: 'claim-keeps-stale-pid',
  incident: '003',
  invariant: 'RUN_IDENTITY',
  bug: 'Claim stamps pid and run id only where the row has none, and startup recovery keeps the dead run’s, so a recovered job runs under a stale identity.',
  adapter: createReferenceAdapter({
    name: 'mutant:claim-keeps-stale-pid',
    session: (engine, ctx): EngineSession => new ClaimKeepsStalePidSession(engine, ctx),
  }),
};
