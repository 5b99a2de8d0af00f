// The Database port and its two drivers.
export type { Database, QueryResult, Queryable, Statement } from './database.ts';
export { DatabaseError } from './database.ts';
export { createPGliteDatabase } from './pglite.ts';
export type { PGliteDatabase, PGliteDatabaseOptions } from './pglite.ts';
export { createPostgresDatabase } from './postgres.ts';
export type { PostgresDatabase, PostgresDatabaseOptions } from './postgres.ts';
