// Goal: migrate() brings an empty schema to the current version in one
// transaction, records every version with its checksum, does nothing the second
// time, applies only what is new, rolls back completely when a migration fails,
// and refuses a migration folder that was edited, renamed or gapped.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { createPGliteDatabase, type PGliteDatabase } from '../../src/db/pglite.ts';
import { createPostgresDatabase, type PostgresDatabase } from '../../src/db/postgres.ts';
import { defaultMigrationsDirectory, migrate, MigrationError, readMigrations } from '../../src/migrate.ts';
import { createSchemaSql, setSearchPathSql } from '../../src/sql/schema.ts';
import { POSTGRES_SKIP_REASON, postgresUrl, uniqueSchema } from '../helpers/backends.ts';

const INIT_SQL = await readFile(join(defaultMigrationsDirectory, '0001_init.sql'), 'utf8');

interface Ledger {
  version: number;
  name: string;
  checksum: string;
}

async function ledger(db: Database): Promise<Ledger[]> {
  const { rows } = await db.query<Ledger>({ name: 'test_read_ledger', text: 'SELECT version, name, checksum FROM wf_migrations ORDER BY version' });
  return rows;
}

async function tableExists(db: Database, table: string): Promise<boolean> {
  const { rows } = await db.query<{ present: boolean }>({ name: 'test_table_exists', text: 'SELECT to_regclass($1::text) IS NOT NULL AS present' }, [table]);
  return rows[0]?.present === true;
}

/** A migration folder of our own: 0001 as shipped plus whatever a test adds. */
async function folder(extra: Record<string, string> = {}): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'wf-sim-migrations-'));
  await writeFile(join(directory, '0001_init.sql'), INIT_SQL);
  for (const [name, sql] of Object.entries(extra)) await writeFile(join(directory, name), sql);
  folders.push(directory);
  return directory;
}
const folders: string[] = [];
afterAll(async () => {
  for (const directory of folders) await rm(directory, { recursive: true, force: true });
});

type Fresh = () => Promise<Database>;

function migrateSuite(fresh: Fresh): void {
  it('applies every migration to an empty schema, records versions and checksums, and is idempotent', async () => {
    const db = await fresh();
    const files = await readMigrations();
    expect(await migrate(db)).toEqual({ applied: files.map((file) => file.name), version: files.length });
    expect(await ledger(db)).toEqual(files.map((file) => ({ version: file.version, name: file.name, checksum: file.checksum })));
    for (const table of ['wf_queues', 'wf_jobs', 'wf_workers', 'wf_locks', 'wf_groups']) expect(await tableExists(db, table)).toBe(true);

    const before = await ledger(db);
    expect(await migrate(db)).toEqual({ applied: [], version: files.length });
    expect(await ledger(db)).toEqual(before);
  });

  it('applies only the new migrations', async () => {
    const db = await fresh();
    await migrate(db, { directory: await folder() });
    const directory = await folder({ '0002_extra.sql': 'CREATE TABLE wf_extra (id integer PRIMARY KEY);\n-- ends in a comment' });
    expect(await migrate(db, { directory })).toEqual({ applied: ['0002_extra'], version: 2 });
    expect((await ledger(db)).map((row) => row.version)).toEqual([1, 2]);
    expect(await tableExists(db, 'wf_extra')).toBe(true);
  });

  it('applies all pending migrations in one transaction: a failing one leaves nothing behind', async () => {
    const db = await fresh();
    const directory = await folder({
      '0002_good.sql': 'CREATE TABLE wf_good (id integer);',
      '0003_bad.sql': 'CREATE TABLE wf_bad (id integer REFERENCES nowhere (id));',
    });
    await expect(migrate(db, { directory })).rejects.toMatchObject({ name: 'DatabaseError', code: '42P01' });
    expect(await tableExists(db, 'wf_migrations')).toBe(false);
    expect(await tableExists(db, 'wf_jobs')).toBe(false);
    expect(await tableExists(db, 'wf_good')).toBe(false);
    // The database is still usable and the shipped migrations apply afterwards.
    expect((await migrate(db)).applied).toEqual(['0001_init']);
  });

  it('refuses a released migration that was edited afterwards', async () => {
    const db = await fresh();
    await migrate(db);
    const directory = await mkdtemp(join(tmpdir(), 'wf-sim-migrations-'));
    folders.push(directory);
    await writeFile(join(directory, '0001_init.sql'), `${INIT_SQL}\n-- an innocent-looking edit\n`);
    await expect(migrate(db, { directory })).rejects.toThrow(/0001_init was changed after it was applied/);
  });
}

describe('migrate [pglite]', () => {
  let db: PGliteDatabase | undefined;
  let schemas = 0;
  beforeAll(async () => {
    db = await createPGliteDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  // One PGlite instance per file: each test moves the session to a new empty schema.
  migrateSuite(async () => {
    if (db === undefined) throw new Error('PGlite is not ready');
    schemas += 1;
    const schema = `migrate_${schemas}`;
    await db.exec(`${createSchemaSql(schema)}; ${setSearchPathSql(schema)}`);
    return db;
  });
});

const url = postgresUrl;
if (url === undefined) {
  describe.skip(`migrate [postgres (${POSTGRES_SKIP_REASON})]`, () => migrateSuite(() => Promise.reject(new Error('skipped'))));
} else {
  describe('migrate [postgres]', () => {
    const opened: PostgresDatabase[] = [];
    afterEach(async () => {
      for (const db of opened.splice(0)) {
        await db.dropSchema();
        await db.close();
      }
    });
    migrateSuite(async () => {
      const db = await createPostgresDatabase({ connectionString: url, schema: uniqueSchema('wf_migrate'), max: 2 });
      opened.push(db);
      return db;
    });
  });
}

describe('migration folder checks', () => {
  it('refuses a misnamed file, a gap in versions, and a file with its own transaction control', async () => {
    await expect(readMigrations(await folder({ '0002-extra.sql': 'SELECT 1;' }))).rejects.toBeInstanceOf(MigrationError);
    await expect(readMigrations(await folder({ '0003_skip.sql': 'SELECT 1;' }))).rejects.toThrow(/expected 2/);
    await expect(readMigrations(await folder({ '0002_commit.sql': 'CREATE TABLE wf_x (id int);\nCOMMIT;' }))).rejects.toThrow(/transaction control/);
  });

  it('finds the shipped migrations next to the module, whatever the working directory', async () => {
    const previous = process.cwd();
    process.chdir(tmpdir());
    try {
      expect((await readMigrations()).map((file) => file.name)).toContain('0001_init');
    } finally {
      process.chdir(previous);
    }
  });
});
