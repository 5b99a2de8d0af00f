// graphile-worker 0.17.3 as a wf-sim engine, on a real Postgres only (it
// needs a node-postgres pool for its migrations): through the kit's Postgres
// lane, and the lock-reset scenario (./lock-reset-scenario.ts) for what real
// time cannot reach in a round — its 4-hour lock timeout.
//
//   npx wf-sim conformance --adapter conformance/peers/graphile-worker --database postgres://…
//
// graphile-worker's LISTEN connection only shortens the wait between add_job
// and a worker's next get_job; the kit's workers poll, so the adapter opens none.
import type pg from 'pg';
import type { Database } from '../../../src/db/database.ts';
import type { Capabilities } from '../../../spec/capabilities.ts';
import type { EngineAdapter, ProcessContext, WorldSetup } from '../../../sim/adapter/contract.ts';
import { withPgClientOver } from './client.ts';
import { compiledOptionsFor, graphile, type GraphileLibrary, type Tasks } from './graphile.ts';
import { observeGraphile } from './observe.ts';
import { GraphileSession, type GraphileWorld } from './session.ts';
import { currentSchema, ledgerSql, recordQueue } from './statements.ts';

export const GRAPHILE_SCHEMA_DEFAULT = 'graphile_worker';

export const GRAPHILE_CAPABILITIES: Capabilities = {
  // The lock owner is the pool (`locked_by`), the same for every job it takes; complete checks nothing at all.
  leaseTokens: false,
  groups: false,
  // Named queues serialize a queue, not a resource shared across queues.
  resourceLocks: false,
  runIdentity: false,
  // A named queue runs one job at a time (a limit of n is honoured as 1).
  maxConcurrency: true,
  attempts: true,
  // Locks expire by age (4 hours); no worker table, no heartbeat.
  reaper: false,
  // returnJobs gives a job back without spending its attempt.
  release: true,
  // Any process may add jobs; nothing in the engine marks one as enqueue-only.
  clients: false,
  stateView: true,
};

/** Thrown by install on a database graphile-worker cannot run on (the simulator's PGlite). */
export class NeedsRealPostgresError extends Error {
  override readonly name = 'NeedsRealPostgresError';
}

function poolOf(db: Database): pg.Pool | null {
  const pool = (db as { pool?: unknown }).pool;
  return typeof pool === 'object' && pool !== null && typeof (pool as pg.Pool).connect === 'function' ? (pool as pg.Pool) : null;
}

/** `lib`: which graphile-worker (the pinned line by default; conformance/peers/newest passes 0.18). */
export function createGraphileAdapter(lib: GraphileLibrary = graphile): EngineAdapter {
  let world: GraphileWorld | null = null;

  const current = (): GraphileWorld => {
    if (world === null) throw new Error('graphile-worker adapter: install() has not run');
    return world;
  };

  return {
    name: `graphile-worker@${lib.version}`,
    capabilities: GRAPHILE_CAPABILITIES,

    async install(db) {
      const pool = poolOf(db);
      if (pool === null) {
        throw new NeedsRealPostgresError(
          'graphile-worker needs a real Postgres (its migrations run on a node-postgres pool); run it on the Postgres lane: npx wf-sim conformance --adapter conformance/peers/graphile-worker --database postgres://…',
        );
      }
      const { rows } = await db.query<{ schema: string | null }>(currentSchema);
      const current = rows[0]?.schema ?? null;
      // On the Postgres lane each round's schema is the connection's current schema: graphile-worker lives there and goes with it.
      const schema = current === null || current === 'public' ? GRAPHILE_SCHEMA_DEFAULT : current;
      // graphile-worker warns on a pool without these and installs its own; the lane's pools already swallow client errors.
      if (pool.listeners('connect').length === 0) pool.on('connect', (client) => client.on('error', () => undefined));
      await lib.runMigrations({ pgPool: pool, schema, logger: lib.silentLogger });
      await db.exec(ledgerSql(schema));
      world = { lib, schema, options: compiledOptionsFor(schema, lib), tasks: {}, limited: new Set() };
    },

    async setup(db: Database, _now: number, setup: WorldSetup) {
      const { schema, options } = current();
      const tasks: Tasks = {};
      // The handlers never run (the kit's worker runs the step); graphile-worker only needs the identifiers.
      for (const queue of setup.queues) tasks[queue.name] = async () => undefined;
      world = { lib, schema, options, tasks, limited: new Set(setup.queues.filter((queue) => queue.maxConcurrency !== null).map((queue) => queue.name)) };
      for (const queue of setup.queues) await db.query(recordQueue(schema), [queue.name, queue.maxConcurrency]);
      // Registers the task identifiers once, here, where no process can be killed halfway: graphile-worker caches the
      // answer per options object, and a cached failure would fail every later get job.
      await lib.getTaskDetails(options, withPgClientOver(db), tasks);
    },

    open: (ctx: ProcessContext) => new GraphileSession(ctx, current()),

    observe: (db, now) => observeGraphile(db, now, current().schema),
  };
}

const adapter: EngineAdapter = createGraphileAdapter();
export default adapter;
