// pg-boss 10.4.2 as a wf-sim engine: in-process on the simulator's PGlite (the
// deterministic lane) and on a real Postgres (the Postgres lane), through
// pg-boss's own `db` option. What it maps and why: ./session.ts (operations),
// ./observe.ts (rows), ./executor.ts (routing and the clock), docs/peers.md.
//
//   npx wf-sim conformance --adapter conformance/peers/pg-boss
//   npx wf-sim --seed N --engine conformance/peers/pg-boss
import type { Database } from '../../../src/db/database.ts';
import type { Capabilities } from '../../../spec/capabilities.ts';
import type { StateContext } from '../../../spec/state.ts';
import type { EngineAdapter, EngineSession, ProcessContext, WorldSetup } from '../../../sim/adapter/contract.ts';
import { constructionSql, createBoss, PG_BOSS_VERSION, type Boss } from './boss.ts';
import { databaseExecutor, type SqlExecutor } from './executor.ts';
import { observePgBoss } from './observe.ts';
import { PgBossSession, type PgBossWorld } from './session.ts';
import { clockShimSql, currentSchema, resetSql, setClockScript, stateFlags, type JobRow, type StateFlagsRow } from './statements.ts';

/** pg-boss's schema on a database whose current schema is the default one. */
export const PG_BOSS_SCHEMA_DEFAULT = 'pgboss';

/** Installation has no simulated time yet; nothing it writes carries a timestamp, so any fixed instant does (the simulator's epoch). */
const INSTALL_TIME_ISO = '2026-01-01T00:00:00.000Z';

/** What pg-boss 10 has, declared as it is (docs/peers.md says why for each). */
export const PG_BOSS_CAPABILITIES: Capabilities = {
  // No per-claim token: complete and fail take the job id alone.
  leaseTokens: false,
  groups: false,
  // singletonKey is per queue and takes no lock row: no engine-wide resource lock.
  resourceLocks: false,
  runIdentity: false,
  // The singleton queue policy: at most one active job per queue (a limit of n is honoured as 1).
  maxConcurrency: true,
  // retry_limit / retry_count.
  attempts: true,
  // Expiry judges jobs by age; there is no worker table, no heartbeat, no reaper of workers.
  reaper: false,
  release: false,
  // Any pg-boss instance may send or fetch; there is no enqueue-only role to check.
  clients: false,
  stateView: true,
};

/**
 * What differs between the pg-boss lines the kit runs: the pinned 10.4.2 here,
 * and 12.x from conformance/peers/newest/pg-boss under Node 22. Installation,
 * queues, the state view and the state checks are the same for both (the
 * columns they read kept their names); the line brings its own pg-boss, its
 * install and reset SQL, and its session.
 */
export interface PgBossLine {
  version: string;
  capabilities: Capabilities;
  constructionSql(schema: string): string;
  /** Parameterless SQL run after pg-boss's own install (12.x: point its clock function at the adapter's clock). */
  afterInstallSql?(schema: string): string;
  resetSql(schema: string): string;
  createBoss(executor: SqlExecutor, schema: string, now: () => number): Boss;
  open(ctx: ProcessContext, world: PgBossWorld): EngineSession;
  /** The lease a running row carries, for the state view (12 only). */
  leaseOfRow?(row: JobRow): string;
}

export const PG_BOSS_10: PgBossLine = {
  version: PG_BOSS_VERSION,
  capabilities: PG_BOSS_CAPABILITIES,
  constructionSql,
  resetSql,
  createBoss: (executor, schema) => createBoss(executor, schema),
  open: (ctx, world) => new PgBossSession(ctx, world),
};

export function createPgBossAdapter(line: PgBossLine = PG_BOSS_10): EngineAdapter {
  const world: { schema: string; queues: string[] } = { schema: PG_BOSS_SCHEMA_DEFAULT, queues: [] };
  /** Jobs already seen running (RUNNING_OWNED) or queued with a start (QUEUED_CLEAN); the world reports each once per key anyway. */
  const seen = { running: new Set<string>(), queuedStarted: new Set<string>() };

  async function schemaOf(db: Database): Promise<string> {
    // On the Postgres lane every round has its own schema as the connection's current schema: pg-boss lives there, and goes when the round's schema is dropped.
    const { rows } = await db.query<{ schema: string | null }>(currentSchema);
    const current = rows[0]?.schema ?? null;
    return current === null || current === 'public' ? PG_BOSS_SCHEMA_DEFAULT : current;
  }

  return {
    name: `pg-boss@${line.version}`,
    capabilities: line.capabilities,

    async install(db) {
      world.schema = await schemaOf(db);
      await db.exec(clockShimSql(world.schema));
      // pg-boss's own construction script (BEGIN … COMMIT, advisory lock), with the shim first on the search path so its defaults bind to the shim's now().
      await databaseExecutor(db, () => Date.parse(INSTALL_TIME_ISO), world.schema).executeSql(line.constructionSql(world.schema));
      if (line.afterInstallSql !== undefined) await db.exec(line.afterInstallSql(world.schema));
    },

    async reset(db) {
      await db.exec(`${setClockScript(INSTALL_TIME_ISO, world.schema)}\n${line.resetSql(world.schema)}`);
    },

    async setup(db: Database, now: number, setup: WorldSetup) {
      world.queues = setup.queues.map((queue) => queue.name);
      seen.running.clear();
      seen.queuedStarted.clear();
      const boss = line.createBoss(databaseExecutor(db, () => now, world.schema), world.schema, () => now);
      for (const queue of setup.queues) {
        // pg-boss has no concurrency limit but its singleton policy (one active job per queue when jobs carry no singletonKey).
        await boss.createQueue(queue.name, { policy: queue.maxConcurrency === null ? 'standard' : 'singleton' });
      }
    },

    open(ctx: ProcessContext) {
      const snapshot: PgBossWorld = { schema: world.schema, queues: [...world.queues] };
      return line.open(ctx, snapshot);
    },

    observe: (db, now) => observePgBoss(db, now, world.schema, line.leaseOfRow),

    async checkState(db: Database, _now: number, _context: StateContext): Promise<string[]> {
      const { rows } = await db.query<StateFlagsRow>(stateFlags(world.schema));
      const row = rows[0];
      if (row === undefined) return [];
      const violated: string[] = [];
      const fresh = (ids: readonly string[], set: Set<string>) => {
        let any = false;
        for (const id of ids) {
          if (set.has(id)) continue;
          set.add(id);
          any = true;
        }
        return any;
      };
      if (fresh(row.active, seen.running)) violated.push('RUNNING_OWNED');
      if (fresh(row.queued_started, seen.queuedStarted)) violated.push('QUEUED_CLEAN');
      if (row.attempts_over) violated.push('ATTEMPTS_BOUNDED');
      if (row.concurrency_over) violated.push('CONCURRENCY_LIMIT');
      return violated;
    },
  };
}

const adapter: EngineAdapter = createPgBossAdapter();
export default adapter;
