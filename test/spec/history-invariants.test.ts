// Each history invariant flags a hand-built history that breaks it (at the right event, naming jobs, processes, leases and times) and passes one that keeps it.
import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { checkHistory } from '../../spec/check.ts';
import { checkClientNeverClaims } from '../../spec/invariants/client-never-claims.ts';
import { checkGroupOnce } from '../../spec/invariants/group-once.ts';
import { checkNoLostJob } from '../../spec/invariants/no-lost-job.ts';
import { checkReaperNotSelf } from '../../spec/invariants/reaper-not-self.ts';
import { checkShutdownClean } from '../../spec/invariants/shutdown-clean.ts';
import { checkSingleOwner } from '../../spec/invariants/single-owner.ts';
import { checkStaleWriteFenced } from '../../spec/invariants/stale-write-fenced.ts';
import { checkTerminalFinal } from '../../spec/invariants/terminal-final.ts';
import { HistoryBuilder, jobRow, runningRow, stateOf } from './support/history-builder.ts';

const options = { clockSkewMaxMs: 0 };

describe('SINGLE_OWNER', () => {
  it('flags a second claim of a job its live holder has not finished', () => {
    const history = new HistoryBuilder().enqueue('c1', 7).at(100).claim('w1', 7, 'L1').at(200).claim('w2', 7, 'L2').build();
    const [violation, ...rest] = checkSingleOwner(history, options);
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ invariant: 'SINGLE_OWNER', eventIndex: 5, time: 200, jobs: [7], processes: ['w1', 'w2'] });
    expect(violation!.explanation).toContain('w1 (run w1.1) hold job 7 from its claim at t=100 with lease L1');
    expect(violation!.explanation).toContain('two executions of job 7 overlap');
  });

  it('flags a write from a worker that is no longer the holder', () => {
    const history = new HistoryBuilder()
      .enqueue('c1', 7)
      .at(100)
      .claim('w1', 7, 'L1')
      .at(2000)
      .reap('w2', 1000, ['w1'], [7])
      .at(2100)
      .claim('w3', 7, 'L3')
      .at(2200)
      .complete('w1', 7, 'L1', true)
      .build();
    const violations = checkSingleOwner(history, options);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.processes).toEqual(['w1', 'w3']);
    expect(violations[0]!.explanation).toContain("the job's latest claim was w3 (run w3.1)'s at t=2100 with lease L3");
  });

  it('passes the fenced version of the same run: the stale write is refused, the holder’s lands', () => {
    const history = new HistoryBuilder()
      .enqueue('c1', 7)
      .at(100)
      .claim('w1', 7, 'L1')
      .at(2000)
      .reap('w2', 1000, ['w1'], [7])
      .at(2100)
      .claim('w3', 7, 'L3')
      .at(2200)
      .complete('w1', 7, 'L1', false)
      .at(2300)
      .complete('w3', 7, 'L3', true)
      .build();
    expect(checkSingleOwner(history, options)).toEqual([]);
  });

  it('leaves an overlap undecided when a reap whose answer was lost may have requeued the job', () => {
    const history = new HistoryBuilder()
      .enqueue('c1', 7)
      .claim('w1', 7, 'L1')
      .invoke('w2', 'reap', { thresholdMs: 1000 })
      .crash('w2')
      .info('w2', 'reap', { thresholdMs: 1000 })
      .claim('w3', 7, 'L3')
      .build();
    expect(checkSingleOwner(history, options)).toEqual([]);
    const verdict = checkHistory(history, ALL_CAPABILITIES, options);
    expect(verdict.valid).toBe('unknown');
    expect(verdict.undecided?.[0]!.explanation).toContain("w2's reap at t=0 lost its answer");
  });

  it('passes a reclaim after the holder died (recovery by lease expiry is no overlap)', () => {
    const history = new HistoryBuilder().enqueue('c1', 7).claim('w1', 7, 'L1').at(50).crash('w1').at(5000).claim('w2', 7, 'L2').complete('w2', 7, 'L2').build();
    expect(checkSingleOwner(history, options)).toEqual([]);
  });
});

describe('STALE_WRITE_FENCED', () => {
  it('flags a write under a lease a later claim superseded (the brief’s example)', () => {
    const history = new HistoryBuilder()
      .enqueue('c1', 7)
      .at(1000)
      .claim('w2', 7, 'L3')
      .at(3000)
      .reap('w1', 1000, ['w2'], [7])
      .at(4100)
      .claim('w4', 7, 'L5')
      .at(5200)
      .complete('w2', 7, 'L3', true)
      .build();
    const [violation] = checkStaleWriteFenced(history, options);
    expect(violation).toMatchObject({ invariant: 'STALE_WRITE_FENCED', eventIndex: 9, time: 5200, jobs: [7] });
    expect(violation!.processes).toContain('w2');
    expect(violation!.explanation).toContain('w2 completed job 7 at t=5200 with lease L3');
    expect(violation!.explanation).toContain("w1's reap requeued job 7 at t=3000");
    expect(violation!.explanation).toContain('should have had no effect');
  });

  it('flags a write superseded by a newer claim without a requeue, naming the new lease', () => {
    const history = new HistoryBuilder().enqueue('c1', 7).at(10).claim('w2', 7, 'L3').at(4100).claim('w4', 7, 'L5').at(5200).complete('w2', 7, 'L3', true).build();
    const [violation] = checkStaleWriteFenced(history, options);
    expect(violation!.explanation).toContain('w4 claimed job 7 at t=4100 with lease L5');
    expect(violation!.processes).toEqual(['w2', 'w4']);
  });

  it('flags a write after a fail-retry sent the job back to the queue', () => {
    const history = new HistoryBuilder().enqueue('c1', 7).claim('w1', 7, 'L1').at(20).fail('w1', 7, 'L1', 'queued').at(30).complete('w1', 7, 'L1', true).build();
    const [violation] = checkStaleWriteFenced(history, options);
    expect(violation!.explanation).toContain('back to the queue');
  });

  it('flags an accepted write under a lease never issued for the job', () => {
    const history = new HistoryBuilder().enqueue('c1', 7).claim('w1', 7, 'L1').complete('w2', 7, 'L99', true).build();
    expect(checkStaleWriteFenced(history, options)[0]!.explanation).toContain('no claim of job 7 ever returned lease L99');
  });

  it('passes when the stale write is refused and the current holder’s write lands', () => {
    const history = new HistoryBuilder()
      .enqueue('c1', 7)
      .claim('w2', 7, 'L3')
      .reap('w1', 1000, ['w2'], [7])
      .claim('w4', 7, 'L5')
      .complete('w2', 7, 'L3', false)
      .complete('w4', 7, 'L5', true)
      .build();
    expect(checkStaleWriteFenced(history, options)).toEqual([]);
  });
});

describe('TERMINAL_FINAL', () => {
  it('flags a claim that returns a completed job', () => {
    const history = new HistoryBuilder().enqueue('c1', 3).at(10).claim('w1', 3, 'L1').at(20).complete('w1', 3, 'L1').at(30).claim('w2', 3, 'L2').build();
    const [violation] = checkTerminalFinal(history, options);
    expect(violation).toMatchObject({ invariant: 'TERMINAL_FINAL', time: 30, jobs: [3], processes: ['w1', 'w2'] });
    expect(violation!.explanation).toContain('Let job 3 have ended completed at t=20');
    expect(violation!.explanation).toContain("w2 (run w2.1)'s claim at t=30 returned it with lease L2");
  });

  it('flags a reap that requeues a failed job, and a second accepted write', () => {
    const history = new HistoryBuilder()
      .enqueue('c1', 3)
      .claim('w1', 3, 'L1')
      .fail('w1', 3, 'L1', 'failed')
      .reap('w2', 1000, ['w1'], [3])
      .complete('w1', 3, 'L1', true)
      .build();
    const explanations = checkTerminalFinal(history, options).map((violation) => violation.explanation);
    expect(explanations).toHaveLength(2);
    expect(explanations[0]).toContain("w2's reap requeued it");
    expect(explanations[1]).toContain('w1 completed it');
  });

  it('passes a job that ends once while other claims return other jobs', () => {
    const history = new HistoryBuilder().enqueue('c1', 3).enqueue('c1', 4).claim('w1', 3, 'L1').complete('w1', 3, 'L1').claim('w2', 4, 'L2').claim('w1', null, 'L3').complete('w1', 3, 'L1', false).build();
    expect(checkTerminalFinal(history, options)).toEqual([]);
  });
});

describe('GROUP_ONCE', () => {
  /** Group g of two members, job 1 held by w1 and job 2 by w2, at t=100. */
  const bothClaimed = () =>
    new HistoryBuilder()
      .enqueue('c1', 1, { group: 'g', groupSize: 2 })
      .enqueue('c1', 2, { group: 'g', groupSize: 2 })
      .claim('w1', 1, 'L1')
      .claim('w2', 2, 'L2')
      .at(100);
  const twoMembers = () => bothClaimed().complete('w1', 1, 'L1');

  it('flags a group that fires twice', () => {
    const history = twoMembers().fail('w2', 2, 'L2', 'failed').at(200).group('w1', 'g', 'failed').at(300).group('w2', 'g', 'failed').build();
    const [violation] = checkGroupOnce(history, options);
    expect(violation).toMatchObject({ invariant: 'GROUP_ONCE', time: 300, processes: ['w1', 'w2'] });
    expect(violation!.explanation).toContain('fired it again (failed) at t=300');
  });

  it('flags a group that fires before every member is terminal', () => {
    const [violation] = checkGroupOnce(twoMembers().group('w1', 'g', 'completed').build(), options);
    expect(violation).toMatchObject({ jobs: [2], processes: ['w1'] });
    expect(violation!.explanation).toContain('job 2 had not reached a terminal state');
  });

  it('flags a group that fires before all its members exist', () => {
    const history = new HistoryBuilder().enqueue('c1', 1, { group: 'g', groupSize: 2 }).claim('w1', 1, 'L1').complete('w1', 1, 'L1').group('w1', 'g', 'completed').build();
    expect(checkGroupOnce(history, options)[0]!.explanation).toContain('only 1 of its 2 members exist');
  });

  it('flags the wrong outcome: completed although a member failed', () => {
    const [violation] = checkGroupOnce(twoMembers().fail('w2', 2, 'L2', 'failed').group('w1', 'g', 'completed').build(), options);
    expect(violation!.explanation).toContain('member job 2 had failed, so it should have fired failed');
  });

  it('passes one fire, after the last member, with the dominating outcome; later calls do not fire', () => {
    const history = twoMembers().fail('w2', 2, 'L2', 'failed').group('w2', 'g', 'failed').group('w1', 'g', null).build();
    expect(checkGroupOnce(history, options)).toEqual([]);
  });

  it('judges a large group (membership kept in a set past a few dozen members)', () => {
    const builder = new HistoryBuilder();
    for (let job = 1; job <= 40; job += 1) builder.enqueue('c1', job, { group: 'big', groupSize: 40 }).enqueue('c1', job, { group: 'big', groupSize: 40 });
    for (let job = 1; job <= 39; job += 1) builder.claim('w1', job, `L${job}`).complete('w1', job, `L${job}`);
    const [violation, ...rest] = checkGroupOnce(builder.group('w1', 'big', 'completed').build(), options);
    expect(rest).toEqual([]);
    expect(violation!.jobs).toEqual([40]);
  });

  it('reads membership from the final state when enqueue events do not name the group', () => {
    const history = new HistoryBuilder().enqueue('c1', 1).enqueue('c1', 2).claim('w1', 1, 'L1').complete('w1', 1, 'L1').group('w1', 'g', 'completed').build();
    const finalState = stateOf({ jobs: [jobRow(1, { groupId: 'g', status: 'completed' }), jobRow(2, { groupId: 'g' })], groups: [{ id: 'g', size: 2, status: 'completed' }] });
    expect(checkGroupOnce(history, { ...options, finalState })[0]!.explanation).toContain('job 2 had not reached a terminal state');
  });

  describe('a member whose complete was lost with an info', () => {
    const lostAck = () =>
      new HistoryBuilder()
        .enqueue('c1', 1, { group: 'g', groupSize: 1 })
        .claim('w1', 1, 'L1')
        .invoke('w1', 'complete', { job: 1, lease: 'L1' })
        .crash('w1')
        .info('w1', 'complete', { job: 1, lease: 'L1' })
        .at(500)
        .group('w2', 'g', 'completed');

    it('is undecided without a final state: the verdict is unknown, not valid', () => {
      const verdict = checkHistory(lostAck().build(), ALL_CAPABILITIES, options);
      expect(verdict.valid).toBe('unknown');
      expect(verdict.undecided?.[0]).toMatchObject({ invariant: 'GROUP_ONCE', jobs: [1] });
    });

    it('is settled by a terminal final row: the lost write applied', () => {
      const finalState = stateOf({ jobs: [jobRow(1, { groupId: 'g', status: 'completed' })], groups: [{ id: 'g', size: 1, status: 'completed' }] });
      expect(checkHistory(lostAck().build(), ALL_CAPABILITIES, { ...options, finalState }).valid).toBe(true);
    });

    it('is settled as early when the job was requeued after the fire: the lost write had not applied', () => {
      const history = lostAck().at(2000).reap('w2', 1000, ['w1'], [1]).build();
      const [violation] = checkGroupOnce(history, options);
      expect(violation!.explanation).toContain('had only a terminal write whose answer was lost');
    });
  });

  describe('a member whose complete is still in flight when the group fires (a terminal write of two statements)', () => {
    // w1's complete has updated the job row (so w2's tryCompleteGroup sees it terminal) but not yet answered.
    const inFlight = () =>
      bothClaimed()
        .invoke('w1', 'complete', { job: 1, lease: 'L1' })
        .complete('w2', 2, 'L2')
        .at(200)
        .group('w2', 'g', 'completed');

    it('passes when that write then answers applied: its own answer is not "ended again after the fire"', () => {
      const history = inFlight().at(300).ok('w1', 'complete', { job: 1, lease: 'L1', applied: true }).build();
      const finalState = stateOf({ jobs: [jobRow(1, { groupId: 'g', status: 'completed' }), jobRow(2, { groupId: 'g', status: 'completed' })], groups: [{ id: 'g', size: 2, status: 'completed' }] });
      expect(checkGroupOnce(history, options)).toEqual([]);
      expect(checkGroupOnce(history, { ...options, finalState })).toEqual([]);
    });

    it('still flags the fire as early when the job is claimed again after it, or its write was refused', () => {
      const claimedAgain = inFlight().at(300).ok('w1', 'complete', { job: 1, lease: 'L1', applied: true }).at(400).claim('w3', 1, 'L3').build();
      expect(checkGroupOnce(claimedAgain, options)[0]?.explanation).toContain('claimed, requeued or ended again after the fire');
      const refused = inFlight().at(300).ok('w1', 'complete', { job: 1, lease: 'L1', applied: false }).build();
      const finalState = stateOf({ jobs: [runningRow(1, 'w1', { groupId: 'g' }), jobRow(2, { groupId: 'g', status: 'completed' })], groups: [{ id: 'g', size: 2, status: 'completed' }] });
      expect(checkGroupOnce(refused, { ...options, finalState })).toHaveLength(1);
    });

    it('judges the outcome by that write: a member failing in flight makes a completed fire wrong', () => {
      const history = inFlight().at(300).ok('w1', 'fail', { job: 1, lease: 'L1', applied: true, status: 'failed' }).build();
      expect(checkGroupOnce(history, options)[0]?.explanation).toContain('member job 1 had failed, so it should have fired failed');
    });
  });
});

describe('REAPER_NOT_SELF', () => {
  it('flags a reaper that reaps itself (incident 001)', () => {
    const [violation] = checkReaperNotSelf(new HistoryBuilder().heartbeat('w1').at(5000).reap('w1', 1000, ['w1']).build(), options);
    expect(violation).toMatchObject({ invariant: 'REAPER_NOT_SELF', time: 5000, processes: ['w1'] });
    expect(violation!.explanation).toContain('removed w1 itself');
  });

  it('flags the reap of a worker whose heartbeat is fresh beyond any skew', () => {
    const history = new HistoryBuilder().at(1000).heartbeat('w2').at(1500).reap('w1', 1000, ['w2']).build();
    const [violation] = checkReaperNotSelf(history, { clockSkewMaxMs: 100 });
    expect(violation).toMatchObject({ processes: ['w1', 'w2'], time: 1500 });
    expect(violation!.explanation).toContain('at most 500 ms old, under thresholdMs − 2·clockSkewMaxMs = 800 ms');
  });

  it('passes a reap the skew bound can explain, and a stale worker', () => {
    const skewed = new HistoryBuilder().at(1000).heartbeat('w2').at(1850).reap('w1', 1000, ['w2']).build();
    expect(checkReaperNotSelf(skewed, { clockSkewMaxMs: 100 })).toEqual([]);
    expect(checkReaperNotSelf(skewed, { clockSkewMaxMs: 0 })).toHaveLength(1);
    const stale = new HistoryBuilder().at(1000).heartbeat('w2').at(2100).reap('w1', 1000, ['w2']).build();
    expect(checkReaperNotSelf(stale, options)).toEqual([]);
  });

  it('does not count a heartbeat acknowledged while the reap was in flight', () => {
    const history = new HistoryBuilder()
      .at(1000)
      .heartbeat('w2')
      .at(2100)
      .invoke('w1', 'reap', { thresholdMs: 1000 })
      .heartbeat('w2')
      .ok('w1', 'reap', { thresholdMs: 1000, workers: ['w2'], jobs: [], failedJobs: [] })
      .build();
    expect(checkReaperNotSelf(history, options)).toEqual([]);
  });
});

describe('CLIENT_NEVER_CLAIMS', () => {
  it('flags an enqueue-only client that got a job from claim (incident 000)', () => {
    const [violation] = checkClientNeverClaims(new HistoryBuilder().enqueue('c1', 5).at(40).claim('c1', 5, 'L1').build(), options);
    expect(violation).toMatchObject({ invariant: 'CLIENT_NEVER_CLAIMS', eventIndex: 3, time: 40, jobs: [5], processes: ['c1'] });
    expect(violation!.explanation).toContain('returned job 5 with lease L1');
  });

  it('passes a client that enqueues and whose claim gets nothing', () => {
    expect(checkClientNeverClaims(new HistoryBuilder().enqueue('c1', 5).claim('c1', null, 'L1').claim('w1', 5, 'L2').build(), options)).toEqual([]);
  });
});

describe('SHUTDOWN_CLEAN', () => {
  it('flags a claim invoked after shutdown began whose job the shutdown kept', () => {
    const history = new HistoryBuilder().enqueue('c1', 4).at(10).invoke('w1', 'shutdown').at(20).claim('w1', 4, 'L1').at(30).ok('w1', 'shutdown', { jobs: [] }).build();
    const [violation] = checkShutdownClean(history, options);
    expect(violation).toMatchObject({ invariant: 'SHUTDOWN_CLEAN', time: 20, jobs: [4], processes: ['w1'] });
    expect(violation!.explanation).toContain('a claim it invoked after that returned job 4 at t=20');
  });

  it('flags a shutdown that returns while the worker still holds a job, and a write accepted after it', () => {
    const history = new HistoryBuilder().enqueue('c1', 4).claim('w1', 4, 'L1').at(30).shutdown('w1', []).at(40).complete('w1', 4, 'L1', true).build();
    const explanations = checkShutdownClean(history, options).map((violation) => violation.explanation);
    expect(explanations[0]).toContain('returned at t=30 without releasing job 4');
    expect(explanations[1]).toContain('w1 completed job 4 at t=40');
  });

  it('passes a claim in flight when shutdown began whose job the shutdown hands back, and a refused late write', () => {
    const history = new HistoryBuilder()
      .enqueue('c1', 4)
      .invoke('w1', 'claim', { lease: 'L1' })
      .invoke('w1', 'shutdown')
      .ok('w1', 'claim', { job: 4, lease: 'L1' })
      .ok('w1', 'shutdown', { jobs: [4] })
      .release('w1', 4, 'L1', false)
      .build();
    expect(checkShutdownClean(history, options)).toEqual([]);
  });
});

describe('NO_LOST_JOB', () => {
  const completed = () => new HistoryBuilder().enqueue('c1', 1).claim('w1', 1, 'L1').at(50).complete('w1', 1, 'L1');

  it('flags an acknowledged job missing at the end', () => {
    const [violation] = checkNoLostJob(completed().build(), { ...options, finalState: stateOf() });
    expect(violation).toMatchObject({ invariant: 'NO_LOST_JOB', eventIndex: 1, jobs: [1] });
    expect(violation!.explanation).toContain('no row of job 1 exists');
  });

  it('flags a final row that contradicts the last accepted outcome', () => {
    const [violation] = checkNoLostJob(completed().build(), { ...options, finalState: stateOf({ jobs: [jobRow(1)] }) });
    expect(violation!.explanation).toContain("job 1's row says queued");
  });

  it('flags two accepted terminal outcomes', () => {
    const history = completed().at(60).reap('w2', 1000, ['w1'], [], [1]).build();
    const [violation] = checkNoLostJob(history, { ...options, finalState: stateOf({ jobs: [jobRow(1, { status: 'failed' })] }) });
    expect(violation!.explanation).toContain('a second accepted terminal outcome');
  });

  it('flags a terminal row no operation of the history ended', () => {
    const history = new HistoryBuilder().enqueue('c1', 1).build();
    expect(checkNoLostJob(history, { ...options, finalState: stateOf({ jobs: [jobRow(1, { status: 'completed' })] }) })[0]!.explanation).toContain('no accepted write, reap or startup');
  });

  it('passes a terminal row that a reap whose answer was lost may have failed', () => {
    const history = new HistoryBuilder()
      .enqueue('c1', 1)
      .claim('w3', 1, 'L1')
      .invoke('w2', 'reap', { thresholdMs: 1000 })
      .crash('w2')
      .info('w2', 'reap', { thresholdMs: 1000 })
      .complete('w3', 1, 'L1', false)
      .build();
    expect(checkNoLostJob(history, { ...options, finalState: stateOf({ jobs: [jobRow(1, { status: 'failed', owner: 'w3' })] }) })).toEqual([]);
    // Without the lost reap the same row has no explanation.
    const plain = new HistoryBuilder().enqueue('c1', 1).claim('w3', 1, 'L1').complete('w3', 1, 'L1', false).build();
    expect(checkNoLostJob(plain, { ...options, finalState: stateOf({ jobs: [jobRow(1, { status: 'failed', owner: 'w3' })] }) })).toHaveLength(1);
  });

  it('passes agreement, a queued job, and a terminal row explained by a lost answer', () => {
    const history = completed()
      .enqueue('c1', 2)
      .enqueue('c1', 3)
      .claim('w2', 3, 'L3')
      .invoke('w2', 'complete', { job: 3, lease: 'L3' })
      .crash('w2')
      .info('w2', 'complete', { job: 3, lease: 'L3' })
      .build();
    const finalState = stateOf({ jobs: [jobRow(1, { status: 'completed' }), jobRow(2), jobRow(3, { status: 'completed' })] });
    expect(checkNoLostJob(history, { ...options, finalState })).toEqual([]);
    expect(checkNoLostJob(history, { ...options, finalState: stateOf({ jobs: [jobRow(1, { status: 'completed' }), jobRow(2), runningRow(3, 'w2')] }) })).toEqual([]);
  });
});
