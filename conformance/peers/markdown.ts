// docs/peers.md, rendered from the kit's conformance reports and each peer's
// findings file. Every verdict, count, seed and explanation here comes from a
// ConformanceReport; the only hand-written words are the findings' mechanisms,
// printed beside the verdict they explain and flagged when the kit disagrees.
import { CATALOG } from '../../spec/catalog.ts';
import type { Capability } from '../../spec/capabilities.ts';
import type { ConformanceReport, InvariantRow } from '../report.ts';
import { KIND_TITLES, VERDICT_LABELS } from '../report.ts';
import type { ExpectedFinding, PeerFindings } from './findings.ts';

/** A re-run of a cited seed: same trace hash as in the lane, and the invariant violated again. */
export interface ReplayCheck {
  seed: number;
  sameTrace: boolean;
  violatedAgain: boolean;
  /** A sentence about the cited job's own history (e.g. when expiry requeued an orphan). */
  detail: string | null;
  /** Further failing seeds re-run, with their first explanation of the invariant. */
  examples: { seed: number; replay: string | null; explanation: string }[];
}

export interface LaneSection {
  title: string;
  report: ConformanceReport | null;
  /** Why the lane did not run (no database URL, …). */
  skipped: string | null;
  /** Replay checks of the first failing seed of each violated invariant (simulated lane). */
  replays: Map<string, ReplayCheck>;
}

export interface PeerSection {
  findings: PeerFindings;
  lanes: LaneSection[];
  /** Further sections a peer brings (graphile-worker's lock-reset scenario). */
  extra: string[];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function capabilityOf(invariant: string): Capability[] {
  return (CATALOG.find((entry) => entry.id === invariant)?.requires ?? []).slice();
}

function expectedIn(findings: PeerFindings, id: string, lane: ConformanceReport['lane']['name']): ExpectedFinding | undefined {
  const expected = findings.expected[id];
  if (expected === undefined || expected.lanes === undefined || expected.lanes.includes(lane)) return expected;
  // Out of reach in this lane: what the engine does here is the opposite of the prediction, for the reason given.
  return { verdict: expected.verdict === 'violated' ? 'holds' : 'violated', mechanism: expected.elsewhere ?? expected.mechanism };
}

function verdictCell(row: InvariantRow, findings: PeerFindings, lane: ConformanceReport['lane']['name']): string {
  const label = VERDICT_LABELS[row.verdict];
  const expected = expectedIn(findings, row.id, lane);
  const disagree =
    expected !== undefined && (row.verdict === 'holds' || row.verdict === 'violated') && expected.verdict !== row.verdict
      ? ` (expected ${VERDICT_LABELS[expected.verdict]} from the code: ${row.verdict === 'holds' ? `not confirmed in these ${lane === 'postgres' ? 'rounds' : 'seeds'}` : 'refuted'})`
      : '';
  return row.verdict === 'violated' ? `**${label}**${disagree}` : `${label}${disagree}`;
}

function evidenceCell(row: InvariantRow, report: ConformanceReport, replay: ReplayCheck | undefined): string {
  const noun = report.lane.name === 'postgres' ? 'rounds' : 'seeds';
  switch (row.verdict) {
    case 'holds':
      return `${row.seedsJudged} ${noun}`;
    case 'not-applicable':
      return '—';
    case 'adapter-error':
      return row.reason ?? 'adapter error';
    case 'violated': {
      const first = row.failingSeeds[0]!;
      const parts = [`${row.failingSeeds.length} of ${row.seedsJudged} ${noun}; first ${report.lane.name === 'postgres' ? 'round' : 'seed'} ${first}`];
      if (row.replay !== null) parts.push(`\`${row.replay}\``);
      if (replay !== undefined) parts.push(replay.sameTrace && replay.violatedAgain ? 're-run: same trace hash, violated again' : `re-run: ${replay.sameTrace ? 'same trace' : 'DIFFERENT trace'}, ${replay.violatedAgain ? 'violated again' : 'NOT violated again'}`);
      return parts.join('<br>');
    }
  }
}

function whyCell(row: InvariantRow, findings: PeerFindings, lane: ConformanceReport['lane']['name'], replay: ReplayCheck | undefined): string {
  if (row.verdict === 'not-applicable') {
    const missing = capabilityOf(row.id).filter((capability) => findings.notApplicable[capability] !== undefined);
    if (missing.length > 0) return missing.map((capability) => `no ${capability}: ${findings.notApplicable[capability]}`).join('; ');
    return row.reason ?? '';
  }
  const expected = expectedIn(findings, row.id, lane);
  const parts: string[] = [];
  if (row.verdict === 'violated') {
    if (expected !== undefined && expected.verdict === 'violated') parts.push(`Mechanism: ${expected.mechanism}`);
    if (row.firstViolation !== null) parts.push(`Kit: “${row.firstViolation.explanation}”`);
    if (replay?.detail) parts.push(replay.detail);
    for (const example of replay?.examples ?? []) parts.push(`Seed ${example.seed}${example.replay === null ? '' : ` (\`${example.replay}\`)`}: “${example.explanation}”`);
  } else if (expected !== undefined) {
    parts.push(expected.mechanism);
  }
  return parts.join('<br>');
}

function laneLines(lane: LaneSection, findings: PeerFindings): string[] {
  const lines = [`### ${lane.title}`, ''];
  if (lane.report === null) {
    lines.push(`Not run: ${lane.skipped ?? 'no reason given'}.`, '');
    return lines;
  }
  const report = lane.report;
  const noun = report.lane.name === 'postgres' ? 'rounds' : 'seeds';
  lines.push(`${report.lane.deterministic ? 'Deterministic' : '**Not deterministic**'} — ${report.lane.note}.`, '');
  const figures = Object.entries(report.figures)
    .map(([name, value]) => `${name} ${value}`)
    .join(' · ');
  const last = report.seeds.from + report.seeds.requested - 1;
  lines.push(`${noun} ${report.seeds.from}…${last} (${report.seeds.run} run) · ${(report.wallMs / 1000).toFixed(1)} s wall${figures === '' ? '' : ` · ${figures}`}`, '');
  if (report.fault !== null) lines.push(`**Adapter error**: ${report.fault.message}`, '');
  lines.push('| invariant | verdict | evidence | mechanism / why |', '| --- | --- | --- | --- |');
  for (const { kind } of KIND_TITLES) {
    for (const row of report.invariants.filter((candidate) => candidate.kind === kind)) {
      const replay = lane.replays.get(row.id);
      lines.push(`| ${row.id} | ${verdictCell(row, findings, report.lane.name)} | ${escapeCell(evidenceCell(row, report, replay))} | ${escapeCell(whyCell(row, findings, report.lane.name, replay))} |`);
    }
  }
  lines.push('');
  return lines;
}

/** The versions paragraph of docs/peers.md (the pinned lines); the newest-lines report brings its own. */
const PINNED_VERSIONS =
  'Versions: the peers are pinned, as devDependencies, to the last lines that install on Node 20: pg-boss 10.4.2 and graphile-worker 0.17.3. pg-boss 11 and later declare `node >=22` (12.x: `>=22.12.0`), graphile-worker 0.18.0 declares `node >=22.18.0`; docs/peers-newest.md holds those lines to the kit under Node 22 (`npm run peers:newest`, conformance/peers/newest).';

export function renderPeersMarkdown(peers: readonly PeerSection[], generated: { command: string; node: string; title?: string; versions?: string[] }): string {
  const lines: string[] = [
    `# ${generated.title ?? 'Peers: real engines held to wf-sim’s invariants'}`,
    '',
    `Generated by \`${generated.command}\` (Node ${generated.node}); do not edit by hand — edit the adapters or their findings files and run it again.`,
    'Every verdict below comes from the kit. Each peer’s findings file (`conformance/peers/<peer>/findings.ts`) says what reading the engine’s code predicts and why; the table prints that beside the verdict and flags any disagreement.',
    'A violated invariant names the first failing seed and the command that replays it; the report re-ran each of those seeds and says whether the trace hash and the violation came back. A replay’s FAIL line names every invariant the seed violates, and its text explains the first twelve violations in history order — on pg-boss, RUNNING_OWNED and QUEUED_CLEAN fire on almost every claim and come first, so add `--json` to read a later one’s explanation.',
    '',
    ...(generated.versions ?? [PINNED_VERSIONS]).flatMap((paragraph) => [paragraph, '']),
  ];
  for (const peer of peers) {
    lines.push(`## ${peer.findings.peer} ${peer.findings.version}`, '');
    for (const paragraph of peer.findings.summary) lines.push(paragraph, '');
    const simulated = peer.lanes.some((lane) => lane.report?.lane.name === 'simulated');
    lines.push(
      simulated
        ? `Adapter: \`${peer.findings.adapterPath}\`. Replay any seed: \`npx wf-sim --seed N --engine ${peer.findings.adapterPath}\`.`
        : `Adapter: \`${peer.findings.adapterPath}\` (real Postgres only: \`npx wf-sim conformance --adapter ${peer.findings.adapterPath} --database postgres://…\`).`,
      '',
    );
    for (const lane of peer.lanes) lines.push(...laneLines(lane, peer.findings));
    lines.push(...peer.extra);
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
