// RUNNING_OWNED: a running job says who runs it, under which lease, since when.
// Without an owner or a lease nobody can fence a stale writer (001); without a
// start time no timeout can ever recover it (003's "started_at = NULL" row).
import type { Capabilities } from '../capabilities.ts';
import type { State, StateContext } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { StateInvariant } from './definition.ts';
import { at, listText } from './explain.ts';

export function checkRunningOwned(state: State, _context?: StateContext, capabilities?: Capabilities): Violation[] {
  // Engines without lease tokens have nothing to put in the column; the rest of the rule still holds for them.
  const leaseRequired = capabilities?.leaseTokens !== false;
  const violations: Violation[] = [];
  for (const job of state.jobs) {
    if (job.status !== 'running') continue;
    const missing: string[] = [];
    if (job.owner === null) missing.push('owner');
    if (leaseRequired && job.leaseToken === null) missing.push('lease token');
    if (job.startedAt === null) missing.push('start time');
    if (missing.length === 0) continue;
    violations.push({
      invariant: RUNNING_OWNED.id,
      eventIndex: null,
      time: state.time,
      jobs: [job.id],
      processes: job.owner === null ? [] : [job.owner],
      explanation:
        `Let job ${job.id} be running in queue ${job.queue} at ${at(state.time)}${job.owner === null ? '' : ` under ${job.owner}`}. ` +
        `Then it has no ${listText(missing)}, ` +
        `because the write that made it running did not stamp ${missing.length === 1 ? 'it' : 'them'}; ` +
        `without ${missing.length === 1 ? 'it' : 'them'} a stale holder cannot be fenced and a dead run cannot be recovered (incidents 001, 003).`,
    });
  }
  return violations;
}

export const RUNNING_OWNED: StateInvariant = {
  id: 'RUNNING_OWNED',
  family: 'RUNNING_OWNED',
  statement: 'A running job has an owner, a lease token and a start time.',
  origin: [
    { incident: '001', why: 'terminal writes are fenced by the lease token, so a running job without one cannot be protected from a stale worker.' },
    { incident: '003', why: 'the impossible row carried a pid but no started_at; a running job without a start time escapes every age-based backstop of the reaper.' },
  ],
  implies: [],
  kind: 'state',
  requires: ['stateView'],
  check: checkRunningOwned,
};
