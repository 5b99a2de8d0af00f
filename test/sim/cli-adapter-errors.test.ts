// Goal: `wf-sim --engine PATH` treats a broken adapter as the conformance lane
// does: one "adapter error" line naming the operation, exit 3, no verdict — for
// an adapter that throws, one that returns malformed data, and one that hangs.
import { describe, expect, it } from 'vitest';
import { main } from '../../sim/cli/main.ts';
import { memoryOutput } from '../../sim/cli/output.ts';

const fixtures = 'test/conformance/fixtures';

describe('wf-sim --engine with a broken adapter', () => {
  const cases = [
    { file: 'throwing-adapter.ts', says: /adapter error in claim: it threw/ },
    { file: 'malformed-adapter.ts', says: /adapter error in enqueue: .*does not fit the contract at jobId/ },
    { file: 'hanging-adapter.ts', says: /adapter error in claim: it did not settle within 300 ms/ },
  ];
  for (const { file, says } of cases) {
    it(`${file}: adapter error, exit 3, no PASS or FAIL`, { timeout: 120_000 }, async () => {
      process.env['WF_SIM_OPERATION_TIMEOUT_MS'] = '300';
      try {
        const output = memoryOutput();
        const code = await main(['--seed', '0', '--engine', `${fixtures}/${file}`], output);
        const text = [...output.stdout, ...output.stderr].join('\n');
        expect(code).toBe(3);
        expect(text).toMatch(says);
        expect(text).toMatch(/^ADAPTER ERROR/m);
        expect(text).not.toMatch(/^(PASS|FAIL)\b/m);
        expect(text.match(/adapter error in/g)).toHaveLength(1);
      } finally {
        delete process.env['WF_SIM_OPERATION_TIMEOUT_MS'];
      }
    });
  }
});
