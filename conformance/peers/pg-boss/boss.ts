// The part of pg-boss 10.4.2 the adapter uses, typed as it behaves. pg-boss's
// own types.d.ts declares complete() and fail() as Promise<void>, but both
// return { jobs, requested, affected } (src/manager.js mapCommandResponse), and
// `affected` is exactly whether the write took effect, so the adapter needs it.
// The cast lives here, once.
import PgBoss from 'pg-boss';
import { createRequire } from 'node:module';
import type { SqlExecutor } from './executor.ts';

/** pg-boss 10 needs Node 20; 11 and later need Node 22 (docs/peers.md). */
export const PG_BOSS_VERSION = '10.4.2';

export interface FetchedJob {
  id: string;
  name: string;
  data: unknown;
  retryCount: number;
  retryLimit: number;
  state: string;
}

export interface CommandResponse {
  jobs: string[];
  requested: number;
  affected: number;
}

export interface SendOptions {
  id: string;
  priority?: number;
  startAfter?: string;
  retryLimit?: number;
  retryDelay: number;
  retryBackoff: boolean;
  expireInSeconds: number;
}

export interface Boss {
  start(): Promise<unknown>;
  createQueue(name: string, options: { policy: 'standard' | 'singleton' }): Promise<void>;
  send(name: string, data: unknown, options: SendOptions & { db?: SqlExecutor }): Promise<string | null>;
  fetch(name: string, options: { includeMetadata: true; batchSize?: number; db?: SqlExecutor }): Promise<FetchedJob[]>;
  complete(name: string, id: SettleId, data?: unknown, options?: { db?: SqlExecutor }): Promise<CommandResponse>;
  fail(name: string, id: SettleId, data: unknown, options?: { db?: SqlExecutor }): Promise<CommandResponse>;
}

/**
 * What complete and fail are given. 10.4.2 takes the job id alone (the pinned
 * session only ever passes a string); 12.x also takes { id, retryCount }, the
 * fetched attempt, and then fences the write to it (conformance/peers/newest/pg-boss).
 */
export type SettleId = string | { id: string; retryCount: number };

/**
 * One pg-boss instance over the given executor. No supervisor, no cron, no
 * migration: those run timers (setInterval) that a simulated process may not
 * own; the adapter runs pg-boss's expiry itself as the reaper's duty.
 */
export function createBoss(executor: SqlExecutor, schema: string): Boss {
  const boss = new PgBoss({ db: executor as PgBoss.Db, schema, supervise: false, schedule: false, migrate: false });
  return boss as unknown as Boss;
}

/** pg-boss's job-state and SQL builders (plans.js), which its package does not export under types. */
export interface Plans {
  failJobsByTimeout(schema: string): string;
  locked(schema: string, query: string | string[]): string;
  fetchNextJob(schema: string): (options: { includeMetadata?: boolean; priority?: boolean }) => string;
  create(schema: string, version: number): string;
}

const require = createRequire(import.meta.url);
export const plans = require('pg-boss/src/plans.js') as Plans;

/** The SQL that installs pg-boss's schema (what its contractor runs on a fresh database). */
export function constructionSql(schema: string): string {
  return PgBoss.getConstructionPlans(schema);
}
