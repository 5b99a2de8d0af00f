// Goal: the same pg-boss adapter runs on a real Postgres through the kit's
// Postgres lane (real connections, kills mid-transaction, its own schema per
// round), with the verdicts that do not depend on the interleaving: rows name
// no owner, the singleton policy holds its limit, attempts stay bounded, no
// acknowledged job is lost. The lane is not deterministic and says so.
// Without WF_SIM_DATABASE_URL this is skipped with the reason in its name.
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/run-conformance.ts';
import adapter from '../../conformance/peers/pg-boss/index.ts';
import { POSTGRES_SKIP_REASON, postgresUrl } from '../helpers/backends.ts';

const LANE_TIMEOUT_MS = 300_000;
const describePostgres = postgresUrl === undefined ? describe.skip : describe;
const title = postgresUrl === undefined ? `pg-boss on the real-Postgres lane (${POSTGRES_SKIP_REASON})` : 'pg-boss on the real-Postgres lane';

describePostgres(title, () => {
  it('one round of 120 jobs with kills: no adapter error, the interleaving-proof verdicts, not deterministic', async () => {
    const report = await runConformance(adapter, { seeds: 1, from: 3, database: postgresUrl ?? '', adapterPath: 'conformance/peers/pg-boss', postgres: { jobs: 120 } });
    expect(report.fault, JSON.stringify(report.fault)).toBeNull();
    expect(report.lane.deterministic).toBe(false);
    const verdicts = Object.fromEntries(report.invariants.map((row) => [row.id, row.verdict]));
    expect(verdicts).toMatchObject({
      RUNNING_OWNED: 'violated',
      ATTEMPTS_BOUNDED: 'holds',
      CONCURRENCY_LIMIT: 'holds',
      TERMINAL_FINAL: 'holds',
      NO_LOST_JOB: 'holds',
      STALE_WRITE_FENCED: 'not-applicable',
    });
    expect(report.figures['lostJobs']).toBe(0);
  }, LANE_TIMEOUT_MS);
});
