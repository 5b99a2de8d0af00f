// Applies the numbered SQL files of migrations/ that a database has not seen,
// in one transaction, and records them in wf_migrations. Idempotent: a second
// run finds nothing pending. The folder is found next to this module, not in
// the current directory, so the library migrates correctly wherever it is run from.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './db/database.ts';
import { DatabaseError } from './db/database.ts';
import { listAppliedMigrations, migrationLedgerPresent, migrationScript, type PendingMigration } from './sql/migrations.ts';

export interface MigrateOptions {
  /** Folder of NNNN_name.sql files. Default: the package's migrations/ folder. */
  directory?: string;
}

export interface MigrateResult {
  /** Names of the migrations this call applied, in order (empty when the database was current). */
  applied: string[];
  /** The highest version now recorded. */
  version: number;
}

/** A migration folder or ledger that cannot be trusted: renamed, edited or gapped files. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION|END)\b/im;

export const defaultMigrationsDirectory = fileURLToPath(new URL('../migrations/', import.meta.url));

export async function readMigrations(directory: string = defaultMigrationsDirectory): Promise<PendingMigration[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
  const migrations: PendingMigration[] = [];
  for (const file of names) {
    const match = FILE_NAME.exec(file);
    if (match === null) throw new MigrationError(`migration file ${file} is not named NNNN_name.sql (lowercase, digits and _)`);
    const version = Number(match[1]);
    const expected = migrations.length + 1;
    if (version !== expected) throw new MigrationError(`migration ${file} has version ${version}, expected ${expected}: versions start at 0001 and have no gaps`);
    const sql = await readFile(`${directory}/${file}`, 'utf8');
    // The runner owns the transaction; a file that commits on its own would break all-or-nothing.
    if (TRANSACTION_CONTROL.test(sql)) throw new MigrationError(`migration ${file} contains transaction control; the runner applies all migrations in one transaction`);
    const checksum = createHash('sha256').update(sql).digest('hex');
    migrations.push({ version, name: file.slice(0, -'.sql'.length), checksum, sql });
  }
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function readApplied(db: Database): Promise<AppliedRow[]> {
  const { rows } = await db.query<{ present: boolean }>(migrationLedgerPresent, []);
  if (rows[0]?.present !== true) return [];
  return (await db.query<AppliedRow>(listAppliedMigrations, [])).rows;
}

function pendingAfter(files: readonly PendingMigration[], applied: readonly AppliedRow[]): PendingMigration[] {
  for (const row of applied) {
    const file = files[row.version - 1];
    if (file === undefined) throw new MigrationError(`the database has migration ${row.name} (version ${row.version}) that this package does not know: it is newer than this code`);
    if (file.name !== row.name || file.checksum !== row.checksum) {
      throw new MigrationError(`migration ${row.name} was changed after it was applied (file ${file.name}); released migrations are never edited: add a new numbered file instead`);
    }
  }
  return files.slice(applied.length);
}

export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  const files = await readMigrations(options.directory);
  const pending = pendingAfter(files, await readApplied(db));
  if (pending.length === 0) return { applied: [], version: files.length };
  try {
    await db.exec(migrationScript(pending));
  } catch (error) {
    // A concurrent migrator that won the race leaves nothing pending; anything else is a real failure.
    const raced = error instanceof DatabaseError && (error.code === '23505' || error.code === '42P07');
    if (!raced || pendingAfter(files, await readApplied(db)).length > 0) throw error;
    return { applied: [], version: files.length };
  }
  return { applied: pending.map((migration) => migration.name), version: files.length };
}
