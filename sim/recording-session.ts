// A process's view of the engine: every call is recorded as invoke → ok/fail,
// and every result is validated against the contract's zod schemas before the
// simulator believes it. A malformed result or a thrown error becomes an
// AdapterError that ends the run with "adapter error", never with a verdict.
import type { z } from 'zod';
import type { OperationEvent } from '../spec/history.ts';
import {
  BooleanResultSchema,
  ClaimResultSchema,
  EnqueueResultSchema,
  FailResultSchema,
  GroupResultSchema,
  ReapResultSchema,
  SanitizeResultSchema,
  ShutdownResultSchema,
  StartupResultSchema,
  type ClaimedJob,
  type EngineSession,
  type FailResult,
  type GroupResult,
  type JobSpec,
  type LeaseRef,
  type ReapResult,
  type SanitizeResult,
  type ShutdownResult,
  type StartupResult,
} from './adapter/contract.ts';
import { AdapterError } from './errors.ts';
import type { Recorder } from './recorder.ts';
import type { Scheduler, SimProcess } from './scheduler.ts';

type Fields = Omit<OperationEvent, 'index' | 'time' | 'type' | 'process' | 'run' | 'pid' | 'role' | 'op'>;

export interface OutcomeListener {
  /** Called for every ok event, so the world can follow progress (which jobs are terminal, which groups fired). */
  onOk(event: OperationEvent): void;
}

export class RecordingSession {
  constructor(
    private readonly session: EngineSession,
    private readonly process: SimProcess,
    private readonly recorder: Recorder,
    private readonly scheduler: Scheduler,
    private readonly listener: OutcomeListener,
  ) {}

  get hasGroups(): boolean {
    return typeof this.session.tryCompleteGroup === 'function';
  }

  get hasSanitize(): boolean {
    return typeof this.session.sanitize === 'function';
  }

  startup(): Promise<StartupResult> {
    return this.call('startup', {}, () => this.session.startup(), StartupResultSchema, (result) => ({
      jobs: result.requeued,
      failedJobs: result.failed,
    }));
  }

  enqueue(spec: JobSpec): Promise<{ jobId: number }> {
    const fields = { queue: spec.queue, ...(spec.group === undefined ? {} : { group: spec.group.id }) };
    return this.call('enqueue', fields, () => this.session.enqueue(spec), EnqueueResultSchema, (result) => ({ ...fields, job: result.jobId }));
  }

  claim(leaseToken: string): Promise<ClaimedJob | null> {
    return this.call('claim', { lease: leaseToken }, () => this.session.claim({ leaseToken }), ClaimResultSchema, (result) =>
      result === null ? { job: null, lease: null } : { job: result.jobId, lease: result.leaseToken, queue: result.queue },
    );
  }

  heartbeat(): Promise<boolean> {
    return this.call('heartbeat', {}, () => this.session.heartbeat(), BooleanResultSchema, (applied) => ({ applied }));
  }

  complete(lease: LeaseRef): Promise<boolean> {
    const fields = { job: lease.jobId, lease: lease.leaseToken };
    return this.call('complete', fields, () => this.session.complete(lease), BooleanResultSchema, (applied) => ({ ...fields, applied }));
  }

  fail(lease: LeaseRef, error: string): Promise<FailResult> {
    const fields = { job: lease.jobId, lease: lease.leaseToken };
    return this.call('fail', fields, () => this.session.fail({ ...lease, error }), FailResultSchema, (result) => ({
      ...fields,
      applied: result.applied,
      status: result.status,
    }));
  }

  release(lease: LeaseRef): Promise<boolean> {
    const fields = { job: lease.jobId, lease: lease.leaseToken };
    return this.call('release', fields, () => this.session.release(lease), BooleanResultSchema, (applied) => ({ ...fields, applied }));
  }

  reap(thresholdMs: number): Promise<ReapResult> {
    return this.call('reap', { thresholdMs }, () => this.session.reap({ thresholdMs }), ReapResultSchema, (result) => ({
      thresholdMs,
      workers: result.workers,
      jobs: result.requeued,
      failedJobs: result.failed,
    }));
  }

  tryCompleteGroup(groupId: string): Promise<GroupResult> {
    const run = this.session.tryCompleteGroup;
    if (run === undefined) return Promise.resolve(null);
    return this.call('tryCompleteGroup', { group: groupId }, () => run.call(this.session, groupId), GroupResultSchema, (status) => ({
      group: groupId,
      status,
    }));
  }

  sanitize(): Promise<SanitizeResult> {
    const run = this.session.sanitize;
    if (run === undefined) return Promise.resolve({ healed: [] });
    return this.call('sanitize', {}, () => run.call(this.session), SanitizeResultSchema, (result) => ({ jobs: result.healed }));
  }

  shutdown(): Promise<ShutdownResult> {
    return this.call('shutdown', {}, () => this.session.shutdown(), ShutdownResultSchema, (result) => ({ jobs: result.released }));
  }

  private async call<S extends z.ZodType>(
    op: OperationEvent['op'],
    invokeFields: Fields,
    run: () => Promise<unknown>,
    schema: S,
    okFields: (result: z.output<S>) => Fields,
  ): Promise<z.output<S>> {
    const fiber = this.scheduler.currentFiber();
    const common = { process: this.process.id, run: this.process.run, pid: this.process.pid, role: this.process.role, op };
    this.recorder.invoke(fiber, { ...common, ...invokeFields });
    let raw: unknown;
    try {
      raw = await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.recorder.fail(fiber, { ...common, ...invokeFields, error: message });
      // A guard around the adapter may already have named the fault; keep its words.
      if (error instanceof AdapterError) throw error;
      throw new AdapterError(op, `it threw: ${message}`, { cause: error });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue === undefined || issue.path.length === 0 ? '(result)' : issue.path.join('.');
      const message = `it returned ${JSON.stringify(raw)?.slice(0, 200)}, which does not fit the contract at ${path}: ${issue?.message ?? 'invalid'}`;
      this.recorder.fail(fiber, { ...common, ...invokeFields, error: message });
      throw new AdapterError(op, message);
    }
    const event = this.recorder.ok(fiber, { ...common, ...okFields(parsed.data) });
    this.listener.onOk(event);
    return parsed.data;
  }
}
