// The human report: a table of every invariant with its verdict, how many seeds
// judged it (and the first failing one), and the command that replays it; then
// one explanation per violated invariant. Colour comes from the caller's chalk
// instance, so NO_COLOR and non-TTY output stay plain.
import type { ChalkInstance } from 'chalk';
import { faultLine } from '../adapter-fault.ts';
import { KIND_TITLES, kindTitle, VERDICT_LABELS, seedsText, type ConformanceReport, type InvariantRow } from '../report.ts';

/** Violated invariants explained below the table; the JSON report has them all. */
const EXPLAINED_MAX = 12;

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function verdictColor(row: InvariantRow, color: ChalkInstance): (text: string) => string {
  switch (row.verdict) {
    case 'holds':
      return color.green;
    case 'violated':
      return color.red.bold;
    case 'not-applicable':
      return color.dim;
    case 'adapter-error':
      return color.yellow.bold;
  }
}

function lastColumn(row: InvariantRow): string {
  if (row.verdict === 'violated') return row.replay ?? '';
  if (row.verdict === 'not-applicable') return row.reason ?? '';
  return '';
}

export function renderHuman(report: ConformanceReport, color: ChalkInstance): string[] {
  const noun = report.lane.name === 'postgres' ? 'rounds' : 'seeds';
  const lines: string[] = [];
  const path = report.adapter.path === null ? '' : ` (${report.adapter.path})`;
  lines.push(color.bold(`wf-sim conformance · adapter ${report.adapter.name}${path}`));
  lines.push(color.dim(report.lane.note));
  const last = report.seeds.from + report.seeds.requested - 1;
  const ran = report.seeds.run === report.seeds.requested ? `${report.seeds.run} run` : `${report.seeds.run} of ${report.seeds.requested} run`;
  lines.push(color.dim(`${noun} ${report.seeds.from}…${last} (${ran}) · database ${report.lane.database} · ${(report.wallMs / 1000).toFixed(1)} s`));
  const figures = Object.entries(report.figures);
  if (figures.length > 0) lines.push(color.dim(figures.map(([name, value]) => `${name} ${value}`).join(' · ')));
  lines.push('');

  const rows = report.invariants;
  // An adapter that failed before any seed ran (it would not load) gets its one error line, not a table whose every
  // row repeats it; the JUnit and JSON reports still list every invariant. A fault during a run keeps the table.
  const nothingJudged = report.fault !== null && report.seeds.run === 0;
  const idWidth = Math.max('invariant'.length, ...rows.map((row) => row.id.length)) + 2;
  const verdictWidth = Math.max(...Object.values(VERDICT_LABELS).map((label) => label.length)) + 2;
  const seedsWidth = Math.max(noun.length, ...rows.map((row) => seedsText(row, noun).length)) + 2;
  if (!nothingJudged) lines.push(color.bold(`${pad('invariant', idWidth + 2)}${pad('verdict', verdictWidth)}${pad(noun, seedsWidth)}replay / reason`));
  for (const { kind } of nothingJudged ? [] : KIND_TITLES) {
    const title = kindTitle(kind, report.lane.name);
    const subset = rows.filter((row) => row.kind === kind);
    if (subset.length === 0) continue;
    lines.push(color.dim(title));
    for (const row of subset) {
      const paint = verdictColor(row, color);
      lines.push(`  ${pad(row.id, idWidth)}${paint(pad(VERDICT_LABELS[row.verdict], verdictWidth))}${pad(seedsText(row, noun), seedsWidth)}${color.dim(lastColumn(row))}`);
    }
  }
  const others = rows.filter((row) => !KIND_TITLES.some((entry) => entry.kind === row.kind));
  for (const row of nothingJudged ? [] : others) lines.push(`  ${pad(row.id, idWidth)}${verdictColor(row, color)(pad(VERDICT_LABELS[row.verdict], verdictWidth))}${pad(seedsText(row, noun), seedsWidth)}${lastColumn(row)}`);

  if (report.fault !== null) {
    if (!nothingJudged) lines.push('');
    lines.push(`${color.yellow.bold('ADAPTER ERROR')}  ${faultLine(report.fault)}`);
    lines.push('  No invariant was judged: an adapter that fails cannot be trusted to pass or to fail. Fix the adapter (or the engine) and run again.');
  }

  const violated = rows.filter((row) => row.verdict === 'violated');
  for (const row of violated.slice(0, EXPLAINED_MAX)) {
    const violation = row.firstViolation;
    lines.push('');
    const more = row.failingSeeds.length > 1 ? ` (and ${row.failingSeeds.length - 1} more ${noun}: ${row.failingSeeds.slice(1, 9).join(', ')}${row.failingSeeds.length > 9 ? ', …' : ''})` : '';
    lines.push(`${color.red.bold(row.id)} violated on ${noun === 'rounds' ? 'round' : 'seed'} ${row.failingSeeds[0]}${more}`);
    if (violation !== null) {
      const where = violation.eventIndex === null ? 'at the end of the run' : `at event ${violation.eventIndex}, t=${violation.time ?? '?'} ms`;
      lines.push(`  ${where}: ${violation.explanation}`);
    }
    if (row.replay !== null) lines.push(`  replay: ${row.replay}`);
  }
  if (violated.length > EXPLAINED_MAX) lines.push(`… and ${violated.length - EXPLAINED_MAX} more violated invariants (see --report json=FILE)`);

  lines.push('');
  const counts = (verdict: InvariantRow['verdict']) => rows.filter((row) => row.verdict === verdict).length;
  const summary = `${counts('holds')} hold · ${counts('violated')} violated · ${counts('not-applicable')} not applicable${counts('adapter-error') > 0 ? ` · ${counts('adapter-error')} not judged (adapter error)` : ''}`;
  const headline =
    report.verdict === 'pass' ? color.green.bold('PASS') : report.verdict === 'fail' ? color.red.bold('FAIL') : color.yellow.bold('ADAPTER ERROR');
  lines.push(`${headline}  ${summary} · exit ${report.exitCode}`);
  return lines;
}
