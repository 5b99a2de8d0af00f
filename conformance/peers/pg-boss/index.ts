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
import type { EngineAdapter, ProcessContext, WorldSetup } from '../../../sim/adapter/contract.ts';
import { constructionSql, createBoss } from './boss.ts';
import { databaseExecutor } from './executor.ts';
import { observePgBoss } from './observe.ts';
import { PgBossSession, type PgBossWorld } from './session.ts';
import { clockShimSql, currentSchema, resetSql, setClockScript, stateFlags, type StateFlagsRow } from './statements.ts';

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

export function createPgBossAdapter(): EngineAdapter {
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
    name: 'pg-boss@10.4.2',
    capabilities: PG_BOSS_CAPABILITIES,

    async install(db) {
      world.schema = await schemaOf(db);
      await db.exec(clockShimSql(world.schema));
      // pg-boss's own construction script (BEGIN … COMMIT, advisory lock), with the shim first on the search path so its defaults bind to the shim's now().
      await databaseExecutor(db, () => Date.parse(INSTALL_TIME_ISO), world.schema).executeSql(constructionSql(world.schema));
    },

    async reset(db) {
      await db.exec(`${setClockScript(INSTALL_TIME_ISO, world.schema)}\n${resetSql(world.schema)}`);
    },

    async setup(db: Database, now: number, setup: WorldSetup) {
      world.queues = setup.queues.map((queue) => queue.name);
      seen.running.clear();
      seen.queuedStarted.clear();
      const boss = createBoss(databaseExecutor(db, () => now, world.schema), world.schema);
      for (const queue of setup.queues) {
        // pg-boss has no concurrency limit but its singleton policy (one active job per queue when jobs carry no singletonKey).
        await boss.createQueue(queue.name, { policy: queue.maxConcurrency === null ? 'standard' : 'singleton' });
      }
    },

    open(ctx: ProcessContext) {
      const snapshot: PgBossWorld = { schema: world.schema, queues: [...world.queues] };
      return new PgBossSession(ctx, snapshot);
    },

    observe: (db, now) => observePgBoss(db, now, world.schema),

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
