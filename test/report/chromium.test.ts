// Goal: the report of a failing run works in a real browser, offline — one lane
// per process of the history, the violation marker present, the script's job
// focus and zoom running — for a hand-written incident-001 run judged by the
// real checkers, and for a real failing campaign of the unfenced-writes mutant
// written through the CLI. Screenshots are kept for a person to look at.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../../conformance/mutants/index.ts';
import { main } from '../../sim/cli/main.ts';
import { Harness } from '../../sim/harness.ts';
import { parseFaultSelection } from '../../sim/world/faults.ts';
import { memoryOutput } from '../../sim/cli/output.ts';
import { renderHtmlReport } from '../../sim/report/index.ts';
import type { History } from '../../spec/history.ts';
import { CHROMIUM_AVAILABLE, CHROMIUM_PATH, dumpDom, screenshot } from './chromium.ts';
import { resultFor, staleWriteHistory } from './histories.ts';

const SKIP_CHROMIUM = CHROMIUM_AVAILABLE ? '' : ` — SKIPPED: ${CHROMIUM_PATH} is absent (apt-get install -y chromium)`;
const MUTANT = 'unfenced-terminal-writes';
const HAS_MUTANT = MUTANTS.some((mutant) => mutant.name === MUTANT);
const SKIP_MUTANT = HAS_MUTANT ? SKIP_CHROMIUM : ` — SKIPPED: mutant:${MUTANT} is not in conformance/mutants`;
/** Where the screenshots stay after the run, for a person to open. */
const SCREENSHOTS = join(tmpdir(), 'wf-sim-report-screenshots');

function lanesIn(dom: string): string[] {
  return [...dom.matchAll(/<g class="lane" data-process="([^"]+)"/g)].map((match) => match[1]!);
}

function processesOf(history: History): Set<string> {
  return new Set(history.filter((event) => event.process !== 'world').map((event) => event.process));
}

function assertPng(path: string): void {
  expect(readFileSync(path).subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(statSync(path).size).toBeGreaterThan(10_000);
}

describe.skipIf(!CHROMIUM_AVAILABLE)(`report of a hand-written failing run in headless Chromium${SKIP_CHROMIUM}`, () => {
  const history = staleWriteHistory();
  const result = resultFor(history);
  const folder = mkdtempSync(join(tmpdir(), 'wf-sim-report-'));
  const file = join(folder, 'stale-write.html');
  writeFileSync(file, renderHtmlReport({ result, engine: 'mutant:unfenced-terminal-writes', replay: 'npx wf-sim --seed 7 --engine mutant:unfenced-terminal-writes' }));

  it('has one lane per process of the history and the violation marker', () => {
    const dom = dumpDom(file);
    const lanes = lanesIn(dom);
    expect(lanes).toHaveLength(processesOf(history).size);
    expect(new Set(lanes)).toEqual(processesOf(history));
    expect(dom).toMatch(/<g class="vio" data-violation="[^"]*STALE_WRITE_FENCED[^"]*"/);
    expect(dom).toMatch(/data-j="1" data-violation="STALE_WRITE_FENCED"/);
  });

  it('runs its script: #job=2 focuses every claim of job 2 and lists who held it', () => {
    const dom = dumpDom(file, '#job=2');
    expect(dom).toContain('<svg class="plot focus"');
    expect(dom.match(/<g class="b fit o-\w+ on" data-j="2"/g)).toHaveLength(3);
    expect(dom).toMatch(/<div id="jobinfo">job 2 · lease L3 · holder died — held by w1/);
  });

  it('takes a screenshot', () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const png = join(SCREENSHOTS, 'stale-write.png');
    screenshot(file, png);
    assertPng(png);
    console.log(`screenshot: ${png}`);
  });
});

describe.skipIf(!CHROMIUM_AVAILABLE || !HAS_MUTANT)(`a failing campaign of mutant:${MUTANT} written by the CLI, in headless Chromium${SKIP_MUTANT}`, () => {
  it(
    'writes the summary and the failing seed’s report, which has a lane per process and the violation marker',
    async () => {
      const folder = mkdtempSync(join(tmpdir(), 'wf-sim-report-'));
      const summary = join(folder, 'campaign.html');
      const output = memoryOutput();
      // Seeds 0…19 with pauses only: seed 15 is the first to catch the mutant (measured with `--seeds 60 --json`).
      const code = await main(['--seeds', '20', '--faults', 'pause', '--engine', `mutant:${MUTANT}`, '--no-shrink', '--html', summary], output);
      expect(code, output.stderr.join('\n')).toBe(1);
      const summaryHtml = readFileSync(summary, 'utf8');
      const link = /<a href="(campaign-seed-(\d+)\.html)">/.exec(summaryHtml);
      expect(link, 'the summary links the failing seed').not.toBeNull();
      const report = join(folder, link![1]!);
      const html = readFileSync(report, 'utf8');
      expect(html).not.toMatch(/https?:\/\//);

      // The same seed again gives the same history (the report carries its trace hash to prove it).
      const seed = Number(link![2]);
      const harness = new Harness(MUTANTS.find((mutant) => mutant.name === MUTANT)!.adapter);
      const again = await harness.run({ seed, faults: parseFaultSelection('pause') }).finally(() => harness.close());
      expect(html).toContain(`trace ${again.traceHash}`);

      const dom = dumpDom(report);
      const lanes = lanesIn(dom);
      expect(lanes).toHaveLength(processesOf(again.history).size);
      expect(new Set(lanes)).toEqual(processesOf(again.history));
      expect(dom).toMatch(/<g class="vio" data-violation="[^"]*(STALE_WRITE_FENCED|SINGLE_OWNER)/);

      mkdirSync(SCREENSHOTS, { recursive: true });
      const png = join(SCREENSHOTS, `${MUTANT}-seed-${link![2]}.png`);
      screenshot(report, png, '#v=1');
      assertPng(png);
      console.log(`screenshot: ${png}`);
    },
    600_000,
  );
});
