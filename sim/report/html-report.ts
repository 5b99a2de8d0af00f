// The report of one run as a single HTML file: world options, verdict and the
// replay command at the top, the violations with their explanations, then the
// swimlane timeline (zoomable; click a bar or type a job id to see who held that
// job when). The person reading it is fixing a failing seed, so the violating
// step is marked in red and one click zooms to it.
import type { History } from '../../spec/history.ts';
import type { Violation } from '../../spec/verdict.ts';
import { optionsLines } from '../cli/report.ts';
import type { RecordedChoices } from '../random/choices.ts';
import type { RunStats } from '../run.ts';
import type { WorldOptions } from '../world/options.ts';
import { esc, formatMs } from './markup.ts';
import { page, PAGE_CSS } from './page.ts';
import { deriveResourceKeys } from './resource-keys.ts';
import { AXIS_GAP_PX, AXIS_HEIGHT_PX, buildTimelineParts, CHARACTER_WIDTH_PX, LABEL_WIDTH_PX, legendMarkup, PLOT_WIDTH_PX, TIMELINE_CSS } from './timeline-svg.ts';

/** What the report reads of a RunResult (a RunResult is one). */
export interface ReportRun {
  seed: number;
  outcome: 'pass' | 'fail' | 'adapter-error';
  violations: readonly Violation[];
  traceHash: string;
  options: WorldOptions;
  stats: RunStats;
  history: History;
  notApplicable?: readonly { invariant: string; missing: string }[];
  choices?: RecordedChoices;
  error?: string;
  phases?: { safety: string; heal: string };
}

export interface HtmlReportInput {
  result: ReportRun;
  engine: string;
  /** The one-line command that reproduces this run. */
  replay: string;
  /** True: this is the full run; false: the shrunk one; absent: the run was not shrunk. */
  full?: boolean;
  /** A sentence about the other run (e.g. how to see the full one). */
  note?: string;
  /** 'swarm' when the fault kinds were drawn per seed (printed beside them). */
  faultsMode?: string;
  widthPx?: number;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { result } = input;
  const resourceKeys = result.choices === undefined ? new Map<number, string>() : deriveResourceKeys({ options: result.options, choices: result.choices, history: result.history });
  const parts = buildTimelineParts(result.history, result.violations, { resourceKeys, widthPx: input.widthPx ?? PLOT_WIDTH_PX });
  const { model } = parts;
  const invariants = [...new Set(result.violations.map((violation) => violation.invariant))];
  const badge = result.outcome === 'pass' ? `<span class="badge b-pass">PASS</span>` : result.outcome === 'fail' ? `<span class="badge b-fail">FAIL</span>` : `<span class="badge b-error">ADAPTER ERROR</span>`;
  const which = input.full === undefined ? '' : input.full ? 'full run' : 'shrunk run';
  const stats = result.stats;
  const drawn = result.history.length === stats.events ? `${stats.events} events` : `${result.history.length} of ${stats.events} events drawn`;
  const facts = `${drawn} · ${stats.statements} statements · ${formatMs(stats.simMs)} simulated · ${model.lanes.length} processes · trace ${result.traceHash}`;

  const body: string[] = [];
  body.push(
    `<header><h1>${badge} seed ${result.seed} · engine ${esc(input.engine)}${invariants.length > 0 ? ` · ${esc(invariants.join(', '))}` : ''}${which === '' ? '' : ` <small>(${which})</small>`}</h1>`,
    `<div class="facts">${esc(facts)}</div>`,
    `<div class="replay">replay: <code id="replay">${esc(input.replay)}</code> <button id="copy" type="button">copy</button></div>`,
    `<pre class="options">${esc(optionsLines(result.options, input.engine, input.faultsMode ?? '').join('\n'))}</pre>`,
  );
  if (input.note !== undefined) body.push(`<p class="note">${esc(input.note)}</p>`);
  if (result.error !== undefined) body.push(`<p class="note"><b>adapter error:</b> ${esc(result.error)}</p>`);
  body.push('</header>');

  if (model.violations.length > 0) {
    const items = model.violations.map((violation) => {
      const bar = violation.lease === null ? undefined : model.bars.find((candidate) => candidate.lease === violation.lease);
      const start = Math.min(violation.time, bar?.start ?? violation.time);
      const end = Math.max(violation.time, bar?.end ?? violation.time);
      const margin = Math.max((end - start) * 0.3, model.endTime * 0.01, 50);
      const where = violation.eventIndex === null ? 'at the end of the run' : `at event #${violation.eventIndex}, t=${violation.time} ms`;
      const who = [violation.processes.length > 0 ? `processes ${violation.processes.join(', ')}` : '', violation.jobs.length > 0 ? `jobs ${violation.jobs.join(', ')}` : ''].filter((part) => part !== '').join(' · ');
      return (
        `<li data-n="${violation.number}" data-t0="${Math.round(start - margin)}" data-t1="${Math.round(end + margin)}" data-j="${violation.jobs[0] ?? ''}" title="click: zoom to it">` +
        `<b>⚠ ${violation.number} ${esc(violation.invariant)}</b> <span class="where">${esc(where)}${who === '' ? '' : ` · ${esc(who)}`}</span><br>${esc(violation.explanation)}</li>`
      );
    });
    body.push(`<section class="violations"><ol>${items.join('')}</ol></section>`);
  }

  const legend = legendMarkup(LABEL_WIDTH_PX + parts.widthPx - 20);
  body.push(
    `<div class="toolbar">zoom <button type="button" data-zoom="fit">fit</button><button type="button" data-zoom="out">−</button><button type="button" data-zoom="in">+</button>` +
      (model.violations.length > 0 ? ` <button type="button" data-zoom="violation">go to ⚠ 1</button>` : '') +
      ` · job <input id="job" size="5" placeholder="id"> <span class="hint">(or click a bar: who held that job when)</span></div>`,
    `<div id="jobinfo"></div>`,
    `<svg class="legend" width="${LABEL_WIDTH_PX + parts.widthPx}" height="${legend.heightPx + 4}"><g transform="translate(6,10)">${legend.markup}</g></svg>`,
    `<div class="timeline"><svg class="labels" width="${LABEL_WIDTH_PX}" height="${parts.heightPx}">${parts.labels}</svg>` +
      `<div class="scroll"><svg class="plot" width="${parts.widthPx}" height="${parts.heightPx}" data-w="${parts.widthPx}" data-end="${model.endTime}" data-scale="${parts.pxPerMs}">${parts.defs}\n${parts.plot}</svg></div></div>`,
  );

  const footer: string[] = [];
  if (result.phases !== undefined) footer.push(`phases: safety ${esc(result.phases.safety)}, heal ${esc(result.phases.heal)}${model.healTime === null ? '' : ` (heal at t=${model.healTime} ms)`}`);
  if (result.notApplicable !== undefined && result.notApplicable.length > 0) footer.push(`not applicable: ${result.notApplicable.map((item) => `${esc(item.invariant)} (needs ${esc(item.missing)})`).join(', ')}`);
  footer.push(resourceKeys.size > 0 ? `resource locks derived for ${resourceKeys.size} jobs` : result.options.resourceKeys > 0 ? 'resource locks: not derivable from this result (no recorded workload choices)' : 'no resource keys in this world');
  footer.push('bars run from the claim to the write that ended it; hover any mark for its event number and time');
  body.push(`<footer class="note">${footer.join(' · ')}</footer>`);

  const title = `wf-sim seed ${result.seed} ${result.outcome.toUpperCase()}${invariants.length > 0 ? ` ${invariants.join(', ')}` : ''}`;
  return page(title, PAGE_CSS + TIMELINE_CSS + REPORT_CSS, body.join('\n'), REPORT_SCRIPT);
}

const REPORT_CSS = `
.replay{display:flex;gap:6px;align-items:center;white-space:nowrap}.replay code{overflow-x:auto;max-width:calc(100% - 130px);display:block}
.toolbar{display:flex;gap:6px;align-items:center;margin:6px 0 2px}.hint{color:#777;font-size:12px}
#jobinfo{font-size:12px;white-space:pre-line;color:#222;margin:2px 0}
svg.legend{display:block;margin:2px 0}
.timeline{display:flex;border:1px solid #ccd;align-items:flex-start}
svg.labels{flex:none;border-right:1px solid #ccd;display:block}
.scroll{overflow-x:auto;overflow-y:hidden;flex:1;min-width:0}
svg.plot{display:block;overflow:visible}.b,.rh{cursor:pointer}
`;

// The script only rescales what the server-side renderer drew: every x in the plot
// is time × scale, so zooming multiplies the stored x, x1, x2, cx and rect widths
// and redraws the axis with the same 1-2-5 steps as markup.ts. The address's hash
// opens a view directly: #job=5 (that job's claims), #v=2 (violation 2), #t=1000-3000.
const REPORT_SCRIPT = `(function(){
var plot=document.querySelector('svg.plot'),scroll=document.querySelector('.scroll'),axis=plot.querySelector('.axis');
var W=+plot.dataset.w,END=+plot.dataset.end,S=+plot.dataset.scale,H=+plot.getAttribute('height'),GAP=${AXIS_GAP_PX},CW=${CHARACTER_WIDTH_PX},AH=${AXIS_HEIGHT_PX},z=1,items=[];
plot.querySelectorAll('[x],[x1],[cx]').forEach(function(e){if(e.closest('defs')||e.closest('.axis'))return;var r={e:e};
['x','x1','x2','cx'].forEach(function(a){if(e.hasAttribute(a))r[a]=+e.getAttribute(a)});if(e.tagName==='rect')r.width=+e.getAttribute('width');items.push(r)});
function stepFor(px){var want=GAP/px,m=1;while(m*10<=want)m*=10;var f=[1,2,5,10];for(var i=0;i<4;i++)if(m*f[i]>=want)return m*f[i];return m*10}
function label(t,step){if(step>=1000)return t/1000+' s';return (t/1000).toFixed(Math.max(0,Math.ceil(-Math.log10(step/1000))))+' s'}
function drawAxis(){var px=S*z,step=stepFor(px),o='';for(var t=0;t<=END;t+=step){var x=(t*px).toFixed(1);o+='<line class="gr" x1="'+x+'" x2="'+x+'" y1="'+(AH-6)+'" y2="'+H+'"/><text class="ax" x="'+x+'" dx="2" y="11">'+label(t,step)+'</text>'}axis.innerHTML=o}
function fitLabels(){plot.querySelectorAll('g.fit').forEach(function(g){var s=g.querySelector('rect,line'),t=g.querySelector('text');if(!s||!t)return;
var w=s.tagName==='rect'?+s.getAttribute('width'):(+s.getAttribute('x2'))-(+s.getAttribute('x1')),f=t.getAttribute('data-f'),o=t.getAttribute('data-s');
if(f!==null){t.textContent=w>=f.length*CW+6?f:o}if(w>=t.textContent.length*CW+6)t.removeAttribute('display');else t.setAttribute('display','none')})}
function zoom(nz,center){nz=Math.max(1,Math.min(nz,500));var c=center===undefined?(scroll.scrollLeft+scroll.clientWidth/2)/(S*z):center;z=nz;
items.forEach(function(r){['x','x1','x2','cx'].forEach(function(a){if(r[a]!==undefined)r.e.setAttribute(a,(r[a]*z).toFixed(1))});if(r.width!==undefined)r.e.setAttribute('width',(r.width*z).toFixed(1))});
plot.setAttribute('width',Math.ceil(W*z));drawAxis();fitLabels();scroll.scrollLeft=c*S*z-scroll.clientWidth/2}
function zoomTo(t0,t1){zoom(scroll.clientWidth/(Math.max(t1-t0,1)*S),(t0+t1)/2)}
var job=document.getElementById('job'),info=document.getElementById('jobinfo');
function focusJob(v,go){v=String(v).trim();var on=v!=='',lines=[],t0=1/0,t1=-1/0;plot.classList.toggle('focus',on);
plot.querySelectorAll('[data-j]').forEach(function(g){var m=on&&g.getAttribute('data-j')===v;g.classList.toggle('on',m);
if(m&&g.classList.contains('b')){var r=g.querySelector('rect'),a=+r.getAttribute('x')/(S*z);t0=Math.min(t0,a);t1=Math.max(t1,a+(+r.getAttribute('width'))/(S*z));lines.push(g.querySelector('title').textContent.split('\\n').slice(0,2).join(' — '))}});
info.textContent=on?(lines.length?lines.join('\\n'):'job '+v+' was never claimed'):'';if(go&&lines.length)zoomTo(t0-(t1-t0)*0.1,t1+(t1-t0)*0.1)}
job.addEventListener('input',function(){focusJob(job.value,false)});
job.addEventListener('keydown',function(e){if(e.key==='Enter')focusJob(job.value,true);if(e.key==='Escape'){job.value='';focusJob('',false)}});
plot.addEventListener('click',function(e){var g=e.target.closest('[data-j]');if(g){job.value=g.getAttribute('data-j');focusJob(job.value,false)}});
function goViolation(li){if(!li)return;zoomTo(+li.dataset.t0,+li.dataset.t1);if(li.dataset.j){job.value=li.dataset.j;focusJob(job.value,false)}}
document.querySelectorAll('.violations li').forEach(function(li){li.addEventListener('click',function(){goViolation(li)})});
document.querySelectorAll('[data-zoom]').forEach(function(b){b.addEventListener('click',function(){var k=b.dataset.zoom;
if(k==='fit')zoom(1,END/2);else if(k==='in')zoom(z*2);else if(k==='out')zoom(z/2);else goViolation(document.querySelector('.violations li'))})});
document.addEventListener('keydown',function(e){if(e.target===job)return;if(e.key==='+'||e.key==='=')zoom(z*2);if(e.key==='-')zoom(z/2);if(e.key==='0')zoom(1,END/2)});
scroll.addEventListener('wheel',function(e){if(!e.ctrlKey)return;e.preventDefault();var b=scroll.getBoundingClientRect(),t=(scroll.scrollLeft+e.clientX-b.left)/(S*z),nz=e.deltaY<0?z*1.25:z/1.25;
zoom(nz,t);scroll.scrollLeft=t*S*z-(e.clientX-b.left)},{passive:false});
function fromHash(){var h=location.hash.slice(1),m;if((m=/^job=(\\d+)$/.exec(h))){job.value=m[1];focusJob(m[1],true)}
else if((m=/^v=(\\d+)$/.exec(h)))goViolation(document.querySelector('.violations li[data-n="'+m[1]+'"]'));else if((m=/^t=(\\d+)-(\\d+)$/.exec(h)))zoomTo(+m[1],+m[2])}
fromHash();window.addEventListener('hashchange',fromHash);
document.getElementById('copy').addEventListener('click',function(){var t=document.getElementById('replay').textContent;if(navigator.clipboard)navigator.clipboard.writeText(t)});
})();`;
