// Goal: the timeline shows who held which lease when, where the crash fell and
// which write should have been fenced — checked on a hand-written incident-001
// history judged by the real checkers — and the HTML report stays one offline
// file under 1 MB for a 1,000-event run (a real run of the reference engine).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInEngine } from '../../conformance/engines.ts';
import { resolveEngine } from '../../sim/engine-ref.ts';
import { Harness } from '../../sim/harness.ts';
import { buildTimelineModel, deriveResourceKeys, renderHtmlReport, renderTimelineSvg } from '../../sim/report/index.ts';
import type { RunResult } from '../../sim/run.ts';
import type { History } from '../../spec/history.ts';
import { HistoryBuilder, resultFor, staleWriteHistory, W1, W2 } from './histories.ts';

const BYTES_MAX = 1_000_000;

/** References the page would fetch: src/href attributes, CSS url() and @import pointing at http(s). */
const FETCHING = /(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\/)|(?:url\(\s*["']?\s*(?:https?:)?\/\/)|@import/i;

function processesOf(history: History): Set<string> {
  return new Set(history.filter((event) => event.process !== 'world').map((event) => event.process));
}

describe('timeline model of the stale-write history', () => {
  const history = staleWriteHistory();
  const result = resultFor(history);
  const model = buildTimelineModel(history, result.violations);
  const bar = (lease: string) => model.bars.find((candidate) => candidate.lease === lease)!;

  it('is a failing run by the real checkers (STALE_WRITE_FENCED at the stale complete)', () => {
    const stale = result.violations.find((violation) => violation.invariant === 'STALE_WRITE_FENCED');
    expect(stale).toBeDefined();
    expect(history[stale!.eventIndex!]).toMatchObject({ process: 'w1', op: 'complete', lease: 'L1', applied: true });
  });

  it('has one lane per process, workers first', () => {
    expect(model.lanes.map((lane) => lane.process)).toEqual(['w1', 'w2', 'c1']);
    expect(new Set(model.lanes.map((lane) => lane.process))).toEqual(processesOf(history));
  });

  it('draws each claim from the claim ok to the write that ended it, coloured by outcome', () => {
    expect(bar('L1')).toMatchObject({ process: 'w1', job: 1, start: 101, end: 5002, outcome: 'completed' });
    expect(bar('L2')).toMatchObject({ process: 'w2', job: 1, start: 3101, end: 3901, outcome: 'completed' });
    expect(bar('L4')).toMatchObject({ outcome: 'failed', status: 'queued' });
    expect(bar('L5')).toMatchObject({ outcome: 'released', run: 'w1.2', pid: 3 });
  });

  it('marks where the paused holder lost its lease: the reap, so its later write should have been fenced', () => {
    expect(bar('L1').lost).toMatchObject({ time: 3001, by: 'w2', how: 'reaped by w2' });
    expect(bar('L2').lost).toBeNull();
  });

  it('ends a crashed holder’s claim at the crash and keeps it orphaned until the reaper requeues it', () => {
    expect(bar('L3')).toMatchObject({ outcome: 'crashed', end: 5600, orphanUntil: 7001 });
  });

  it('shows the pause until its resume, the crash, the rejected heartbeat, the restart, the heal and the reused pid', () => {
    expect(model.pauses).toEqual([{ process: 'w1', loop: 'all', start: 700, end: 5000, index: 15 }]);
    const kinds = model.marks.map((mark) => `${mark.kind}@${mark.time}:${mark.process}`);
    expect(kinds).toEqual(expect.arrayContaining(['crash@5600:w1', 'heartbeat-rejected@5011:w1', 'reap@3001:w2', 'pid-reuse@9000:w1']));
    expect(model.globals.map((mark) => mark.kind)).toEqual(['restart', 'heal']);
    expect(model.lanes[1]!.runs[0]).toMatchObject({ ending: 'restart', end: 8000 });
  });

  it('puts the violation on the lane and lease of the violating step', () => {
    const stale = model.violations.find((violation) => violation.invariant === 'STALE_WRITE_FENCED')!;
    expect(stale).toMatchObject({ process: 'w1', lease: 'L1', time: 5002 });
  });
});

describe('timeline SVG', () => {
  const history = staleWriteHistory();
  const result = resultFor(history);
  const svg = renderTimelineSvg(history, result.violations, { title: 'seed 7' });

  it('is one SVG document with a lane per process and the violating step marked', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const lanes = [...svg.matchAll(/<g class="lane" data-process="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(lanes)).toEqual(processesOf(history));
    expect(lanes).toHaveLength(processesOf(history).size);
    expect(svg).toMatch(/<g class="vio" data-violation="[^"]*STALE_WRITE_FENCED/);
    expect(svg).toMatch(/<g class="b fit o-completed vb" data-j="1" data-violation="STALE_WRITE_FENCED"/);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('puts the explanation under the picture and a hover title on every bar and mark', () => {
    expect(svg).toContain('STALE_WRITE_FENCED at event #24');
    const bars = svg.match(/<g class="b [^"]*" data-j=/g)!.length;
    const barTitles = svg.match(/<g class="b [^"]*" data-j=[^>]*><title>/g)!.length;
    expect(bars).toBe(5);
    expect(barTitles).toBe(bars);
    expect(svg).toMatch(/<use href="#m-crash" x="[\d.]+" y="[\d.]+"><title>#\d+ t=5600 ms: w1/);
  });

  it('is the same bytes for the same history', () => {
    expect(renderTimelineSvg(history, result.violations, { title: 'seed 7' })).toBe(svg);
  });
});

describe('HTML report of a hand-written failing run', () => {
  const result = resultFor(staleWriteHistory());
  const html = renderHtmlReport({ result, engine: 'mutant:unfenced-terminal-writes', replay: 'npx wf-sim --seed 7 --engine mutant:unfenced-terminal-writes', full: false, note: 'shrunk' });

  it('opens with no network: nothing fetched, no http(s) reference at all', () => {
    expect(html).not.toMatch(FETCHING);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link\b|<script\s+src|<img\b|<iframe\b/i);
  });

  it('has the world options, the verdict, the replay command and the violations at the top', () => {
    const top = html.slice(0, html.indexOf('<div class="timeline">'));
    expect(top).toContain('FAIL');
    expect(top).toContain('npx wf-sim --seed 7 --engine mutant:unfenced-terminal-writes');
    expect(top).toContain('world: 2 workers');
    expect(top).toContain('STALE_WRITE_FENCED');
    expect(top).toContain('(shrunk run)');
  });

  it('does not emit script text that the tidy rules ban', () => {
    expect(html).not.toMatch(/setTimeout|setInterval|Math\.random|Date\.now/);
  });
});

describe('a 1,000-event run of the reference engine', () => {
  let run: RunResult;
  let harness: Harness;
  beforeAll(async () => {
    harness = new Harness(await resolveEngine('reference', builtInEngine));
    // The first seed whose run has at least 1,000 events (a search, not a pinned seed: worlds change as the simulator does).
    for (let seed = 1; seed <= 40; seed += 1) {
      run = await harness.run({ seed });
      if (run.history.length >= 1000) break;
    }
  }, 300_000);
  afterAll(async () => {
    await harness.close();
  });

  it('renders to an offline HTML file under 1 MB', () => {
    expect(run.history.length).toBeGreaterThanOrEqual(1000);
    const thousand: RunResult = { ...run, history: run.history.slice(0, 1000), stats: { ...run.stats, events: 1000 } };
    const html = renderHtmlReport({ result: thousand, engine: 'reference', replay: 'npx wf-sim --seed 1' });
    const bytes = Buffer.byteLength(html);
    console.log(`report of the first 1,000 events of seed 1: ${bytes} bytes; whole run (${run.history.length} events): ${Buffer.byteLength(renderHtmlReport({ result: run, engine: 'reference', replay: 'npx wf-sim --seed 1' }))} bytes`);
    expect(bytes).toBeLessThan(BYTES_MAX);
    expect(html).not.toMatch(FETCHING);
    expect(html).not.toMatch(/https?:\/\//);
    const lanes = [...html.matchAll(/<g class="lane" data-process="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(lanes)).toEqual(processesOf(thousand.history));
  });

  it('derives resource locks from the recorded workload when the world has keys', () => {
    if (run.options.resourceKeys === 0) return;
    const keys = deriveResourceKeys(run);
    expect(keys.size).toBeGreaterThan(0);
    for (const key of keys.values()) expect(key).toMatch(/^r\d+$/);
  });
});

describe('worst case for size: 1,000 events that are all claims and terminal writes', () => {
  it('stays under 1 MB', () => {
    const builder = new HistoryBuilder();
    builder.world(0, W1, 'spawn', { detail: 'generation 1, clock skew 0 ms' }).world(0, W2, 'spawn', { detail: 'generation 1, clock skew 0 ms' });
    let job = 0;
    while (builder.events.length < 1000) {
      job += 1;
      const who = job % 2 === 0 ? W1 : W2;
      const time = job * 40;
      builder.call(time, who, 'claim', { lease: `L${job}` }, { job, lease: `L${job}`, queue: 'q1' });
      builder.call(time + 20, who, 'complete', { job, lease: `L${job}` }, { applied: job % 7 !== 0 });
    }
    const history = builder.build().slice(0, 1000);
    const html = renderHtmlReport({ result: resultFor(history), engine: 'reference', replay: 'npx wf-sim --seed 7' });
    console.log(`worst-case report of 1,000 claim/write events: ${Buffer.byteLength(html)} bytes`);
    expect(Buffer.byteLength(html)).toBeLessThan(BYTES_MAX);
  });
});
