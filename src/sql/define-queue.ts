// Declares a queue or changes its concurrency limit.
import type { Statement } from '../db/database.ts';

/** $1 name, $2 max_concurrency (NULL = unlimited). */
export const defineQueue: Statement = {
  name: 'wf_define_queue',
  text: `
    INSERT INTO wf_queues (name, max_concurrency)
    VALUES ($1::text, $2::integer)
    ON CONFLICT (name) DO UPDATE SET max_concurrency = EXCLUDED.max_concurrency`,
};
