// What one Postgres-lane round of graphile-worker shows, the same for 0.17 and
// 0.18 (the adapter and the mechanisms did not change between them): the state
// invariants and the write rules hold in real time, and its completes carry no
// per-claim token. Shared so the two lines are held to one expectation.
export const GRAPHILE_LANE_VERDICTS = {
  QUEUED_CLEAN: 'holds',
  RUNNING_OWNED: 'holds',
  ATTEMPTS_BOUNDED: 'holds',
  CONCURRENCY_LIMIT: 'holds',
  SINGLE_OWNER: 'holds',
  TERMINAL_FINAL: 'holds',
  NO_LOST_JOB: 'holds',
  STALE_WRITE_FENCED: 'not-applicable',
} as const;
