// Schema-level SQL the drivers need: a per-test schema, its search path, a
// reset that empties every engine table, and a checkpoint. Identifiers are
// validated, never interpolated raw.
import type { Statement } from '../db/database.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Double-quotes a validated identifier; throws on anything that is not a plain name. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new TypeError(`invalid SQL identifier ${JSON.stringify(name)}: use letters, digits and _ (at most 63, not starting with a digit)`);
  }
  return `"${name}"`;
}

export function createSchemaSql(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`;
}

export function setSearchPathSql(schema: string): string {
  return `SET search_path TO ${quoteIdentifier(schema)}`;
}

export function dropSchemaSql(schema: string): string {
  return `DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`;
}

/** The engine's tables in the current schema, except the migration ledger (a reset keeps the schema version). */
export const listEngineTables: Statement = {
  name: 'wf_list_engine_tables',
  text: `
    SELECT tablename
    FROM pg_catalog.pg_tables
    WHERE schemaname = current_schema()
      AND tablename LIKE 'wf\\_%'
      AND tablename <> 'wf_migrations'
    ORDER BY tablename COLLATE "C"`,
};

/** Empties the given tables and restarts their identities, so ids after a reset match a fresh database. */
export function truncateSql(tables: readonly string[]): string {
  return `TRUNCATE ${tables.map(quoteIdentifier).join(', ')} RESTART IDENTITY CASCADE`;
}

export const checkpointSql = 'CHECKPOINT';
