// One sentence on how a cited orphan was actually recovered, read from the
// seed's history: the kit's ORPHANS_RECOVERED bound runs until the job is
// claimed again, so a reader needs to know whether the engine's recovery was
// late or the recovered job then waited for a worker.
import type { History, OperationEvent } from '../../spec/history.ts';
import type { Violation } from '../../spec/verdict.ts';

const REQUEUES = new Set(['reap', 'startup', 'shutdown', 'release', 'fail']);

export function describeOrphan(history: History, violation: Violation): string | null {
  const job = violation.jobs[0];
  const index = violation.eventIndex;
  if (job === undefined || index === null) return null;
  // The orphaned holding: the job's last claim before the violation's event (which may itself be the late claim).
  let holding: OperationEvent | null = null;
  for (const event of history) {
    if (event.index >= index) break;
    if (event.type === 'ok' && event.op === 'claim' && event.job === job) holding = event;
  }
  if (holding === null) return null;
  let requeued: OperationEvent | null = null;
  let claimed: OperationEvent | null = null;
  for (const event of history) {
    if (event.index <= holding.index || event.type !== 'ok') continue;
    const requeues = REQUEUES.has(event.op) && ((event.jobs ?? []).includes(job) || (event.job === job && event.applied === true && event.status === 'queued'));
    if (requeued === null && requeues) requeued = event;
    if (event.op === 'claim' && event.job === job) {
      claimed = event;
      break;
    }
  }
  const start = `${holding.process} claimed job ${job} at t=${holding.time}`;
  if (requeued === null) return `Recovery: ${start}; nothing requeued it${claimed === null ? '' : ` before it was claimed again at t=${claimed.time}`}.`;
  const wait = claimed === null ? 'it was never claimed again' : `it waited ${claimed.time - requeued.time} ms for a worker (claimed again at t=${claimed.time})`;
  return `Recovery: ${start}; ${requeued.process}'s ${requeued.op} requeued it at t=${requeued.time}; ${wait}.`;
}
