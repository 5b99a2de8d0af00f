// Each liveness invariant flags a hand-built end of the heal phase that breaks it (saying what each job waits for) and passes one that keeps it.
import { describe, expect, it } from 'vitest';
import { checkAllTerminal } from '../../spec/invariants/all-terminal.ts';
import type { LivenessOptions } from '../../spec/invariants/definition.ts';
import { checkGroupCompleted } from '../../spec/invariants/group-completed.ts';
import { checkLocksReleased } from '../../spec/invariants/locks-released.ts';
import { checkOrphansRecovered } from '../../spec/invariants/orphans-recovered.ts';
import { HistoryBuilder, jobRow, runningRow, stateOf } from './support/history-builder.ts';

const options: LivenessOptions = { healTime: 2000, thresholdMs: 1000, boundMs: 500, aliveProcesses: new Set(['w2', 'w3']), endTime: 9000 };
const empty = new HistoryBuilder().build();

describe('ALL_TERMINAL', () => {
  it('flags a queue wedged behind a job whose owner is dead (incident 003)', () => {
    const finalState = stateOf({ jobs: [runningRow(1, 'w1', { pid: 35 }), jobRow(2), jobRow(3, { status: 'completed' })] });
    const violations = checkAllTerminal(empty, finalState, options);
    expect(violations.map((violation) => violation.jobs)).toEqual([[1], [2, 1]]);
    expect(violations[0]!.explanation).toContain('its owner w1 is not alive and nothing recovered the job: a stranded run');
    expect(violations[1]!.explanation).toContain('queue q1 is full at its maxConcurrency 1 with job 1 under w1 (not alive, pid 35');
    expect(violations[1]!.processes).toEqual(['w1']);
  });

  it('says which lock keeps a queued job waiting, or that nobody claimed it', () => {
    const finalState = stateOf({
      jobs: [jobRow(4, { queue: 'q2', resourceKey: 'k' }), jobRow(5, { queue: 'q2' })],
      locks: [{ key: 'k', holder: 'w9', jobId: null, expiresAt: 99_999 }],
    });
    const [locked, unclaimed] = checkAllTerminal(empty, finalState, options);
    expect(locked!.explanation).toContain('its resource key k is held by w9');
    expect(unclaimed!.explanation).toContain('no worker claimed it');
  });

  it('says how the heal phase ended: drained, cut by its budget, or stopped as stalled', () => {
    const finalState = stateOf({ jobs: [jobRow(2)] });
    const text = (extra: Partial<LivenessOptions>) => checkAllTerminal(empty, finalState, { ...options, ...extra })[0]!.explanation;
    expect(text({})).toContain('Let the faults stop at t=2000 and the heal phase end at t=9000.');
    expect(text({ healCompleted: false })).toContain('the heal phase be cut by its budget at t=9000.');
    expect(text({ healCompleted: false, stall: { since: 3000, boundMs: 5500 } })).toContain(
      "the heal phase be stopped at t=9000 because it had stalled: no job's row had changed since t=3000, longer than any recovery takes (5500 ms).",
    );
  });

  it('passes when every job is terminal', () => {
    const finalState = stateOf({ jobs: [jobRow(1, { status: 'completed' }), jobRow(2, { status: 'failed' }), jobRow(3, { status: 'cancelled' })] });
    expect(checkAllTerminal(empty, finalState, options)).toEqual([]);
  });
});

describe('ORPHANS_RECOVERED', () => {
  const orphan = () => new HistoryBuilder().enqueue('c1', 1).at(100).claim('w1', 1, 'L1').at(1000).crash('w1').at(2000).heal();

  it('flags an orphan nobody claimed by its deadline (incident 002)', () => {
    const [violation] = checkOrphansRecovered(orphan().build(), stateOf({ jobs: [runningRow(1, 'w1')] }), options);
    expect(violation).toMatchObject({ invariant: 'ORPHANS_RECOVERED', time: 1000, jobs: [1], processes: ['w1'] });
    expect(violation!.explanation).toContain('w1 (run w1.1) crashed at t=1000 while holding it');
    expect(violation!.explanation).toContain('deadline t=3500');
  });

  it('flags an orphan claimed again after its deadline', () => {
    const history = orphan().at(4000).startup('w2').claim('w2', 1, 'L2').complete('w2', 1, 'L2').build();
    const [violation] = checkOrphansRecovered(history, stateOf({ jobs: [jobRow(1, { status: 'completed' })] }), options);
    expect(violation).toMatchObject({ time: 4000, processes: ['w1', 'w2'] });
    expect(violation!.explanation).toContain('claimed it again at t=4000, after its deadline t=3500');
  });

  it('flags a job left running by a shutdown that did not release it', () => {
    const history = new HistoryBuilder().enqueue('c1', 1).claim('w1', 1, 'L1').at(2500).shutdown('w1', []).exit('w1').build();
    const [violation] = checkOrphansRecovered(history, stateOf({ jobs: [runningRow(1, 'w1')] }), options);
    expect(violation!.explanation).toContain("w1 (run w1.1)'s shutdown returned at t=2500 without releasing it");
  });

  it('passes a timely recovery, a run that ended before the deadline, and a lost-ack complete that applied', () => {
    const timely = orphan().at(3000).claim('w2', 1, 'L2').complete('w2', 1, 'L2').build();
    expect(checkOrphansRecovered(timely, stateOf({ jobs: [jobRow(1, { status: 'completed' })] }), options)).toEqual([]);
    expect(checkOrphansRecovered(orphan().build(), stateOf({ jobs: [runningRow(1, 'w1')] }), { ...options, endTime: 3000 })).toEqual([]);
    const lostAck = new HistoryBuilder()
      .enqueue('c1', 1)
      .claim('w1', 1, 'L1')
      .invoke('w1', 'complete', { job: 1, lease: 'L1' })
      .at(1000)
      .crash('w1')
      .info('w1', 'complete', { job: 1, lease: 'L1' })
      .build();
    expect(checkOrphansRecovered(lostAck, stateOf({ jobs: [jobRow(1, { status: 'completed' })] }), options)).toEqual([]);
  });

  it('passes an orphan requeued in time that runs later, once a busy queue lets it (seed 238)', () => {
    const history = orphan().at(3000).startup('w2').reap('w2', 1000, ['w1'], [1]).at(9000).claim('w2', 1, 'L2').complete('w2', 1, 'L2').build();
    expect(checkOrphansRecovered(history, stateOf({ jobs: [jobRow(1, { status: 'completed' })] }), options)).toEqual([]);
  });

  it('flags an orphan requeued in time that nobody runs again before the end (incident 002: every claimant refuses it)', () => {
    const history = orphan().at(3000).startup('w2').reap('w2', 1000, ['w1'], [1]).at(9000).claim('w2', null, 'L2').build();
    const [violation] = checkOrphansRecovered(history, stateOf({ jobs: [jobRow(1, { status: 'queued' })] }), options);
    expect(violation).toMatchObject({ invariant: 'ORPHANS_RECOVERED', jobs: [1], processes: ['w1'] });
    expect(violation!.explanation).toContain("w2's reap requeued it at t=3000, in time, but nobody ran it again");
  });

  it('flags an orphan requeued after its deadline', () => {
    const history = orphan().at(4000).startup('w2').reap('w2', 1000, ['w1'], [1]).claim('w2', 1, 'L2').complete('w2', 1, 'L2').build();
    const [violation] = checkOrphansRecovered(history, stateOf({ jobs: [jobRow(1, { status: 'completed' })] }), options);
    expect(violation!.explanation).toContain("w2's reap requeued it at t=4000, after its deadline t=3500");
  });
});

describe('LOCKS_RELEASED', () => {
  it('flags a lock held by a dead process and a lock past its expiry', () => {
    const finalState = stateOf({
      time: 50_000,
      locks: [
        { key: 'a', holder: 'w1', jobId: 3, expiresAt: 60_000 },
        { key: 'b', holder: 'w2', jobId: null, expiresAt: 40_000 },
      ],
    });
    const [dead, expired] = checkLocksReleased(empty, finalState, options);
    expect(dead).toMatchObject({ invariant: 'LOCKS_RELEASED', jobs: [3], processes: ['w1'] });
    expect(dead!.explanation).toContain('its holder w1 is not alive');
    expect(expired!.explanation).toContain('it expired at t=40000');
  });

  it('passes no locks, and a live holder’s unexpired lock', () => {
    expect(checkLocksReleased(empty, stateOf(), options)).toEqual([]);
    expect(checkLocksReleased(empty, stateOf({ locks: [{ key: 'a', holder: 'w2', jobId: null, expiresAt: 60_000 }] }), options)).toEqual([]);
  });
});

describe('GROUP_COMPLETED', () => {
  const members = [jobRow(1, { groupId: 'g', status: 'completed' }), jobRow(2, { groupId: 'g', status: 'failed' })];

  it('flags a group whose members all ended but which never fired (GROUP_END must fire)', () => {
    const [violation] = checkGroupCompleted(empty, stateOf({ jobs: members, groups: [{ id: 'g', size: 2, status: 'open' }] }), options);
    expect(violation).toMatchObject({ invariant: 'GROUP_COMPLETED', jobs: [1, 2] });
    expect(violation!.explanation).toContain('the group is still open');
  });

  it('says when the heal phase was stopped as stalled', () => {
    const stalled = { ...options, healCompleted: false, stall: { since: 3000, boundMs: 5500 } };
    const [violation] = checkGroupCompleted(empty, stateOf({ jobs: members, groups: [{ id: 'g', size: 2, status: 'open' }] }), stalled);
    expect(violation!.explanation).toContain("be terminal when liveness is judged at t=9000 (the heal phase was stopped because it had stalled: no job's row had changed since t=3000");
  });

  it('flags a group that ended with the wrong outcome', () => {
    const [violation] = checkGroupCompleted(empty, stateOf({ jobs: members, groups: [{ id: 'g', size: 2, status: 'completed' }] }), options);
    expect(violation!.explanation).toContain('member job 2 failed, so it should have ended failed');
  });

  it('passes a fired group, and an open group still missing members or running ones', () => {
    expect(checkGroupCompleted(empty, stateOf({ jobs: members, groups: [{ id: 'g', size: 2, status: 'failed' }] }), options)).toEqual([]);
    expect(checkGroupCompleted(empty, stateOf({ jobs: members, groups: [{ id: 'g', size: 3, status: 'open' }] }), options)).toEqual([]);
    const running = [jobRow(1, { groupId: 'g', status: 'completed' }), runningRow(2, 'w2', { groupId: 'g' })];
    expect(checkGroupCompleted(empty, stateOf({ jobs: running, groups: [{ id: 'g', size: 2, status: 'open' }] }), options)).toEqual([]);
  });
});
