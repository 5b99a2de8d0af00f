// Goal: the engine stays deterministic and its SQL stays in one place, by
// construction rather than by review. src/ may not read a clock, a random
// source or a timer; SQL text may not call now(), random() or
// gen_random_uuid(); and SQL lives only under src/sql/. Each failure names the
// file and the replacement.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as sql from '../../src/sql/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function sources(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files.sort();
}

/** Code without comments, so a comment may name what the code must not do. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '');
}

const BANNED_CALLS: { pattern: RegExp; instead: string }[] = [
  { pattern: /Math\.random\s*\(/, instead: 'take ids and tokens from the caller' },
  { pattern: /Date\.now\s*\(/, instead: 'take `now` (integer ms) as a parameter' },
  { pattern: /new Date\s*\(\s*\)/, instead: 'take `now` as a parameter; new Date(ms) only formats a given time' },
  { pattern: /performance\.now\s*\(/, instead: 'take `now` as a parameter' },
  { pattern: /\bsetTimeout\s*\(|\bsetInterval\s*\(/, instead: 'let the caller schedule; the engine never sleeps' },
  { pattern: /randomUUID\s*\(|getRandomValues\s*\(|randomBytes\s*\(/, instead: 'take ids and lease tokens from the caller' },
];

it('src/ reads no clock, random source or timer', async () => {
  const offences: string[] = [];
  for (const file of await sources(join(root, 'src'))) {
    const text = code(await readFile(file, 'utf8'));
    for (const { pattern, instead } of BANNED_CALLS) {
      if (pattern.test(text)) offences.push(`${relative(root, file)} uses ${pattern.source}: ${instead}`);
    }
  }
  expect(offences).toEqual([]);
});

it('engine SQL never asks the database for the time or randomness', () => {
  const offences: string[] = [];
  for (const [name, value] of Object.entries(sql)) {
    if (typeof value !== 'object' || value === null || !('text' in value)) continue;
    const text = String((value as { text: string }).text).toLowerCase();
    for (const call of ['now()', 'random()', 'gen_random_uuid()', 'current_timestamp', 'clock_timestamp()', 'statement_timestamp()', 'localtimestamp']) {
      if (text.includes(call)) offences.push(`src/sql ${name} calls ${call}: pass the time as a $n::timestamptz parameter`);
    }
  }
  expect(offences).toEqual([]);
});

it('every statement name is unique and prefixed wf_', () => {
  const statements = Object.values(sql).filter((value): value is { name: string; text: string } => typeof value === 'object' && value !== null && 'name' in value && 'text' in value);
  const names = statements.map((statement) => statement.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names.filter((name) => !name.startsWith('wf_'))).toEqual([]);
});

it('SQL lives only in src/sql/', async () => {
  const keyword = /['"`]\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|TRUNCATE|WITH\s+\w+\s+AS)\b/i;
  const offences: string[] = [];
  for (const file of await sources(join(root, 'src'))) {
    const path = relative(root, file);
    if (path.startsWith(join('src', 'sql'))) continue;
    if (keyword.test(code(await readFile(file, 'utf8')))) offences.push(`${path} holds SQL: move it to src/sql/, one operation per file`);
  }
  expect(offences).toEqual([]);
});
