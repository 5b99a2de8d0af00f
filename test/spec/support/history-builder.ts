// Hand-built histories for the invariant tests, in the simulator's shape:
// every operation an invoke and its answer, world events for what the world did.
// Process ids starting with 'c' are clients; each process runs as `<id>.<generation>`.
import type { History, HistoryEvent, OperationEvent, WorldEvent } from '../../../spec/history.ts';
import type { JobState, State } from '../../../spec/state.ts';

type OperationFields = Partial<Omit<OperationEvent, 'index' | 'time' | 'process' | 'run' | 'pid' | 'type' | 'role' | 'op'>>;

export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private now = 0;
  private readonly generations = new Map<string, number>();
  private readonly pids = new Map<string, number>();
  private nextPid = 100;

  at(time: number): this {
    this.now = time;
    return this;
  }

  run(process: string): string {
    return `${process}.${this.generations.get(process) ?? 1}`;
  }

  private role(process: string): 'worker' | 'client' {
    return process.startsWith('c') ? 'client' : 'worker';
  }

  private pid(process: string): number {
    let pid = this.pids.get(process);
    if (pid === undefined) {
      pid = this.nextPid++;
      this.pids.set(process, pid);
    }
    return pid;
  }

  private operation(process: string, type: OperationEvent['type'], op: OperationEvent['op'], fields: OperationFields): this {
    this.events.push({
      index: this.events.length,
      time: this.now,
      process,
      run: this.run(process),
      pid: this.pid(process),
      type,
      role: this.role(process),
      op,
      ...fields,
    } as OperationEvent);
    return this;
  }

  invoke(process: string, op: OperationEvent['op'], fields: OperationFields = {}): this {
    return this.operation(process, 'invoke', op, fields);
  }

  ok(process: string, op: OperationEvent['op'], fields: OperationFields = {}): this {
    return this.operation(process, 'ok', op, fields);
  }

  failed(process: string, op: OperationEvent['op'], fields: OperationFields & { error: string }): this {
    return this.operation(process, 'fail', op, fields);
  }

  info(process: string, op: OperationEvent['op'], fields: OperationFields = {}): this {
    return this.operation(process, 'info', op, { error: 'process died; the outcome is unknown', ...fields });
  }

  world(process: string, op: WorldEvent['op'], fields: Partial<WorldEvent> = {}): this {
    const common =
      process === 'world'
        ? { process: 'world', run: null, pid: null, role: 'world' as const }
        : { process, run: this.run(process), pid: this.pid(process), role: this.role(process) };
    this.events.push({ index: this.events.length, time: this.now, type: 'world', op, ...common, ...fields } as WorldEvent);
    return this;
  }

  /** A new incarnation of the process (generation + 1, a new pid) and its world event. */
  spawn(process: string): this {
    this.generations.set(process, (this.generations.get(process) ?? 0) + 1);
    this.pids.set(process, this.nextPid++);
    return this.world(process, 'spawn');
  }

  crash(process: string): this {
    return this.world(process, 'crash', { detail: 'before its next call' });
  }

  exit(process: string): this {
    return this.world(process, 'exit');
  }

  restart(): this {
    return this.world('world', 'restart');
  }

  heal(): this {
    return this.world('world', 'heal');
  }

  enqueue(process: string, job: number, extra: { queue?: string; group?: string; groupSize?: number } = {}): this {
    const queue = extra.queue ?? 'q1';
    return this.invoke(process, 'enqueue', { queue }).ok(process, 'enqueue', { job, queue, ...(extra.group === undefined ? {} : { group: extra.group, groupSize: extra.groupSize ?? null }) });
  }

  claim(process: string, job: number | null, lease: string): this {
    return this.invoke(process, 'claim', { lease }).ok(process, 'claim', job === null ? { job: null, lease: null } : { job, lease, queue: 'q1' });
  }

  complete(process: string, job: number, lease: string, applied = true): this {
    return this.invoke(process, 'complete', { job, lease }).ok(process, 'complete', { job, lease, applied });
  }

  fail(process: string, job: number, lease: string, status: 'queued' | 'failed' | null): this {
    return this.invoke(process, 'fail', { job, lease }).ok(process, 'fail', { job, lease, applied: status !== null, status });
  }

  release(process: string, job: number, lease: string, applied = true): this {
    return this.invoke(process, 'release', { job, lease }).ok(process, 'release', { job, lease, applied });
  }

  heartbeat(process: string, applied = true): this {
    return this.invoke(process, 'heartbeat').ok(process, 'heartbeat', { applied });
  }

  startup(process: string, jobs: number[] = [], failedJobs: number[] = []): this {
    return this.invoke(process, 'startup').ok(process, 'startup', { jobs, failedJobs });
  }

  reap(process: string, thresholdMs: number, workers: string[], jobs: number[] = [], failedJobs: number[] = []): this {
    return this.invoke(process, 'reap', { thresholdMs }).ok(process, 'reap', { thresholdMs, workers, jobs, failedJobs });
  }

  group(process: string, group: string, status: 'completed' | 'failed' | null): this {
    return this.invoke(process, 'tryCompleteGroup', { group }).ok(process, 'tryCompleteGroup', { group, status });
  }

  shutdown(process: string, released: number[]): this {
    return this.invoke(process, 'shutdown').ok(process, 'shutdown', { jobs: released });
  }

  build(): History {
    return this.events;
  }
}

/** A job row with every field at its queued default. */
export function jobRow(id: number, fields: Partial<JobState> = {}): JobState {
  return {
    id,
    queue: 'q1',
    status: 'queued',
    owner: null,
    leaseToken: null,
    pid: null,
    runId: null,
    startedAt: null,
    attempts: 0,
    attemptsMax: 3,
    resourceKey: null,
    groupId: null,
    ...fields,
  };
}

/** A running job row owned by `owner`, stamped as a correct claim would stamp it. */
export function runningRow(id: number, owner: string, fields: Partial<JobState> = {}): JobState {
  return jobRow(id, { status: 'running', owner, leaseToken: `L${id}`, pid: 100, runId: `${owner}.1`, startedAt: 1000, attempts: 1, ...fields });
}

export function stateOf(fields: Partial<State> = {}): State {
  return {
    time: 10_000,
    jobs: [],
    workers: [],
    locks: [],
    groups: [],
    queues: [
      { name: 'q1', maxConcurrency: 1 },
      { name: 'q2', maxConcurrency: null },
    ],
    ...fields,
  };
}
