// The catalog: every invariant of the kit in one stable order (state, then
// history, then liveness; within a kind, roughly from the row up to the run).
// Reports, INVARIANTS.md and the mutant expectations all follow this order and
// these ids; an id is never renamed or reused once released.
import type { HistoryInvariant, Invariant, LivenessInvariant, StateInvariant } from './invariants/definition.ts';
import { ALL_TERMINAL } from './invariants/all-terminal.ts';
import { ATTEMPTS_BOUNDED } from './invariants/attempts-bounded.ts';
import { CLIENT_NEVER_CLAIMS, CLIENT_NEVER_CLAIMS_STATE } from './invariants/client-never-claims.ts';
import { CONCURRENCY_LIMIT } from './invariants/concurrency-limit.ts';
import { GROUP_COMPLETED } from './invariants/group-completed.ts';
import { GROUP_ONCE } from './invariants/group-once.ts';
import { LOCK_EXCLUSIVE } from './invariants/lock-exclusive.ts';
import { LOCKS_RELEASED } from './invariants/locks-released.ts';
import { NO_LOST_JOB } from './invariants/no-lost-job.ts';
import { ORPHANS_RECOVERED } from './invariants/orphans-recovered.ts';
import { QUEUED_CLEAN } from './invariants/queued-clean.ts';
import { REAPER_NOT_SELF } from './invariants/reaper-not-self.ts';
import { RUN_IDENTITY } from './invariants/run-identity.ts';
import { RUNNING_OWNED } from './invariants/running-owned.ts';
import { SHUTDOWN_CLEAN, SHUTDOWN_CLEAN_STATE } from './invariants/shutdown-clean.ts';
import { SINGLE_OWNER } from './invariants/single-owner.ts';
import { STALE_WRITE_FENCED } from './invariants/stale-write-fenced.ts';
import { TERMINAL_FINAL } from './invariants/terminal-final.ts';

export const STATE_INVARIANTS: readonly StateInvariant[] = [
  QUEUED_CLEAN,
  RUNNING_OWNED,
  ATTEMPTS_BOUNDED,
  CONCURRENCY_LIMIT,
  LOCK_EXCLUSIVE,
  RUN_IDENTITY,
  CLIENT_NEVER_CLAIMS_STATE,
  SHUTDOWN_CLEAN_STATE,
];

export const HISTORY_INVARIANTS: readonly HistoryInvariant[] = [
  SINGLE_OWNER,
  STALE_WRITE_FENCED,
  TERMINAL_FINAL,
  GROUP_ONCE,
  REAPER_NOT_SELF,
  CLIENT_NEVER_CLAIMS,
  SHUTDOWN_CLEAN,
  NO_LOST_JOB,
];

export const LIVENESS_INVARIANTS: readonly LivenessInvariant[] = [ALL_TERMINAL, ORPHANS_RECOVERED, LOCKS_RELEASED, GROUP_COMPLETED];

export const CATALOG: readonly Invariant[] = [...STATE_INVARIANTS, ...HISTORY_INVARIANTS, ...LIVENESS_INVARIANTS];

/** Every id of the catalog, in catalog order (a test keeps the two in step). */
export const INVARIANT_IDS = [
  'QUEUED_CLEAN',
  'RUNNING_OWNED',
  'ATTEMPTS_BOUNDED',
  'CONCURRENCY_LIMIT',
  'LOCK_EXCLUSIVE',
  'RUN_IDENTITY',
  'CLIENT_NEVER_CLAIMS_STATE',
  'SHUTDOWN_CLEAN_STATE',
  'SINGLE_OWNER',
  'STALE_WRITE_FENCED',
  'TERMINAL_FINAL',
  'GROUP_ONCE',
  'REAPER_NOT_SELF',
  'CLIENT_NEVER_CLAIMS',
  'SHUTDOWN_CLEAN',
  'NO_LOST_JOB',
  'ALL_TERMINAL',
  'ORPHANS_RECOVERED',
  'LOCKS_RELEASED',
  'GROUP_COMPLETED',
] as const;
export type InvariantId = (typeof INVARIANT_IDS)[number];

const BY_ID = new Map<string, Invariant>(CATALOG.map((invariant) => [invariant.id, invariant]));

export function invariantById(id: string): Invariant | undefined {
  return BY_ID.get(id);
}

/** The rule an id belongs to: 'CLIENT_NEVER_CLAIMS_STATE' → 'CLIENT_NEVER_CLAIMS'. Unknown ids are their own family. */
export function familyOf(id: string): string {
  return BY_ID.get(id)?.family ?? id;
}
