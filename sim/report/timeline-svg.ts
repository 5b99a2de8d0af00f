// The timeline picture: a swimlane per process, time in simulated ms across.
// It is drawn in two parts — the lane labels and the plot — so the HTML report
// can keep the labels still while the plot scrolls and zooms; the standalone SVG
// (`--svg`, to paste into an issue) puts the two side by side with the legend
// and the violations' explanations underneath.
//
// Every horizontal coordinate in the plot is time × scale with no offset, so the
// report's script can zoom by multiplying x, x1, x2, cx and rect widths; marks of
// fixed size are <use> references to shapes centred on their (x, y).
import type { History } from '../../spec/history.ts';
import type { Violation } from '../../spec/verdict.ts';
import { axisLabel, axisStepMs, esc, formatMs, num } from './markup.ts';
import { buildTimelineModel, LEASE_OUTCOMES, type Lane, type LeaseBar, type LeaseOutcome, type Mark, type ModelOptions, type TimelineModel, type ViolationMark } from './timeline-model.ts';

export const LABEL_WIDTH_PX = 190;
export const PLOT_WIDTH_PX = 1160;
export const AXIS_HEIGHT_PX = 30;
export const LANE_HEIGHT_PX = 52;
const RESOURCE_ROW_PX = 14;
const RESOURCE_HEADER_PX = 22;
/** Ticks at least this far apart on the axis. */
export const AXIS_GAP_PX = 90;
/** A label is shown inside a span only when it fits: about this many px per character at 10 px. */
export const CHARACTER_WIDTH_PX = 6.2;
/** The same estimate for the 12 px bold violation labels. */
const VIOLATION_CHARACTER_PX = 7.6;
/** Room a restart or heal label takes on the axis. */
const GLOBAL_LABEL_PX = 110;

// Lane-relative rows: bars on top, point marks below them, the life line of each run at the bottom.
const BAR_TOP = 5;
const BAR_HEIGHT = 16;
const TICK_TOP = 25;
const TICK_BOTTOM = 32;
const RUN_TEXT = 42;
const LIFE_Y = 46;

export interface TimelineOptions extends ModelOptions {
  /** Width of the plot area in px (the labels column comes on top). */
  widthPx?: number;
  /** A heading for the standalone SVG. */
  title?: string;
}

export interface TimelineParts {
  model: TimelineModel;
  /** Shared <defs>: patterns and mark shapes. */
  defs: string;
  /** Lane labels, in the labels column's own coordinates. */
  labels: string;
  /** The plot, x = time × scale. */
  plot: string;
  widthPx: number;
  heightPx: number;
  pxPerMs: number;
}

export const OUTCOME_TEXT: Record<LeaseOutcome, string> = {
  completed: 'completed',
  failed: 'failed',
  released: 'released',
  fenced: 'fenced (write rejected)',
  unknown: 'unknown (lost ack)',
  crashed: 'holder died',
  open: 'still held where the picture ends',
};

const OUTCOME_GLYPH: Record<LeaseOutcome, string> = { completed: '✓', failed: '✗', released: '↩', fenced: '⊘', unknown: '?', crashed: '✕', open: '…' };

/** Process colours for lock holds, so two holders of one key tell apart. */
const PROCESS_COLORS = ['#1f77b4', '#d95f02', '#7570b3', '#1b9e77', '#e7298a', '#66a61e', '#a6761d', '#666666'];

/** Styles of the timeline; used inside the standalone SVG and in the HTML report's <style>. */
export const TIMELINE_CSS = `
.tl-text,svg.plot text,svg.labels text{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif}
.ln{font-size:13px;font-weight:bold;fill:#111}.ls{font-size:10.5px;fill:#555}
.lb{fill:#f3f5f8}.hl{fill:#e9f6ec;opacity:.55}
.gr{stroke:#d8dce3;stroke-width:1}.ax{font-size:10.5px;fill:#444}.axl{stroke:#999}
.life{stroke:#9fb0c8;stroke-width:3}.life.dead{stroke:#c7a0a0}
.rt{font-size:9px;fill:#667}
.pz{fill:url(#hatch-pause);stroke:#7b8fb3;stroke-width:.6}.pz.lp{fill:url(#hatch-loop)}
.b rect.bar{stroke:#fff;stroke-width:.8}
.o-completed rect.bar{fill:#3a9d5d}.o-failed rect.bar{fill:#e8923a}.o-released rect.bar{fill:#5b8bd6}
.o-fenced rect.bar{fill:#9b59c9}.o-unknown rect.bar{fill:#a5a5a5;stroke:#555;stroke-dasharray:3 2}
.o-crashed rect.bar{fill:#6b6b6b}.o-open rect.bar{fill:#cfcfcf;stroke:#777;stroke-dasharray:3 2}
.stale{fill:url(#hatch-stale);stroke:#c62828;stroke-width:1}
.orph{fill:url(#hatch-orphan);stroke:#888;stroke-width:.8;stroke-dasharray:2 2}
.bt{font-size:10px;fill:#fff;font-weight:bold;pointer-events:none}.cap{stroke:#222;stroke-width:2}
.o-open .bt,.o-unknown .bt{fill:#222}
.hb{stroke:#8a94a6;stroke-width:1.2}.hbx{stroke:#d62728;stroke-width:2}
.m-group-completed{fill:#2e7d32}.m-group-failed{fill:#e65100}
.rt.pr{fill:#c15800;font-weight:bold}
.gl{stroke-width:1.5;stroke-dasharray:6 4}.gl.restart{stroke:#8d2d2d}.gl.heal{stroke:#2e7d32}
.gt{font-size:10px;font-weight:bold}.gt.restart{fill:#8d2d2d}.gt.heal{fill:#2e7d32}
.rh rect{stroke:#0004;stroke-width:.5}.rh text{font-size:9px;fill:#fff;pointer-events:none}
.rk{font-size:11px;font-weight:bold;fill:#333}.rkh{font-size:10.5px;fill:#555;font-style:italic}
.vl{stroke:#d50000;stroke-width:2.5}.vc{fill:none;stroke:#d50000;stroke-width:3}
.vt{font-size:12px;font-weight:bold;fill:#d50000;stroke:#fff;stroke-width:3.5px;paint-order:stroke;stroke-linejoin:round}
.va{fill:#d50000}
.b.vb rect.bar{stroke:#d50000;stroke-width:2.5;stroke-dasharray:none}
.focus .b:not(.on),.focus .rh:not(.on){opacity:.12}.b.on rect.bar,.rh.on rect{stroke:#000;stroke-width:2}
`;

const DEFS = `<defs>
<pattern id="hatch-pause" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#dfe6f3" fill-opacity=".55"/><line x1="0" y1="0" x2="0" y2="6" stroke="#7b8fb3" stroke-width="2"/></pattern>
<pattern id="hatch-loop" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#9aabc9" stroke-width="1"/></pattern>
<pattern id="hatch-stale" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#fff" fill-opacity=".35"/><line x1="0" y1="0" x2="0" y2="5" stroke="#c62828" stroke-width="2"/></pattern>
<pattern id="hatch-orphan" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" stroke="#aaa" stroke-width="1.2"/></pattern>
<g id="m-crash"><path d="M-6-6L6 6M-6 6L6-6" stroke="#fff" stroke-width="6"/><path d="M-6-6L6 6M-6 6L6-6" stroke="#d62728" stroke-width="3"/></g>
<path id="m-spawn" d="M0-5L7 0L0 5Z" fill="#4a6fa5"/>
<path id="m-pid-reuse" d="M0-6L8 0L0 6Z" fill="#e65100"/>
<rect id="m-exit" x="-1.5" y="-6" width="3" height="12" fill="#333"/>
<rect id="m-stop" x="-4.5" y="-4.5" width="9" height="9" fill="#f9a825" stroke="#6d4c00"/>
<g id="m-shutdown"><circle r="5" fill="#fff" stroke="#b26a00" stroke-width="2"/><path d="M0-7V0" stroke="#b26a00" stroke-width="2"/></g>
<circle id="m-enqueue" r="2.5" fill="#607d8b"/>
<path id="m-reap" d="M-5-4H5L0 5Z" fill="#00838f"/>
<path id="m-startup" d="M0-5L5 0L0 5L-5 0Z" fill="#fff" stroke="#00838f" stroke-width="1.8"/>
<rect id="m-sanitize" x="-4" y="-4" width="8" height="8" fill="#fff" stroke="#00838f" stroke-width="1.8"/>
<path id="m-group" d="M0-6L6 0L0 6L-6 0Z"/>
<circle id="m-claim-unknown" r="4" fill="#fff" stroke="#777" stroke-width="1.5" stroke-dasharray="2 1.5"/>
<rect id="m-attach" x="-1" y="-4" width="2" height="8" fill="#9b59c9"/>
<path id="m-violation" d="M-6-7H6L0 3Z" fill="#d50000"/>
</defs>`;

export function buildTimelineParts(history: History, violations: readonly Violation[], options: TimelineOptions = {}): TimelineParts {
  const model = buildTimelineModel(history, violations, options);
  const widthPx = options.widthPx ?? PLOT_WIDTH_PX;
  // Leave room on the right for the marks of the last event.
  const pxPerMs = (widthPx - 16) / Math.max(model.endTime, 1);
  const x = (time: number) => num(time * pxPerMs);
  const laneTop = new Map<string, number>();
  model.lanes.forEach((lane, position) => laneTop.set(lane.process, AXIS_HEIGHT_PX + position * LANE_HEIGHT_PX));
  const lanesBottom = AXIS_HEIGHT_PX + model.lanes.length * LANE_HEIGHT_PX;
  let resourceTop = lanesBottom;
  const resourceRows: { key: string; top: number; rows: number }[] = [];
  if (model.resources.length > 0) {
    resourceTop += RESOURCE_HEADER_PX;
    let top = resourceTop;
    for (const resource of model.resources) {
      resourceRows.push({ key: resource.key, top, rows: resource.rows });
      top += resource.rows * RESOURCE_ROW_PX + 6;
    }
    resourceTop = top;
  }
  const heightPx = resourceTop + 6;
  const plot: string[] = [];

  // Lane stripes, the heal phase's tint and the time grid sit underneath everything.
  model.lanes.forEach((lane, position) => {
    if (position % 2 === 0) plot.push(`<rect class="lb" x="0" y="${laneTop.get(lane.process)!}" width="${widthPx}" height="${LANE_HEIGHT_PX}"/>`);
  });
  if (model.healTime !== null) plot.push(`<rect class="hl" x="${x(model.healTime)}" y="${AXIS_HEIGHT_PX}" width="${num(widthPx - model.healTime * pxPerMs)}" height="${heightPx - AXIS_HEIGHT_PX}"/>`);
  plot.push(`<g class="axis">${axisMarkup(model.endTime, pxPerMs, heightPx)}</g>`);

  const barsByProcess = groupBy(model.bars, (bar) => bar.process);
  const marksByProcess = groupBy(model.marks, (mark) => mark.process);
  const pausesByProcess = groupBy(model.pauses, (pause) => pause.process);
  const violatingLeases = new Map<string, string>();
  for (const violation of model.violations) if (violation.lease !== null && !violatingLeases.has(violation.lease)) violatingLeases.set(violation.lease, violation.invariant);

  for (const lane of model.lanes) {
    const top = laneTop.get(lane.process)!;
    const parts: string[] = [];
    for (const run of lane.runs) {
      const dead = run.ending === 'crash' || run.ending === 'restart';
      const title = `run ${run.run ?? '?'} · pid ${run.pid ?? '?'}${run.generation === null ? '' : ` · generation ${run.generation}`}: t=${run.start}–${run.end} ms, ended by ${run.ending === 'open' ? 'the end of the run' : run.ending === 'restart' ? 'a container restart' : run.ending}`;
      // A reused pid is said on the run's own label, where the eye already looks for the pid.
      const text = `${run.run ?? '?'} · pid ${run.pid ?? '?'}${run.reusedPid ? ' ♻ reused' : ''}`;
      parts.push(
        `<g class="fit"><title>${esc(title)}</title><line class="life${dead ? ' dead' : ''}" x1="${x(run.start)}" x2="${x(run.end)}" y1="${top + LIFE_Y}" y2="${top + LIFE_Y}"/>` +
          `<text class="rt${run.reusedPid ? ' pr' : ''}" x="${x(run.start)}" dx="9" y="${top + RUN_TEXT}">${esc(text)}</text></g>`,
      );
    }
    for (const pause of pausesByProcess.get(lane.process) ?? []) {
      const whole = pause.loop === 'all';
      const y = top + (whole ? 2 : TICK_TOP - 3);
      const height = whole ? LANE_HEIGHT_PX - 4 : LANE_HEIGHT_PX - TICK_TOP + 1;
      const title = `#${pause.index} t=${pause.start}–${pause.end} ms: ${whole ? 'the whole process' : `its ${pause.loop} loop`} paused (${formatMs(pause.end - pause.start)})`;
      parts.push(`<rect class="pz${whole ? '' : ' lp'}" x="${x(pause.start)}" y="${y}" width="${num(Math.max((pause.end - pause.start) * pxPerMs, 1))}" height="${height}"><title>${esc(title)}</title></rect>`);
    }
    for (const bar of barsByProcess.get(lane.process) ?? []) parts.push(barMarkup(bar, top, x, pxPerMs, violatingLeases.get(bar.lease)));
    for (const mark of marksByProcess.get(lane.process) ?? []) parts.push(markMarkup(mark, top, x));
    plot.push(`<g class="lane" data-process="${esc(lane.process)}">${parts.join('')}</g>`);
  }

  // Container restarts and the heal: full-height lines, labelled on the axis.
  // Labels are placed from the right end backwards: each goes right of its line when it
  // fits before the next label (or the plot's end), otherwise left of it, so a restart
  // just before the heal does not print over it.
  const leftOfLine = new Array<boolean>(model.globals.length).fill(false);
  let limitPx = widthPx;
  for (let position = model.globals.length - 1; position >= 0; position -= 1) {
    const at = model.globals[position]!.time * pxPerMs;
    leftOfLine[position] = at + 3 + GLOBAL_LABEL_PX > limitPx;
    limitPx = leftOfLine[position] ? at - 3 - GLOBAL_LABEL_PX : at;
  }
  model.globals.forEach((mark, position) => {
    const left = leftOfLine[position]!;
    plot.push(
      `<g><title>${esc(mark.title)}</title><line class="gl ${mark.kind}" x1="${x(mark.time)}" x2="${x(mark.time)}" y1="${AXIS_HEIGHT_PX - 4}" y2="${heightPx}"/>` +
        `<text class="gt ${mark.kind}" x="${x(mark.time)}" ${left ? 'dx="-3" text-anchor="end"' : 'dx="3"'} y="${AXIS_HEIGHT_PX - 2}">${mark.kind === 'restart' ? 'container restart' : 'heal: faults stop'}</text></g>`,
    );
  });

  if (model.resources.length > 0) {
    const colorOf = new Map(model.lanes.map((lane, position) => [lane.process, PROCESS_COLORS[position % PROCESS_COLORS.length]!]));
    for (const resource of model.resources) {
      const row = resourceRows.find((candidate) => candidate.key === resource.key)!;
      for (const hold of resource.holds) {
        const title = `lock ${hold.key} held by ${hold.process} for job ${hold.job} (lease ${hold.lease}) t=${hold.start}–${hold.end} ms`;
        plot.push(
          `<g class="rh fit" data-j="${hold.job}"><title>${esc(title)}</title><rect x="${x(hold.start)}" y="${row.top + hold.row * RESOURCE_ROW_PX}" width="${num(Math.max((hold.end - hold.start) * pxPerMs, 2))}" height="${RESOURCE_ROW_PX - 3}" fill="${colorOf.get(hold.process) ?? '#666'}"/>` +
            `<text x="${x(hold.start)}" dx="2" y="${row.top + hold.row * RESOURCE_ROW_PX + 8.5}">${esc(`${hold.process} j${hold.job}`)}</text></g>`,
        );
      }
    }
  }

  // Violations at one event (SINGLE_OWNER and STALE_WRITE_FENCED often share one) get one
  // marker; a label that would run into the previous one on its lane keeps only its numbers.
  const violationGroups = new Map<string, ViolationMark[]>();
  for (const violation of model.violations) {
    const key = `${violation.eventIndex ?? `end ${violation.time}`}|${violation.process ?? ''}`;
    violationGroups.set(key, [...(violationGroups.get(key) ?? []), violation]);
  }
  const labelEnds = new Map<string, number>();
  for (const group of violationGroups.values()) {
    const first = group[0]!;
    const vx = x(first.time);
    const top = first.process === null ? AXIS_HEIGHT_PX : laneTop.get(first.process)!;
    const bottom = first.process === null ? heightPx : top + LANE_HEIGHT_PX;
    const numbers = group.map((violation) => violation.number).join(',');
    const names = [...new Set(group.map((violation) => violation.invariant))];
    let text = `⚠ ${numbers} ${names.join(', ')}`;
    const nearEnd = first.time * pxPerMs > widthPx - text.length * VIOLATION_CHARACTER_PX - 20;
    const lane = first.process ?? '';
    const from = first.time * pxPerMs + (nearEnd ? -14 - text.length * VIOLATION_CHARACTER_PX : 14);
    if (from < (labelEnds.get(lane) ?? -Infinity)) text = `⚠ ${numbers}`;
    const width = text.length * VIOLATION_CHARACTER_PX;
    labelEnds.set(lane, nearEnd ? first.time * pxPerMs - 14 : first.time * pxPerMs + 14 + width);
    const where = first.eventIndex === null ? 'at the end of the run' : `at event #${first.eventIndex}, t=${first.time} ms`;
    const title = group.map((violation) => `${violation.number}. ${violation.invariant} ${where}: ${violation.explanation}`).join('\n');
    plot.push(
      `<g class="vio" data-violation="${esc(names.join(' '))}" data-n="${numbers}"><title>${esc(title)}</title>` +
        `<use href="#m-violation" x="${vx}" y="${AXIS_HEIGHT_PX - 8}"/>` +
        `<line class="vl" x1="${vx}" x2="${vx}" y1="${top}" y2="${bottom}"/>` +
        `<circle class="vc" cx="${vx}" cy="${top + BAR_TOP + BAR_HEIGHT / 2}" r="10"/>` +
        `<text class="vt" x="${vx}" dx="${nearEnd ? -14 : 14}" y="${top + TICK_BOTTOM + 4}"${nearEnd ? ' text-anchor="end"' : ''}>${esc(text)}</text></g>`,
    );
  }

  const labels: string[] = [`<text class="ls" x="8" y="${AXIS_HEIGHT_PX - 10}">process · pid · run   time →</text>`];
  model.lanes.forEach((lane, position) => labels.push(laneLabelMarkup(lane, laneTop.get(lane.process)!, position, model)));
  if (model.resources.length > 0) {
    labels.push(`<text class="rkh" x="8" y="${lanesBottom + 15}">resource locks</text>`);
    for (const row of resourceRows) labels.push(`<text class="rk" x="20" y="${row.top + 10}">${esc(row.key)}</text>`);
  }

  return { model, defs: DEFS, labels: labels.join(''), plot: plot.join('\n'), widthPx, heightPx, pxPerMs };
}

/** The timeline alone, as one SVG document: to paste into an issue or a pull request. */
export function renderTimelineSvg(history: History, violations: readonly Violation[], options: TimelineOptions = {}): string {
  const parts = buildTimelineParts(history, violations, options);
  const totalWidth = LABEL_WIDTH_PX + parts.widthPx;
  const footer: string[] = [];
  let y = 18;
  const legend = legendMarkup(totalWidth - 16);
  footer.push(`<g transform="translate(8,${y})">${legend.markup}</g>`);
  y += legend.heightPx + 12;
  for (const violation of parts.model.violations.slice(0, 20)) {
    const where = violation.eventIndex === null ? 'at the end of the run' : `at event #${violation.eventIndex}, t=${violation.time} ms`;
    const lines = wrap(`⚠ ${violation.number} ${violation.invariant} ${where}: ${violation.explanation}`, Math.floor((totalWidth - 20) / 6.4));
    for (const line of lines) {
      footer.push(`<text class="tl-text" x="8" y="${y}" font-size="11" fill="#b00000">${esc(line)}</text>`);
      y += 15;
    }
    y += 4;
  }
  if (parts.model.violations.length > 20) {
    footer.push(`<text class="tl-text" x="8" y="${y}" font-size="11" fill="#b00000">… and ${parts.model.violations.length - 20} more violations</text>`);
    y += 15;
  }
  const headingPx = options.title === undefined ? 0 : 24;
  const height = headingPx + parts.heightPx + y;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalWidth}" height="${height}" viewBox="0 0 ${totalWidth} ${height}" class="tl-text">` +
    `<style>${TIMELINE_CSS}</style>${parts.defs}` +
    `<rect width="${totalWidth}" height="${height}" fill="#fff"/>` +
    (options.title === undefined ? '' : `<text x="8" y="17" font-size="14" font-weight="bold">${esc(options.title)}</text>`) +
    `<g transform="translate(0,${headingPx})"><g class="labels">${parts.labels}</g>` +
    `<g class="plot" transform="translate(${LABEL_WIDTH_PX},0)">${parts.plot}</g>` +
    `<g transform="translate(0,${parts.heightPx})">${footer.join('')}</g></g></svg>\n`
  );
}

function axisMarkup(endTime: number, pxPerMs: number, heightPx: number): string {
  const step = axisStepMs(pxPerMs, AXIS_GAP_PX);
  const out: string[] = [];
  for (let time = 0; time <= endTime; time += step) {
    const x = num(time * pxPerMs);
    out.push(`<line class="gr" x1="${x}" x2="${x}" y1="${AXIS_HEIGHT_PX - 6}" y2="${heightPx}"/><text class="ax" x="${x}" dx="2" y="11">${axisLabel(time, step)}</text>`);
  }
  return out.join('');
}

function barMarkup(bar: LeaseBar, top: number, x: (time: number) => string, pxPerMs: number, violation: string | undefined): string {
  const width = Math.max((bar.end - bar.start) * pxPerMs, 2);
  const y = top + BAR_TOP;
  const lines = [
    `job ${bar.job} · lease ${bar.lease} · ${OUTCOME_TEXT[bar.outcome]}${bar.status === null ? '' : ` (job now ${bar.status})`}`,
    `held by ${bar.process} (run ${bar.run ?? '?'}, pid ${bar.pid ?? '?'}) t=${bar.start}–${bar.end} ms (#${bar.startIndex} → ${bar.endIndex === null ? 'end' : `#${bar.endIndex}`})`,
  ];
  if (bar.queue !== null || bar.resourceKey !== null) lines.push([bar.queue === null ? '' : `queue ${bar.queue}`, bar.resourceKey === null ? '' : `resource lock ${bar.resourceKey}`].filter((part) => part !== '').join(' · '));
  if (bar.lost !== null) lines.push(`stale from t=${bar.lost.time} ms (#${bar.lost.index}): ${bar.lost.how} — a write after this should be fenced`);
  if (bar.orphanUntil !== null && bar.orphanUntil > bar.end) lines.push(`orphaned in the database until t=${bar.orphanUntil} ms (the holder was gone)`);
  if (violation !== undefined) lines.push(`⚠ the violating step (${violation})`);
  const parts = [`<title>${esc(lines.join('\n'))}</title><rect class="bar" x="${x(bar.start)}" y="${y}" width="${num(width)}" height="${BAR_HEIGHT}"/>`];
  if (bar.lost !== null && bar.lost.time < bar.end) {
    parts.push(`<rect class="stale" x="${x(bar.lost.time)}" y="${y}" width="${num(Math.max((bar.end - bar.lost.time) * pxPerMs, 1))}" height="${BAR_HEIGHT}"/>`);
  }
  if (bar.orphanUntil !== null && bar.orphanUntil > bar.end) {
    parts.push(`<rect class="orph" x="${x(bar.end)}" y="${y + 3}" width="${num((bar.orphanUntil - bar.end) * pxPerMs)}" height="${BAR_HEIGHT - 6}"/>`);
  }
  // The write that ended the claim: a dark cap, so the end of a step reads even where the label does not fit.
  if (bar.endIndex !== null && bar.outcome !== 'crashed' && bar.outcome !== 'open') {
    parts.push(`<line class="cap" x1="${x(bar.end)}" x2="${x(bar.end)}" y1="${y}" y2="${y + BAR_HEIGHT}"/>`);
  }
  // The label names the job, and the lease when there is room; the report's script re-picks on zoom.
  const long = `${OUTCOME_GLYPH[bar.outcome]} j${bar.job} ${bar.lease}`;
  const short = `${OUTCOME_GLYPH[bar.outcome]} j${bar.job}`;
  const fits = (text: string) => width >= text.length * CHARACTER_WIDTH_PX + 6;
  const label = fits(long) ? long : short;
  const hidden = fits(label) ? '' : ' display="none"';
  parts.push(`<text class="bt" x="${x(bar.start)}" dx="3" y="${y + 12}" data-f="${esc(long)}" data-s="${esc(short)}"${hidden}>${esc(label)}</text>`);
  const violationAttribute = violation === undefined ? '' : ` data-violation="${esc(violation)}"`;
  return `<g class="b fit o-${bar.outcome}${violation === undefined ? '' : ' vb'}" data-j="${bar.job}"${violationAttribute}>${parts.join('')}</g>`;
}

function markMarkup(mark: Mark, top: number, x: (time: number) => string): string {
  const title = `<title>${esc(mark.title)}</title>`;
  const mx = x(mark.time);
  switch (mark.kind) {
    case 'heartbeat':
      return `<line class="hb" x1="${mx}" x2="${mx}" y1="${top + TICK_TOP}" y2="${top + TICK_BOTTOM}">${title}</line>`;
    case 'heartbeat-rejected':
      return `<line class="hbx" x1="${mx}" x2="${mx}" y1="${top + TICK_TOP - 3}" y2="${top + TICK_BOTTOM + 2}">${title}</line>`;
    case 'crash':
      return `<use href="#m-crash" x="${mx}" y="${top + BAR_TOP + BAR_HEIGHT / 2}">${title}</use>`;
    case 'spawn':
    case 'pid-reuse':
    case 'exit':
    case 'stop':
    case 'shutdown':
      return `<use href="#m-${mark.kind}" x="${mx}" y="${top + LIFE_Y}">${title}</use>`;
    case 'group': {
      const status = / fired: (\w+)/.exec(mark.title)?.[1] ?? 'completed';
      return `<use href="#m-group" class="m-group-${status}" x="${mx}" y="${top + (TICK_TOP + TICK_BOTTOM) / 2}">${title}</use>`;
    }
    default:
      return `<use href="#m-${mark.kind}" x="${mx}" y="${top + (TICK_TOP + TICK_BOTTOM) / 2}">${title}</use>`;
  }
}

function laneLabelMarkup(lane: Lane, top: number, position: number, model: TimelineModel): string {
  const reaps = model.marks.some((mark) => mark.process === lane.process && mark.kind === 'reap');
  const role = lane.role === 'worker' && reaps ? 'worker · reaper' : lane.role;
  const pids = lane.pids.length === 0 ? 'pid ?' : `pid ${lane.pids.join(' → ')}`;
  const runs = lane.runs.map((run) => run.run ?? '?');
  const runText = runs.length <= 1 ? `run ${runs[0] ?? '?'}` : `runs ${runs[0]}…${runs[runs.length - 1]} (${runs.length})`;
  const deaths = lane.runs.filter((run) => run.ending === 'crash' || run.ending === 'restart').length;
  const stripe = position % 2 === 0 ? `<rect class="lb" x="0" y="${top}" width="${LABEL_WIDTH_PX}" height="${LANE_HEIGHT_PX}"/>` : '';
  return (
    `${stripe}<g class="lane-label" data-process="${esc(lane.process)}"><title>${esc(`${lane.process}: ${role}; ${pids}; ${runs.join(', ')}`)}</title>` +
    `<text class="ln" x="8" y="${top + 17}">${esc(lane.process)}</text><text class="ls" x="60" y="${top + 17}">${esc(role)}${deaths > 0 ? ` · ${deaths} ✕` : ''}</text>` +
    `<text class="ls" x="8" y="${top + 32}">${esc(truncate(pids, 30))}</text>` +
    `<text class="ls" x="8" y="${top + 45}">${esc(truncate(runText, 30))}</text></g>`
  );
}

/**
 * The legend, drawn with the same classes and shapes as the plot: bar colours
 * first, then marks, wrapped at `widthPx`. Returns the markup and its height.
 */
export function legendMarkup(widthPx: number): { markup: string; heightPx: number } {
  const out: string[] = [];
  let x = 0;
  let row = 0;
  const item = (swatch: string, text: string) => {
    const width = 26 + text.length * 6.1;
    if (x > 0 && x + width > widthPx) {
      x = 0;
      row += 1;
    }
    out.push(`<g transform="translate(${num(x)},${row * 22})">${swatch}<text class="ls" x="20" y="4">${esc(text)}</text></g>`);
    x += width;
  };
  const bar = (outcome: LeaseOutcome) => `<g class="b o-${outcome}"><rect class="bar" x="0" y="-5" width="16" height="10"/></g>`;
  for (const outcome of LEASE_OUTCOMES) item(bar(outcome), `claim → ${OUTCOME_TEXT[outcome]}`);
  item(`<rect class="stale" x="0" y="-5" width="16" height="10"/>`, 'stale: lease lost, write must be fenced');
  const at = (kind: string) => `<use href="#m-${kind}" x="8" y="0"/>`;
  item(at('crash'), 'crash');
  item(`<rect class="pz" x="0" y="-6" width="16" height="12"/>`, 'paused');
  item(`<rect class="orph" x="0" y="-4" width="16" height="8"/>`, 'orphaned claim');
  item(at('pid-reuse'), 'pid reused');
  item(`<line class="gl restart" x1="8" x2="8" y1="-8" y2="8"/>`, 'container restart');
  item(`<line class="gl heal" x1="8" x2="8" y1="-8" y2="8"/>`, 'heal');
  item(at('spawn'), 'start');
  item(at('stop'), 'stop signal');
  item(at('shutdown'), 'shutdown');
  item(at('exit'), 'exit');
  item(`<line class="hb" x1="8" x2="8" y1="-4" y2="4"/>`, 'heartbeat');
  item(`<line class="hbx" x1="8" x2="8" y1="-6" y2="6"/>`, 'heartbeat rejected');
  item(at('reap'), 'reap');
  item(at('startup'), 'startup requeue');
  item(`<use href="#m-group" class="m-group-completed" x="8" y="0"/>`, 'group fired');
  item(at('enqueue'), 'enqueue');
  item(at('violation'), 'violation');
  return { markup: out.join(''), heightPx: (row + 1) * 22 };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const list = out.get(name);
    if (list === undefined) out.set(name, [item]);
    else list.push(item);
  }
  return out;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Greedy word wrap for SVG text, which does not wrap by itself. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length === 0 ? word : `${line} ${word}`;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}
