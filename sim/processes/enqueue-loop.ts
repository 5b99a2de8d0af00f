// The enqueue loop shared by clients and workers. Each planned job arrives at a
// fixed time of the world (its delay after the world starts), like a feed on a
// schedule: a process that restarts enqueues what is overdue at once and waits
// only for what is still to come. It re-enqueues what was never acknowledged
// with the same idempotency key, so a lost ack cannot create a duplicate.
import type { ProcessRuntime } from './runtime.ts';

export async function enqueueLoop(runtime: ProcessRuntime): Promise<void> {
  for (const job of runtime.pendingEnqueues()) {
    const waitMs = job.delayMs - runtime.worldTimeMs();
    if (waitMs > 0) await runtime.sleep(waitMs);
    const { jobId } = await runtime.session.enqueue(job.spec);
    runtime.enqueued(job, jobId);
  }
}
