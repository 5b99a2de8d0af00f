// The adapter contract: how the simulator (and the conformance suite) drives an
// engine. An engine author implements EngineAdapter in one module; the reference
// engine is the first adapter. Everything an adapter returns crosses a zod
// schema (./validate.ts), so a broken adapter gets an "adapter error", never a
// false verdict.
import { z } from 'zod';
import type { Database, ExecutedStatement } from '../../src/db/database.ts';
import { CapabilitiesSchema, type Capabilities } from '../../spec/capabilities.ts';
import type { Role, State, StateContext } from '../../spec/state.ts';

/** What a simulated (or real) process hands the engine. Under simulation every `db` call is a scheduling point. */
export interface ProcessContext {
  /** Stable process id ('w1', 'c1'); a restarted worker keeps its id and gets a new runId. */
  readonly processId: string;
  readonly role: Role;
  readonly pid: number | null;
  /** Unique per incarnation. */
  readonly runId: string;
  readonly db: Database;
  /** This process's clock (it may be skewed against the others). Integer ms. */
  readonly clock: { now(): number };
  /** Deterministic ids: ids.next('L') → 'L17'. */
  readonly ids: { next(prefix: string): string };
  /** The OS process table. The reference engine never trusts a bare pid; some buggy engines do. */
  readonly os: { isAlive(pid: number): boolean };
  /**
   * The timings the world runs with, as a user would configure an engine:
   * an engine must not, say, let a lock expire between two heartbeats. Absent:
   * the adapter's own defaults.
   */
  readonly settings?: EngineSettings;
}

export interface EngineSettings {
  heartbeatIntervalMs: number;
  /** TTL of resource locks; always several heartbeat intervals. */
  lockTtlMs: number;
  reaperThresholdMs: number;
}

export const JobSpecSchema = z.object({
  queue: z.string().min(1),
  type: z.string().min(1).optional(),
  payload: z.unknown().optional(),
  priority: z.number().int().optional(),
  availableAt: z.number().int().optional(),
  resourceKey: z.string().min(1).optional(),
  attemptsMax: z.number().int().positive().optional(),
  idempotencyKey: z.string().min(1).optional(),
  group: z.object({ id: z.string().min(1), size: z.number().int().positive() }).optional(),
});
export type JobSpec = z.infer<typeof JobSpecSchema>;

const jobId = z.number().int().nonnegative();
const jobIds = z.array(jobId);

export const EnqueueResultSchema = z.object({ jobId });
export const ClaimedJobSchema = z.object({
  jobId,
  leaseToken: z.string().min(1),
  queue: z.string(),
  payload: z.unknown(),
  attempts: z.number().int().nonnegative(),
  resourceKey: z.string().nullable(),
  groupId: z.string().nullable(),
});
export type ClaimedJob = z.infer<typeof ClaimedJobSchema>;
export const ClaimResultSchema = ClaimedJobSchema.nullable();
export const BooleanResultSchema = z.boolean();
export const FailResultSchema = z.object({ applied: z.boolean(), status: z.enum(['queued', 'failed']).nullable() });
export type FailResult = z.infer<typeof FailResultSchema>;
export const ReapResultSchema = z.object({ workers: z.array(z.string()), requeued: jobIds, failed: jobIds });
export type ReapResult = z.infer<typeof ReapResultSchema>;
export const StartupResultSchema = z.object({ requeued: jobIds, failed: jobIds, healed: jobIds });
export type StartupResult = z.infer<typeof StartupResultSchema>;
export const ShutdownResultSchema = z.object({ released: jobIds });
export type ShutdownResult = z.infer<typeof ShutdownResultSchema>;
export const SanitizeResultSchema = z.object({ healed: jobIds });
export type SanitizeResult = z.infer<typeof SanitizeResultSchema>;
export const GroupResultSchema = z.enum(['completed', 'failed']).nullable();
export type GroupResult = z.infer<typeof GroupResultSchema>;

export interface LeaseRef {
  jobId: number;
  leaseToken: string;
}

/** One process's handle on the engine. Methods read the time from ctx.clock. */
export interface EngineSession {
  /** Register this process (worker or client) and recover what an earlier incarnation left. */
  startup(): Promise<StartupResult>;
  enqueue(job: JobSpec): Promise<{ jobId: number }>;
  /** Workers only. `leaseToken` is a fresh token from the caller; engines without tokens may return their own. */
  claim(args: { leaseToken: string; queues?: string[] }): Promise<ClaimedJob | null>;
  heartbeat(): Promise<boolean>;
  complete(lease: LeaseRef): Promise<boolean>;
  fail(lease: LeaseRef & { error: string }): Promise<FailResult>;
  release(lease: LeaseRef): Promise<boolean>;
  reap(args: { thresholdMs: number }): Promise<ReapResult>;
  tryCompleteGroup?(groupId: string): Promise<GroupResult>;
  sanitize?(): Promise<SanitizeResult>;
  shutdown(): Promise<ShutdownResult>;
}

export interface WorldSetup {
  queues: { name: string; maxConcurrency: number | null }[];
}

export interface EngineAdapter {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** Creates the engine's tables in an empty database. */
  install(db: Database): Promise<void>;
  /** Empties every row so the database can host the next seed. Without it, each seed gets a fresh database. */
  reset?(db: Database): Promise<void>;
  /** Declares the world's queues; runs before any process starts, outside scheduling. */
  setup(db: Database, now: number, world: WorldSetup): Promise<void>;
  open(ctx: ProcessContext): EngineSession | Promise<EngineSession>;
  /** The normalized rows. Runs outside scheduling. Required for state invariants (capability stateView). */
  observe?(db: Database, now: number): Promise<State>;
  /**
   * Fast state check for SQL engines: the ids of the state invariants violated now, in one query.
   * When it returns any, the harness calls observe() and the pure checkers for the explanation.
   */
  checkState?(db: Database, now: number, context: StateContext): Promise<string[]>;
  /**
   * The longest a failed attempt's job waits before it can be claimed again
   * (the engine's retry backoff, as the adapter's fail() leaves it), ms. With
   * it and observe(), the simulator ends a heal phase in which no job's row has
   * changed for longer than any recovery takes (world/options.ts stallBoundMs)
   * instead of running it to its budget. Leave it out when the engine has waits
   * of its own beyond the world's timings: the heal then runs to its budget.
   */
  readonly retryBackoffMaxMs?: number;
  /**
   * Whether a turn that ran only these statements, with these results, cannot
   * have changed what checkState() reports under `context`. The harness runs
   * checkState after every turn that ran a statement, and the check is ~40% of
   * a seed's time; after a turn this answers true for (with the context the
   * same and the previous check clean) it skips the check. Only for an adapter
   * that knows its own SQL: answer false for anything it cannot vouch for.
   * Without it, every such turn is checked.
   */
  unchangedBy?(statements: readonly ExecutedStatement[], context: StateContext): boolean;
}

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'expected a function');
const optionalFn = fn.optional();

/** The shape a loaded adapter module must have; checked before anything runs. */
export const AdapterShapeSchema = z.object({
  name: z.string().min(1),
  capabilities: CapabilitiesSchema,
  install: fn,
  reset: optionalFn,
  setup: fn,
  open: fn,
  observe: optionalFn,
  checkState: optionalFn,
  unchangedBy: optionalFn,
  retryBackoffMaxMs: z.number().int().nonnegative().optional(),
});
