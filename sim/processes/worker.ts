// A worker: startup recovery, then a claim loop running each job's step for its
// simulated duration, a heartbeat loop, and (for the first workers) a reaper
// loop. The loops are separate fibers, as in a real worker, so a stalled
// heartbeat loop beside a live reaper loop is a reachable state (incident 001's
// self-reap). A graceful stop interrupts the step, releases the job and shuts
// down (incident 001's shutdown race).
import type { ClaimedJob } from '../adapter/contract.ts';
import { IDLE_BACKOFF_DOUBLINGS_MAX } from '../world/options.ts';
import type { JobPayload } from '../world/workload.ts';
import { enqueueLoop } from './enqueue-loop.ts';
import type { ProcessRuntime } from './runtime.ts';

export async function workerProgram(runtime: ProcessRuntime): Promise<void> {
  const { session, options, process } = runtime;
  await session.startup();
  runtime.spawnLoop('heartbeat', () => heartbeatLoop(runtime));
  if (runtime.isReaper) runtime.spawnLoop('reaper', () => reaperLoop(runtime));
  if (runtime.pendingEnqueues().length > 0) runtime.spawnLoop('enqueue', () => enqueueLoop(runtime));

  // Idle polls back off exponentially (as real workers do), so an idle world costs little; a claim resets it.
  let idlePolls = 0;
  while (!process.stopRequested) {
    const job = await session.claim(runtime.nextId('L'));
    if (job === null) {
      await runtime.sleep(options.pollIntervalMs * 2 ** Math.min(idlePolls, IDLE_BACKOFF_DOUBLINGS_MAX), true);
      idlePolls += 1;
      continue;
    }
    idlePolls = 0;
    const payload = job.payload as Partial<JobPayload> | null;
    const durationMs = typeof payload?.durationMs === 'number' ? payload.durationMs : options.stepMsMin;
    const failAttempts = typeof payload?.failAttempts === 'number' ? payload.failAttempts : 0;
    if ((await runtime.sleep(durationMs, true)) === 'interrupted') {
      // Half the worlds release here (a consumer's cancellation handler); the rest leave it to the engine's shutdown.
      if (options.releaseOnStop) await session.release(lease(job));
      break;
    }
    let terminal: boolean;
    if (job.attempts <= failAttempts) {
      const result = await session.fail(lease(job), `step failed on attempt ${job.attempts}`);
      terminal = result.applied && result.status === 'failed';
    } else {
      terminal = await session.complete(lease(job));
    }
    if (terminal && job.groupId !== null) await session.tryCompleteGroup(job.groupId);
  }
  await session.shutdown();
  await runtime.exit('shut down gracefully');
}

function lease(job: ClaimedJob): { jobId: number; leaseToken: string } {
  return { jobId: job.jobId, leaseToken: job.leaseToken };
}

async function heartbeatLoop(runtime: ProcessRuntime): Promise<void> {
  for (;;) {
    await runtime.sleep(runtime.options.heartbeatIntervalMs);
    if (runtime.process.stopRequested) return;
    const alive = await runtime.session.heartbeat();
    // Reaped while alive (a pause, a stalled loop): register again, as a real worker would.
    if (!alive && !runtime.process.stopRequested) await runtime.session.startup();
  }
}

async function reaperLoop(runtime: ProcessRuntime): Promise<void> {
  const { session, options } = runtime;
  for (;;) {
    await runtime.sleep(options.reaperIntervalMs);
    if (runtime.process.stopRequested) return;
    await session.reap(options.reaperThresholdMs);
    if (session.hasSanitize) await session.sanitize();
    // Group completion is also swept here, so a group whose last member was failed by the reaper still fires.
    if (session.hasGroups) for (const group of runtime.openGroups()) await session.tryCompleteGroup(group);
  }
}
