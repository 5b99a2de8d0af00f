// Malformed evidence is rejected by the schemas with the path of the bad field, so a broken recorder or adapter gets one clear line, not a false verdict.
import { describe, expect, it } from 'vitest';
import { HistoryEventSchema, HistorySchema } from '../../spec/history.ts';
import { EvidenceFormatError, parseHistory, parseState } from '../../spec/parse.ts';
import { HistoryBuilder, jobRow, stateOf } from './support/history-builder.ts';

const ok = { index: 0, time: 0, process: 'w1', run: 'w1.1', pid: 1, type: 'ok', role: 'worker' } as const;

function firstIssue(input: unknown): { path: PropertyKey[]; message: string } {
  const result = HistoryEventSchema.safeParse(input);
  expect(result.success).toBe(false);
  const issue = result.error!.issues[0]!;
  return { path: issue.path, message: issue.message };
}

describe('history event schema', () => {
  it("rejects job: 'x' at path job", () => {
    expect(firstIssue({ ...ok, op: 'complete', job: 'x', lease: 'L1', applied: true }).path).toEqual(['job']);
  });

  it('names the event and the field when parsing a whole history', () => {
    const history = [...new HistoryBuilder().enqueue('c1', 1).build(), { ...ok, index: 2, op: 'complete', job: 'x', lease: 'L1', applied: true }];
    expect(() => parseHistory(history)).toThrow(EvidenceFormatError);
    expect(() => parseHistory(history)).toThrow(/history\[2\]\.job: Invalid input: expected number, received string/);
  });

  it('rejects an unknown op, an unknown field and a negative index', () => {
    expect(firstIssue({ ...ok, op: 'steal' }).path).toEqual(['op']);
    expect(firstIssue({ ...ok, op: 'heartbeat', applied: true, surprise: 1 }).message).toMatch(/surprise/);
    expect(firstIssue({ ...ok, index: -1, op: 'heartbeat', applied: true }).path).toEqual(['index']);
  });

  it('requires the fields the checkers read on an answer', () => {
    expect(firstIssue({ ...ok, op: 'complete', job: 1, lease: 'L1' })).toMatchObject({ path: ['applied'] });
    expect(firstIssue({ ...ok, op: 'fail', job: 1, lease: 'L1', applied: true })).toMatchObject({ path: ['status'] });
    expect(firstIssue({ ...ok, op: 'claim', lease: 'L1' })).toMatchObject({ path: ['job'] });
    expect(firstIssue({ ...ok, op: 'reap', thresholdMs: 1000, jobs: [] })).toMatchObject({ path: ['workers'] });
    expect(firstIssue({ ...ok, op: 'tryCompleteGroup', group: 'g', status: 'running' })).toMatchObject({ path: ['status'] });
    expect(firstIssue({ ...ok, type: 'invoke', op: 'reap' })).toMatchObject({ path: ['thresholdMs'] });
  });

  it('accepts what the simulator records, including fail and info answers that only repeat the invoke', () => {
    const history = new HistoryBuilder()
      .spawn('w1')
      .enqueue('c1', 1, { group: 'g', groupSize: 2 })
      .claim('w1', 1, 'L1')
      .claim('w1', null, 'L2')
      .fail('w1', 1, 'L1', 'queued')
      .fail('w1', 1, 'L1', null)
      .heartbeat('w1', false)
      .startup('w1', [1])
      .reap('w1', 1000, [], [], [])
      .group('w1', 'g', null)
      .shutdown('w1', [])
      .invoke('w2', 'complete', { job: 1, lease: 'L3' })
      .info('w2', 'complete', { job: 1, lease: 'L3' })
      .failed('w2', 'claim', { lease: 'L4', error: 'process died before the operation reached the database' })
      .restart()
      .heal()
      .build();
    expect(HistorySchema.safeParse(history).success).toBe(true);
    expect(parseHistory(history)).toHaveLength(history.length);
  });
});

describe('state schema', () => {
  it('rejects a bad job status with its path', () => {
    const state = stateOf({ jobs: [jobRow(1, { status: 'done' as never })] });
    expect(() => parseState(state)).toThrow(/state\.jobs\[0\]\.status/);
  });

  it('accepts a well-formed snapshot', () => {
    expect(parseState(stateOf({ jobs: [jobRow(1)] })).jobs).toHaveLength(1);
  });
});
