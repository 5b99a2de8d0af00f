// Goal: keep the house rules mechanical. Determinism is the product, so engine,
// spec and simulator code may not reach for the wall clock, ambient randomness or
// real timers; SQL never reads the database's clock or randomness; imports point
// one way; SQL lives only under src/sql. Each failure names the replacement.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeWithoutComments as code, repoRoot as root, sourceFiles as files } from '../helpers/source-files.ts';

const BANNED: { pattern: RegExp; instead: string }[] = [
  { pattern: /Math\.random\s*\(/, instead: 'draw from the run’s choice stream (sim/random/choices.ts) or take ids from the caller' },
  { pattern: /Date\.now\s*\(/, instead: 'take `now` from the caller (engine) or ctx.clock.now() (simulated process)' },
  { pattern: /new Date\(\s*\)/, instead: 'take `now` from the caller; format a given time with new Date(ms)' },
  { pattern: /performance\.now\s*\(/, instead: 'sim/wall-clock.ts (the one sanctioned wall clock, for stats and the watchdog)' },
  { pattern: /\bsetTimeout\s*\(|\bsetInterval\s*\(/, instead: 'scheduler.sleep() in simulated code; sim/wall-clock.ts withWallTimeout for the watchdog' },
  { pattern: /crypto\.randomUUID\s*\(|randomUUID\s*\(/, instead: 'ctx.ids.next(prefix) or ids passed by the caller' },
];

/** The one file allowed to touch real time: it measures runs and guards against hung adapters, and nothing simulated reads it. */
const WALL_CLOCK_FILES = new Set(['sim/wall-clock.ts']);

describe('determinism: no ambient time, randomness or timers in engine, spec and simulator code', () => {
  const checked = [...files('src', ['.ts']), ...files('spec', ['.ts']), ...files('sim', ['.ts'])];
  it('checks a real set of files', () => {
    expect(checked.length).toBeGreaterThan(20);
  });
  for (const path of checked) {
    const name = relative(root, path);
    if (WALL_CLOCK_FILES.has(name)) continue;
    it(name, () => {
      const text = code(path);
      for (const { pattern, instead } of BANNED) {
        const match = pattern.exec(text);
        expect(match, `${name} calls ${match?.[0]}: use ${instead}`).toBeNull();
      }
    });
  }
});

describe('SQL never reads the database clock or randomness', () => {
  const sources = [...files('src/sql', ['.ts']), ...files('migrations', ['.sql'])];
  it('checks a real set of files', () => {
    expect(sources.length).toBeGreaterThan(5);
  });
  for (const path of sources) {
    const name = relative(root, path);
    it(name, () => {
      const text = readFileSync(path, 'utf8').replace(/--.*$/gm, '');
      const match = /\b(now|random|gen_random_uuid|clock_timestamp|statement_timestamp|transaction_timestamp)\s*\(\s*\)|\bcurrent_timestamp\b/i.exec(text);
      expect(match, `${name} uses ${match?.[0]}: pass the time as a $n::timestamptz parameter and ids/tokens from the caller`).toBeNull();
    });
  }
});

describe('imports point one way', () => {
  const importsOf = (path: string) => [...readFileSync(path, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
  for (const path of [...files('src', ['.ts']), ...files('spec', ['.ts'])]) {
    const name = relative(root, path);
    it(`${name} does not import sim/ or conformance/`, () => {
      for (const target of importsOf(path)) expect(target, `${name} imports ${target}`).not.toMatch(/(^|\/)(sim|conformance)\//);
    });
  }
  for (const path of files('spec', ['.ts'])) {
    const name = relative(root, path);
    it(`${name} imports only zod and spec/`, () => {
      for (const target of importsOf(path)) {
        const ok = target === 'zod' || (target.startsWith('.') && !target.includes('../src') && !target.startsWith('../../'));
        expect(ok, `${name} imports ${target}: spec/ may import only zod and its own files`).toBe(true);
      }
    });
  }
  for (const path of files('sim', ['.ts']).filter((file) => !relative(root, file).startsWith('sim/cli/'))) {
    const name = relative(root, path);
    it(`${name} (simulator core) does not import conformance/`, () => {
      for (const target of importsOf(path)) expect(target, `${name} imports ${target}; only sim/cli (the composition root) may`).not.toMatch(/conformance\//);
    });
  }
});

describe('SQL lives only under src/sql', () => {
  for (const path of files('src', ['.ts']).filter((file) => !relative(root, file).startsWith('src/sql/'))) {
    const name = relative(root, path);
    it(name, () => {
      const match = /['"`]\s*(SELECT|INSERT INTO|UPDATE\s+\w+\s+SET|DELETE FROM|CREATE TABLE|TRUNCATE)\b/i.exec(code(path));
      expect(match, `${name} contains SQL (${match?.[0]}); move it to src/sql/, one operation per file`).toBeNull();
    });
  }
});
