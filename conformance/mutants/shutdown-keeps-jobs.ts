// Mutant shutdown-keeps-jobs (incident 001): graceful shutdown deletes the
// worker row but neither releases its in-flight jobs nor drops its locks - the
// Worker.stop that the refactor made hand steps back with release_step. A
// consumer that leaves the hand-back to the engine (releaseOnStop false) stops
// with its job still running under its name until a reaper happens to notice:
// SHUTDOWN_CLEAN must catch the job (and lock) the stopped worker still owns.
import type { Statement } from '../../src/db/database.ts';
import type { EngineSession, ShutdownResult } from '../../sim/adapter/contract.ts';
import { createReferenceAdapter, ReferenceSession } from '../reference/adapter.ts';
import type { Mutant } from './index.ts';

/** The whole shutdown: the worker row goes, nothing else. $1 worker id. */
export const deleteWorkerOnly: Statement = {
  name: 'mutant_shutdown_keeps_jobs',
  text: `DELETE FROM wf_workers WHERE id = $1::text`,
};

class ShutdownKeepsJobsSession extends ReferenceSession {
  override async shutdown(): Promise<ShutdownResult> {
    await this.ctx.db.query(deleteWorkerOnly, [this.ctx.processId]);
    return { released: [] };
  }
}

export const shutdownKeepsJobs: Mutant = {
  name: 'shutdown-keeps-jobs',
  incident: '001',
  invariant: 'SHUTDOWN_CLEAN',
  bug: 'Graceful shutdown deletes the worker row but neither releases its in-flight jobs nor drops its locks.',
  adapter: createReferenceAdapter({
    name: 'mutant:shutdown-keeps-jobs',
    session: (engine, ctx): EngineSession => new ShutdownKeepsJobsSession(engine, ctx),
  }),
};
