// Resource lock: drop a lock by its holder.
import type { Statement } from '../db/database.ts';

/** $1 key, $2 holder. */
export const releaseLock: Statement = {
  name: 'wf_release_lock',
  text: `DELETE FROM wf_locks WHERE key = $1::text AND holder = $2::text`,
};
