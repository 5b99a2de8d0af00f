// Writes docs/peers.md: every peer adapter through every lane it has, with the
// kit's verdicts, the first failing seed of each violated invariant re-run to
// show it replays, and the findings files' mechanisms beside them.
//
//   npx tsx conformance/peers/report.ts [--seeds N] [--rounds N] [--out FILE] [--peer NAME]
//
// The Postgres lanes run when WF_SIM_DATABASE_URL is set (each round in its own
// schema); without it the document says they were not run, and why.
import { writeFileSync } from 'node:fs';
import type { EngineAdapter } from '../../sim/adapter/contract.ts';
import { Harness } from '../../sim/harness.ts';
import type { RunResult } from '../../sim/run.ts';
import { replayLine, runConformance } from '../run-conformance.ts';
import type { ConformanceReport } from '../report.ts';
import type { PeerFindings } from './findings.ts';
import { renderPeersMarkdown, type LaneSection, type PeerSection, type ReplayCheck } from './markdown.ts';
import { describeOrphan } from './replay-detail.ts';
import { pgBossFindings } from './pg-boss/findings.ts';
import pgBossAdapter from './pg-boss/index.ts';
import { graphileFindings } from './graphile-worker/findings.ts';
import graphileAdapter from './graphile-worker/index.ts';
import { renderLockResetScenario } from './graphile-worker/scenario-markdown.ts';

export interface PeerEntry {
  findings: PeerFindings;
  adapter: () => Promise<EngineAdapter>;
  /** Lanes the peer can run in; the simulated lane needs an engine that runs on PGlite. */
  lanes: readonly ('simulated' | 'postgres')[];
  /** Sections of the peer's own (a scenario driver's results). */
  extra?: (databaseUrl: string | undefined) => Promise<string[]>;
}

export const PEERS: readonly PeerEntry[] = [
  { findings: pgBossFindings, adapter: async () => pgBossAdapter, lanes: ['simulated', 'postgres'] },
  // graphile-worker needs a real Postgres: no simulated lane (its install says so when tried on PGlite).
  { findings: graphileFindings, adapter: async () => graphileAdapter, lanes: ['postgres'], extra: renderLockResetScenario },
];

export interface PeerReportOptions {
  seeds: number;
  rounds: number;
  databaseUrl: string | undefined;
  onProgress?: (line: string) => void;
}

/**
 * Re-runs each violated invariant's first failing seed the way its replay
 * command would (and, where the findings ask for examples, a few more failing
 * seeds), and compares with the lane's run.
 */
async function replayChecks(adapter: EngineAdapter, report: ConformanceReport, findings: PeerFindings, replay: (seed: number) => string | null): Promise<Map<string, ReplayCheck>> {
  const checks = new Map<string, ReplayCheck>();
  const bySeed = new Map<number, RunResult>();
  const harness = new Harness(adapter);
  const run = async (seed: number): Promise<RunResult> => {
    let result = bySeed.get(seed);
    if (result === undefined) {
      result = await harness.run({ seed });
      bySeed.set(seed, result);
    }
    return result;
  };
  try {
    for (const row of report.invariants) {
      if (row.verdict !== 'violated') continue;
      const seed = row.failingSeeds[0]!;
      const result = await run(seed);
      const original = report.runs.find((candidate) => candidate.seed === seed);
      const violation = result.violations.find((candidate) => candidate.invariant === row.id);
      const examples: ReplayCheck['examples'] = [];
      for (const other of row.failingSeeds.slice(1, 1 + (findings.expected[row.id]?.examples ?? 0))) {
        const found = (await run(other)).violations.find((candidate) => candidate.invariant === row.id);
        if (found !== undefined) examples.push({ seed: other, replay: replay(other), explanation: found.explanation });
      }
      checks.set(row.id, {
        seed,
        sameTrace: original !== undefined && original.traceHash === result.traceHash,
        violatedAgain: violation !== undefined,
        detail: row.id === 'ORPHANS_RECOVERED' && violation !== undefined ? describeOrphan(result.history, violation) : null,
        examples,
      });
    }
  } finally {
    await harness.close();
  }
  return checks;
}

export async function buildPeerSections(peers: readonly PeerEntry[], options: PeerReportOptions): Promise<PeerSection[]> {
  const sections: PeerSection[] = [];
  for (const peer of peers) {
    const adapter = await peer.adapter();
    const lanes: LaneSection[] = [];
    for (const lane of peer.lanes) {
      if (lane === 'simulated') {
        options.onProgress?.(`${peer.findings.peer}: simulated lane, ${options.seeds} seeds`);
        const report = await runConformance(adapter, { seeds: options.seeds, adapterPath: peer.findings.adapterPath });
        options.onProgress?.(`${peer.findings.peer}: re-running the cited seeds`);
        const replays = await replayChecks(adapter, report, peer.findings, (seed) => replayLine(seed, peer.findings.adapterPath));
        lanes.push({ title: 'Simulated lane (PGlite, in-process)', report, skipped: null, replays });
      } else if (options.databaseUrl === undefined) {
        lanes.push({ title: 'Postgres lane (real connections)', report: null, skipped: 'WF_SIM_DATABASE_URL is not set', replays: new Map() });
      } else {
        options.onProgress?.(`${peer.findings.peer}: Postgres lane, ${options.rounds} rounds`);
        const report = await runConformance(adapter, { seeds: options.rounds, adapterPath: peer.findings.adapterPath, database: options.databaseUrl });
        lanes.push({ title: 'Postgres lane (real connections)', report, skipped: null, replays: new Map() });
      }
    }
    const extra = peer.extra === undefined ? [] : await peer.extra(options.databaseUrl);
    sections.push({ findings: peer.findings, lanes, extra });
  }
  return sections;
}

function argument(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

function positive(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name} must be a positive integer, got '${text}'`);
  return Number(text);
}

async function main(args: readonly string[]): Promise<number> {
  let seeds: number;
  let rounds: number;
  try {
    seeds = positive(argument(args, '--seeds'), 100, '--seeds');
    rounds = positive(argument(args, '--rounds'), 3, '--rounds');
  } catch (error) {
    process.stderr.write(`peers report: ${(error as Error).message}\n`);
    return 2;
  }
  const out = argument(args, '--out') ?? 'docs/peers.md';
  const only = argument(args, '--peer');
  const peers = only === undefined ? PEERS : PEERS.filter((peer) => peer.findings.peer === only);
  if (peers.length === 0) {
    process.stderr.write(`peers report: no peer named '${only}' (peers: ${PEERS.map((peer) => peer.findings.peer).join(', ')})\n`);
    return 2;
  }
  const databaseUrl = process.env.WF_SIM_DATABASE_URL === '' ? undefined : process.env.WF_SIM_DATABASE_URL;
  const sections = await buildPeerSections(peers, { seeds, rounds, databaseUrl, onProgress: (line) => process.stderr.write(`${line}\n`) });
  const command = `npx tsx conformance/peers/report.ts --seeds ${seeds} --rounds ${rounds}${databaseUrl === undefined ? '' : ' (with WF_SIM_DATABASE_URL)'}`;
  writeFileSync(out, renderPeersMarkdown(sections, { command, node: process.versions.node }));
  process.stderr.write(`wrote ${out}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
