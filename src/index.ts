// wf-sim's library API: the reference engine, its migrations and its two
// database drivers. `import { createEngine, migrate, createPGliteDatabase } from 'wf-sim'`.
export { createEngine, DEFAULT_ATTEMPTS_MAX, DEFAULT_JOB_TYPE, DEFAULT_LOCK_TTL_MS, DEFAULT_RETRY_BACKOFF_MS } from './engine/engine.ts';
export type { EngineOptions } from './engine/engine.ts';
export { EngineError, EngineInputError, NotFoundError } from './engine/errors.ts';
export type { EngineErrorCode } from './engine/errors.ts';
export type * from './engine/types.ts';
export { migrate, MigrationError, readMigrations, defaultMigrationsDirectory } from './migrate.ts';
export type { MigrateOptions, MigrateResult } from './migrate.ts';
export { createPGliteDatabase } from './db/pglite.ts';
export type { PGliteDatabase, PGliteDatabaseOptions } from './db/pglite.ts';
export { createPostgresDatabase } from './db/postgres.ts';
export type { PostgresDatabase, PostgresDatabaseOptions } from './db/postgres.ts';
export { DatabaseError } from './db/database.ts';
export type { Database, QueryResult, Queryable, Statement } from './db/database.ts';
