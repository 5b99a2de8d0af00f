// Goal: the printed timeline keeps every event that carries the story on its own
// line and folds only what provably carried none: heartbeats, and stretches of
// operations that reported doing nothing (a claim that got no job, a reap or a
// sanitize that changed nothing), and an invoke whose outcome follows it with no
// other operation between (the outcome's line says it all; overlapping
// operations keep both lines, which is what shows a race). A fold line counts
// what it holds, so no event disappears without a trace, and `every` prints one
// line per event.
import { describe, expect, it } from 'vitest';
import type { History, HistoryEvent } from '../../spec/history.ts';
import type { Violation } from '../../spec/verdict.ts';
import { IDLE_FOLD_MIN_LINES, textTimeline } from '../../sim/timeline-text.ts';

/** An event without its index (history() numbers them); distributed over the event kinds. */
type Draft = HistoryEvent extends infer E ? (E extends HistoryEvent ? Omit<E, 'index'> : never) : never;

function history(drafts: readonly Draft[]): History {
  return drafts.map((draft, index) => ({ ...draft, index }) as HistoryEvent);
}

const w1 = { process: 'w1', run: 'w1.1', pid: 2, role: 'worker' as const };
const w2 = { process: 'w2', run: 'w2.1', pid: 3, role: 'worker' as const };

/** An idle cycle of w1 at time t: an empty claim, a reap and a sanitize that changed nothing, a heartbeat. */
function idleCycle(t: number, who = w1): Draft[] {
  return [
    { ...who, time: t, type: 'invoke', op: 'claim', lease: `L${t}` },
    { ...who, time: t + 1, type: 'ok', op: 'claim', job: null, lease: `L${t}` },
    { ...who, time: t + 2, type: 'invoke', op: 'reap', thresholdMs: 1250 },
    { ...who, time: t + 3, type: 'ok', op: 'reap', thresholdMs: 1250, jobs: [], workers: [] },
    { ...who, time: t + 4, type: 'invoke', op: 'sanitize' },
    { ...who, time: t + 5, type: 'ok', op: 'sanitize', jobs: [] },
    { ...who, time: t + 6, type: 'invoke', op: 'heartbeat' },
    { ...who, time: t + 7, type: 'ok', op: 'heartbeat', applied: true },
  ];
}

const story: Draft[] = [
  { ...w1, time: 0, type: 'world', role: 'worker', op: 'spawn' },
  { ...w1, time: 1, type: 'invoke', op: 'claim', lease: 'L1' },
  { ...w1, time: 2, type: 'ok', op: 'claim', job: 7, lease: 'L1' },
  { process: 'world', run: null, pid: null, time: 100, type: 'world', role: 'world', op: 'restart' },
];

describe('the text timeline', () => {
  it('folds an idle stretch into one line that counts what it holds, and keeps the story around it', () => {
    const events = history([...story, ...idleCycle(1000), ...idleCycle(2000), ...idleCycle(3000)]);
    const lines = textTimeline(events, []);
    // The story: spawn, the claim that got job 7 (its outcome's line), the restart; then one line for 24 idle events.
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('ok     claim job 7 lease L1');
    expect(lines[2]).toContain('RESTART');
    expect(lines[3]).toMatch(/^ {3}t=1000 +w1\[2\] +idle +until t=3007: /);
    expect(lines[3]).toContain('w1[2]');
    expect(lines[3]).toContain('claim → nothing ×3, reap → nothing ×3, sanitize → nothing ×3, heartbeat ×3');
    expect(lines[3]).toContain('(24 events folded)');
  });

  it('prints one line per event with `every`', () => {
    const events = history([...story, ...idleCycle(1000), ...idleCycle(2000)]);
    expect(textTimeline(events, [], { every: true })).toHaveLength(events.length);
  });

  it('does not fold an operation that did something, nor a stretch shorter than the minimum', () => {
    const working: Draft[] = [
      { ...w1, time: 10, type: 'invoke', op: 'reap', thresholdMs: 1250 },
      { ...w1, time: 11, type: 'ok', op: 'reap', thresholdMs: 1250, jobs: [7], workers: ['w2'] },
    ];
    // One empty claim (1 line) is below the minimum and stays as it is: a single empty poll is often part of a story.
    const short = idleCycle(1000).slice(0, 2);
    expect(1).toBeLessThan(IDLE_FOLD_MIN_LINES);
    const lines = textTimeline(history([...working, ...short, ...working]), []);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('ok     claim lease L1000 → nothing');
    expect(lines.join('\n')).toContain('→ reaped w2 jobs 7');
    expect(lines.join('\n')).not.toContain('idle');
  });

  it('never folds the marked violation, nor an operation whose outcome lies past the end shown', () => {
    const events = history([...idleCycle(1000), ...idleCycle(2000)]);
    const violation = { invariant: 'ORPHANS_RECOVERED', explanation: 'because', eventIndex: 9, time: 2001, jobs: [], processes: [] } as unknown as Violation;
    const lines = textTimeline(events, [violation]);
    expect(lines.some((line) => line.startsWith('>>') && line.includes('ok     claim'))).toBe(true);
    expect(lines.some((line) => line.includes('^ ORPHANS_RECOVERED: because'))).toBe(true);
    // Cut at an invoke: its outcome is not shown, so that invoke is printed, not folded as idle.
    const cut = textTimeline(history([...idleCycle(1000), ...idleCycle(2000)]), [], { endIndex: 12 });
    expect(cut).toHaveLength(2);
    expect(cut[0]).toContain('(12 events folded)');
    expect(cut[1]).toContain('invoke sanitize');
  });

  it('merges an invoke into its outcome’s line only when no other operation overlaps it', () => {
    const complete = (who: typeof w1, t: number, type: 'invoke' | 'ok', job: number): Draft =>
      type === 'invoke' ? { ...who, time: t, type, op: 'complete', job, lease: `L${job}` } : { ...who, time: t, type, op: 'complete', job, lease: `L${job}`, applied: true };
    const heartbeat = (t: number): Draft[] => [
      { ...w2, time: t, type: 'invoke', op: 'heartbeat' },
      { ...w2, time: t + 1, type: 'ok', op: 'heartbeat', applied: true },
    ];
    // Alone but for two heartbeat events: one line, the outcome's, which counts them.
    const alone = textTimeline(history([complete(w1, 10, 'invoke', 7), ...heartbeat(11), complete(w1, 13, 'ok', 7)]), []);
    expect(alone).toEqual([expect.stringMatching(/t=13 +w1\[2\] +ok +complete job 7 lease L7 → applied {2}\(\+2 heartbeat events\)$/)]);
    // Overlapping: w2's complete falls between w1's invoke and outcome, so all four lines stay (the race is the story).
    const race = textTimeline(history([complete(w1, 10, 'invoke', 7), complete(w2, 11, 'invoke', 8), complete(w1, 12, 'ok', 7), complete(w2, 13, 'ok', 8)]), []);
    expect(race).toHaveLength(4);
    expect(race.filter((line) => line.includes('invoke complete'))).toHaveLength(2);
    // The marked outcome keeps its invoke's line out too, and is marked.
    const violation = { invariant: 'STALE_WRITE_FENCED', explanation: 'because', eventIndex: 1, time: 12, jobs: [], processes: [] } as unknown as Violation;
    const marked = textTimeline(history([complete(w1, 10, 'invoke', 7), complete(w1, 12, 'ok', 7)]), [violation]);
    expect(marked[0]).toMatch(/^>> t=12 +w1\[2\] +ok +complete job 7/);
    expect(marked).toHaveLength(2);
  });

  it('names every process of a stretch two processes shared', () => {
    const events = history([...story, ...idleCycle(1000), ...idleCycle(1500, w2)]);
    const fold = textTimeline(events, []).at(-1)!;
    expect(fold).toContain('2 processes');
    expect(fold).toContain('w1[2] claim → nothing ×1');
    expect(fold).toContain('w2[3] claim → nothing ×1');
  });
});
