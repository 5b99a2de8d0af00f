// Goal: the pg-boss adapter's clock rests on facts about pg-boss's SQL that a
// new pg-boss release could break, so they are checked here, statement by
// statement: pg-boss calls now(), gen_random_uuid() and random() unqualified
// (the search-path shim then applies), never a clock the shim cannot shadow
// (current_timestamp, clock_timestamp(), …), and its maintenance lock is the
// one the adapter takes around expiry.
import { describe, expect, it } from 'vitest';
import { constructionSql, plans } from '../../conformance/peers/pg-boss/boss.ts';
import { maintenanceLock } from '../../conformance/peers/pg-boss/statements.ts';

const SCHEMA = 'pgboss';

/** Every SQL text pg-boss 10 builds for the operations the adapter uses, plus its installation. */
function pgBossTexts(): { name: string; text: string }[] {
  const all = plans as unknown as Record<string, (...args: unknown[]) => unknown>;
  const texts: { name: string; text: string }[] = [];
  for (const [name, build] of Object.entries(all)) {
    if (typeof build !== 'function') continue;
    let built: unknown;
    try {
      built = build(SCHEMA, '1 hour', '1 hour');
    } catch {
      continue;
    }
    if (typeof built === 'function') built = (built as (options: object) => unknown)({ includeMetadata: true });
    if (typeof built === 'string') texts.push({ name, text: built });
  }
  texts.push({ name: 'construction', text: constructionSql(SCHEMA) });
  return texts;
}

describe('pg-boss 10.4.2 SQL and the clock shim', () => {
  const texts = pgBossTexts();

  it('builds the statements the adapter sends', () => {
    const names = texts.map((entry) => entry.name);
    for (const name of ['fetchNextJob', 'completeJobs', 'failJobsById', 'failJobsByTimeout', 'insertJob', 'createQueue', 'construction']) expect(names).toContain(name);
  });

  it('calls the shadowed functions unqualified (never pg_catalog.now() and friends)', () => {
    for (const { name, text } of texts) {
      const qualified = /\b\w+\s*\.\s*(now|gen_random_uuid|random)\s*\(/i.exec(text);
      expect(qualified, `${name} calls ${qualified?.[0]}: a schema-qualified call escapes the search-path shim`).toBeNull();
    }
    const joined = texts.map((entry) => entry.text).join('\n');
    expect(joined).toMatch(/\bnow\(\)/);
    expect(joined).toMatch(/\bgen_random_uuid\(\)/);
  });

  it('reads no clock the shim cannot shadow', () => {
    for (const { name, text } of texts) {
      const clock = /\b(current_timestamp|localtimestamp|current_time|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday)\b/i.exec(text);
      expect(clock, `${name} reads ${clock?.[0]}, which the adapter cannot make deterministic`).toBeNull();
    }
  });

  it('expiry runs under the same advisory lock as pg-boss’s own maintenance', () => {
    const locked = plans.locked(SCHEMA, 'SELECT 1');
    const lock = maintenanceLock(SCHEMA).text.replace(/\s+/g, ' ').trim();
    expect(locked.replace(/\s+/g, ' ')).toContain(lock);
  });
});
