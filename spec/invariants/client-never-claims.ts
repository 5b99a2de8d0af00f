// CLIENT_NEVER_CLAIMS: an enqueue-only client never runs work. Incident 000's
// management commands launched a full worker runtime whose dispatcher drained
// the shared queues and raced the real workers, then died with work in hand
// ("cannot schedule new futures after shutdown"). The history half sees a
// client's claim; the state half sees a job owned by a client, which catches
// engines that dispatch inside another call without recording a claim.
import type { History, OperationEvent } from '../history.ts';
import type { State, StateContext } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryCheckOptions, HistoryInvariant, StateInvariant } from './definition.ts';
import { at, leaseText, runName } from './explain.ts';
import { walkHistory, type HistoryMonitor, type HistoryWalk, type JobTrack, type RunTrack } from './history-walk.ts';

const WHY_000 = 'a process that only enqueues exits when its command ends, so any job it takes is raced against the real workers and abandoned (incident 000)';

export function checkClientNeverClaimsState(state: State, context: StateContext): Violation[] {
  const clientRows = new Set<string>();
  for (const worker of state.workers) if (worker.role === 'client') clientRows.add(worker.id);
  const violations: Violation[] = [];
  for (const job of state.jobs) {
    if (job.status !== 'running' || job.owner === null) continue;
    if (!context.clients.has(job.owner) && !clientRows.has(job.owner)) continue;
    violations.push({
      invariant: CLIENT_NEVER_CLAIMS_STATE.id,
      eventIndex: null,
      time: state.time,
      jobs: [job.id],
      processes: [job.owner],
      explanation:
        `Let ${job.owner} be an enqueue-only client. ` +
        `Then at ${at(state.time)} job ${job.id} is running under it, ` +
        `because the engine let a client claim (or dispatched work inside a client's call); ${WHY_000}.`,
    });
  }
  return violations;
}

class ClientNeverClaimsMonitor implements HistoryMonitor {
  readonly invariant = 'CLIENT_NEVER_CLAIMS';
  onClaim(event: OperationEvent, run: RunTrack, job: JobTrack | null, walk: HistoryWalk): void {
    if (job === null || (event.role !== 'client' && run.role !== 'client')) return;
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job.id],
      processes: [event.process],
      explanation:
        `Let ${runName(event.process, event.run)} be an enqueue-only client. ` +
        `Then its claim at ${at(event.time)} returned job ${job.id} with ${leaseText(event.lease)}, ` +
        `because the engine did not refuse a client's claim; ${WHY_000}.`,
    });
  }
}

export function checkClientNeverClaims(history: History, _options?: HistoryCheckOptions): Violation[] {
  return walkHistory(history, [new ClientNeverClaimsMonitor()]).violations;
}

export const CLIENT_NEVER_CLAIMS: HistoryInvariant = {
  id: 'CLIENT_NEVER_CLAIMS',
  family: 'CLIENT_NEVER_CLAIMS',
  statement: 'A claim by an enqueue-only client never returns a job.',
  origin: [{ incident: '000', why: 'enqueue-only management commands launched a queue dispatcher that raced the workers and was cut off at exit.' }],
  implies: [],
  kind: 'history',
  requires: ['clients'],
  check: checkClientNeverClaims,
  monitor: () => new ClientNeverClaimsMonitor(),
};

export const CLIENT_NEVER_CLAIMS_STATE: StateInvariant = {
  id: 'CLIENT_NEVER_CLAIMS_STATE',
  family: 'CLIENT_NEVER_CLAIMS',
  statement: 'No running job is owned by an enqueue-only client.',
  origin: [
    {
      incident: '000',
      why: 'the client’s dispatcher took jobs without any call the client meant as a claim; only the rows show who runs a job.',
    },
  ],
  implies: [],
  kind: 'state',
  requires: ['stateView', 'clients'],
  check: checkClientNeverClaimsState,
};
