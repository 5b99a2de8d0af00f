// The JUnit XML report, the format every CI system reads: one <testsuite> per
// invariant kind, one <testcase> per invariant. A violation is a <failure> whose
// body is the explanation and the replay command; not applicable is <skipped>
// with its reason; an adapter error is an <error> on every invariant it kept
// from a verdict. Everything the engine or adapter said is escaped.
import { KIND_TITLES, VERDICT_LABELS, seedsText, type ConformanceReport, type InvariantRow } from '../report.ts';
import { faultLine } from '../adapter-fault.ts';
import { escapeAttribute, escapeMarkup } from './escape.ts';

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function failureBody(row: InvariantRow, report: ConformanceReport): string {
  const violation = row.firstViolation;
  const lines = [`${row.id} VIOLATED on ${seedsText(row, report.lane.name === 'postgres' ? 'rounds' : 'seeds')}.`, `Invariant: ${row.statement}`];
  if (violation !== null) {
    const where = violation.eventIndex === null ? 'at the end of the run' : `at event ${violation.eventIndex}, t=${violation.time ?? '?'} ms`;
    lines.push(`First violation: seed ${violation.seed}, ${where}; jobs ${violation.jobs.join(', ') || '—'}; processes ${violation.processes.join(', ') || '—'}.`);
    lines.push(violation.explanation);
  }
  if (row.replay !== null) lines.push(`Replay: ${row.replay}`);
  return lines.join('\n');
}

function testcase(row: InvariantRow, report: ConformanceReport, className: string): string {
  const open = `    <testcase classname="${escapeAttribute(className)}" name="${escapeAttribute(row.id)}" time="0">`;
  switch (row.verdict) {
    case 'holds':
      return `    <testcase classname="${escapeAttribute(className)}" name="${escapeAttribute(row.id)}" time="0"/>`;
    case 'violated': {
      const message = `${row.id} violated: ${row.firstViolation?.explanation ?? 'see the report'}`.slice(0, 500);
      return `${open}\n      <failure message="${escapeAttribute(message)}" type="${VERDICT_LABELS.violated}">${escapeMarkup(failureBody(row, report))}</failure>\n    </testcase>`;
    }
    case 'not-applicable':
      return `${open}\n      <skipped message="${escapeAttribute(`not applicable: ${row.reason ?? 'the engine does not claim it'}`)}"/>\n    </testcase>`;
    case 'adapter-error': {
      const line = report.fault === null ? (row.reason ?? 'adapter error') : faultLine(report.fault);
      return `${open}\n      <error message="${escapeAttribute(line)}" type="AdapterError">${escapeMarkup(`${line}\nNo verdict: an adapter that fails cannot be trusted to pass or to fail.`)}</error>\n    </testcase>`;
    }
  }
}

export function renderJunit(report: ConformanceReport): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const rows = report.invariants;
  const count = (verdict: InvariantRow['verdict'], subset: readonly InvariantRow[] = rows) => subset.filter((row) => row.verdict === verdict).length;
  const suiteName = `wf-sim conformance: ${report.adapter.name} (${report.lane.name} lane)`;
  lines.push(
    `<testsuites name="${escapeAttribute(suiteName)}" tests="${rows.length}" failures="${count('violated')}" errors="${count('adapter-error')}" skipped="${count('not-applicable')}" time="${seconds(report.wallMs)}">`,
  );
  const kinds = [...KIND_TITLES.map((entry) => entry.kind)];
  for (const row of rows) if (!kinds.includes(row.kind)) kinds.push(row.kind);
  for (const kind of kinds) {
    const subset = rows.filter((row) => row.kind === kind);
    if (subset.length === 0) continue;
    const className = `wf-sim.conformance.${kind}`;
    lines.push(
      `  <testsuite name="${escapeAttribute(`${suiteName} · ${kind}`)}" tests="${subset.length}" failures="${count('violated', subset)}" errors="${count('adapter-error', subset)}" skipped="${count('not-applicable', subset)}" time="0">`,
    );
    if (kind === kinds[0]) {
      lines.push('    <properties>');
      const properties: [string, string][] = [
        ['adapter', report.adapter.name],
        ['adapter.path', report.adapter.path ?? ''],
        ['lane', report.lane.name],
        ['lane.deterministic', String(report.lane.deterministic)],
        ['lane.note', report.lane.note],
        ['database', report.lane.database],
        ['seeds.from', String(report.seeds.from)],
        ['seeds.run', String(report.seeds.run)],
        ['verdict', report.verdict],
      ];
      for (const [name, value] of properties) lines.push(`      <property name="${escapeAttribute(name)}" value="${escapeAttribute(value)}"/>`);
      lines.push('    </properties>');
    }
    for (const row of subset) lines.push(testcase(row, report, className));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
