// One-bug scenarios for the fault-injection properties: each runs on a model
// that a random prefix has already driven, with fresh processes (x1, x2, client
// xc) and a fresh queue, switches one bug on for the steps that exercise it, and
// names the invariant that must catch it and on which evidence. A few faults
// corrupt the final rows instead (a lock left to a dead process, a group never
// fired), because no single model step produces them.
import type { State } from '../../../spec/state.ts';
import type { Bug, QueueModel } from './queue-model.ts';

export type Evidence = 'history' | 'state' | 'liveness';

export interface FaultScenario {
  readonly name: string;
  readonly invariant: string;
  readonly evidence: Evidence;
  /** Runs the scenario; for state evidence, returns the snapshot right after the bug acted. */
  run(model: QueueModel): State | void;
  /** For liveness faults injected into the end rows. */
  corrupt?(finalState: State, alive: ReadonlySet<string>): State;
}

const QUEUE = ['qx'];

function withBug<T>(model: QueueModel, bugs: readonly Bug[], body: () => T): T {
  for (const bug of bugs) model.bugs.add(bug);
  try {
    return body();
  } finally {
    for (const bug of bugs) model.bugs.delete(bug);
  }
}

function setUp(model: QueueModel): void {
  model.addQueue('qx', null);
  model.addProcess('x1', 'worker');
  model.addProcess('x2', 'worker');
  model.addProcess('xc', 'client');
}

function enqueueClaimed(model: QueueModel, extra: { group?: { id: string; size: number }; attemptsMax?: number; key?: string } = {}): number {
  const job = model.enqueue('x1', { queue: 'qx', key: extra.key ?? null, group: extra.group ?? null, ...(extra.attemptsMax === undefined ? {} : { attemptsMax: extra.attemptsMax }) })!;
  model.claim('x1', QUEUE);
  return job;
}

export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  {
    name: 'a stale write is accepted after a reap requeued the job',
    invariant: 'STALE_WRITE_FENCED',
    evidence: 'history',
    run(model) {
      setUp(model);
      enqueueClaimed(model);
      model.tick(1001 + 1000);
      model.heartbeat('x2');
      model.reap('x2');
      withBug(model, ['staleWriteAccepted'], () => model.complete('x1', 0));
    },
  },
  {
    name: 'a stale write lands on top of a fresh claimant',
    invariant: 'SINGLE_OWNER',
    evidence: 'history',
    run(model) {
      setUp(model);
      enqueueClaimed(model);
      model.tick(2001);
      model.heartbeat('x2');
      model.reap('x2');
      model.claim('x2', QUEUE);
      withBug(model, ['staleWriteAccepted'], () => model.complete('x1', 0));
    },
  },
  {
    name: 'two workers claim the same job',
    invariant: 'SINGLE_OWNER',
    evidence: 'history',
    run(model) {
      setUp(model);
      enqueueClaimed(model);
      withBug(model, ['doubleClaim'], () => model.claim('x2', QUEUE));
    },
  },
  {
    name: 'a reaper reaps itself',
    invariant: 'REAPER_NOT_SELF',
    evidence: 'history',
    run(model) {
      setUp(model);
      model.heartbeat('x1');
      model.tick(2001);
      withBug(model, ['reapSelf'], () => model.reap('x1'));
    },
  },
  {
    name: 'a reaper reaps a worker that just heartbeat',
    invariant: 'REAPER_NOT_SELF',
    evidence: 'history',
    run(model) {
      setUp(model);
      model.heartbeat('x1');
      model.heartbeat('x2');
      withBug(model, ['reapFresh'], () => model.reap('x2'));
    },
  },
  {
    name: 'a group fires twice',
    invariant: 'GROUP_ONCE',
    evidence: 'history',
    run(model) {
      setUp(model);
      enqueueClaimed(model, { group: { id: 'gx', size: 1 } });
      model.complete('x1', 0);
      model.tryCompleteGroup('x1', 'gx');
      withBug(model, ['doubleGroupFire'], () => model.tryCompleteGroup('x2', 'gx'));
    },
  },
  {
    name: 'a group fires before its members end',
    invariant: 'GROUP_ONCE',
    evidence: 'history',
    run(model) {
      setUp(model);
      model.enqueue('x1', { queue: 'qx', key: null, group: { id: 'gx', size: 2 } });
      withBug(model, ['earlyGroupFire'], () => model.tryCompleteGroup('x1', 'gx'));
    },
  },
  {
    name: 'a group with a failed member fires completed',
    invariant: 'GROUP_ONCE',
    evidence: 'history',
    run(model) {
      setUp(model);
      enqueueClaimed(model, { group: { id: 'gx', size: 1 }, attemptsMax: 1 });
      model.fail('x1', 0);
      withBug(model, ['wrongGroupOutcome'], () => model.tryCompleteGroup('x1', 'gx'));
    },
  },
  {
    name: 'an enqueue-only client claims a job',
    invariant: 'CLIENT_NEVER_CLAIMS',
    evidence: 'history',
    run(model) {
      setUp(model);
      model.enqueue('xc', { queue: 'qx', key: null, group: null });
      withBug(model, ['clientClaims'], () => model.claim('xc', QUEUE));
    },
  },
  {
    name: 'a job runs under an enqueue-only client',
    invariant: 'CLIENT_NEVER_CLAIMS_STATE',
    evidence: 'state',
    run(model) {
      setUp(model);
      model.enqueue('xc', { queue: 'qx', key: null, group: null });
      withBug(model, ['clientClaims'], () => model.claim('xc', QUEUE));
      return model.snapshot();
    },
  },
  {
    name: 'a worker claims during its shutdown and keeps the job',
    invariant: 'SHUTDOWN_CLEAN',
    evidence: 'history',
    run(model) {
      setUp(model);
      model.enqueue('x2', { queue: 'qx', key: null, group: null });
      withBug(model, ['claimDuringShutdown', 'shutdownKeepsJobs'], () => model.shutdown('x1', { claimDuring: QUEUE }));
    },
  },
  {
    name: 'a shutdown returns without releasing its job',
    invariant: 'SHUTDOWN_CLEAN',
    evidence: 'history',
    run(model) {
      setUp(model);
      enqueueClaimed(model);
      withBug(model, ['shutdownKeepsJobs'], () => model.shutdown('x1'));
    },
  },
  {
    name: 'a shut-down worker still owns its job',
    invariant: 'SHUTDOWN_CLEAN_STATE',
    evidence: 'state',
    run(model) {
      setUp(model);
      enqueueClaimed(model);
      withBug(model, ['shutdownKeepsJobs'], () => model.shutdown('x1'));
      return model.snapshot();
    },
  },
  {
    name: 'a completed job is claimed again',
    invariant: 'TERMINAL_FINAL',
    evidence: 'history',
    run(model) {
      setUp(model);
      enqueueClaimed(model);
      model.complete('x1', 0);
      withBug(model, ['claimTerminal'], () => model.claim('x2', QUEUE));
    },
  },
  {
    name: 'a completed job’s row disappears',
    invariant: 'NO_LOST_JOB',
    evidence: 'history',
    run(model) {
      setUp(model);
      const job = enqueueClaimed(model);
      model.complete('x1', 0);
      model.dropJob(job);
    },
  },
  {
    name: 'a release keeps the owner, lease, pid and run id',
    invariant: 'QUEUED_CLEAN',
    evidence: 'state',
    run(model) {
      setUp(model);
      enqueueClaimed(model);
      withBug(model, ['requeueKeepsOwnership'], () => model.release('x1', 0));
      return model.snapshot();
    },
  },
  {
    name: 'a claim stamps no lease',
    invariant: 'RUNNING_OWNED',
    evidence: 'state',
    run(model) {
      setUp(model);
      model.enqueue('x1', { queue: 'qx', key: null, group: null });
      withBug(model, ['claimWithoutLease'], () => model.claim('x1', QUEUE));
      return model.snapshot();
    },
  },
  {
    name: 'a fail retries a job whose attempts are spent',
    invariant: 'ATTEMPTS_BOUNDED',
    evidence: 'state',
    run(model) {
      setUp(model);
      enqueueClaimed(model, { attemptsMax: 1 });
      withBug(model, ['retryPastAttempts'], () => model.fail('x1', 0));
      model.claim('x1', QUEUE);
      return model.snapshot();
    },
  },
  {
    name: 'a claim ignores maxConcurrency',
    invariant: 'CONCURRENCY_LIMIT',
    evidence: 'state',
    run(model) {
      setUp(model);
      model.addQueue('qx1', 1);
      model.enqueue('x1', { queue: 'qx1', key: null, group: null });
      model.enqueue('x1', { queue: 'qx1', key: null, group: null });
      model.claim('x1', ['qx1']);
      withBug(model, ['concurrencyIgnored'], () => model.claim('x2', ['qx1']));
      return model.snapshot();
    },
  },
  {
    name: 'a claim ignores a held resource key',
    invariant: 'LOCK_EXCLUSIVE',
    evidence: 'state',
    run(model) {
      setUp(model);
      model.enqueue('x1', { queue: 'qx', key: 'kx', group: null });
      model.enqueue('x1', { queue: 'qx', key: 'kx', group: null });
      model.claim('x1', QUEUE);
      withBug(model, ['resourceKeyIgnored'], () => model.claim('x2', QUEUE));
      return model.snapshot();
    },
  },
  {
    name: 'a claim stamps a stale pid and run id',
    invariant: 'RUN_IDENTITY',
    evidence: 'state',
    run(model) {
      setUp(model);
      model.enqueue('x1', { queue: 'qx', key: null, group: null });
      withBug(model, ['claimStampsStalePid'], () => model.claim('x1', QUEUE));
      return model.snapshot();
    },
  },
  {
    name: 'a dead worker’s job is never recovered',
    invariant: 'ORPHANS_RECOVERED',
    evidence: 'liveness',
    run(model) {
      setUp(model);
      model.enqueue('x1', { queue: 'qx', key: null, group: null });
      withBug(model, ['strandOrphans'], () => model.claim('x1', QUEUE));
      model.crash('x1');
    },
  },
  {
    name: 'a stranded job never ends',
    invariant: 'ALL_TERMINAL',
    evidence: 'liveness',
    run(model) {
      setUp(model);
      model.enqueue('x1', { queue: 'qx', key: null, group: null });
      withBug(model, ['strandOrphans'], () => model.claim('x1', QUEUE));
      model.crash('x1');
    },
  },
  {
    name: 'a lock is left to a process that is gone',
    invariant: 'LOCKS_RELEASED',
    evidence: 'liveness',
    run(model) {
      setUp(model);
    },
    corrupt(finalState, alive) {
      let ghost = 'ghost';
      while (alive.has(ghost)) ghost += '!';
      return { ...finalState, locks: [...finalState.locks, { key: 'kghost', holder: ghost, jobId: null, expiresAt: finalState.time + 60_000 }] };
    },
  },
  {
    name: 'a group whose members all ended never fires',
    invariant: 'GROUP_COMPLETED',
    evidence: 'liveness',
    run(model) {
      setUp(model);
      enqueueClaimed(model, { group: { id: 'gx', size: 1 } });
      model.complete('x1', 0);
    },
    corrupt(finalState) {
      return { ...finalState, groups: finalState.groups.map((group) => (group.id === 'gx' ? { ...group, status: 'open' as const } : group)) };
    },
  },
];
