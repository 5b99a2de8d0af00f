// The campaign summary page: how many seeds ran and how fast, which invariants
// failed on how many seeds, the determinism re-check, and a link to each failing
// seed's own report (written next to the summary).
import type { CampaignResult } from '../campaign.ts';
import { esc } from './markup.ts';
import { page, PAGE_CSS } from './page.ts';

export interface CampaignSummary {
  engine: string;
  /** The seeds asked for (the campaign may have stopped early). */
  seedsRequested: number;
  seedsRun: number;
  firstSeed: number | null;
  lastSeed: number | null;
  passed: number;
  failed: number;
  adapterErrors: number;
  wallMs: number;
  seedsPerSecond: number;
  stoppedEarly: boolean;
  byInvariant: { invariant: string; seeds: number }[];
  failing: {
    seed: number;
    outcome: string;
    invariants: string[];
    events: number;
    firstExplanation: string;
    replay: string;
    /** Relative link to the seed's report, when one was written. */
    report: string | null;
  }[];
  determinism: { resampled: number[]; mismatches: { seed: number; first: string; again: string }[] };
}

export function summarizeCampaign(
  campaign: CampaignResult,
  context: { engine: string; seedsRequested: number; replayFor: (seed: number) => string; reportFor: (seed: number) => string | null },
): CampaignSummary {
  const results = campaign.results;
  const failing = results.filter((result) => result.outcome !== 'pass');
  const byInvariant = new Map<string, number>();
  for (const result of failing) for (const invariant of new Set(result.violations.map((violation) => violation.invariant))) byInvariant.set(invariant, (byInvariant.get(invariant) ?? 0) + 1);
  return {
    engine: context.engine,
    seedsRequested: context.seedsRequested,
    seedsRun: results.length,
    firstSeed: results[0]?.seed ?? null,
    lastSeed: results[results.length - 1]?.seed ?? null,
    passed: results.length - failing.length,
    failed: failing.filter((result) => result.outcome === 'fail').length,
    adapterErrors: failing.filter((result) => result.outcome === 'adapter-error').length,
    wallMs: campaign.wallMs,
    seedsPerSecond: campaign.wallMs > 0 ? results.length / (campaign.wallMs / 1000) : 0,
    stoppedEarly: campaign.stoppedEarly,
    byInvariant: [...byInvariant.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([invariant, seeds]) => ({ invariant, seeds })),
    failing: failing.map((result) => ({
      seed: result.seed,
      outcome: result.outcome,
      invariants: [...new Set(result.violations.map((violation) => violation.invariant))],
      events: result.stats.events,
      firstExplanation: result.violations[0]?.explanation ?? result.error ?? '',
      replay: context.replayFor(result.seed),
      report: context.reportFor(result.seed),
    })),
    determinism: { resampled: campaign.resampled, mismatches: campaign.mismatches },
  };
}

export function renderCampaignHtml(summary: CampaignSummary): string {
  const ok = summary.failed === 0 && summary.adapterErrors === 0 && summary.determinism.mismatches.length === 0;
  const badge = ok ? `<span class="badge b-pass">PASS</span>` : summary.adapterErrors > 0 || summary.determinism.mismatches.length > 0 ? `<span class="badge b-error">ERROR</span>` : `<span class="badge b-fail">FAIL</span>`;
  const range = summary.firstSeed === null ? '' : ` (seeds ${summary.firstSeed}…${summary.lastSeed})`;
  const body: string[] = [
    `<h1>${badge} wf-sim campaign · engine ${esc(summary.engine)}</h1>`,
    `<div class="facts">${summary.seedsRun} of ${summary.seedsRequested} seeds run${esc(range)} · ${summary.passed} passed, ${summary.failed} failed` +
      `${summary.adapterErrors > 0 ? `, ${summary.adapterErrors} adapter errors` : ''} · ${summary.seedsPerSecond.toFixed(1)} seeds/s · ${(summary.wallMs / 1000).toFixed(1)} s wall</div>`,
  ];
  if (summary.stoppedEarly) body.push(`<p class="note">Stopped at the first failing seed (--keep-going runs them all).</p>`);

  body.push('<h2>Violations by invariant</h2>');
  if (summary.byInvariant.length === 0) body.push('<p class="note">none</p>');
  else {
    const most = Math.max(...summary.byInvariant.map((item) => item.seeds));
    const rows = summary.byInvariant.map(
      (item) => `<tr><td class="mono">${esc(item.invariant)}</td><td class="n">${item.seeds}</td><td><span class="bar" style="width:${Math.max(2, Math.round((item.seeds / most) * 240))}px"></span></td></tr>`,
    );
    body.push(`<table><tr><th>invariant</th><th>seeds</th><th></th></tr>${rows.join('')}</table>`);
  }

  body.push(`<h2>Failing seeds (${summary.failing.length})</h2>`);
  if (summary.failing.length === 0) body.push('<p class="note">none</p>');
  else {
    const rows = summary.failing.map(
      (item) =>
        `<tr><td class="n">${item.report === null ? item.seed : `<a href="${esc(item.report)}">${item.seed}</a>`}</td><td>${esc(item.outcome)}</td><td class="mono">${esc(item.invariants.join(', '))}</td>` +
        `<td class="n">${item.events}</td><td>${esc(truncate(item.firstExplanation, 240))}<br><code>${esc(item.replay)}</code></td></tr>`,
    );
    body.push(`<table><tr><th>seed</th><th>outcome</th><th>invariants</th><th>events</th><th>first violation · replay</th></tr>${rows.join('')}</table>`);
  }

  body.push('<h2>Determinism</h2>');
  if (summary.determinism.mismatches.length > 0) {
    for (const mismatch of summary.determinism.mismatches) body.push(`<p style="color:#b00000">NONDETERMINISM: seed ${mismatch.seed} hashed ${esc(mismatch.first)} in the campaign but ${esc(mismatch.again)} when run again</p>`);
  } else if (summary.determinism.resampled.length > 0) body.push(`<p class="note">re-ran seeds ${summary.determinism.resampled.join(', ')}: same trace hashes</p>`);
  else body.push('<p class="note">no seeds re-run</p>');
  return page(`wf-sim campaign ${summary.engine}: ${summary.failed} failing of ${summary.seedsRun}`, PAGE_CSS, body.join('\n'));
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
