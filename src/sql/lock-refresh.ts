// Resource lock: extend an unexpired lock of its holder.
import type { Statement } from '../db/database.ts';

/** An expired lock is not revived: it may already be someone else's to take. $1 key, $2 holder, $3 now, $4 expiry. */
export const refreshLock: Statement = {
  name: 'wf_refresh_lock',
  text: `
    UPDATE wf_locks SET expires_at = $4::timestamptz
    WHERE key = $1::text AND holder = $2::text AND expires_at > $3::timestamptz`,
};
