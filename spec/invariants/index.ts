// The invariants, one module each (two halves of a rule share a module).
export * from './definition.ts';
export { walkHistory, HistoryWalk } from './history-walk.ts';
export type {
  Change,
  ClaimRecord,
  DeathRecord,
  EndReason,
  EndRecord,
  HistoryMonitor,
  JobTrack,
  Outcome,
  OutcomeRecord,
  RunTrack,
} from './history-walk.ts';
export { QUEUED_CLEAN, checkQueuedClean } from './queued-clean.ts';
export { RUNNING_OWNED, checkRunningOwned } from './running-owned.ts';
export { ATTEMPTS_BOUNDED, checkAttemptsBounded } from './attempts-bounded.ts';
export { CONCURRENCY_LIMIT, checkConcurrencyLimit } from './concurrency-limit.ts';
export { LOCK_EXCLUSIVE, checkLockExclusive } from './lock-exclusive.ts';
export { RUN_IDENTITY, checkRunIdentity } from './run-identity.ts';
export { CLIENT_NEVER_CLAIMS, CLIENT_NEVER_CLAIMS_STATE, checkClientNeverClaims, checkClientNeverClaimsState } from './client-never-claims.ts';
export { SHUTDOWN_CLEAN, SHUTDOWN_CLEAN_STATE, checkShutdownClean, checkShutdownCleanState } from './shutdown-clean.ts';
export { SINGLE_OWNER, checkSingleOwner } from './single-owner.ts';
export { STALE_WRITE_FENCED, checkStaleWriteFenced } from './stale-write-fenced.ts';
export { TERMINAL_FINAL, checkTerminalFinal } from './terminal-final.ts';
export { GROUP_ONCE, checkGroupOnce } from './group-once.ts';
export { REAPER_NOT_SELF, checkReaperNotSelf } from './reaper-not-self.ts';
export { NO_LOST_JOB, checkNoLostJob } from './no-lost-job.ts';
export { ALL_TERMINAL, checkAllTerminal } from './all-terminal.ts';
export { ORPHANS_RECOVERED, checkOrphansRecovered } from './orphans-recovered.ts';
export { LOCKS_RELEASED, checkLocksReleased } from './locks-released.ts';
export { GROUP_COMPLETED, checkGroupCompleted } from './group-completed.ts';
