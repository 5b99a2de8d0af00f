// Resource lock: drop a lock whoever holds it (an operator's escape hatch).
import type { Statement } from '../db/database.ts';

/** $1 key. */
export const forceReleaseLock: Statement = {
  name: 'wf_force_release_lock',
  text: `DELETE FROM wf_locks WHERE key = $1::text`,
};
