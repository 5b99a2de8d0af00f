// Runs one suite against every database backend: PGlite always, a real
// Postgres when WF_SIM_DATABASE_URL is set. Without the variable the Postgres
// copy is registered as skipped, with the reason in its name, so a green run
// never hides that half of the matrix did not run.
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { createPGliteDatabase } from '../../src/db/pglite.ts';
import { createPostgresDatabase } from '../../src/db/postgres.ts';
import { migrate } from '../../src/migrate.ts';

export type BackendName = 'pglite' | 'postgres';

export interface TestDatabase extends Database {
  reset(): Promise<void>;
  readonly statements: number;
}

export interface Backend {
  readonly name: BackendName;
  /** The migrated database of this suite, emptied before every test. */
  db(): TestDatabase;
}

export const postgresUrl: string | undefined = process.env['WF_SIM_DATABASE_URL'] || undefined;
export const POSTGRES_SKIP_REASON = 'skipped: set WF_SIM_DATABASE_URL to run';

let schemaCounter = 0;

/** A schema name unique to this process and call: parallel test files never share tables. */
export function uniqueSchema(prefix = 'wf_test'): string {
  schemaCounter += 1;
  return `${prefix}_${process.pid}_${schemaCounter}`;
}

export function describeBackends(title: string, body: (backend: Backend) => void): void {
  describe(`${title} [pglite]`, () => {
    let database: TestDatabase | undefined;
    beforeAll(async () => {
      const created = await createPGliteDatabase();
      await migrate(created);
      database = created;
    });
    beforeEach(async () => {
      await database?.reset();
    });
    afterAll(async () => {
      await database?.close();
    });
    body({ name: 'pglite', db: () => required(database) });
  });

  const url = postgresUrl;
  if (url === undefined) {
    describe.skip(`${title} [postgres (${POSTGRES_SKIP_REASON})]`, () => {
      body({ name: 'postgres', db: () => required<TestDatabase>(undefined) });
    });
    return;
  }
  describe(`${title} [postgres]`, () => {
    let database: (TestDatabase & { dropSchema(): Promise<void> }) | undefined;
    beforeAll(async () => {
      const created = await createPostgresDatabase({ connectionString: url, schema: uniqueSchema(), max: 8 });
      await migrate(created);
      database = created;
    });
    beforeEach(async () => {
      await database?.reset();
    });
    afterAll(async () => {
      if (database === undefined) return;
      await database.dropSchema();
      await database.close();
    });
    body({ name: 'postgres', db: () => required(database) });
  });
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the test database is not ready: beforeAll failed or the suite is skipped');
  return value;
}
