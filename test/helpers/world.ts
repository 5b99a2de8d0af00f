// Small builders shared by the engine tests: a fixed epoch, queues, workers and
// raw-SQL seeding of rows the engine itself would never write (tests of
// sanitize and of the claim's defence against stale pids need them).
import type { Database } from '../../src/db/database.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine, Job, JobSpec, Snapshot } from '../../src/engine/types.ts';

/** 2023-11-14T22:13:20Z: a round, fixed "now" for every test. */
export const T0 = 1_700_000_000_000;

export interface World {
  engine: Engine;
  db: Database;
}

export async function createWorld(db: Database, queues: { name: string; maxConcurrency?: number | null }[] = [{ name: 'default' }]): Promise<World> {
  const engine = createEngine({ db });
  for (const queue of queues) await engine.defineQueue(T0, { name: queue.name, maxConcurrency: queue.maxConcurrency ?? null });
  return { engine, db };
}

export async function startWorker(engine: Engine, workerId: string, now = T0, options: { pid?: number | null; runId?: string; role?: 'worker' | 'client' } = {}): Promise<void> {
  await engine.startup(now, { workerId, role: options.role ?? 'worker', pid: options.pid ?? null, runId: options.runId ?? `${workerId}.1` });
}

export async function enqueue(engine: Engine, spec: Partial<JobSpec> = {}, now = T0): Promise<number> {
  const { jobId } = await engine.enqueue(now, { queue: 'default', ...spec });
  return jobId;
}

/** Claims or fails the test: most tests need the job, not the null case. */
export async function claimOrThrow(engine: Engine, workerId: string, leaseToken: string, now = T0, extra: { pid?: number | null; runId?: string | null; queues?: string[]; lockTtlMs?: number } = {}): Promise<Job> {
  const job = await engine.claim(now, { workerId, leaseToken, ...extra });
  if (job === null) throw new Error(`worker ${workerId} claimed nothing at ${now}`);
  return job;
}

/** Writes columns of a job row directly, bypassing the engine (to seed impossible states). */
export async function forceJobColumns(db: Database, jobId: number, assignments: string): Promise<void> {
  if (!Number.isSafeInteger(jobId)) throw new Error(`bad job id ${jobId}`);
  await db.exec(`UPDATE wf_jobs SET ${assignments} WHERE id = ${jobId}`);
}

/** The ownership columns a queued row must not carry (incident 003). */
export function ownership(job: Job): Pick<Job, 'owner' | 'leaseToken' | 'pid' | 'runId' | 'startedAt'> {
  return { owner: job.owner, leaseToken: job.leaseToken, pid: job.pid, runId: job.runId, startedAt: job.startedAt };
}

export const CLEAN_OWNERSHIP = { owner: null, leaseToken: null, pid: null, runId: null, startedAt: null } as const;

export function jobIn(snapshot: Snapshot, jobId: number): Job {
  const job = snapshot.jobs.find((candidate) => candidate.id === jobId);
  if (job === undefined) throw new Error(`job ${jobId} is not in the snapshot`);
  return job;
}
