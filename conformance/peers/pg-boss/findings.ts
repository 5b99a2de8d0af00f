// What reading pg-boss 10.4.2's code predicts for each invariant, and why: the
// report (conformance/peers/report.ts) prints these beside the kit's verdicts
// and says so when the kit does not confirm one. The verdicts themselves are
// never written here; they come from running the kit.
import type { PeerFindings } from '../findings.ts';

export const pgBossFindings: PeerFindings = {
  peer: 'pg-boss',
  version: '10.4.2',
  adapterPath: 'conformance/peers/pg-boss',
  summary: [
    'In-process through pg-boss’s own `db` option ({ executeSql }): claim = `fetch` (one queue per call, rotating), complete / fail = `complete` / `fail` by job id, reaper = pg-boss’s expiry (`failJobsByTimeout`, what its supervisor’s `expire()` runs) under its maintenance advisory lock, every job sent with `expireInSeconds` = max(5, ⌈reaper threshold⌉) and `retryLimit` = attemptsMax − 1. A queue with a concurrency limit is a `singleton` queue (one active job; a limit of n is honoured as 1).',
    'Time: pg-boss calls `now()`, `gen_random_uuid()` and `random()` unqualified (test/peers/pg-boss-sql.test.ts checks every statement), so the adapter puts its own functions first on the search path (`SET search_path = pgboss, pg_catalog`): `now()` reads the process’s clock (`ctx.clock.now()`) from a setting the adapter writes in the same transaction, before each statement. Simulated runs never read the wall clock, and the lane is deterministic (same seed, same trace hash; the report re-runs every seed it cites).',
    'Parameterless multi-statement SQL (pg-boss’s installation script) goes to `exec()`, everything else to `query()` inside a transaction that sets the clock, so a failing statement rolls back and leaves no aborted transaction behind. Job ids are uuids that encode the kit’s integer job number (`send`’s `id` option), which also makes a retried send idempotent through pg-boss’s own `ON CONFLICT DO NOTHING`.',
  ],
  expected: {
    QUEUED_CLEAN: {
      verdict: 'violated',
      mechanism:
        'pg-boss keeps `started_on` on a job it puts back in `retry` (after `fail` or expiry) — fetch uses it to count retries — so a queued row carries its last start; pg-boss itself never misreads it (the next fetch overwrites it).',
    },
    RUNNING_OWNED: {
      verdict: 'violated',
      mechanism: 'a pg-boss job row has no owner column: nothing in the database says which process runs an active job, so nothing can fence a stale one.',
    },
    ATTEMPTS_BOUNDED: { verdict: 'holds', mechanism: '`fail` and expiry move a job to `failed` once `retry_count` reaches `retry_limit`; fetch counts a retry only when the job has started before.' },
    CONCURRENCY_LIMIT: { verdict: 'holds', mechanism: 'the singleton policy’s unique index (one active job per queue and singleton key) refuses a second active job; pg-boss’s fetch catches the error and returns nothing.' },
    SHUTDOWN_CLEAN_STATE: { verdict: 'holds', mechanism: 'vacuous: the rows name no owner, so no row can show a stopped worker still holding a job (SHUTDOWN_CLEAN judges the history instead).' },
    SINGLE_OWNER: {
      verdict: 'violated',
      mechanism:
        '`complete` and `fail` take the job id alone (no per-claim token): a worker that stalled past `expireIn` completes the run of whoever fetched the job after the expiry, and `fail` applies to any job not yet completed, so a stale fail re-queues or fails a job that expiry already handed on.',
      examples: 4,
      lanes: ['simulated'],
      elsewhere: 'the Postgres lane has no stalls: its steps last milliseconds against a 5 s `expireIn`, so no worker outlives its job’s expiry and the missing fence is never tested there.',
    },
    TERMINAL_FINAL: { verdict: 'holds', mechanism: '`complete` needs state `active` and `fail` needs a state before `completed`, so a finished job never changes again.' },
    SHUTDOWN_CLEAN: {
      verdict: 'violated',
      mechanism:
        'a fetch consumer’s `stop()` hands nothing back: pg-boss fails in-flight jobs only for `work()` handlers and has no release that does not spend a retry, so a stopped worker’s job stays `active` until `expireIn` passes.',
    },
    NO_LOST_JOB: { verdict: 'holds', mechanism: 'a job row is deleted only to be re-inserted in the same statement (fail / expiry), and `complete` cannot land twice.' },
    ALL_TERMINAL: { verdict: 'holds', mechanism: 'expiry eventually returns every abandoned job to `retry`.' },
    ORPHANS_RECOVERED: {
      verdict: 'holds',
      mechanism:
        'pg-boss has no heartbeat: a dead worker’s job is let go when its `expireIn` passes (the adapter sets it to max(5 s, the reaper threshold), inside the kit’s bound), and it then runs again once its queue has room — the kit counts the release, not the wait behind higher-priority work.',
    },
  },
  notApplicable: {
    leaseTokens: 'no per-claim token: `complete` / `fail` take the job id; the lease the adapter returns is the job key (queue/id), the same for every claim, so SINGLE_OWNER judges stale writes instead',
    groups: 'pg-boss has no completion groups',
    resourceLocks:
      '`singletonKey` is the closest: one active job per (queue, key) under the singleton policy, but it takes no lock row, does not span queues, and cannot be combined with the queue-level limit the adapter maps onto the same policy',
    runIdentity: 'a job row records no pid or run id',
    reaper: 'expiry judges jobs by age (`started_on + expire_in`); there is no worker table or heartbeat to reap workers by',
    clients: 'any pg-boss instance may send and fetch; there is no enqueue-only role for the engine to honour',
    release: 'pg-boss cannot hand a fetched job back without failing it (spending a retry); `release` answers false',
  },
};
