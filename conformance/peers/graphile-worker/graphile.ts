// The part of graphile-worker the adapter uses, typed as it behaves (0.17.3,
// and 0.18.0 on the newest-lines lane: the same builders and signatures).
// The adapter drives graphile-worker's own SQL builders (dist/sql/*.js: the
// statements its worker pool sends to get, complete, fail and return jobs and
// to reset stale locks) rather than copying their text, so a graphile-worker
// release that changes them changes what the kit tests. Those modules are not
// part of its typed public API; the casts live here, once.
//
// Which graphile-worker: loadGraphile(packageDir) loads the package installed
// in that folder, by file path (0.18's "exports" map names only its index, and
// the builders are internal files). The pinned line (`graphile`, below) comes
// from the project's node_modules; conformance/peers/newest/graphile-worker.ts
// passes .wf-sim/newest's 0.18, which is ESM — Node 22 loads it through
// require() too — so the adapter code is the same for both lines.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type pg from 'pg';

/** graphile-worker 0.17 runs on Node 20; 0.18 declares node >= 22.18 (docs/peers.md). */
export const GRAPHILE_WORKER_VERSION = '0.17.3';

export interface GraphileClient {
  query(config: string | { text: string; values?: unknown[]; name?: string }, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

/** graphile-worker's `withPgClient`: run a callback with a client; `withRetries` retries connection errors (the adapter's does not: a failure is the kit's to see). */
export interface WithPgClient {
  <T>(callback: (client: GraphileClient) => Promise<T>): Promise<T>;
  withRetries<T>(callback: (client: GraphileClient) => Promise<T>): Promise<T>;
}

/** A job row as graphile-worker's SQL returns it (`returning *` on _private_jobs). */
export interface JobRow {
  id: number;
  job_queue_id: number | null;
  task_id: number;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_at: Date | null;
  task_identifier?: string;
}

/** graphile-worker's compiled shared options (lib.js processSharedOptions), opaque to the adapter but for the schema. */
export interface CompiledOptions {
  workerSchema: string;
  escapedWorkerSchema: string;
}

export type Tasks = Record<string, () => Promise<void>>;

interface Internals {
  processSharedOptions(options: { schema: string; logger: unknown; useNodeTime?: boolean }): CompiledOptions;
  batchGetJobs(options: CompiledOptions, withPgClient: WithPgClient, tasks: Tasks, poolId: string, flagsToSkip: string[] | null, batchSize: number): Promise<JobRow[]>;
  batchCompleteJobs(options: CompiledOptions, withPgClient: WithPgClient, poolId: string, jobs: Pick<JobRow, 'id' | 'job_queue_id'>[]): Promise<void>;
  batchFailJobs(options: CompiledOptions, withPgClient: WithPgClient, poolId: string, specs: { job: Pick<JobRow, 'id' | 'job_queue_id'>; message: string; replacementPayload?: unknown }[]): Promise<void>;
  failJobs(options: CompiledOptions, withPgClient: WithPgClient, poolId: string, jobs: Pick<JobRow, 'id'>[], message: string): Promise<JobRow[]>;
  returnJobs(options: CompiledOptions, withPgClient: WithPgClient, poolId: string, jobs: Pick<JobRow, 'id' | 'job_queue_id'>[]): Promise<void>;
  resetLockedAt(options: CompiledOptions, withPgClient: WithPgClient): Promise<void>;
  getTaskDetails(options: CompiledOptions, withPgClient: WithPgClient, tasks: Tasks): unknown;
  makeAddJob(options: CompiledOptions, withPgClient: WithPgClient): (identifier: string, payload: unknown, spec: AddJobSpec) => Promise<JobRow>;
  runMigrations(options: { pgPool: pg.Pool; schema: string; logger: unknown }): Promise<void>;
  Logger: new (factory: () => () => void) => unknown;
}

export interface AddJobSpec {
  queueName?: string;
  runAt?: Date;
  maxAttempts?: number;
  jobKey?: string;
  priority?: number;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
}

/** One installed graphile-worker: its internals, its version, and a logger of its own Logger class. */
export interface GraphileLibrary extends Internals {
  version: string;
  /** A logger that says nothing: graphile-worker's default logs to the console, which would interleave with the kit's report. */
  silentLogger: unknown;
}

const require = createRequire(import.meta.url);

/** The graphile-worker installed in `packageDir`: its package.json's version and the internals the adapter calls. */
export function loadGraphile(packageDir: string): GraphileLibrary {
  const load = (path: string) => require(join(packageDir, 'dist', path)) as Record<string, unknown>;
  const internals: Internals = {
    processSharedOptions: load('lib.js')['processSharedOptions'] as Internals['processSharedOptions'],
    batchGetJobs: load('sql/getJobs.js')['batchGetJobs'] as Internals['batchGetJobs'],
    batchCompleteJobs: load('sql/completeJobs.js')['batchCompleteJobs'] as Internals['batchCompleteJobs'],
    batchFailJobs: load('sql/failJobs.js')['batchFailJobs'] as Internals['batchFailJobs'],
    failJobs: load('sql/failJobs.js')['failJobs'] as Internals['failJobs'],
    returnJobs: load('sql/returnJobs.js')['returnJobs'] as Internals['returnJobs'],
    resetLockedAt: load('sql/resetLockedAt.js')['resetLockedAt'] as Internals['resetLockedAt'],
    getTaskDetails: load('taskIdentifiers.js')['getTaskDetails'] as Internals['getTaskDetails'],
    makeAddJob: load('helpers.js')['makeAddJob'] as Internals['makeAddJob'],
    runMigrations: load('index.js')['runMigrations'] as Internals['runMigrations'],
    Logger: load('index.js')['Logger'] as Internals['Logger'],
  };
  const { version } = require(join(packageDir, 'package.json')) as { version: string };
  return { ...internals, version, silentLogger: new internals.Logger(() => () => undefined) };
}

/** The pinned line, from the project's node_modules. */
export const graphile: GraphileLibrary = loadGraphile(dirname(require.resolve('graphile-worker/package.json')));

/** Compiled options for a schema; graphile-worker caches them per options object, and so does the adapter (its task-id cache hangs off them). */
export function compiledOptionsFor(schema: string, lib: GraphileLibrary = graphile): CompiledOptions {
  return lib.processSharedOptions({ schema, logger: lib.silentLogger, useNodeTime: false });
}
