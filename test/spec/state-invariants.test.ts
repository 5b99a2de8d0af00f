// Each state invariant flags a hand-built snapshot that breaks it (naming the ids involved) and passes one that keeps it.
import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { checkAttemptsBounded } from '../../spec/invariants/attempts-bounded.ts';
import { checkClientNeverClaimsState } from '../../spec/invariants/client-never-claims.ts';
import { checkConcurrencyLimit } from '../../spec/invariants/concurrency-limit.ts';
import { checkLockExclusive } from '../../spec/invariants/lock-exclusive.ts';
import { checkQueuedClean } from '../../spec/invariants/queued-clean.ts';
import { checkRunIdentity } from '../../spec/invariants/run-identity.ts';
import { checkRunningOwned } from '../../spec/invariants/running-owned.ts';
import { checkShutdownCleanState } from '../../spec/invariants/shutdown-clean.ts';
import type { StateContext, WorkerState } from '../../spec/state.ts';
import { jobRow, runningRow, stateOf } from './support/history-builder.ts';

const context: StateContext = { clients: new Set(['c1']), shutDown: new Set() };

function worker(id: string, fields: Partial<WorkerState> = {}): WorkerState {
  return { id, role: 'worker', pid: 100, runId: `${id}.1`, heartbeatAt: 9_000, stopping: false, ...fields };
}

describe('QUEUED_CLEAN', () => {
  it('flags a queued job that kept a dead run’s pid and run id (incident 003)', () => {
    const state = stateOf({ jobs: [jobRow(2286, { pid: 35, runId: 'w1.759', owner: 'w1' })] });
    const [violation, ...rest] = checkQueuedClean(state);
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ invariant: 'QUEUED_CLEAN', jobs: [2286], processes: ['w1'], eventIndex: null });
    expect(violation!.explanation).toContain('job 2286');
    expect(violation!.explanation).toContain('pid 35');
    expect(violation!.explanation).toContain('run w1.759');
  });

  it('passes clean queued jobs, and running or terminal jobs that carry ownership', () => {
    const state = stateOf({ jobs: [jobRow(1), runningRow(2, 'w1'), jobRow(3, { status: 'completed', owner: 'w1', pid: 7, runId: 'w1.1', startedAt: 5 })] });
    expect(checkQueuedClean(state)).toEqual([]);
  });
});

describe('RUNNING_OWNED', () => {
  it('flags a running job without a lease token or start time', () => {
    const state = stateOf({ jobs: [runningRow(7, 'w2', { leaseToken: null, startedAt: null })] });
    const [violation] = checkRunningOwned(state, context, ALL_CAPABILITIES);
    expect(violation).toMatchObject({ invariant: 'RUNNING_OWNED', jobs: [7], processes: ['w2'] });
    expect(violation!.explanation).toContain('lease token and start time');
  });

  it('passes a stamped running job, and does not ask engines without tokens for one', () => {
    expect(checkRunningOwned(stateOf({ jobs: [runningRow(7, 'w2')] }), context, ALL_CAPABILITIES)).toEqual([]);
    const tokenless = stateOf({ jobs: [runningRow(7, 'w2', { leaseToken: null })] });
    expect(checkRunningOwned(tokenless, context, { ...ALL_CAPABILITIES, leaseTokens: false })).toEqual([]);
  });
});

describe('ATTEMPTS_BOUNDED', () => {
  it('flags a job claimed more often than it allows', () => {
    const [violation] = checkAttemptsBounded(stateOf({ jobs: [runningRow(4, 'w1', { attempts: 4, attemptsMax: 3 })] }));
    expect(violation).toMatchObject({ invariant: 'ATTEMPTS_BOUNDED', jobs: [4], processes: ['w1'] });
    expect(violation!.explanation).toContain('claimed 4 times');
  });

  it('passes a job at its limit', () => {
    expect(checkAttemptsBounded(stateOf({ jobs: [jobRow(4, { status: 'failed', attempts: 3, attemptsMax: 3 })] }))).toEqual([]);
  });
});

describe('CONCURRENCY_LIMIT', () => {
  it('flags a maxConcurrency = 1 queue running two jobs, naming both and their owners', () => {
    const [violation] = checkConcurrencyLimit(stateOf({ jobs: [runningRow(1, 'w1'), runningRow(2, 'w2')] }));
    expect(violation).toMatchObject({ invariant: 'CONCURRENCY_LIMIT', jobs: [1, 2], processes: ['w1', 'w2'] });
    expect(violation!.explanation).toContain('queue q1');
  });

  it('passes an unlimited queue with many running jobs and a limited one at its limit', () => {
    const jobs = [runningRow(1, 'w1'), runningRow(2, 'w2', { queue: 'q2' }), runningRow(3, 'w3', { queue: 'q2' })];
    expect(checkConcurrencyLimit(stateOf({ jobs }))).toEqual([]);
  });
});

describe('LOCK_EXCLUSIVE', () => {
  it('flags a running job whose key lock is held by someone else (incident 001’s vacuum race)', () => {
    const state = stateOf({
      jobs: [runningRow(5, 'w1', { resourceKey: 'rag:/db' })],
      locks: [{ key: 'rag:/db', holder: 'vacuum', jobId: null, expiresAt: 20_000 }],
    });
    const [violation] = checkLockExclusive(state);
    expect(violation).toMatchObject({ invariant: 'LOCK_EXCLUSIVE', jobs: [5], processes: ['w1', 'vacuum'] });
    expect(violation!.explanation).toContain('rag:/db');
  });

  it('flags two running jobs sharing a key and two live holders of one key', () => {
    const state = stateOf({
      jobs: [runningRow(5, 'w1', { queue: 'q2', resourceKey: 'k' }), runningRow(6, 'w2', { queue: 'q2', resourceKey: 'k' })],
      locks: [
        { key: 'k', holder: 'w1', jobId: 5, expiresAt: 20_000 },
        { key: 'k', holder: 'w2', jobId: 6, expiresAt: 20_000 },
      ],
    });
    const explanations = checkLockExclusive(state).map((violation) => violation.explanation);
    expect(explanations.some((text) => text.includes('2 unexpired holders'))).toBe(true);
    expect(explanations.some((text) => text.includes('jobs 5 and 6 are all running'))).toBe(true);
  });

  it('flags a running job with a key and no lock at all', () => {
    const [violation] = checkLockExclusive(stateOf({ jobs: [runningRow(5, 'w1', { resourceKey: 'k' })] }));
    expect(violation!.explanation).toContain('no lock on k exists');
  });

  it('passes a running job holding its lock, even expired while its owner is stalled, and an expired duplicate', () => {
    const state = stateOf({
      time: 50_000,
      jobs: [runningRow(5, 'w1', { resourceKey: 'k' })],
      locks: [
        { key: 'k', holder: 'w1', jobId: 5, expiresAt: 40_000 },
        { key: 'k', holder: 'w9', jobId: null, expiresAt: 30_000 },
      ],
    });
    expect(checkLockExclusive(state)).toEqual([]);
  });
});

describe('RUN_IDENTITY', () => {
  it('flags a running job carrying a dead run’s pid and run id (incident 003)', () => {
    const state = stateOf({ jobs: [runningRow(9, 'w1', { pid: 35, runId: 'w1.759' })], workers: [worker('w1', { pid: 35, runId: 'w1.760' })] });
    const [violation] = checkRunIdentity(state);
    expect(violation).toMatchObject({ invariant: 'RUN_IDENTITY', jobs: [9], processes: ['w1'] });
    expect(violation!.explanation).toContain('run w1.759');
    expect(violation!.explanation).toContain('run w1.760');
  });

  it('flags a stamped pid when the owner has no worker row', () => {
    const [violation] = checkRunIdentity(stateOf({ jobs: [runningRow(9, 'w1')] }));
    expect(violation!.explanation).toContain('has no registered worker row');
  });

  it('passes a job stamped with its owner’s row, and a job whose pid is attached later (null)', () => {
    const state = stateOf({
      jobs: [runningRow(9, 'w1', { pid: 100, runId: 'w1.1' }), runningRow(10, 'w2', { queue: 'q2', pid: null, runId: null })],
      workers: [worker('w1'), worker('w2')],
    });
    expect(checkRunIdentity(state)).toEqual([]);
  });
});

describe('CLIENT_NEVER_CLAIMS_STATE', () => {
  it('flags a job running under an enqueue-only client (incident 000)', () => {
    const [violation] = checkClientNeverClaimsState(stateOf({ jobs: [runningRow(3, 'c1')] }), context);
    expect(violation).toMatchObject({ invariant: 'CLIENT_NEVER_CLAIMS_STATE', jobs: [3], processes: ['c1'] });
  });

  it('flags an owner whose worker row says client even when the context does not', () => {
    const state = stateOf({ jobs: [runningRow(3, 'c7')], workers: [worker('c7', { role: 'client' })] });
    expect(checkClientNeverClaimsState(state, context)).toHaveLength(1);
  });

  it('passes jobs run by workers', () => {
    expect(checkClientNeverClaimsState(stateOf({ jobs: [runningRow(3, 'w1')] }), context)).toEqual([]);
  });
});

describe('SHUTDOWN_CLEAN_STATE', () => {
  it('flags a worker that shut down but still owns a running job and its lock', () => {
    const state = stateOf({ jobs: [runningRow(8, 'w3', { resourceKey: 'k' })], locks: [{ key: 'k', holder: 'w3', jobId: 8, expiresAt: 20_000 }] });
    const [violation] = checkShutdownCleanState(state, { clients: new Set(), shutDown: new Set(['w3']) });
    expect(violation).toMatchObject({ invariant: 'SHUTDOWN_CLEAN_STATE', jobs: [8], processes: ['w3'] });
    expect(violation!.explanation).toContain('running job 8');
    expect(violation!.explanation).toContain('the lock on k');
  });

  it('passes a shut-down worker that owns nothing while others run jobs', () => {
    const state = stateOf({ jobs: [runningRow(8, 'w1')] });
    expect(checkShutdownCleanState(state, { clients: new Set(), shutDown: new Set(['w3']) })).toEqual([]);
  });
});
