// Goal: the conformance kit keeps the house rule on time and randomness. Its
// code reaches the wall clock and real timers only through conformance/real-clock.ts
// (the watchdog and the real-Postgres lane, both commented there); a stray
// Date.now() in a reporter or a runner would make reports differ between two
// runs of the same seeds. Peer adapters (conformance/peers/) wrap third-party
// engines and are held to their own rules.
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeWithoutComments as code, repoRoot as root, sourceFiles } from '../helpers/source-files.ts';

const files = (folder: string) => sourceFiles(folder, ['.ts', '.mjs'], SKIPPED_FOLDERS);
const ALLOWED = new Set(['conformance/real-clock.ts']);
const SKIPPED_FOLDERS = new Set(['conformance/peers']);

const BANNED: { pattern: RegExp; instead: string }[] = [
  { pattern: /Math\.random\s*\(/, instead: 'draw from a seeded stream (sim/random/choices.ts)' },
  { pattern: /Date\.now\s*\(/, instead: 'epochNowMs() from conformance/real-clock.ts, or ctx.clock.now() in an adapter' },
  { pattern: /new Date\(\s*\)/, instead: 'epochNowMs() from conformance/real-clock.ts' },
  { pattern: /performance\.now\s*\(/, instead: 'monotonicNowMs() from conformance/real-clock.ts' },
  { pattern: /\bsetTimeout\s*\(|\bsetInterval\s*\(/, instead: 'startRealTimer()/realSleep() from conformance/real-clock.ts' },
  { pattern: /randomUUID\s*\(/, instead: 'ctx.ids.next(prefix)' },
];

describe('conformance/ reads real time only through real-clock.ts', () => {
  const checked = files('conformance');
  it('checks a real set of files', () => {
    expect(checked.length).toBeGreaterThan(20);
  });
  for (const path of checked) {
    const name = relative(root, path);
    if (ALLOWED.has(name)) continue;
    it(name, () => {
      const text = code(path);
      for (const { pattern, instead } of BANNED) {
        const match = pattern.exec(text);
        expect(match, `${name} calls ${match?.[0]}: use ${instead}`).toBeNull();
      }
    });
  }
});
