// Goal: the reference engine passes every lane of its own conformance suite —
// 30 seeds of the simulated lane through conformanceSuite (one `it` per
// invariant, as an engine author's CI would show it), the real-Postgres lane when
// WF_SIM_DATABASE_URL is set (skipped with the reason in its name otherwise),
// and the `conformance` command with its JUnit report. An adapter that does not
// claim a capability gets its invariants skipped with the reason, never passed.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { CATALOG } from '../../spec/catalog.ts';
import { main } from '../../sim/cli/main.ts';
import { memoryOutput } from '../../sim/cli/output.ts';
import { conformanceSuite } from '../../conformance/vitest.ts';
import { createReferenceAdapter, referenceAdapter } from '../../conformance/reference/adapter.ts';
import { runConformance } from '../../conformance/run-conformance.ts';
import { POSTGRES_SKIP_REASON, postgresUrl } from '../helpers/backends.ts';
import { findAll, parseXml } from './support/xml.ts';

const REFERENCE_PATH = './conformance/reference/adapter.ts';

/** Seeds of the simulated lane in CI. */
const SEEDS = 30;

conformanceSuite(referenceAdapter, { seeds: SEEDS, adapterPath: REFERENCE_PATH, title: `reference engine, simulated lane (${SEEDS} seeds)` });

if (postgresUrl === undefined) {
  describe.skip(`reference engine, real-Postgres lane (${POSTGRES_SKIP_REASON})`, () => {
    it('every invariant holds with 4 workers racing over 300 jobs per round while workers are killed', () => {});
  });
} else {
  conformanceSuite(referenceAdapter, {
    seeds: 2,
    database: postgresUrl,
    adapterPath: REFERENCE_PATH,
    postgres: { workers: 4, jobs: 300 },
    title: 'reference engine, real-Postgres lane (2 rounds × 4 workers × 300 jobs, kills mid-transaction)',
  });
}

describe('`wf-sim conformance` on the reference adapter', () => {
  it('prints a table of holds, exits 0 and writes a JUnit report with one passing testcase per invariant', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'wf-sim-reference-'));
    const junit = join(directory, 'junit.xml');
    const json = join(directory, 'report.json');
    const output = memoryOutput();
    const code = await main(['conformance', '--adapter', REFERENCE_PATH, '--seeds', '2', '--from', '100', '--report', `junit=${junit},json=${json}`], output);
    const text = output.stdout.join('\n');
    expect(code, text + output.stderr.join('\n')).toBe(0);
    for (const invariant of CATALOG) expect(output.stdout.find((line) => line.trimStart().startsWith(`${invariant.id} `)), invariant.id).toMatch(/holds\s+2 seeds/);
    expect(output.stdout[output.stdout.length - 1]).toBe(`PASS  ${CATALOG.length} hold · 0 violated · 0 not applicable · exit 0`);
    const root = parseXml(readFileSync(junit, 'utf8'));
    expect(findAll(root, 'testcase')).toHaveLength(CATALOG.length);
    expect(findAll(root, 'failure').length + findAll(root, 'error').length + findAll(root, 'skipped').length).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { verdict: string; runs: { seed: number; traceHash: string }[] };
    expect(report.verdict).toBe('pass');
    expect(report.runs.map((run) => run.seed)).toEqual([100, 101]);
  });
});

// An engine without completion groups: the reference engine still has them, but an adapter that does not claim them must not be judged by them.
const withoutGroups = { ...createReferenceAdapter({ name: 'reference without groups' }), capabilities: { ...ALL_CAPABILITIES, groups: false } };

describe('capabilities an adapter does not claim', () => {
  it('are reported not applicable with the capability named, and never counted as holding', async () => {
    const report = await runConformance(withoutGroups, { seeds: 1, from: 7 });
    const groupRows = report.invariants.filter((row) => row.id.startsWith('GROUP_'));
    expect(groupRows.map((row) => [row.id, row.verdict])).toEqual([
      ['GROUP_ONCE', 'not-applicable'],
      ['GROUP_COMPLETED', 'not-applicable'],
    ]);
    for (const row of groupRows) {
      expect(row.reason).toMatch(/does not claim groups/);
      expect(row.seedsJudged).toBe(0);
    }
    expect(report.verdict).toBe('pass');
  });
});

conformanceSuite(withoutGroups, { seeds: 1, from: 7, title: 'an adapter without groups (its GROUP_* tests are skipped, reason in the name)' });
