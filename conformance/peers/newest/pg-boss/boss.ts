// pg-boss 12 (the newest line, node >= 22.12), loaded from .wf-sim/newest by
// file path: its package is ESM whose "exports" map names only its index, and
// the adapter also needs its SQL builders (dist/plans.js). Importing this
// module off Node 22, or without the toolchain, throws with the command to run.
//
// What changed since 10.4.2 that the adapter meets (read from dist/*.js):
// - the attempt fence (pg-boss #925): complete / fail / touch given
//   { id, retryCount } — what fetch() and work() hand out — match only the
//   attempt that was fetched (`id:retry_count` and state = 'active'); plain ids
//   are unfenced as in 10;
// - time: every statement reads `${schema}.job_now()`, a function pg-boss
//   installs as `SELECT pg_catalog.now()`, schema-qualified — so 10's search
//   path shim no longer reaches it; pg-boss's own TestClock replaces that
//   function's body, and so does the adapter (./statements.ts);
// - a `clock` option (now, setTimeout, setInterval and their clears) for the
//   JavaScript side: the adapter's never fires, so no pg-boss timer runs;
// - expiry: `failJobsByTimeout(schema, table, queues, noAdvisoryLocks, limit)`,
//   a whole BEGIN … COMMIT script per queue table (job_common unless a queue
//   has its own partition), on `expire_seconds`;
// - registerInstance (an instance table and heartbeat timer): off.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Boss, CommandResponse, FetchedJob, SendOptions } from '../../pg-boss/boss.ts';
import type { SqlExecutor } from '../../pg-boss/executor.ts';
import { assertNewestNode, newestPackageDir, newestVersionOf } from '../toolchain.ts';

assertNewestNode('pg-boss 12');

/** A job as 12's fetch returns it: 10's fields, and the attempt it was fetched at is what fences its settles. */
export type FetchedJob12 = FetchedJob & { expireInSeconds: number };

/** A fenced settle target: the job and the attempt (retry_count) it was fetched at. */
export interface Attempt {
  id: string;
  retryCount: number;
}

export interface Boss12 extends Omit<Boss, 'complete' | 'fail' | 'fetch'> {
  fetch(name: string, options: { includeMetadata: true; batchSize?: number; db?: SqlExecutor }): Promise<FetchedJob12[]>;
  complete(name: string, id: string | Attempt, data?: unknown, options?: { db?: SqlExecutor }): Promise<CommandResponse>;
  fail(name: string, id: string | Attempt, data: unknown, options?: { db?: SqlExecutor }): Promise<CommandResponse>;
  send(name: string, data: unknown, options: SendOptions & { db?: SqlExecutor }): Promise<string | null>;
}

/** The builders of dist/plans.js the adapter calls (internal to pg-boss, typed here once). */
export interface Plans12 {
  failJobsByTimeout(schema: string, table: string, queues: string[], noAdvisoryLocks: boolean, limit?: number): string;
  advisoryLockKey(schema: string, key: string): string;
  transaction(query: string): string;
  EXPIRY_BATCH_SIZE: number;
  CLOCK_OVERRIDE_SETTING: string;
}

interface PgBossModule {
  PgBoss: new (options: Record<string, unknown>) => unknown;
  getConstructionPlans(schema: string, options?: { createSchema?: boolean }): string;
}

const dist = join(newestPackageDir('pg-boss'), 'dist');
const pgBoss = (await import(pathToFileURL(join(dist, 'index.js')).href)) as PgBossModule;
export const plans12 = (await import(pathToFileURL(join(dist, 'plans.js')).href)) as Plans12;

export const PG_BOSS_12_VERSION = newestVersionOf('pg-boss');

/** A timer handle that is never scheduled. */
const NEVER = Object.freeze({ never: true });

/**
 * pg-boss 12's `clock` option: now() is the process's clock (ctx.clock.now(),
 * simulated or real), and the timers never fire — a simulated process may own
 * no timer, and the kit drives everything pg-boss would do on one (expiry is
 * the reaper's duty; the queue cache is read at start()).
 */
export function inertClock(now: () => number) {
  return {
    now,
    setTimeout: () => NEVER,
    clearTimeout: () => undefined,
    setInterval: () => NEVER,
    clearInterval: () => undefined,
  };
}

/** One pg-boss 12 instance over the given executor: no supervisor, cron, migration, instance registry or telemetry. */
export function createBoss12(executor: SqlExecutor, schema: string, now: () => number): Boss12 {
  return new pgBoss.PgBoss({
    db: executor,
    schema,
    supervise: false,
    schedule: false,
    migrate: false,
    registerInstance: false,
    openTelemetry: { enabled: false },
    clock: inertClock(now),
  }) as Boss12;
}

/** The SQL that installs pg-boss 12's schema (what its contractor runs on a fresh database). */
export function constructionSql12(schema: string): string {
  return pgBoss.getConstructionPlans(schema);
}
