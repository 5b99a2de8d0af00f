// What reading graphile-worker 0.18.0's code predicts: its worker statements
// (dist/sql/*.js) are 0.17.3's for a batch of one — the only change there
// dedupes a batch's named-queue jobs — so every prediction of the pinned
// line's findings carries over, and the kit checks that it does.
import type { PeerFindings } from '../findings.ts';
import { graphileFindings } from '../graphile-worker/findings.ts';
import { pinnedNewestVersion } from './toolchain.ts';

export const graphile18Findings: PeerFindings = {
  ...graphileFindings,
  version: pinnedNewestVersion('graphile-worker'),
  adapterPath: 'conformance/peers/newest/graphile-worker.ts',
  summary: [
    'The 0.17.3 adapter (docs/peers.md) unchanged, handed 0.18.0 from `.wf-sim/newest`: the same builders with the same arguments, so the same mapping — complete = `batchCompleteJobs` (`delete … where id = $1`, by job id alone), fail and return gated on `locked_by`, reset after the hard-coded 4 hours. 0.18 is ESM with an `exports` map naming only its index; the adapter loads its internal builders by file path, through `require()`, which Node 22 allows for ESM.',
    'Runs under Node 22 only (0.18 declares `node >=22.18.0`), on a real Postgres only, as 0.17.3.',
  ],
};
