// The entry points honour capabilities (a missing concept is reported not applicable, never passed), shape the verdict (true / false / unknown), and limit what they list.
import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { checkHistory, checkLiveness, checkState } from '../../spec/check.ts';
import { HistoryBuilder, jobRow, runningRow, stateOf } from './support/history-builder.ts';

const doubleFire = new HistoryBuilder()
  .enqueue('c1', 1, { group: 'g', groupSize: 1 })
  .claim('w1', 1, 'L1')
  .complete('w1', 1, 'L1')
  .group('w1', 'g', 'completed')
  .group('w2', 'g', 'completed')
  .build();

describe('capabilities', () => {
  it('reports GROUP_ONCE not applicable when the engine has no groups, instead of judging it', () => {
    const verdict = checkHistory(doubleFire, { ...ALL_CAPABILITIES, groups: false }, { clockSkewMaxMs: 0, finalState: stateOf({ jobs: [jobRow(1, { status: 'completed' })] }) });
    expect(verdict.notApplicable).toContainEqual({ invariant: 'GROUP_ONCE', missing: 'groups' });
    expect(verdict.violations).toEqual([]);
    expect(verdict.valid).toBe(true);
    const judged = checkHistory(doubleFire, ALL_CAPABILITIES, { clockSkewMaxMs: 0 });
    expect(judged.valid).toBe(false);
    expect(judged.violations.map((violation) => violation.invariant)).toEqual(['GROUP_ONCE']);
  });

  it('reports NO_LOST_JOB not applicable without a final state', () => {
    const verdict = checkHistory(doubleFire, ALL_CAPABILITIES, { clockSkewMaxMs: 0 });
    expect(verdict.notApplicable).toContainEqual({ invariant: 'NO_LOST_JOB', missing: 'finalState' });
  });

  it('lists every state invariant not applicable without a state view, naming each missing capability', () => {
    const verdict = checkState(stateOf({ jobs: [runningRow(1, 'c1')] }), { clients: new Set(['c1']), shutDown: new Set() }, { ...ALL_CAPABILITIES, stateView: false, clients: false });
    expect(verdict.violations).toEqual([]);
    expect(verdict.notApplicable).toHaveLength(8);
    expect(verdict.notApplicable).toContainEqual({ invariant: 'CLIENT_NEVER_CLAIMS_STATE', missing: 'stateView, clients' });
  });

  it('stamps state violations with the event index it is given', () => {
    const verdict = checkState(stateOf({ jobs: [jobRow(1, { pid: 3 })] }), { clients: new Set(), shutDown: new Set() }, ALL_CAPABILITIES, { eventIndex: 41 });
    expect(verdict.valid).toBe(false);
    expect(verdict.violations[0]).toMatchObject({ invariant: 'QUEUED_CLEAN', eventIndex: 41 });
  });

  it('judges liveness only where the engine has the concept', () => {
    const finalState = stateOf({ jobs: [jobRow(1, { groupId: 'g', status: 'completed' })], groups: [{ id: 'g', size: 1, status: 'open' }], locks: [{ key: 'k', holder: 'w9', jobId: null, expiresAt: 1 }] });
    const options = { healTime: 0, thresholdMs: 1000, boundMs: 100, aliveProcesses: [] as string[] };
    const all = checkLiveness([], finalState, ALL_CAPABILITIES, options);
    expect(all.violations.map((violation) => violation.invariant).sort()).toEqual(['GROUP_COMPLETED', 'LOCKS_RELEASED']);
    const none = checkLiveness([], finalState, { ...ALL_CAPABILITIES, groups: false, resourceLocks: false }, options);
    expect(none.valid).toBe(true);
    expect(none.notApplicable.map((entry) => entry.invariant).sort()).toEqual(['GROUP_COMPLETED', 'LOCKS_RELEASED']);
  });
});

describe('verdicts', () => {
  it('is true for a clean history, and unknown when a judgement rests on a lost answer', () => {
    const clean = new HistoryBuilder().enqueue('c1', 1).claim('w1', 1, 'L1').complete('w1', 1, 'L1').build();
    expect(checkHistory(clean, ALL_CAPABILITIES, { clockSkewMaxMs: 0 }).valid).toBe(true);
    const lost = new HistoryBuilder()
      .enqueue('c1', 1, { group: 'g', groupSize: 1 })
      .claim('w1', 1, 'L1')
      .invoke('w1', 'complete', { job: 1, lease: 'L1' })
      .info('w1', 'complete', { job: 1, lease: 'L1' })
      .group('w2', 'g', 'completed')
      .build();
    const verdict = checkHistory(lost, ALL_CAPABILITIES, { clockSkewMaxMs: 0 });
    expect(verdict.valid).toBe('unknown');
    expect(verdict.violations).toEqual([]);
  });

  it('lists at most violationsPerInvariantMax per invariant and counts the rest', () => {
    const builder = new HistoryBuilder();
    for (let job = 1; job <= 5; job += 1) builder.enqueue('c1', job).claim('c1', job, `L${job}`);
    const verdict = checkHistory(builder.build(), ALL_CAPABILITIES, { clockSkewMaxMs: 0, violationsPerInvariantMax: 2 });
    expect(verdict.violations.filter((violation) => violation.invariant === 'CLIENT_NEVER_CLAIMS')).toHaveLength(2);
    expect(verdict.omitted).toContainEqual({ invariant: 'CLIENT_NEVER_CLAIMS', count: 3 });
  });

  it('orders violations by event index, end-of-run findings last', () => {
    const history = new HistoryBuilder().enqueue('c1', 1).claim('c1', 1, 'L1').build();
    const verdict = checkHistory(history, ALL_CAPABILITIES, { clockSkewMaxMs: 0, finalState: stateOf() });
    const indexes = verdict.violations.map((violation) => violation.eventIndex ?? Infinity);
    expect(indexes).toEqual([...indexes].sort((left, right) => left - right));
  });
});
