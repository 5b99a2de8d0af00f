// RUN_IDENTITY: the pid and run id on a running job are those of the worker
// incarnation that owns it. Incident 003's claim and requeue paths kept a dead
// run's pid; after a container restart the pid was reused and a bare-pid
// liveness check saw the phantom run alive.
import type { State, WorkerState } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { StateInvariant } from './definition.ts';
import { at, listText } from './explain.ts';

export function checkRunIdentity(state: State): Violation[] {
  const workers = new Map<string, WorkerState>();
  for (const worker of state.workers) workers.set(worker.id, worker);
  const violations: Violation[] = [];
  for (const job of state.jobs) {
    if (job.status !== 'running' || (job.pid === null && job.runId === null)) continue;
    const worker = job.owner === null ? undefined : workers.get(job.owner);
    const carried: string[] = [];
    if (job.pid !== null) carried.push(`pid ${job.pid}`);
    if (job.runId !== null) carried.push(`run ${job.runId}`);
    if (worker !== undefined && (job.pid === null || job.pid === worker.pid) && (job.runId === null || job.runId === worker.runId)) continue;
    const registered =
      worker === undefined
        ? `${job.owner ?? 'its owner'} has no registered worker row`
        : `${worker.id}'s registered worker row has pid ${worker.pid ?? 'null'} and run ${worker.runId ?? 'null'}`;
    violations.push({
      invariant: RUN_IDENTITY.id,
      eventIndex: null,
      time: state.time,
      jobs: [job.id],
      processes: job.owner === null ? [] : [job.owner],
      explanation:
        `Let job ${job.id} run under ${job.owner ?? 'no owner'} at ${at(state.time)} carrying ${listText(carried)}. ` +
        `Then ${registered}, ` +
        `because a claim or requeue kept the identity of an earlier run; ` +
        `once the OS reuses that pid, a liveness check that trusts it sees a dead run alive (incident 003).`,
    });
  }
  return violations;
}

export const RUN_IDENTITY: StateInvariant = {
  id: 'RUN_IDENTITY',
  family: 'RUN_IDENTITY',
  statement: 'A running job’s pid and run id are null or equal to those of its owner’s registered worker row.',
  origin: [
    {
      incident: '003',
      why: 'claim and requeue kept a dead run’s pid and run id, so after a container restart a reused pid made a phantom run look alive; DESIGN’s list does not state this, the incident does.',
    },
  ],
  implies: [],
  kind: 'state',
  requires: ['stateView', 'runIdentity'],
  check: checkRunIdentity,
};
