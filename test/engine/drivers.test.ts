// Goal: both drivers keep the Database port's promises the engine relies on:
// parameters reach SQL as the same text, rows come back as the same JavaScript
// types, errors carry their SQLSTATE, a failed statement or transaction leaves
// the session usable with nothing half-written, and reset() empties the engine
// tables but keeps the schema version. PGlite-specific: its one session is
// shared safely between concurrent callers, and the statement counter counts.
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../src/db/database.ts';
import { DatabaseError } from '../../src/db/database.ts';
import { toParameterText } from '../../src/db/parameters.ts';
import { PGlite } from '@electric-sql/pglite';
import { createPGliteDatabase } from '../../src/db/pglite.ts';
import { benchDriver } from '../bench/driver.ts';
import { describeBackends } from '../helpers/backends.ts';

const insertQueue: Statement = { name: 'test_insert_queue', text: 'INSERT INTO wf_queues (name, max_concurrency) VALUES ($1::text, $2::integer)' };
const countQueues: Statement = { name: 'test_count_queues', text: 'SELECT count(*) AS n FROM wf_queues' };
const divideByZero: Statement = { name: 'test_divide_by_zero', text: 'SELECT 1 / $1::integer AS x' };
const echo: Statement = {
  name: 'test_echo',
  text: `SELECT $1::bigint AS big, $2::timestamptz AS at, $3::jsonb AS doc, $4::text[] AS list, $5::boolean AS flag, $6::text AS nothing, $7::text AS quoted`,
};

async function queueCount(query: (statement: Statement) => Promise<{ rows: { n: number }[] }>): Promise<number> {
  const { rows } = await query(countQueues);
  return Number(rows[0]?.n);
}

describeBackends('Database port', (backend) => {
  it('sends parameters as text and returns bigint as number, timestamptz as Date, jsonb parsed', async () => {
    const db = backend.db();
    const at = new Date(1_700_000_000_123);
    const { rows, rowCount } = await db.query(echo, [9_007_199_254_740_991, at.toISOString(), JSON.stringify({ a: [1, 'b'] }), ['x', 'y,z', 'q"uote', null], true, null, "it's"]);
    expect(rowCount).toBe(1);
    expect(rows[0]).toEqual({ big: 9_007_199_254_740_991, at, doc: { a: [1, 'b'] }, list: ['x', 'y,z', 'q"uote', null], flag: true, nothing: null, quoted: "it's" });
  });

  it('reports rows affected by writes', async () => {
    const db = backend.db();
    expect((await db.query(insertQueue, ['a', null])).rowCount).toBe(1);
    expect((await db.query(insertQueue, ['b', 2])).rowCount).toBe(1);
    expect((await db.query({ name: 'test_delete_queues', text: 'DELETE FROM wf_queues' })).rowCount).toBe(2);
  });

  it('turns a failed statement into a DatabaseError with its SQLSTATE, and the session stays usable', async () => {
    const db = backend.db();
    const error = await db.query(divideByZero, [0]).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: '22012', statement: 'test_divide_by_zero' });
    expect((await db.query(divideByZero, [1])).rows).toEqual([{ x: 1 }]);
    await expect(db.query(insertQueue, ['dup', null]).then(() => db.query(insertQueue, ['dup', null]))).rejects.toMatchObject({ code: '23505' });
    expect(await queueCount((statement) => db.query(statement))).toBe(1);
  });

  it('commits a transaction that resolves and rolls back one that throws, leaving no aborted transaction', async () => {
    const db = backend.db();
    expect(await db.transaction(async (tx) => {
      await tx.query(insertQueue, ['kept', null]);
      return 'done';
    })).toBe('done');
    await expect(db.transaction(async (tx) => {
      await tx.query(insertQueue, ['discarded', null]);
      await tx.query(divideByZero, [0]);
    })).rejects.toMatchObject({ code: '22012' });
    await expect(db.transaction(async (tx) => {
      await tx.query(insertQueue, ['also discarded', null]);
      throw new Error('the callback changed its mind');
    })).rejects.toThrow('changed its mind');
    // Outside any transaction again: a plain statement works and sees only the committed row.
    expect(await queueCount((statement) => db.query(statement))).toBe(1);
  });

  it('refuses to commit a transaction whose failed statement the callback swallowed', async () => {
    const db = backend.db();
    await expect(db.transaction(async (tx) => {
      await tx.query(insertQueue, ['lost', null]);
      await tx.query(divideByZero, [0]).catch(() => undefined);
    })).rejects.toMatchObject({ code: '25P02' });
    expect(await queueCount((statement) => db.query(statement))).toBe(0);
  });

  it('runs multi-statement text through exec, atomically', async () => {
    const db = backend.db();
    await db.exec(`INSERT INTO wf_queues (name) VALUES ('x'); INSERT INTO wf_queues (name) VALUES ('y')`);
    await expect(db.exec(`INSERT INTO wf_queues (name) VALUES ('z'); INSERT INTO wf_queues (name) VALUES ('x')`)).rejects.toMatchObject({ code: '23505' });
    expect(await queueCount((statement) => db.query(statement))).toBe(2);
  });

  it('reset empties the engine tables, restarts ids and keeps the migration ledger', async () => {
    const db = backend.db();
    await db.exec(`INSERT INTO wf_queues (name) VALUES ('q')`);
    await db.exec(`INSERT INTO wf_jobs (queue, type, available_at, attempts_max, status, created_at) VALUES ('q', 't', '2023-01-01Z', 1, 'queued', '2023-01-01Z')`);
    await db.reset();
    expect(await queueCount((statement) => db.query(statement))).toBe(0);
    await db.exec(`INSERT INTO wf_queues (name) VALUES ('q')`);
    const { rows } = await db.query<{ id: number }>({ name: 'test_insert_job', text: `INSERT INTO wf_jobs (queue, type, available_at, attempts_max, status, created_at) VALUES ('q', 't', '2023-01-01Z', 1, 'queued', '2023-01-01Z') RETURNING id` });
    expect(rows[0]?.id).toBe(1);
    const ledger = await db.query<{ n: number }>({ name: 'test_count_ledger', text: 'SELECT count(*) AS n FROM wf_migrations' });
    expect(Number(ledger.rows[0]?.n)).toBeGreaterThan(0);
  });

  it('counts statements', async () => {
    const db = backend.db();
    const before = db.statements;
    await db.query(countQueues);
    await db.transaction(async (tx) => {
      await tx.query(countQueues);
      await tx.query(countQueues);
    });
    expect(db.statements - before).toBe(3);
  });

  it('refuses two different statements under one name', async () => {
    const db = backend.db();
    await db.query({ name: 'test_same_name', text: 'SELECT 1 AS one' });
    await expect(db.query({ name: 'test_same_name', text: 'SELECT 2 AS two' })).rejects.toThrow(/unique/);
  });

  // On PGlite the mutex is what makes this true; on Postgres each transaction has its own connection.
  it.skipIf(backend.name !== 'pglite')('(pglite) serializes callers on its one session: nobody joins, sees or undoes another caller’s transaction', async () => {
    const db = backend.db();
    const events: string[] = [];
    const failing = db.transaction(async (tx) => {
      events.push('A begins');
      await tx.query(insertQueue, ['from A', null]);
      // Yield to the event loop: the other callers are queued on the mutex meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      events.push('A fails');
      throw new Error('A rolls back');
    });
    const succeeding = db.transaction(async (tx) => {
      events.push('B begins');
      await tx.query(insertQueue, ['from B', null]);
      return 'B commits';
    });
    const plain = db.query<{ n: number }>(countQueues).then((result) => {
      events.push(`plain query sees ${result.rows[0]?.n}`);
    });
    await expect(failing).rejects.toThrow('A rolls back');
    expect(await succeeding).toBe('B commits');
    await plain;
    expect(events).toEqual(['A begins', 'A fails', 'B begins', 'plain query sees 1']);
    const { rows } = await db.query<{ name: string }>({ name: 'test_queue_names', text: 'SELECT name FROM wf_queues ORDER BY name' });
    expect(rows).toEqual([{ name: 'from B' }]);
  });
});

describe('PGlite driver', () => {
  it("skips PGlite's file-system sync only on the in-memory instance it created; a caller's instance (maybe IndexedDB) keeps it", async () => {
    const owned = await createPGliteDatabase();
    const given = await PGlite.create();
    const passed = await createPGliteDatabase({ pglite: given });
    const syncs = (pglite: PGlite) => {
      const seen: unknown[] = [];
      const original = pglite.execProtocol.bind(pglite);
      pglite.execProtocol = (message, options) => {
        seen.push(options?.syncToFs);
        return original(message, options);
      };
      return seen;
    };
    const ownedSyncs = syncs(owned.pglite);
    const passedSyncs = syncs(given);
    for (const db of [owned, passed]) {
      await db.exec('CREATE TABLE t (x integer)');
      await db.query({ name: 'test_insert_t', text: 'INSERT INTO t VALUES ($1::integer)' }, [1]);
      await db.transaction((tx) => tx.query({ name: 'test_insert_t', text: 'INSERT INTO t VALUES ($1::integer)' }, [2]));
      expect(await db.query<{ n: number }>({ name: 'test_count_t', text: 'SELECT count(*)::integer AS n FROM t' })).toMatchObject({ rows: [{ n: 2 }] });
    }
    expect(new Set(ownedSyncs)).toEqual(new Set([false]));
    expect(new Set(passedSyncs)).toEqual(new Set([true]));
    await owned.close();
    await passed.close();
    await given.close();
  });

  it('measures its fast path against query() and raw execProtocol', async () => {
    const results = await benchDriver({ rounds: 1, statementsPerRound: 50 });
    expect(results.map((result) => result.name)).toEqual(['pglite fast path (driver.query)', 'pglite query()', 'pglite raw execProtocol']);
    for (const result of results) {
      expect(result.median_ms_per_statement).toBeGreaterThan(0);
      expect(result.statements_per_second).toBeCloseTo(1_000 / result.median_ms_per_statement);
    }
  });
});

describe('parameter text', () => {
  it('writes each JavaScript value the way its SQL cast parses it', () => {
    expect(toParameterText(null)).toBeNull();
    expect(toParameterText(undefined)).toBeNull();
    expect(toParameterText(12)).toBe('12');
    expect(toParameterText(10n)).toBe('10');
    expect(toParameterText(false)).toBe('false');
    expect(toParameterText(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(toParameterText({ a: 1 })).toBe('{"a":1}');
    expect(toParameterText(['a', 'b"c', 'd\\e', null])).toBe('{"a","b\\"c","d\\\\e",NULL}');
    expect(() => toParameterText(Number.NaN)).toThrow(/non-finite/);
  });
});
