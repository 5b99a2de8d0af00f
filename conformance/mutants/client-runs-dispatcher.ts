// Mutant client-runs-dispatcher (incident 000): an enqueue-only client that
// launched the full runtime also runs the queue dispatcher, and the claim that
// dispatcher makes does not check who is calling. So each enqueue of a client
// is followed by one dispatcher pass that claims a job as the client - a
// one-shot process that exits without ever running it. CLIENT_NEVER_CLAIMS must
// catch the job running under the client. Workers claim as the reference does.
import type { EngineSession, JobSpec } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';
import { claimStatement } from './sql/claim.ts';
import { claimWith } from './support.ts';

/**
 * The reference claim with the caller check reduced to "not a stopping worker":
 * neither the role nor even a registration is asked for, as a dispatcher loop
 * that any launched process runs never consults who it runs in. (A client never
 * heartbeats, so the reaper may have removed its row before a late enqueue.)
 */
export const claimAnyCaller = claimStatement('mutant_client_runs_dispatcher_claim', {
  caller: `SELECT 1 WHERE NOT EXISTS (
                SELECT 1 FROM wf_workers w WHERE w.id = $1::text AND w.stopping)`,
});

class ClientRunsDispatcherSession extends ReferenceSession {
  override async enqueue(job: JobSpec): Promise<{ jobId: number }> {
    const result = await super.enqueue(job);
    // The dispatcher pass a launched client runs alongside its enqueue; what it claims is never run.
    if (this.ctx.role === 'client') await claimWith(this.ctx, this.now(), claimAnyCaller, { leaseToken: this.ctx.ids.next('L') });
    return result;
  }
}

export const clientRunsDispatcher: Mutant = {
  name: 'client-runs-dispatcher',
  incident: '000',
  invariant: 'CLIENT_NEVER_CLAIMS',
  bug: 'An enqueue-only client runs a dispatcher pass after each enqueue whose claim does not check the caller, so the client takes jobs it never runs.',
  adapter: createReferenceAdapter({
    name: 'mutant:client-runs-dispatcher',
    session: (engine, ctx): EngineSession => new ClientRunsDispatcherSession(engine, ctx),
  }),
};
