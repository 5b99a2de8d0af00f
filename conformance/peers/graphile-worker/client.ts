// graphile-worker's `withPgClient`, built on the kit's Database port: every
// statement graphile-worker's builders produce goes through the process's own
// database (so a killed process's statements are refused, as the lane requires),
// named by a hash of its text (the drivers prepare by name and assume
// name ⇒ text; graphile-worker's texts embed the schema).
import { createHash } from 'node:crypto';
import type { Queryable, Statement } from '../../../src/db/database.ts';
import type { GraphileClient, WithPgClient } from './graphile.ts';

export function statementFor(purpose: string, text: string): Statement {
  return { name: `graphile_${purpose}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text };
}

export function clientOver(db: Queryable): GraphileClient {
  return {
    async query(config, values) {
      const text = typeof config === 'string' ? config : config.text;
      const parameters = typeof config === 'string' ? (values ?? []) : (config.values ?? values ?? []);
      const result = await db.query(statementFor('worker', text), parameters);
      return { rows: result.rows, rowCount: result.rowCount };
    },
  };
}

/** One client over `db`; `withRetries` runs once (a failure is evidence for the kit, not something to paper over). */
export function withPgClientOver(db: Queryable): WithPgClient {
  const client = clientOver(db);
  const run = <T>(callback: (client: GraphileClient) => Promise<T>): Promise<T> => callback(client);
  return Object.assign(run, { withRetries: run }) as WithPgClient;
}
