// Goal: pg-boss 10.4.2 runs in-process on the simulator's PGlite through its
// own `db` option, deterministically, and the kit's verdicts on it are the ones
// docs/peers.md reports. Its findings are asserted as expected verdicts (so CI
// stays green while the report stays honest): a stale worker's fail lands after
// expiry (SINGLE_OWNER, seed 129), a stale fail lands on the next holder's
// run (SINGLE_OWNER, seed 221), a stopped fetch consumer hands nothing back
// (SHUTDOWN_CLEAN, seed 3), rows carry no owner (RUNNING_OWNED) — and the
// mechanism itself is shown directly, both sides of the missing fence: after
// expiry and a re-fetch, the stale worker's complete is accepted and the new
// holder's is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGliteDatabase } from '../../src/db/pglite.ts';
import { createPGliteDatabase } from '../../src/db/pglite.ts';
import { Harness } from '../../sim/harness.ts';
import { runConformance } from '../../conformance/run-conformance.ts';
import type { ConformanceReport } from '../../conformance/report.ts';
import { renderPeersMarkdown } from '../../conformance/peers/markdown.ts';
import { pgBossFindings } from '../../conformance/peers/pg-boss/findings.ts';
import adapter, { PG_BOSS_CAPABILITIES, createPgBossAdapter } from '../../conformance/peers/pg-boss/index.ts';
import { EXPIRE_SECONDS_MIN } from '../../conformance/peers/pg-boss/session.ts';
import { isMultiStatement } from '../../conformance/peers/pg-boss/executor.ts';
import { mechanismContext } from '../../conformance/peers/pg-boss/mechanism-context.ts';

const ADAPTER_PATH = 'conformance/peers/pg-boss';

describe('pg-boss on the simulated lane (PGlite, deterministic)', () => {
  // One PGlite for the replays (an initdb costs ~2.5 s); the conformance runner makes its own.
  const harness = new Harness(adapter);
  let report: ConformanceReport;
  afterAll(async () => {
    await harness.close();
  });

  it('seeds 128–129 through the conformance runner: the expected verdicts, with replay commands', async () => {
    report = await runConformance(adapter, { seeds: 2, from: 128, adapterPath: ADAPTER_PATH });
    expect(report.fault).toBeNull();
    const verdicts = Object.fromEntries(report.invariants.map((row) => [row.id, row.verdict]));
    expect(verdicts).toMatchObject({
      RUNNING_OWNED: 'violated',
      QUEUED_CLEAN: 'violated',
      SINGLE_OWNER: 'violated',
      ATTEMPTS_BOUNDED: 'holds',
      CONCURRENCY_LIMIT: 'holds',
      TERMINAL_FINAL: 'holds',
      NO_LOST_JOB: 'holds',
      ALL_TERMINAL: 'holds',
      STALE_WRITE_FENCED: 'not-applicable',
      LOCK_EXCLUSIVE: 'not-applicable',
      REAPER_NOT_SELF: 'not-applicable',
      GROUP_ONCE: 'not-applicable',
      CLIENT_NEVER_CLAIMS: 'not-applicable',
    });
    const singleOwner = report.invariants.find((row) => row.id === 'SINGLE_OWNER')!;
    expect(singleOwner.failingSeeds).toEqual([129]);
    expect(singleOwner.replay).toBe(`npx wf-sim --seed 129 --engine ${ADAPTER_PATH}`);
    // The stale write: a fail after pg-boss's expiry had requeued the job.
    expect(singleOwner.firstViolation?.explanation).toMatch(/failed job \d+ .* took effect, but nobody held job \d+ any more: .*'s reap requeued job/);
  });

  it('docs/peers.md rows: a violation with its replay command, mechanism and the kit’s words; a missing concept with why', () => {
    const markdown = renderPeersMarkdown([{ findings: pgBossFindings, lanes: [{ title: 'Simulated lane', report, skipped: null, replays: new Map() }], extra: [] }], { command: 'test', node: process.versions.node });
    const row = (id: string) => markdown.split('\n').find((line) => line.startsWith(`| ${id} |`)) ?? '';
    expect(row('SINGLE_OWNER')).toContain('**VIOLATED**');
    expect(row('SINGLE_OWNER')).toContain(`\`npx wf-sim --seed 129 --engine ${ADAPTER_PATH}\``);
    expect(row('SINGLE_OWNER')).toContain('Mechanism: `complete` and `fail` take the job id alone');
    expect(row('SINGLE_OWNER')).toContain('Kit: “Let only the holder');
    expect(row('STALE_WRITE_FENCED')).toContain('no leaseTokens: no per-claim token');
    expect(row('CONCURRENCY_LIMIT')).toMatch(/^\| CONCURRENCY_LIMIT \| holds \| 2 seeds \|/);
    expect(markdown).toContain('Replay any seed: `npx wf-sim --seed N --engine conformance/peers/pg-boss`');
  });

  it('the replay command reproduces seed 129: the same trace hash as the conformance run, SINGLE_OWNER again', async () => {
    const replayed = await harness.run({ seed: 129 });
    expect(replayed.traceHash).toBe(report.runs.find((run) => run.seed === 129)?.traceHash);
    expect(replayed.violations.some((violation) => violation.invariant === 'SINGLE_OWNER')).toBe(true);
  });

  it('seed 221: a worker that stalled past expiry fails the job another worker fetched after it (accepted: no per-claim token)', async () => {
    const result = await harness.run({ seed: 221 });
    const stale = result.violations.find((violation) => violation.invariant === 'SINGLE_OWNER');
    expect(stale?.explanation).toMatch(/failed job \d+ .* took effect, but the job's latest claim was .*'s at t=\d+/);
  });

  it('seed 3: a stopped fetch consumer hands nothing back (SHUTDOWN_CLEAN) and its job waits for expiry', async () => {
    const result = await harness.run({ seed: 3 });
    expect(result.outcome).toBe('fail');
    const invariants = new Set(result.violations.map((v) => v.invariant));
    expect(invariants.has('SHUTDOWN_CLEAN')).toBe(true);
    expect(invariants.has('SINGLE_OWNER')).toBe(false);
    expect(invariants.has('CONCURRENCY_LIMIT')).toBe(false);
    expect(result.notApplicable.map((item) => item.invariant)).toContain('STALE_WRITE_FENCED');
  });
});

describe('pg-boss mechanisms, without the simulator', () => {
  let db: PGliteDatabase;
  const bossAdapter = createPgBossAdapter();
  let nowMs = 1_767_225_600_000;
  const contextOf = (processId: string) => mechanismContext(processId, db, () => nowMs);

  beforeAll(async () => {
    db = await createPGliteDatabase();
    await bossAdapter.install(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('declares what pg-boss has: no lease tokens, no reaper of workers, no groups, a state view', () => {
    expect(PG_BOSS_CAPABILITIES).toMatchObject({ leaseTokens: false, reaper: false, groups: false, resourceLocks: false, stateView: true, attempts: true, maxConcurrency: true });
  });

  it('pg-boss reads the injected clock: a job sent at T is created at T, expires T + expireIn later', async () => {
    await bossAdapter.reset!(db);
    await bossAdapter.setup(db, nowMs, { queues: [{ name: 'q1', maxConcurrency: null }] });
    const worker = await bossAdapter.open(contextOf('w1'));
    const { jobId } = await worker.enqueue({ queue: 'q1', payload: { k: 0 } });
    const { rows } = await db.query<{ created_on: Date; expire_in: string }>({ name: 'test_pgboss_created', text: 'SELECT created_on, expire_in::text AS expire_in FROM pgboss.job' });
    expect(rows[0]!.created_on.getTime()).toBe(nowMs);
    expect(rows[0]!.expire_in).toBe('00:00:05');
    expect(jobId).toBe(1);
  });

  it('after expiry and a re-fetch, the stale worker’s complete is accepted and the new holder’s is refused (no fence)', async () => {
    await bossAdapter.reset!(db);
    await bossAdapter.setup(db, nowMs, { queues: [{ name: 'q1', maxConcurrency: null }] });
    const first = await bossAdapter.open(contextOf('w1'));
    const second = await bossAdapter.open(contextOf('w2'));
    const reaper = await bossAdapter.open(contextOf('w3'));
    const { jobId } = await first.enqueue({ queue: 'q1', payload: { k: 0 }, attemptsMax: 3 });
    nowMs += 10;
    const stale = await first.claim({ leaseToken: 'L1' });
    expect(stale?.jobId).toBe(jobId);
    expect(stale?.attempts).toBe(1);
    // Before expiry the reaper moves nothing; after it, the job goes back to retry.
    nowMs += 1000;
    expect(await reaper.reap({ thresholdMs: 4000 })).toEqual({ workers: [], requeued: [], failed: [] });
    nowMs += EXPIRE_SECONDS_MIN * 1000;
    expect(await reaper.reap({ thresholdMs: 4000 })).toEqual({ workers: [], requeued: [jobId], failed: [] });
    nowMs += 10;
    const fresh = await second.claim({ leaseToken: 'L2' });
    expect(fresh?.jobId).toBe(jobId);
    expect(fresh?.attempts).toBe(2);
    // Same lease: pg-boss has no per-claim token to tell the two claims apart.
    expect(fresh?.leaseToken).toBe(stale?.leaseToken);
    expect(await first.complete({ jobId, leaseToken: stale!.leaseToken })).toBe(true);
    expect(await second.complete({ jobId, leaseToken: fresh!.leaseToken })).toBe(false);
  });

  it('a stale fail lands on a job expiry already requeued; release hands nothing back', async () => {
    await bossAdapter.reset!(db);
    await bossAdapter.setup(db, nowMs, { queues: [{ name: 'q1', maxConcurrency: null }] });
    const worker = await bossAdapter.open(contextOf('w1'));
    const reaper = await bossAdapter.open(contextOf('w3'));
    const { jobId } = await worker.enqueue({ queue: 'q1', payload: { k: 0 }, attemptsMax: 2 });
    nowMs += 10;
    const job = (await worker.claim({ leaseToken: 'L1' }))!;
    expect(await worker.release({ jobId, leaseToken: job.leaseToken })).toBe(false);
    nowMs += EXPIRE_SECONDS_MIN * 1000 + 10;
    expect((await reaper.reap({ thresholdMs: 4000 })).requeued).toEqual([jobId]);
    // The job is queued (retry) and nobody holds it; the stale fail still applies (a retry: pg-boss counts attempts on fetch).
    expect(await worker.fail({ jobId, leaseToken: job.leaseToken, error: 'late' })).toEqual({ applied: true, status: 'queued' });
    const state = await bossAdapter.observe!(db, nowMs);
    expect(state.jobs.map((row) => [row.id, row.status, row.attempts, row.attemptsMax])).toEqual([[jobId, 'queued', 1, 2]]);
  });

  it('a singleton queue never runs two jobs: the second fetch answers nothing', async () => {
    await bossAdapter.reset!(db);
    await bossAdapter.setup(db, nowMs, { queues: [{ name: 'q1', maxConcurrency: 2 }] });
    const worker = await bossAdapter.open(contextOf('w1'));
    await worker.enqueue({ queue: 'q1', payload: { k: 0 }, idempotencyKey: 'a' });
    await worker.enqueue({ queue: 'q1', payload: { k: 1 }, idempotencyKey: 'b' });
    // The same key again: the same job number, and pg-boss's ON CONFLICT keeps one row.
    expect(await worker.enqueue({ queue: 'q1', payload: { k: 1 }, idempotencyKey: 'b' })).toEqual({ jobId: 2 });
    nowMs += 10;
    expect((await worker.claim({ leaseToken: 'L1' }))?.jobId).toBe(1);
    expect(await worker.claim({ leaseToken: 'L2' })).toBeNull();
    const state = await bossAdapter.observe!(db, nowMs);
    expect(state.queues).toEqual([{ name: 'q1', maxConcurrency: 1 }]);
    expect(state.jobs.map((row) => row.status)).toEqual(['running', 'queued']);
  });

  it('a failing multi-statement script leaves no aborted transaction behind', async () => {
    await expect(db.exec('BEGIN; SELECT 1/0; COMMIT;')).rejects.toThrow(/division by zero/);
    await db.exec('ROLLBACK');
    const executor = (await import('../../conformance/peers/pg-boss/executor.ts')).databaseExecutor(db, () => nowMs, 'pgboss');
    await expect(executor.executeSql('BEGIN; SELECT 1/0; COMMIT;')).rejects.toThrow(/division by zero/);
    expect((await executor.executeSql('SELECT 1 AS one', [])).rows).toEqual([{ one: 1 }]);
    expect(isMultiStatement('SELECT 1;')).toBe(false);
    expect(isMultiStatement('BEGIN; SELECT 1; COMMIT;')).toBe(true);
  });
});
