// SQL of the migration runner. The ledger table is created by the runner itself
// (it must exist before migration 0001 can be recorded in it).
import type { Statement } from '../db/database.ts';

export const migrationLedgerPresent: Statement = {
  name: 'wf_migration_ledger_present',
  text: `SELECT to_regclass('wf_migrations') IS NOT NULL AS present`,
};

export const listAppliedMigrations: Statement = {
  name: 'wf_list_applied_migrations',
  text: `SELECT version, name, checksum FROM wf_migrations ORDER BY version`,
};

export interface PendingMigration {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * One parameterless script that applies every pending migration and records it.
 * Sent as a single simple-protocol query, it runs as one implicit transaction:
 * all pending migrations land together or none does. The advisory lock makes a
 * concurrent migrator of the same schema wait, then fail on the ledger's key
 * instead of interleaving DDL.
 */
export function migrationScript(pending: readonly PendingMigration[]): string {
  const parts = [
    `SELECT pg_advisory_xact_lock(hashtext('wf_sim.migrate:' || current_schema()))`,
    `CREATE TABLE IF NOT EXISTS wf_migrations (
       version  integer PRIMARY KEY,
       name     text NOT NULL,
       checksum text NOT NULL
     )`,
  ];
  for (const migration of pending) {
    parts.push(migration.sql);
    parts.push(
      `INSERT INTO wf_migrations (version, name, checksum) VALUES (${migration.version}, ${literal(migration.name)}, ${literal(migration.checksum)})`,
    );
  }
  // The terminator goes on its own line so a file ending in a -- comment cannot swallow it.
  return parts.map((part) => `${part}\n;`).join('\n');
}
