// What reading graphile-worker 0.17.3's code predicts for each invariant, and
// why (dist/sql/*.js, sql/000018.sql). The report sets these beside the kit's
// verdicts; the verdicts themselves come from running the kit.
import type { PeerFindings } from '../findings.ts';

export const graphileFindings: PeerFindings = {
  peer: 'graphile-worker',
  version: '0.17.3',
  adapterPath: 'conformance/peers/graphile-worker',
  summary: [
    'On a real Postgres only (its migrations need a node-postgres pool), through the statements its worker pool sends, built by its own SQL builders: claim = get job (`batchGetJobs`, one at a time, every world queue a task identifier), complete = `batchCompleteJobs` (`delete … where id = $1`), fail = `batchFailJobs` (gated on `locked_by`, retry after exp(attempts) s), release = `returnJobs` (gated on `locked_by`, gives the attempt back), reaper = `resetLockedAt` (locks older than its hard-coded 4 hours), shutdown = what `gracefulShutdown` does with jobs its workers still hold (`failJobs`). Each process is one worker pool whose id (`<process>/<run>`, fresh per incarnation as graphile-worker’s are) is the lock owner. A queue with a concurrency limit is a graphile-worker named queue (one job at a time); an idempotency key is a job key in `unsafe_dedupe` mode.',
    'Time is Postgres’s own `now()` (graphile-worker’s default), on the Postgres lane’s real clock. graphile-worker deletes a completed job, so the adapter keeps a ledger of the jobs it enqueued (in the same transaction as `add_job`) to tell a completed job from a lost one. The LISTEN connection is not opened: it only shortens the wait between `add_job` and the next get job, and the kit’s workers poll.',
    'The 4-hour lock timeout is out of reach of any Postgres-lane round, so the lock-reset scenario below exercises it: real connections, graphile-worker’s own statements, a lock aged by 4 h 1 s instead of a 4-hour wait, the history judged by `checkHistory`.',
  ],
  expected: {
    QUEUED_CLEAN: { verdict: 'holds', mechanism: 'fail, return and reset all clear `locked_by` and `locked_at` in the statement that unlocks the job.' },
    RUNNING_OWNED: { verdict: 'holds', mechanism: 'get job stamps `locked_by` (the pool) and `locked_at` in the same UPDATE that takes the job.' },
    ATTEMPTS_BOUNDED: { verdict: 'holds', mechanism: '`is_available` is generated as `locked_at is null and attempts < max_attempts`, and get job takes only available jobs.' },
    CONCURRENCY_LIMIT: { verdict: 'holds', mechanism: 'a named queue is locked (`job_queues.locked_by`, FOR UPDATE SKIP LOCKED) by the pool running one of its jobs, so it runs one job at a time.' },
    SHUTDOWN_CLEAN_STATE: { verdict: 'holds', mechanism: 'graceful shutdown fails the jobs its workers hold, which clears their locks.' },
    SINGLE_OWNER: {
      verdict: 'violated',
      mechanism:
        'complete is `delete … where id = $1`, with no check of `locked_by`: once a lock older than 4 hours is reset and another pool takes the job, the first holder’s complete deletes the job the second is running (fail, gated on `locked_by`, is refused).',
      lanes: [],
      elsewhere: 'no round of the Postgres lane lasts the 4 hours a lock needs before it is reset, so no job ever has two holders there; the lock-reset scenario below reaches it.',
    },
    TERMINAL_FINAL: { verdict: 'holds', mechanism: 'a completed job’s row is gone and a permanently failed one is unlocked, so neither a late complete nor a late fail (gated on `locked_by`) can change it.' },
    SHUTDOWN_CLEAN: { verdict: 'holds', mechanism: 'graceful shutdown fails (hands back) every job the pool’s workers still hold before it returns.' },
    NO_LOST_JOB: { verdict: 'holds', mechanism: 'only complete deletes a job, and `add_job` commits with the adapter’s ledger row.' },
    ALL_TERMINAL: {
      verdict: 'violated',
      mechanism:
        'a killed pool’s locks last 4 hours (no heartbeat; resetLockedAt clears only locks older than that), so its jobs — and, for a named queue, every job queued behind them — stay unfinished past any heal budget. A round shows it only when a kill lands while the worker holds a job (steps last milliseconds), so not every round does.',
    },
    ORPHANS_RECOVERED: {
      verdict: 'violated',
      mechanism:
        'a dead pool’s job is recovered only when its lock is 4 hours old: the recovery bound is graphile-worker’s fixed lock timeout, not a heartbeat threshold. The kit can attribute the orphan only when the killed worker’s get job was answered before the kill (a kill inside get job leaves the claim unknown, and ALL_TERMINAL reports the stranded job instead).',
    },
  },
  notApplicable: {
    leaseTokens: 'the lock owner is the pool (`locked_by`), the same for every job the pool takes, and complete checks nothing; SINGLE_OWNER judges stale writes instead',
    groups: 'graphile-worker has no completion groups',
    resourceLocks: 'a named queue serializes its own jobs; nothing serializes jobs of different queues that share a resource',
    runIdentity: 'a job row records only the pool id (`locked_by`), no pid or run id of its own',
    reaper: 'locks expire by age (4 hours); there is no worker table or heartbeat to reap workers by',
    clients: 'any process may add jobs; nothing in the engine marks one as enqueue-only',
  },
};
