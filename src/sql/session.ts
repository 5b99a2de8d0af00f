// Transaction control, sent by the drivers through the same prepared-statement
// path as engine statements (on PGlite that is one protocol round trip each).
import type { Statement } from '../db/database.ts';

export const begin: Statement = { name: 'wf_begin', text: 'BEGIN' };
export const commit: Statement = { name: 'wf_commit', text: 'COMMIT' };
export const rollback: Statement = { name: 'wf_rollback', text: 'ROLLBACK' };
