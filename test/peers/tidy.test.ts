// Goal: the peer adapters keep the kit's rule on time and randomness in the
// code that runs under simulation. conformance/ skips conformance/peers/ (third
// -party engines, their own rules); these are those rules: no ambient clock,
// randomness or timers in any peer file — the simulated lane's time comes from
// ctx.clock, and the one real clock a peer needs (the graphile-worker lock-reset
// scenario, on real Postgres) is conformance/real-clock.ts. What the engines'
// own code does is theirs: pg-boss's constructor reads Date.now() for a field the
// adapter never uses, and the adapter never starts its timers (supervise,
// schedule and work() are off).
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeWithoutComments as code, repoRoot as root, sourceFiles } from '../helpers/source-files.ts';

const files = (folder: string) => sourceFiles(folder, ['.ts']);

const BANNED: { pattern: RegExp; instead: string }[] = [
  { pattern: /Math\.random\s*\(/, instead: 'a seeded stream, or ids from ctx.ids' },
  { pattern: /Date\.now\s*\(/, instead: 'ctx.clock.now() (epochNowMs() from conformance/real-clock.ts in a real-Postgres driver)' },
  { pattern: /new Date\(\s*\)/, instead: 'new Date(ms) of a time the caller gave' },
  { pattern: /performance\.now\s*\(/, instead: 'monotonicNowMs() from conformance/real-clock.ts' },
  { pattern: /\bsetTimeout\s*\(|\bsetInterval\s*\(/, instead: 'the simulator’s sleep; realSleep() in a real-Postgres driver' },
  { pattern: /randomUUID\s*\(/, instead: 'ctx.ids.next(prefix), or an id derived from the job number' },
];

describe('conformance/peers/ reads no ambient time, randomness or timers', () => {
  const checked = files('conformance/peers');
  it('checks the peer adapters', () => {
    expect(checked.map((path) => relative(root, path))).toEqual(expect.arrayContaining(['conformance/peers/pg-boss/index.ts', 'conformance/peers/graphile-worker/index.ts']));
  });
  for (const path of checked) {
    const name = relative(root, path);
    it(name, () => {
      const text = code(path);
      for (const { pattern, instead } of BANNED) {
        const match = pattern.exec(text);
        expect(match, `${name} calls ${match?.[0]}: use ${instead}`).toBeNull();
      }
    });
  }
});
