// Goal: an adapter at fault is told apart from an engine that violates an
// invariant. An adapter that throws, one that answers a string where the
// contract wants a job id, and one that never answers each get "adapter error"
// naming the operation (and, for malformed data, the zod path), exit 3 through
// the `conformance` command, and no invariant verdict at all — not "holds", not
// "VIOLATED". The watchdog's clock counts only the adapter's own running time,
// so a slow simulated world never looks like a hung adapter.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../../spec/catalog.ts';
import { main } from '../../sim/cli/main.ts';
import { memoryOutput } from '../../sim/cli/output.ts';
import type { EngineAdapter } from '../../sim/adapter/contract.ts';
import { parseAdapterErrorLine } from '../../conformance/adapter-fault.ts';
import { runConformance } from '../../conformance/run-conformance.ts';
import { OPERATION_TIMEOUT_ENV, withDeadline, withOwnTimeBudget, currentBudget } from '../../conformance/watchdog.ts';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import hangingAdapter from './fixtures/hanging-adapter.ts';
import { findAll, parseXml } from './support/xml.ts';

const FIXTURES = 'test/conformance/fixtures';
const reports = mkdtempSync(join(tmpdir(), 'wf-sim-conformance-'));

interface Case {
  fixture: string;
  operation: string;
  /** What the one line must say beyond the operation. */
  says: RegExp;
}

const CASES: Case[] = [
  { fixture: 'throwing-adapter.ts', operation: 'claim', says: /it threw: connection pool exhausted/ },
  { fixture: 'malformed-adapter.ts', operation: 'enqueue', says: /it returned \{"jobId":"x"\}, which does not fit the contract at jobId: .*expected number, received string/ },
  { fixture: 'hanging-adapter.ts', operation: 'claim', says: /did not settle within 400 ms of its own running time/ },
];

describe('broken adapters through `wf-sim conformance`', () => {
  let previousTimeout: string | undefined;
  beforeAll(() => {
    previousTimeout = process.env[OPERATION_TIMEOUT_ENV];
    process.env[OPERATION_TIMEOUT_ENV] = '400';
  });
  afterAll(() => {
    if (previousTimeout === undefined) delete process.env[OPERATION_TIMEOUT_ENV];
    else process.env[OPERATION_TIMEOUT_ENV] = previousTimeout;
  });

  for (const { fixture, operation, says } of CASES) {
    it(`${fixture}: adapter error in ${operation}, exit 3, no invariant verdict`, async () => {
      const output = memoryOutput();
      const junit = join(reports, `${fixture}.xml`);
      const json = join(reports, `${fixture}.json`);
      const code = await main(['conformance', '--adapter', `${FIXTURES}/${fixture}`, '--seeds', '3', '--report', `junit=${junit},json=${json}`], output);
      const text = output.stdout.join('\n');
      expect(code, text + output.stderr.join('\n')).toBe(3);
      const faultLine = output.stdout.find((line) => line.startsWith('ADAPTER ERROR  adapter error in '));
      expect(faultLine, text).toBeDefined();
      expect(parseAdapterErrorLine(faultLine!.slice('ADAPTER ERROR  '.length))?.operation).toBe(operation);
      expect(faultLine).toMatch(says);
      // No verdict: no row says holds or VIOLATED, and the run stopped at the first seed.
      for (const invariant of CATALOG) {
        const row = output.stdout.find((line) => line.trimStart().startsWith(`${invariant.id} `));
        expect(row, invariant.id).toMatch(/adapter error/);
      }
      expect(text).not.toMatch(/\bholds\b|VIOLATED/);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { fault: { operation: string; seed: number }; verdict: string; seeds: { run: number } };
      expect(report.verdict).toBe('adapter-error');
      expect(report.fault.operation).toBe(operation);
      expect(report.seeds.run).toBe(1);
      const root = parseXml(readFileSync(junit, 'utf8'));
      expect(findAll(root, 'testcase')).toHaveLength(CATALOG.length);
      expect(findAll(root, 'error')).toHaveLength(CATALOG.length);
      expect(findAll(root, 'failure')).toHaveLength(0);
    });
  }

  it('a module that is not an adapter is an adapter error in load; a missing module is a usage error', async () => {
    const notAdapter = memoryOutput();
    expect(await main(['conformance', '--adapter', `${FIXTURES}/../support/xml.ts`, '--seeds', '1'], notAdapter)).toBe(3);
    expect(notAdapter.stdout.join('\n')).toMatch(/adapter error in load: .*must export an EngineAdapter/);
    // Nothing was judged: one error line, not a table of twenty rows each repeating it.
    expect(notAdapter.stdout.filter((line) => /adapter error in load/.test(line))).toHaveLength(1);
    expect(notAdapter.stdout.join('\n')).not.toMatch(/QUEUED_CLEAN|replay \/ reason/);
    const missing = memoryOutput();
    expect(await main(['conformance', '--adapter', './no/such/adapter.ts'], missing)).toBe(2);
    expect(missing.stderr.join('\n')).toMatch(/no adapter module at '\.\/no\/such\/adapter\.ts'/);
  });

  it('a bad timeout setting is a usage error', async () => {
    process.env[OPERATION_TIMEOUT_ENV] = 'soon';
    const output = memoryOutput();
    try {
      expect(await main(['conformance', '--adapter', 'reference', '--seeds', '1'], output)).toBe(2);
    } finally {
      process.env[OPERATION_TIMEOUT_ENV] = '400';
    }
    expect(output.stderr.join('\n')).toMatch(/WF_SIM_OPERATION_TIMEOUT_MS must be a positive integer/);
  });
});

describe('adapter faults in runConformance', () => {
  it('an adapter object without the contract’s shape is an adapter error in load before anything runs', async () => {
    const broken = { ...referenceAdapter, open: 'not a function' } as unknown as EngineAdapter;
    const report = await runConformance(broken, { seeds: 1 });
    expect(report.verdict).toBe('adapter-error');
    expect(report.fault).toMatchObject({ operation: 'load', seed: null });
    expect(report.fault!.message).toMatch(/at open: expected a function/);
    expect(report.seeds.run).toBe(0);
  });

  it('a hanging adapter is cut by the watchdog and named, within the configured limit', async () => {
    const report = await runConformance(hangingAdapter, { seeds: 2, timeoutMs: 300 });
    expect(report.fault).toMatchObject({ operation: 'claim', seed: 0 });
    expect(report.invariants.every((row) => row.verdict === 'adapter-error')).toBe(true);
  });
});

describe('the watchdog', () => {
  it('counts only the adapter’s own time: a long database wait is not a hang', async () => {
    // What the guard's database wrapper does around every call: stop the clock, wait, start it again.
    const slowDatabaseCall = async () => {
      const budget = currentBudget.getStore()!;
      budget.waitBegin();
      await setTimeoutPromise(250);
      budget.waitEnd();
      return 'rows';
    };
    await expect(withOwnTimeBudget('claim', 100, slowDatabaseCall)).resolves.toBe('rows');
  });

  it('fires on an operation that never settles, naming it', async () => {
    await expect(withOwnTimeBudget('heartbeat', 50, () => new Promise(() => undefined))).rejects.toThrow(/adapter error in heartbeat: it did not settle within 50 ms/);
    await expect(withDeadline('observe', 50, () => new Promise(() => undefined))).rejects.toThrow(/adapter error in observe: it did not settle within 50 ms of real time/);
  });

  it('leaves a settled operation alone, value or error', async () => {
    await expect(withOwnTimeBudget('claim', 50, async () => 7)).resolves.toBe(7);
    await expect(withDeadline('reset', 50, async () => Promise.reject(new Error('engine said no')))).rejects.toThrow('engine said no');
  });
});

function setTimeoutPromise(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
