// Benchmark of the real-Postgres lane on the reference engine: 8 workers with
// their own connections race over 10,000 jobs while workers are killed
// mid-transaction and restarted; the figure that matters is zero duplicate
// executions and zero lost jobs, and the throughput it took. Real time, so the
// numbers vary from run to run (and with the machine's load); the invariant
// verdicts must not.
//
//   WF_SIM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx test/bench/postgres-lane.ts [workers] [jobs]
import { pathToFileURL } from 'node:url';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { runPostgresLane } from '../../conformance/postgres-lane.ts';

export interface PostgresLaneBench {
  workers: number;
  jobs: number;
  duplicateExecutions: number;
  lostJobs: number;
  seconds: number;
  jobsPerSecond: number;
  kills: number;
  killsInTransaction: number;
  gracefulStops: number;
  /** Invariants violated in the round (expected: none). */
  violated: string[];
  /** Set when the adapter failed: then the other figures mean nothing. */
  adapterError: string | null;
}

/** `stepMs`: each job's real step; the lane's default (0–4 ms) can drain a small round before its first kill gap. */
export async function benchPostgresLane(options: { connectionString?: string; workers?: number; jobs?: number; seed?: number; stepMs?: { min: number; max: number } } = {}): Promise<PostgresLaneBench> {
  const connectionString = options.connectionString ?? process.env['WF_SIM_DATABASE_URL'];
  if (connectionString === undefined || connectionString === '') throw new Error('benchPostgresLane needs a Postgres: set WF_SIM_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  const workers = options.workers ?? 8;
  const jobs = options.jobs ?? 10_000;
    // The heal phase may run until the work drains (10 min at most): a job counted lost must be lost, not merely unfinished on a slow machine.
  const run = await runPostgresLane(referenceAdapter, { connectionString, rounds: 1, from: options.seed ?? 1, timeoutMs: 30_000, workers, jobs, clients: 1, healBudgetMs: 600_000, ...(options.stepMs === undefined ? {} : { stepMs: options.stepMs }) });
  const outcome = run.outcomes[0];
  return {
    workers,
    jobs: run.figures.jobs,
    duplicateExecutions: run.figures.duplicateExecutions,
    lostJobs: run.figures.lostJobs,
    seconds: run.figures.seconds,
    jobsPerSecond: run.figures.jobsPerSecond,
    kills: run.figures.kills,
    killsInTransaction: run.figures.killsInTransaction,
    gracefulStops: run.figures.gracefulStops,
    violated: Object.keys(outcome?.violationCounts ?? {}),
    adapterError: outcome?.fault === null || outcome === undefined ? null : `${outcome.fault.operation}: ${outcome.fault.message}`,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const workers = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const jobs = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const result = await benchPostgresLane({ ...(workers === undefined ? {} : { workers }), ...(jobs === undefined ? {} : { jobs }) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
