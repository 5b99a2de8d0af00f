// Goal: --html and --svg write whole files or nothing (FILE.tmp, then rename),
// a bad path is one line and exit 2 before anything runs, the shrunk run is
// drawn by default and the full one with --full, and a campaign's summary links
// each failing seed's report written beside it.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, type RunArgs } from '../../sim/cli/args.ts';
import { main } from '../../sim/cli/main.ts';
import { memoryOutput } from '../../sim/cli/output.ts';
import type { CampaignResult } from '../../sim/campaign.ts';
import { ReportPathError, renderCampaignHtml, selectRun, seedReportPath, summarizeCampaign, writeCampaignReports, writeFileAtomic, writeRunReports } from '../../sim/report/index.ts';
import type { RunResult } from '../../sim/run.ts';
import { resultFor, staleWriteHistory } from './histories.ts';

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'wf-sim-report-cli-'));
}

function runArgs(argv: string[]): RunArgs {
  const args = parseCliArgs(argv);
  if (args.command !== 'run') throw new Error('expected run arguments');
  return args;
}

const failing = resultFor(staleWriteHistory(), 7);
/** A "shrunk" run: the same story cut short, so the two are told apart by their event counts. */
const shrunk: RunResult = resultFor(staleWriteHistory().slice(0, 26), 7);
const passing: RunResult = { ...resultFor(staleWriteHistory().slice(0, 12), 8), outcome: 'pass', ok: true, violations: [] };

describe('bad report paths', () => {
  for (const flag of ['--html', '--svg']) {
    it(`${flag} into a missing folder → exit 2, one line, before any seed runs`, async () => {
      const output = memoryOutput();
      const code = await main(['--seed', '1', flag, '/no/such/folder/report.out'], output);
      expect(code).toBe(2);
      expect(output.stderr).toEqual([`wf-sim: ${flag} /no/such/folder/report.out: folder '/no/such/folder' does not exist; create it or choose another path`]);
      expect(output.stdout).toEqual([]);
    });
  }

  it('--html naming a folder → exit 2, one line', async () => {
    const dir = folder();
    const output = memoryOutput();
    const code = await main(['--seeds', '3', '--html', dir], output);
    expect(code).toBe(2);
    expect(output.stderr).toEqual([`wf-sim: --html ${dir}: that is a folder; give a file name`]);
  });
});

describe('atomic writes', () => {
  it('replaces the file whole and leaves no .tmp behind', () => {
    const dir = folder();
    const path = join(dir, 'r.html');
    writeFileSync(path, 'old');
    writeFileAtomic('--html', path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['r.html']);
  });

  it('a failed write keeps the old file and says which flag and path', () => {
    const dir = folder();
    const path = join(dir, 'r.html');
    writeFileSync(path, 'old');
    // The temporary name is taken by a folder, so the write fails before the rename.
    mkdirSync(`${path}.tmp`);
    expect(() => writeFileAtomic('--html', path, 'new')).toThrow(ReportPathError);
    expect(() => writeFileAtomic('--html', path, 'new')).toThrow(/^cannot write --html .*r\.html: /);
    expect(readFileSync(path, 'utf8')).toBe('old');
  });
});

describe('which run is drawn', () => {
  const replay = { seed: 7, engine: 'mutant:x', faults: undefined, policy: undefined };

  it('the run itself when nothing was shrunk', () => {
    expect(selectRun({ full: failing }, false, replay)).toMatchObject({ result: failing, full: undefined, replay: 'npx wf-sim --seed 7 --engine mutant:x' });
  });

  it('the shrunk run by default, cut at the violation, with its --choices replay', () => {
    const selected = selectRun({ full: failing, shrunk: failing, shrunkChoices: { workload: [1, 2], schedule: [3], faults: [] }, shrunkEndIndex: 24 }, false, replay);
    expect(selected.full).toBe(false);
    expect(selected.result.history).toHaveLength(25);
    expect(selected.result.violations.every((violation) => violation.eventIndex === null || violation.eventIndex <= 24)).toBe(true);
    expect(selected.replay).toMatch(/^npx wf-sim --seed 7 --engine mutant:x --choices \S+$/);
    expect(selected.note).toMatch(/rerun with --full/);
    expect(selected.note).not.toMatch(/reference engine/);
  });

  it('says how the reference engine judged the shrunk choices, when it was the control', () => {
    const runs = { full: failing, shrunk: failing, shrunkEndIndex: 24 };
    expect(selectRun({ ...runs, shrunkControl: 'passes' }, false, replay).note).toMatch(/The reference engine passes the same choices: the case shows the mutant's bug, not the world's\.$/);
    expect(selectRun({ ...runs, shrunkControl: 'fails' }, false, replay).note).toMatch(/The reference engine fails the same choices too: the case may show the world, not the bug\.$/);
  });

  it('the full run with --full', () => {
    const selected = selectRun({ full: failing, shrunk }, true, replay);
    expect(selected).toMatchObject({ result: failing, full: true });
  });
});

describe('writing a run’s reports', () => {
  it('writes the HTML and the SVG of the shrunk run, and the full run with --full', () => {
    const dir = folder();
    const html = join(dir, 'seed.html');
    const svg = join(dir, 'seed.svg');
    const outcome = writeRunReports(runArgs(['--seed', '7', '--engine', 'mutant:x', '--html', html, '--svg', svg]), { full: failing, shrunk });
    expect(outcome).toEqual({ lines: [`report: ${html} (shrunk run)`, `timeline: ${svg} (shrunk run)`], problem: null });
    expect(readFileSync(html, 'utf8')).toContain(`${shrunk.history.length} events`);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg xmlns=/);
    expect(readdirSync(dir).sort()).toEqual(['seed.html', 'seed.svg']);

    writeRunReports(runArgs(['--seed', '7', '--engine', 'mutant:x', '--html', html, '--full']), { full: failing, shrunk });
    expect(readFileSync(html, 'utf8')).toContain(`${failing.history.length} events`);
    expect(readFileSync(html, 'utf8')).toContain('(full run)');
  });

  it('reports an unwritable path as a problem line instead of throwing', () => {
    const dir = folder();
    const html = join(dir, 'seed.html');
    mkdirSync(`${html}.tmp`);
    const outcome = writeRunReports(runArgs(['--seed', '7', '--html', html]), { full: failing });
    expect(outcome.problem).toMatch(/^cannot write --html /);
    expect(existsSync(html)).toBe(false);
  });
});

describe('a campaign’s reports', () => {
  const campaign: CampaignResult = { results: [passing, failing, { ...failing, seed: 9 }], mismatches: [], resampled: [8], stoppedEarly: false, wallMs: 1500 };

  it('writes the summary and each failing seed’s report beside it, linked by name', () => {
    const dir = folder();
    const summary = join(dir, 'nightly.html');
    const outcome = writeCampaignReports(runArgs(['--seeds', '3', '--from', '7', '--engine', 'mutant:x', '--html', summary]), campaign);
    expect(outcome.problem).toBeNull();
    expect(readdirSync(dir).sort()).toEqual(['nightly-seed-7.html', 'nightly-seed-9.html', 'nightly.html']);
    const page = readFileSync(summary, 'utf8');
    expect(page).toContain('<a href="nightly-seed-7.html">7</a>');
    expect(page).toContain('<a href="nightly-seed-9.html">9</a>');
    expect(page).toMatch(/3 of 3 seeds run .* 1 passed, 2 failed .* 2\.0 seeds\/s/);
    expect(page).toMatch(/STALE_WRITE_FENCED<\/td><td class="n">2</);
    expect(page).not.toMatch(/https?:\/\//);
    expect(readFileSync(join(dir, 'nightly-seed-9.html'), 'utf8')).toContain('npx wf-sim --seed 9 --engine mutant:x');
  });

  it('names seed reports after the summary', () => {
    expect(seedReportPath('/out/campaign.html', 12)).toBe('/out/campaign-seed-12.html');
    expect(seedReportPath('report', 3)).toBe('report-seed-3.html');
  });

  it('renders a summary with no failures', () => {
    const page = renderCampaignHtml(summarizeCampaign({ ...campaign, results: [passing] }, { engine: 'reference', seedsRequested: 1, replayFor: String, reportFor: () => null }));
    expect(page).toContain('PASS');
    expect(page).toContain('Failing seeds (0)');
  });
});
