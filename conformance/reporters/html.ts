// A one-file HTML page of the report (the command's --html FILE): the same table
// and explanations as the human report, for CI artifacts people open in a browser.
import { faultLine } from '../adapter-fault.ts';
import { KIND_TITLES, kindTitle, VERDICT_LABELS, seedsText, type ConformanceReport } from '../report.ts';
import { escapeMarkup } from './escape.ts';

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.25em .75em;text-align:left;border-bottom:1px solid #ddd;vertical-align:top}
.holds{color:#17803d}.violated{color:#b91c1c;font-weight:bold}.not-applicable{color:#777}.adapter-error{color:#a16207;font-weight:bold}code{font-size:12px}`;

export function renderHtml(report: ConformanceReport): string {
  const noun = report.lane.name === 'postgres' ? 'rounds' : 'seeds';
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeMarkup(`wf-sim conformance: ${report.adapter.name}`)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>${escapeMarkup(`wf-sim conformance: ${report.adapter.name}`)} — ${escapeMarkup(report.verdict.toUpperCase())}</h1>`);
  parts.push(`<p>${escapeMarkup(report.lane.note)}</p>`);
  parts.push(`<p>${escapeMarkup(`${noun} ${report.seeds.from}… (${report.seeds.run} run) · database ${report.lane.database}`)}</p>`);
  if (report.fault !== null) parts.push(`<p class="adapter-error">${escapeMarkup(faultLine(report.fault))} — no invariant was judged.</p>`);
  parts.push(`<table><thead><tr><th>invariant</th><th>verdict</th><th>${noun}</th><th>replay / reason</th></tr></thead><tbody>`);
  for (const { kind } of KIND_TITLES) {
    const title = kindTitle(kind, report.lane.name);
    const rows = report.invariants.filter((row) => row.kind === kind);
    if (rows.length === 0) continue;
    parts.push(`<tr><th colspan="4">${escapeMarkup(title)}</th></tr>`);
    for (const row of rows) {
      const last = row.verdict === 'violated' ? `<code>${escapeMarkup(row.replay ?? '')}</code>` : escapeMarkup(row.verdict === 'not-applicable' ? (row.reason ?? '') : '');
      parts.push(`<tr><td title="${escapeMarkup(row.statement)}">${escapeMarkup(row.id)}</td><td class="${row.verdict}">${escapeMarkup(VERDICT_LABELS[row.verdict])}</td><td>${escapeMarkup(seedsText(row, noun))}</td><td>${last}</td></tr>`);
    }
  }
  parts.push('</tbody></table>');
  for (const row of report.invariants.filter((candidate) => candidate.verdict === 'violated')) {
    parts.push(`<h2 class="violated">${escapeMarkup(row.id)}</h2><p>${escapeMarkup(row.statement)}</p>`);
    if (row.firstViolation !== null) parts.push(`<p>${escapeMarkup(`seed ${row.firstViolation.seed}: ${row.firstViolation.explanation}`)}</p>`);
    if (row.replay !== null) parts.push(`<p><code>${escapeMarkup(row.replay)}</code></p>`);
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}
