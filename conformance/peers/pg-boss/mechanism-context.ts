// The process context the pg-boss mechanism checks drive sessions with, outside
// the simulator: one worker identity per process id, a clock the caller moves by
// hand, fixed ids, every pid alive. The pinned line's test and the newest line's
// probe check the same mechanisms, so they share it.
import type { Database } from '../../../src/db/database.ts';
import type { ProcessContext } from '../../../sim/adapter/contract.ts';

export function mechanismContext(processId: string, db: Database, now: () => number): ProcessContext {
  return {
    processId,
    role: 'worker',
    pid: null,
    runId: `${processId}.1`,
    db,
    clock: { now },
    ids: { next: (prefix) => `${prefix}1` },
    os: { isAlive: () => true },
    settings: { heartbeatIntervalMs: 1000, lockTtlMs: 8000, reaperThresholdMs: 4000 },
  };
}
