// Goal: bad input to the wf-sim command gets one clear line naming what was
// wrong and the valid values, exit 2, and nothing runs.
import { describe, expect, it } from 'vitest';
import { main } from '../../sim/cli/main.ts';
import { memoryOutput } from '../../sim/cli/output.ts';

async function run(argv: string[]) {
  const output = memoryOutput();
  const code = await main(argv, output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

describe('wf-sim usage errors', () => {
  const cases: { argv: string[]; says: RegExp }[] = [
    { argv: ['--seed', '-3'], says: /--seed must be a non-negative integer/ },
    { argv: ['--seed', 'abc'], says: /--seed must be a non-negative integer \(0 … 4294967295\), got 'abc'/ },
    { argv: ['--seed', '99999999999'], says: /--seed must be at most 4294967295/ },
    { argv: ['--faults', 'crash,meteor'], says: /unknown fault 'meteor'; valid faults: crash, lost-ack, pause, pid-reuse, restart, skew, shutdown, contention/ },
    { argv: ['--policy', 'fifo'], says: /unknown policy 'fifo'; valid policies: random, pct/ },
    { argv: ['--seeds', '10', '--shard', '3/2'], says: /--shard takes i\/n with 1 ≤ i ≤ n/ },
    { argv: ['--seeds', '0'], says: /--seeds must be an integer from 1/ },
    { argv: ['--shrink-seconds', '0'], says: /--shrink-seconds must be an integer from 1 to 3600, got '0'/ },
    { argv: ['--shrink-seconds', '1.5'], says: /--shrink-seconds must be an integer from 1 to 3600, got '1.5'/ },
    { argv: ['--engine', './does/not/exist.ts'], says: /unknown engine '.\/does\/not\/exist.ts'.*built-in engines: reference/ },
    { argv: ['--engine', 'mutant:nope'], says: /unknown engine 'mutant:nope'/ },
    { argv: ['--bogus'], says: /Unknown option '--bogus'/ },
    { argv: ['--seed', '1', '--seeds', '2'], says: /either --seed N .* or --seeds N/ },
    { argv: ['frobnicate'], says: /unknown command 'frobnicate'/ },
  ];
  for (const { argv, says } of cases) {
    it(`${argv.join(' ')} → exit 2, one line`, async () => {
      const { code, stdout, stderr } = await run(argv);
      expect(code).toBe(2);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(says);
      expect(stderr[0]).toMatch(/^wf-sim: /);
      expect(stdout).toEqual([]);
    });
  }

  it('--help prints usage with the exit codes and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout.join('\n')).toMatch(/Exit codes: 0 all pass · 1 an invariant was violated · 2 bad usage · 3 engine or adapter error/);
  });
});
