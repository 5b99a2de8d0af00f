// Goal: graphile-worker 0.17.3 held to the kit's invariants on a real Postgres.
// The lock-reset scenario shows its missing fence both ways: after a 4-hour
// lock reset the first holder's complete deletes the job the second holder is
// running (SINGLE_OWNER, judged by checkHistory), while its fail, gated on
// locked_by, is refused. A Postgres-lane round shows what real time reaches:
// the state invariants and the write rules hold. Without WF_SIM_DATABASE_URL
// the Postgres tests are skipped with the reason in their names; the adapter's
// refusal to run on PGlite and its row mapping are checked always.
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { runConformance } from '../../conformance/run-conformance.ts';
import adapter, { GRAPHILE_CAPABILITIES, NeedsRealPostgresError } from '../../conformance/peers/graphile-worker/index.ts';
import { ownerOf, statusOf } from '../../conformance/peers/graphile-worker/observe.ts';
import { runLockResetScenario } from '../../conformance/peers/graphile-worker/lock-reset-scenario.ts';
import { POSTGRES_SKIP_REASON, postgresUrl } from '../helpers/backends.ts';
import { GRAPHILE_LANE_VERDICTS } from './support/graphile-lane-verdicts.ts';

const LANE_TIMEOUT_MS = 300_000;

describe('graphile-worker adapter (no database needed)', () => {
  it('refuses a database without a node-postgres pool with one line that says what to run instead', async () => {
    const noPool = { kind: 'pglite' } as unknown as Database;
    await expect(adapter.install(noPool)).rejects.toThrow(NeedsRealPostgresError);
    await expect(adapter.install(noPool)).rejects.toThrow(/--database postgres:\/\//);
  });

  it('maps rows: a deleted job completed, a locked one running under its pool’s process, an exhausted one failed', () => {
    const base = { job_id: 1, ledger_queue: 'q1', ledger_max_attempts: 3, locked_by: null, locked_at: null, attempts: 1, max_attempts: 3 };
    expect(statusOf({ ...base, present: false })).toBe('completed');
    expect(statusOf({ ...base, present: true, locked_by: 'w2/w2.1', locked_at: new Date(0) })).toBe('running');
    expect(statusOf({ ...base, present: true })).toBe('queued');
    expect(statusOf({ ...base, present: true, attempts: 3 })).toBe('failed');
    expect(ownerOf('w2~3/w2.3')).toBe('w2~3');
    expect(GRAPHILE_CAPABILITIES).toMatchObject({ leaseTokens: false, release: true, reaper: false, stateView: true });
  });
});

const describePostgres = postgresUrl === undefined ? describe.skip : describe;
const suffix = postgresUrl === undefined ? ` (${POSTGRES_SKIP_REASON})` : '';

describePostgres(`graphile-worker on a real Postgres${suffix}`, () => {
  const url = postgresUrl ?? '';

  it('lock-reset scenario: the stale complete deletes the new holder’s job (SINGLE_OWNER violated); the stale fail is refused', async () => {
    const result = await runLockResetScenario(url);
    expect(result.staleComplete).toBe(true);
    expect(result.staleFail).toBe(false);
    const violations = result.verdict.violations;
    expect(violations.map((violation) => [violation.invariant, violation.jobs])).toEqual([['SINGLE_OWNER', [1]]]);
    expect(violations[0]!.explanation).toMatch(/w1 completed job 1 .* took effect, but the job's latest claim was w2/);
    expect(result.verdict.notApplicable.map((item) => item.invariant)).toContain('STALE_WRITE_FENCED');
  }, LANE_TIMEOUT_MS);

  it('one Postgres-lane round of 120 jobs (heal cut at 8 s: a killed pool’s locks last 4 h): no adapter error; state invariants and write rules hold', async () => {
    const report = await runConformance(adapter, { seeds: 1, from: 2, database: url, adapterPath: 'conformance/peers/graphile-worker', postgres: { jobs: 120, healBudgetMs: 8_000 } });
    expect(report.fault, JSON.stringify(report.fault)).toBeNull();
    expect(report.lane.deterministic).toBe(false);
    const verdicts = Object.fromEntries(report.invariants.map((row) => [row.id, row.verdict]));
    expect(verdicts).toMatchObject(GRAPHILE_LANE_VERDICTS);
  }, LANE_TIMEOUT_MS);
});
