// The CLI's --html / --svg: which run to draw, where each file goes, and the
// one-line problems main.ts prints. Kept here so main.ts only calls in after a
// run. The shrunk run is drawn by default (it is the one a person can read);
// --full draws the run as the seed produced it.
import { basename, dirname, extname, join } from 'node:path';
import type { CampaignResult } from '../campaign.ts';
import type { RunArgs } from '../cli/args.ts';
import { replayCommand } from '../cli/report.ts';
import { encodeChoices } from '../choices-codec.ts';
import type { RecordedChoices } from '../random/choices.ts';
import type { RunResult } from '../run.ts';
import type { ShrinkResult } from '../shrink.ts';
import { describeFaultSelection } from '../world/faults.ts';
import { renderCampaignHtml, summarizeCampaign } from './campaign-html.ts';
import { renderHtmlReport } from './html-report.ts';
import { deriveResourceKeys } from './resource-keys.ts';
import { renderTimelineSvg } from './timeline-svg.ts';
import { ReportPathError, reportPathProblem, writeFileAtomic } from './write.ts';

/** Failing seeds of one campaign that get their own report file. */
export const FAILING_REPORTS_MAX = 100;

export interface RunsToReport {
  full: RunResult;
  shrunk?: RunResult;
  /** The shrunk run's choices, for its replay command. */
  shrunkChoices?: RecordedChoices;
  /**
   * The shrunk run is drawn up to this event (its violation): the shrinker only
   * minimised what led there, and the heal phase after it is not the story.
   */
  shrunkEndIndex?: number;
  /** How the control engine (the reference, for a mutant) judged the shrunk choices. */
  shrunkControl?: 'passes' | 'fails';
}

/** The runs to draw after the CLI's run and optional shrink. */
export function runsFromShrink(full: RunResult, shrink: ShrinkResult | undefined): RunsToReport {
  if (shrink === undefined) return { full };
  return { full, shrunk: shrink.result, shrunkChoices: shrink.choices, shrunkEndIndex: shrink.traceLength - 1, ...(shrink.control === undefined ? {} : { shrunkControl: shrink.control }) };
}

export interface ReportOutcome {
  /** Lines for the person: what was written where. */
  lines: string[];
  /** One line saying what could not be written; the caller exits 2. */
  problem: string | null;
}

type ReportArgs = Pick<RunArgs, 'html' | 'svg' | 'full' | 'engine' | 'faults' | 'faultsText' | 'policy'> & { choices?: string | undefined };

/** Checks the report paths before anything runs. */
export function reportPathsProblem(args: Pick<RunArgs, 'html' | 'svg'>): string | null {
  if (args.html !== undefined) {
    const problem = reportPathProblem('--html', args.html);
    if (problem !== null) return problem;
  }
  return args.svg === undefined ? null : reportPathProblem('--svg', args.svg);
}

export interface SelectedRun {
  result: RunResult;
  replay: string;
  /** True: the full run; false: the shrunk one; undefined: there was nothing to choose. */
  full: boolean | undefined;
  note: string | undefined;
}

export function selectRun(runs: RunsToReport, wantFull: boolean, replay: ReplayArgs): SelectedRun {
  const { full, shrunk } = runs;
  if (shrunk === undefined) return { result: full, replay: replayCommand(replay), full: undefined, note: undefined };
  const end = runs.shrunkEndIndex ?? shrunk.history.length - 1;
  if (wantFull) {
    return { result: full, replay: replayCommand(replay), full: true, note: `Shrunk to ${end + 1} events from ${full.history.length}; drop --full to draw the shrunk run.` };
  }
  const cut = end < shrunk.history.length - 1;
  const result: RunResult = cut
    ? { ...shrunk, history: shrunk.history.slice(0, end + 1), violations: shrunk.violations.filter((violation) => violation.eventIndex === null || violation.eventIndex <= end) }
    : shrunk;
  return {
    result,
    replay: replayCommand({ ...replay, ...(runs.shrunkChoices === undefined ? {} : { choices: encodeChoices(runs.shrunkChoices) }) }),
    full: false,
    note:
      `Shrunk from ${full.history.length} events to ${end + 1}` +
      (cut ? `, drawn up to the violation (the replay runs on to event #${shrunk.history.length - 1})` : '') +
      `; rerun with --full to draw the run as the seed produced it.` +
      (runs.shrunkControl === undefined ? '' : ` ${CONTROL_NOTE[runs.shrunkControl]}`),
  };
}

const CONTROL_NOTE = {
  passes: "The reference engine passes the same choices: the case shows the mutant's bug, not the world's.",
  fails: 'The reference engine fails the same choices too: the case may show the world, not the bug.',
} as const;

type ReplayArgs = Parameters<typeof replayCommand>[0];

export function writeRunReports(args: ReportArgs, runs: RunsToReport): ReportOutcome {
  if (args.html === undefined && args.svg === undefined) return { lines: [], problem: null };
  const replay = { seed: runs.full.seed, engine: args.engine, faults: args.faultsText, policy: args.policy, ...(args.choices === undefined ? {} : { choices: args.choices }) };
  const selected = selectRun(runs, args.full, replay);
  return attempt(() => writeSelected(args, selected));
}

function writeSelected(args: ReportArgs, selected: SelectedRun): string[] {
  const lines: string[] = [];
  const which = selected.full === undefined ? '' : selected.full ? ' (full run)' : ' (shrunk run)';
  if (args.html !== undefined) {
    const html = renderHtmlReport({
      result: selected.result,
      engine: args.engine,
      replay: selected.replay,
      faultsMode: describeFaultSelection(args.faults),
      ...(selected.full === undefined ? {} : { full: selected.full }),
      ...(selected.note === undefined ? {} : { note: selected.note }),
    });
    writeFileAtomic('--html', args.html, html);
    lines.push(`report: ${args.html}${which}`);
  }
  if (args.svg !== undefined) {
    const result = selected.result;
    const invariants = [...new Set(result.violations.map((violation) => violation.invariant))];
    const title = `wf-sim seed ${result.seed} · engine ${args.engine} · ${result.outcome.toUpperCase()}${invariants.length > 0 ? ` ${invariants.join(', ')}` : ''}${which}`;
    const svg = renderTimelineSvg(result.history, result.violations, { title, resourceKeys: deriveResourceKeys(result) });
    writeFileAtomic('--svg', args.svg, svg);
    lines.push(`timeline: ${args.svg}${which}`);
  }
  return lines;
}

/** `<folder>/<name>-seed-<N>.html` beside the summary `<folder>/<name>.html`. */
export function seedReportPath(summaryPath: string, seed: number): string {
  const name = basename(summaryPath, extname(summaryPath));
  return join(dirname(summaryPath), `${name}-seed-${seed}.html`);
}

export function writeCampaignReports(args: ReportArgs & { seeds: readonly number[] }, campaign: CampaignResult, shrunk?: ReadonlyMap<number, RunsToReport>): ReportOutcome {
  if (args.html === undefined && args.svg === undefined) return { lines: [], problem: null };
  return attempt(() => {
    const lines: string[] = [];
    const failing = campaign.results.filter((result) => result.outcome !== 'pass');
    const replayArgs = (seed: number): ReplayArgs => ({ seed, engine: args.engine, faults: args.faultsText, policy: args.policy });
    const replayFor = (seed: number) => replayCommand(replayArgs(seed));
    const written = new Set<number>();
    const summaryPath = args.html;
    if (summaryPath !== undefined) {
      for (const result of failing.slice(0, FAILING_REPORTS_MAX)) {
        const runs = shrunk?.get(result.seed) ?? { full: result };
        writeSelected({ ...args, html: seedReportPath(summaryPath, result.seed), svg: undefined }, selectRun(runs, args.full, replayArgs(result.seed)));
        written.add(result.seed);
      }
      const summary = summarizeCampaign(campaign, {
        engine: args.engine,
        seedsRequested: args.seeds.length,
        replayFor,
        reportFor: (seed) => (written.has(seed) ? basename(seedReportPath(summaryPath, seed)) : null),
      });
      writeFileAtomic('--html', summaryPath, renderCampaignHtml(summary));
      lines.push(`report: ${summaryPath} (${written.size} failing seed report${written.size === 1 ? '' : 's'} beside it${failing.length > written.size ? `, the first ${FAILING_REPORTS_MAX} of ${failing.length}` : ''})`);
    }
    // The campaign's --svg is the first failing seed's timeline (nothing to draw when all pass).
    const first = failing[0];
    if (args.svg !== undefined && first !== undefined) {
      lines.push(...writeSelected({ ...args, html: undefined }, selectRun(shrunk?.get(first.seed) ?? { full: first }, args.full, replayArgs(first.seed))));
    } else if (args.svg !== undefined) lines.push(`timeline: not written to ${args.svg}: no seed failed`);
    return lines;
  });
}

function attempt(write: () => string[]): ReportOutcome {
  try {
    return { lines: write(), problem: null };
  } catch (error) {
    if (error instanceof ReportPathError) return { lines: [], problem: error.message };
    throw error;
  }
}
