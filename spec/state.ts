// The normalized state snapshot: what any engine's rows are mapped to so that
// the same pure checkers can judge engines we did not write. Times are integer
// milliseconds on the engine's clock; ids of processes are the simulator's
// process ids (an adapter maps its own worker ids onto them).
import { z } from 'zod';

export const JobStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export const RoleSchema = z.enum(['worker', 'client']);
export type Role = z.infer<typeof RoleSchema>;

const time = z.number().int();

export const JobStateSchema = z.object({
  id: z.number().int().nonnegative(),
  queue: z.string(),
  status: JobStatusSchema,
  owner: z.string().nullable(),
  leaseToken: z.string().nullable(),
  pid: z.number().int().nullable(),
  runId: z.string().nullable(),
  startedAt: time.nullable(),
  attempts: z.number().int().nonnegative(),
  attemptsMax: z.number().int().positive(),
  resourceKey: z.string().nullable(),
  groupId: z.string().nullable(),
});
export type JobState = z.infer<typeof JobStateSchema>;

export const WorkerStateSchema = z.object({
  id: z.string(),
  role: RoleSchema,
  pid: z.number().int().nullable(),
  runId: z.string().nullable(),
  heartbeatAt: time,
  stopping: z.boolean(),
});
export type WorkerState = z.infer<typeof WorkerStateSchema>;

export const LockStateSchema = z.object({
  key: z.string(),
  holder: z.string(),
  jobId: z.number().int().nullable(),
  expiresAt: time,
});
export type LockState = z.infer<typeof LockStateSchema>;

export const GroupStateSchema = z.object({
  id: z.string(),
  size: z.number().int().positive(),
  status: z.enum(['open', 'completed', 'failed']),
});
export type GroupState = z.infer<typeof GroupStateSchema>;

export const QueueStateSchema = z.object({
  name: z.string(),
  maxConcurrency: z.number().int().positive().nullable(),
});
export type QueueState = z.infer<typeof QueueStateSchema>;

export const StateSchema = z.object({
  /** The observer's clock when the snapshot was taken (decides which locks are expired). */
  time,
  jobs: z.array(JobStateSchema),
  workers: z.array(WorkerStateSchema),
  locks: z.array(LockStateSchema),
  groups: z.array(GroupStateSchema),
  queues: z.array(QueueStateSchema),
});
export type State = z.infer<typeof StateSchema>;

/**
 * What the checker of a state invariant may know beyond the rows: facts the
 * world knows and an engine's tables need not (which process ids are clients,
 * which workers have finished a graceful shutdown).
 */
export interface StateContext {
  /** Process ids that are enqueue-only clients. */
  clients: ReadonlySet<string>;
  /** Worker ids whose graceful shutdown has returned (and which have not started again since). */
  shutDown: ReadonlySet<string>;
}
