// One round of the real-Postgres lane. The processes are the simulator's own
// programs (sim/processes: worker, client, enqueue loop) given a real-time
// runtime instead of the scheduler: each loop is a plain async loop, each
// process has its own pool of real connections, so claims really race under
// READ COMMITTED and SKIP LOCKED really skips. Faults are real too: a killed
// worker's backends are terminated with pg_terminate_backend, mid-transaction
// when it has one open, and the worker starts again as a new incarnation.
//
// Evidence is the simulator's: the same recorder and event format, state
// snapshots taken in one REPEATABLE READ transaction, the same checkers. What is
// not the simulator's is the order of events: it is real time, so a round is
// not reproducible and its seed names only the workload.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database } from '../../src/db/database.ts';
import { createPostgresDatabase, type PostgresDatabase } from '../../src/db/postgres.ts';
import { checkState } from '../../spec/check.ts';
import type { OperationEvent } from '../../spec/history.ts';
import { rebaseState } from '../../spec/rebase-state.ts';
import type { State, StateContext } from '../../spec/state.ts';
import type { Violation } from '../../spec/verdict.ts';
import type { EngineAdapter, ProcessContext } from '../../sim/adapter/contract.ts';
import { SimulatedOs } from '../../sim/os.ts';
import { clientProgram } from '../../sim/processes/client.ts';
import type { ProcessRuntime } from '../../sim/processes/runtime.ts';
import { workerProgram } from '../../sim/processes/worker.ts';
import { RecordingSession } from '../../sim/recording-session.ts';
import type { Fiber, Scheduler, SimProcess } from '../../sim/scheduler.ts';
import type { PlannedJob } from '../../sim/world/workload.ts';
import { AdapterError } from '../../sim/errors.ts';
import { faultFromError, type AdapterFault } from '../adapter-fault.ts';
import { epochNowMs, realSleep, startRealTimer, type RealTimer } from '../real-clock.ts';
import { LaneRecorder } from './lane-recorder.ts';
import { ProcessDatabase, ProcessGoneError, ignoreClientErrors } from './process-database.ts';
import type { Round } from './round.ts';
import { inSnapshot } from './snapshot-database.ts';

/** Connections per process: its main, heartbeat, reaper and enqueue loops may each have a call in flight. */
const CONNECTIONS_PER_PROCESS = 4;

/** The states of a process's backends: 'active' or 'idle in transaction' means a statement or transaction is open. */
const BACKEND_STATES = `
  SELECT count(*) FILTER (WHERE state IN ('active', 'idle in transaction', 'idle in transaction (aborted)'))::int AS busy
  FROM pg_stat_activity
  WHERE application_name = $1 AND datname = current_database()`;

const TERMINATE_BACKENDS = `
  SELECT count(*) FILTER (WHERE state IN ('active', 'idle in transaction', 'idle in transaction (aborted)'))::int AS in_transaction,
         count(pg_terminate_backend(pid))::int AS terminated
  FROM pg_stat_activity
  WHERE application_name = $1 AND datname = current_database()`;

/** Looks this many times (1 ms apart) for the victim to be inside a statement or transaction before killing it anyway. */
const CATCH_IN_TRANSACTION_TRIES = 30;

export interface RoundSettings {
  connectionString: string;
  schema: string;
  adapter: EngineAdapter;
  round: Round;
  /** Real ms between two state snapshots. */
  stateCheckIntervalMs: number;
  /** Bound on waiting for the loops to stop at the end, ms. */
  stopWaitMs: number;
}

export interface RoundEvidence {
  recorder: LaneRecorder;
  stateViolations: Violation[];
  finalState: State | null;
  healTime: number;
  endTime: number;
  healCompleted: boolean;
  aliveProcesses: string[];
  fault: AdapterFault | null;
  kills: number;
  killsInTransaction: number;
  stops: number;
  restarts: number;
  statements: number;
  enqueued: number;
}

interface LiveProcess {
  sim: SimProcess;
  db: ProcessDatabase;
  state: 'alive' | 'closing' | 'gone';
  sleepers: Set<Sleeper>;
  loops: Map<Fiber, Promise<void>>;
}

interface Sleeper {
  interruptible: boolean;
  wake(result: 'elapsed' | 'interrupted' | 'gone'): void;
}

interface Slot {
  id: string;
  role: 'worker' | 'client';
  index: number;
  generation: number;
  current: LiveProcess | null;
  finished: boolean;
  restartPending: boolean;
  starting: boolean;
}

export class RoundRunner {
  private readonly recorder: LaneRecorder;
  private readonly os: SimulatedOs;
  private readonly slots = new Map<string, Slot>();
  private readonly loopFiber = new AsyncLocalStorage<Fiber>();
  private readonly allLoops = new Set<Promise<void>>();
  private readonly enqueuedJobs = new Map<number, number>();
  private readonly terminalJobs = new Set<number>();
  private readonly firedGroups = new Set<string>();
  private readonly shutDown = new Set<string>();
  /** Bumped whenever a process enters or leaves `shutDown`: a snapshot's context uses only memberships stable across it. */
  private readonly shutDownVersion = new Map<string, number>();
  private readonly stateViolationKeys = new Set<string>();
  private readonly stateViolations: Violation[] = [];
  private readonly idSeq = new Map<string, number>();
  private readonly epochMs: number;
  private phase: 'setup' | 'safety' | 'heal' | 'over' = 'setup';
  private healTime = -1;
  private fiberSeq = 0;
  private fault: AdapterFault | null = null;
  private admin: PostgresDatabase | null = null;
  private observer: PostgresDatabase | null = null;
  private kills = 0;
  private killsInTransaction = 0;
  private stops = 0;
  private restarts = 0;
  private statements = 0;
  /** The scheduler RecordingSession asks "which loop is calling?"; here the answer comes from the async context. */
  private readonly loopLookup: Scheduler;

  constructor(private readonly settings: RoundSettings) {
    this.epochMs = epochNowMs();
    this.recorder = new LaneRecorder(() => epochNowMs() - this.epochMs);
    this.os = new SimulatedOs(settings.round.options.pidMax);
    // RecordingSession reads only currentFiber() of its scheduler (sim/recording-session.ts).
    this.loopLookup = { currentFiber: () => this.loopFiber.getStore() ?? null } as unknown as Scheduler;
    const { options } = settings.round;
    for (let index = 0; index < options.clients; index += 1) this.addSlot(`c${index + 1}`, 'client', index);
    for (let index = 0; index < options.workers; index += 1) this.addSlot(`w${index + 1}`, 'worker', index);
  }

  async run(): Promise<RoundEvidence> {
    const { adapter, round, connectionString, schema } = this.settings;
    const { options } = round;
    let finalState: State | null = null;
    let healCompleted = false;
    let alive: string[] = [];
    try {
      this.admin = await createPostgresDatabase({ connectionString, schema, max: 2 });
      this.observer = await createPostgresDatabase({ connectionString, schema, max: 1 });
      ignoreClientErrors(this.admin.pool);
      ignoreClientErrors(this.observer.pool);
      const admin = this.admin;
      await asOperation('install', () => adapter.install(admin));
      await asOperation('setup', () => adapter.setup(admin, epochNowMs(), { queues: options.queues }));

      this.phase = 'safety';
      for (const slot of this.slots.values()) void this.start(slot);
      const faults = this.faultLoop();
      const safetyEnds = this.now() + options.safetyMs;
      while (this.fault === null && !this.allDone() && this.now() < safetyEnds) await this.tick();
      this.phase = 'heal';
      await faults;
      if (this.fault === null) {
        this.heal();
        const healEnds = this.healTime + options.healBudgetMs;
        let drainUntil = Infinity;
        while (this.fault === null && this.now() < Math.min(healEnds, drainUntil)) {
          await this.tick();
          // Done, then a little longer so reapers sweep the last groups and locks.
          if (drainUntil === Infinity && this.allDone()) drainUntil = this.now() + 2 * options.reaperIntervalMs + options.heartbeatIntervalMs;
        }
        healCompleted = drainUntil !== Infinity;
      }
      alive = [...this.slots.values()].filter((slot) => slot.current?.state === 'alive').map((slot) => slot.current!.sim.id);
      await this.stopEverything();
      if (this.fault === null && adapter.observe !== undefined) finalState = await this.observe();
    } catch (error) {
      this.fault ??= faultFromError(error, round.options.seed);
      await this.stopEverything();
    } finally {
      await this.observer?.close().catch(() => undefined);
      await this.admin?.close().catch(() => undefined);
    }
    return {
      recorder: this.recorder,
      stateViolations: this.stateViolations,
      finalState,
      healTime: this.healTime,
      endTime: this.now(),
      healCompleted,
      aliveProcesses: alive,
      fault: this.fault,
      kills: this.kills,
      killsInTransaction: this.killsInTransaction,
      stops: this.stops,
      restarts: this.restarts,
      statements: this.statements,
      enqueued: this.enqueuedJobs.size,
    };
  }

  /** A method, not a field test: the phase changes while a caller awaits. */
  private isOver(): boolean {
    return this.phase === 'over';
  }

  /** History time: real ms since the round began (process clocks read epoch ms, as the simulator's read EPOCH_MS + time). */
  private now(): number {
    return epochNowMs() - this.epochMs;
  }

  private async tick(): Promise<void> {
    await realSleep(this.settings.stateCheckIntervalMs);
    if (this.fault !== null || this.settings.adapter.observe === undefined) return;
    try {
      await this.checkState();
    } catch (error) {
      this.fault ??= faultFromError(error, this.settings.round.options.seed);
    }
  }

  // ---- progress ---------------------------------------------------------------

  private onOk(event: OperationEvent): void {
    if (this.recorder.isDead(event.run)) return;
    switch (event.op) {
      case 'complete':
        if (event.applied === true && event.job != null) this.terminalJobs.add(event.job);
        break;
      case 'fail':
        if (event.applied === true && event.status === 'failed' && event.job != null) this.terminalJobs.add(event.job);
        break;
      case 'reap':
      case 'startup':
        for (const job of event.failedJobs ?? []) this.terminalJobs.add(job);
        if (event.op === 'startup' && this.shutDown.delete(event.process)) this.bumpShutDown(event.process);
        break;
      case 'tryCompleteGroup':
        if (event.status != null && event.group != null) this.firedGroups.add(event.group);
        break;
      case 'shutdown':
        this.shutDown.add(event.process);
        this.bumpShutDown(event.process);
        break;
      default:
        break;
    }
  }

  private bumpShutDown(process: string): void {
    this.shutDownVersion.set(process, (this.shutDownVersion.get(process) ?? 0) + 1);
  }

  private allDone(): boolean {
    if (this.enqueuedJobs.size < this.settings.round.jobs.length) return false;
    for (const jobId of this.enqueuedJobs.values()) if (!this.terminalJobs.has(jobId)) return false;
    return true;
  }

  // ---- processes ----------------------------------------------------------------

  private addSlot(id: string, role: 'worker' | 'client', index: number): void {
    this.slots.set(id, { id, role, index, generation: 0, current: null, finished: false, restartPending: false, starting: false });
  }

  private nextId(prefix: string): string {
    const next = (this.idSeq.get(prefix) ?? 0) + 1;
    this.idSeq.set(prefix, next);
    return `${prefix}${next}`;
  }

  private async start(slot: Slot): Promise<void> {
    if (slot.starting || this.isOver() || this.fault !== null) return;
    slot.starting = true;
    slot.restartPending = false;
    try {
      const { options } = this.settings.round;
      slot.generation += 1;
      if (slot.generation > 1) this.restarts += 1;
      const run = `${slot.id}.${slot.generation}`;
      const id = slot.role === 'worker' && options.workerIdentity === 'per-start' && slot.generation > 1 ? `${slot.id}~${slot.generation}` : slot.id;
      const db = await ProcessDatabase.open({
        connectionString: this.settings.connectionString,
        schema: this.settings.schema,
        tag: `wfc_${this.settings.schema}_${run}`.slice(0, 63),
        connectionsMax: CONNECTIONS_PER_PROCESS,
        onStatement: () => {
          this.statements += 1;
          const fiber = this.loopFiber.getStore();
          if (fiber !== undefined) this.recorder.statement(fiber);
        },
      });
      if (this.isOver() || this.fault !== null) {
        await db.close();
        return;
      }
      const pid = this.os.spawn(slot.id);
      const sim: SimProcess = { id, run, role: slot.role, pid, generation: slot.generation, skewMs: 0, alive: true, pausedUntil: 0, stopRequested: false, fibers: [] };
      const process: LiveProcess = { sim, db, state: 'alive', sleepers: new Set(), loops: new Map() };
      slot.current = process;
      this.recorder.world({ process: id, run, pid, role: slot.role, op: 'spawn', detail: `generation ${slot.generation}, real connections tagged ${db.tag}` });
      const context: ProcessContext = {
        processId: id,
        role: slot.role,
        pid,
        runId: run,
        db,
        clock: { now: epochNowMs },
        ids: { next: (prefix) => this.nextId(prefix) },
        os: { isAlive: (candidate) => this.os.isAlive(candidate) },
        settings: { heartbeatIntervalMs: options.heartbeatIntervalMs, lockTtlMs: options.lockTtlMs, reaperThresholdMs: options.reaperThresholdMs },
      };
      this.spawnLoop(process, 'main', async () => {
        const session = new RecordingSession(await this.settings.adapter.open(context), sim, this.recorder, this.loopLookup, { onOk: (event) => this.onOk(event) });
        const runtime = this.runtime(process, slot, session);
        if (slot.role === 'client') await clientProgram(runtime);
        else await workerProgram(runtime);
      });
    } catch (error) {
      this.fault ??= faultFromError(error, this.settings.round.options.seed);
    } finally {
      slot.starting = false;
    }
  }

  private runtime(process: LiveProcess, slot: Slot, session: RecordingSession): ProcessRuntime {
    const { options, jobs, groups } = this.settings.round;
    return {
      process: process.sim,
      options,
      session,
      isReaper: slot.role === 'worker' && slot.index < options.reapers,
      nextId: (prefix) => this.nextId(prefix),
      worldTimeMs: () => this.now(),
      sleep: (ms, interruptible = false) => this.sleep(process, ms, interruptible),
      spawnLoop: (name, body) => this.spawnLoop(process, name, body),
      pendingEnqueues: () => jobs.filter((job: PlannedJob) => job.enqueuer === slot.id && !this.enqueuedJobs.has(job.k)),
      enqueued: (job, jobId) => {
        if (process.state !== 'gone') this.enqueuedJobs.set(job.k, jobId);
      },
      openGroups: () => groups.map((group) => group.id).filter((id) => !this.firedGroups.has(id)),
      exit: (detail) => this.exit(process, slot, detail),
    };
  }

  private spawnLoop(process: LiveProcess, name: string, body: () => Promise<void>): void {
    const fiber: Fiber = {
      id: this.fiberSeq++,
      name,
      process: process.sim,
      wakeAt: 0,
      pausedUntil: 0,
      parked: false,
      kind: 'start',
      interruptible: false,
      interrupted: false,
      done: false,
      priority: 0,
      weight: 1,
      resume: null,
    };
    process.sim.fibers.push(fiber);
    const loop = this.loopFiber.run(fiber, async () => {
      try {
        await body();
      } catch (error) {
        this.loopFailed(process, error);
      } finally {
        fiber.done = true;
      }
    });
    process.loops.set(fiber, loop);
    this.allLoops.add(loop);
    void loop.finally(() => {
      process.loops.delete(fiber);
      this.allLoops.delete(loop);
    });
  }

  /** A loop ended with an error: expected when its process is gone, an adapter fault otherwise. */
  private loopFailed(process: LiveProcess, error: unknown): void {
    if (error instanceof ProcessGoneError || process.state !== 'alive' || this.isOver()) return;
    this.fault ??= faultFromError(error, this.settings.round.options.seed);
  }

  private async sleep(process: LiveProcess, ms: number, interruptible: boolean): Promise<'elapsed' | 'interrupted'> {
    if (process.state !== 'alive' || this.isOver()) throw new ProcessGoneError(`${process.sim.run} is no longer running`);
    if (interruptible && process.sim.stopRequested) return 'interrupted';
    const result = await new Promise<'elapsed' | 'interrupted' | 'gone'>((resolve) => {
      const sleeper: Sleeper = {
        interruptible,
        wake: (value) => {
          timer.cancel();
          process.sleepers.delete(sleeper);
          resolve(value);
        },
      };
      const timer = startRealTimer(ms, () => sleeper.wake('elapsed'), true);
      process.sleepers.add(sleeper);
    });
    if (result === 'gone' || process.state !== 'alive' || this.isOver()) throw new ProcessGoneError(`${process.sim.run} is no longer running`);
    return result;
  }

  private wakeAll(process: LiveProcess, value: 'interrupted' | 'gone'): void {
    for (const sleeper of [...process.sleepers]) if (value === 'gone' || sleeper.interruptible) sleeper.wake(value);
  }

  /** A graceful exit: the other loops finish their call in flight, then the process ends. */
  private async exit(process: LiveProcess, slot: Slot, detail: string): Promise<never> {
    if (process.state === 'alive') {
      process.state = 'closing';
      this.wakeAll(process, 'gone');
      const self = this.loopFiber.getStore();
      await Promise.all([...process.loops.entries()].filter(([fiber]) => fiber !== self).map(([, loop]) => loop));
      if (process.state === 'closing') {
        const sim = process.sim;
        this.recorder.world({ process: sim.id, run: sim.run, pid: sim.pid, role: sim.role, op: 'exit', detail });
        this.end(process);
        if (slot.role === 'client') slot.finished = true;
        // A worker that shut down gracefully is started again by its supervisor, as in a rolling deploy.
        else this.scheduleRestart(slot);
      }
    }
    throw new ProcessGoneError(`${process.sim.run} exited: ${detail}`);
  }

  private end(process: LiveProcess): void {
    process.state = 'gone';
    process.sim.alive = false;
    this.recorder.markDead(process.sim.run);
    if (process.sim.pid !== null) this.os.exit(process.sim.pid);
    this.wakeAll(process, 'gone');
    void process.db.close();
  }

  /** Kills a worker: its backends are terminated (rolling back any open transaction), its calls in flight become `info`. */
  private async kill(process: LiveProcess, slot: Slot): Promise<void> {
    if (process.state !== 'alive') return;
    // Wait briefly for the victim to be mid-statement or mid-transaction: that is the kill worth testing.
    for (let attempt = 0; attempt < CATCH_IN_TRANSACTION_TRIES; attempt += 1) {
      const { rows } = await this.admin!.pool.query<{ busy: number }>(BACKEND_STATES, [process.db.tag]);
      if ((rows[0]?.busy ?? 0) > 0 || process.state !== 'alive') break;
      await realSleep(1);
    }
    if (process.state !== 'alive') return;
    const sim = process.sim;
    const detail = 'its connections were terminated (pg_terminate_backend), mid-transaction when it had one open';
    this.recorder.world({ process: sim.id, run: sim.run, pid: sim.pid, role: sim.role, op: 'crash', detail });
    this.recorder.crashed(sim.fibers, 'when its connections were terminated');
    process.db.markGone('killed');
    this.end(process);
    this.kills += 1;
    const { rows } = await this.admin!.pool.query<{ in_transaction: number; terminated: number }>(TERMINATE_BACKENDS, [process.db.tag]);
    if ((rows[0]?.in_transaction ?? 0) > 0) this.killsInTransaction += 1;
    this.scheduleRestart(slot);
  }

  private requestStop(process: LiveProcess): void {
    if (process.state !== 'alive' || process.sim.stopRequested) return;
    process.sim.stopRequested = true;
    this.stops += 1;
    const sim = process.sim;
    this.recorder.world({ process: sim.id, run: sim.run, pid: sim.pid, role: sim.role, op: 'stop', detail: 'a graceful stop signal (rolling deploy)' });
    this.wakeAll(process, 'interrupted');
  }

  private scheduleRestart(slot: Slot): void {
    if (slot.restartPending || slot.finished || this.isOver()) return;
    slot.restartPending = true;
    startRealTimer(this.settings.round.options.restartDelayMs, () => {
      if (slot.restartPending && slot.current?.state !== 'alive') void this.start(slot);
    });
  }

  // ---- phases ---------------------------------------------------------------------

  /** Kills (and some graceful stops) at drawn real-time gaps, during the safety phase only. */
  private async faultLoop(): Promise<void> {
    const { round } = this.settings;
    const random = round.faults;
    let killsLeft = round.options.workers > 0 ? round.killsMax : 0;
    while (killsLeft > 0 && this.phase === 'safety' && this.fault === null) {
      await realSleep(random.int(round.killGapMs.min, round.killGapMs.max));
      if (this.phase !== 'safety' || this.fault !== null) return;
      const candidates = [...this.slots.values()].filter((slot) => slot.role === 'worker' && slot.current?.state === 'alive');
      if (candidates.length === 0) continue;
      const slot = random.pick(candidates);
      if (random.chance(round.stopPerMille, 1000)) {
        this.requestStop(slot.current!);
        continue;
      }
      killsLeft -= 1;
      try {
        await this.kill(slot.current!, slot);
      } catch (error) {
        this.fault ??= faultFromError(new Error(`the lane could not terminate a worker's backends: ${error instanceof Error ? error.message : String(error)}`), round.options.seed);
      }
    }
  }

  private heal(): void {
    this.healTime = this.now();
    this.recorder.world({ process: 'world', run: null, pid: null, role: 'world', op: 'heal', detail: 'faults stop; every process runs again' });
    for (const slot of this.slots.values()) {
      if (slot.current?.state === 'alive' || slot.finished) continue;
      void this.start(slot);
    }
  }

  private async stopEverything(): Promise<void> {
    this.phase = 'over';
    for (const slot of this.slots.values()) if (slot.current !== null) this.wakeAll(slot.current, 'gone');
    // Each loop finishes the call it has in flight (the watchdog bounds it), then ends at its next sleep.
    // A cancelled timer, not realSleep: a pending bound would keep the process alive long after the round.
    let bound: RealTimer | null = null;
    const limit = new Promise<void>((resolve) => {
      bound = startRealTimer(this.settings.stopWaitMs, resolve);
    });
    await Promise.race([Promise.allSettled([...this.allLoops]), limit]);
    (bound as RealTimer | null)?.cancel();
    for (const slot of this.slots.values()) {
      const process = slot.current;
      if (process !== null && process.state !== 'gone') {
        process.state = 'gone';
        await process.db.close();
      }
    }
  }

  // ---- state ------------------------------------------------------------------------

  /** The engine's state on the history's clock (ms since the round began), as the simulator rebases its rows onto simulated time. */
  private async observe(): Promise<State> {
    const observe = this.settings.adapter.observe!;
    return rebaseState(await inSnapshot(this.observer!, (snapshot: Database) => observe.call(this.settings.adapter, snapshot, epochNowMs())), this.epochMs);
  }

  private async checkState(): Promise<void> {
    const before = new Map(this.shutDownVersion);
    const eventIndex = this.recorder.events.length - 1;
    const state = await this.observe();
    const shutDown = new Set<string>();
    for (const process of this.shutDown) if (before.get(process) === this.shutDownVersion.get(process)) shutDown.add(process);
    const clients = new Set<string>();
    for (const slot of this.slots.values()) if (slot.role === 'client' && slot.current !== null) clients.add(slot.current.sim.id);
    const context: StateContext = { clients, shutDown };
    const enqueued = new Set(this.enqueuedJobs.values());
    // Progress from the rows: a job whose terminal write became `info` in a kill is terminal here and unknown to the history.
    for (const job of state.jobs) if (enqueued.has(job.id) && (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled')) this.terminalJobs.add(job.id);
    for (const violation of checkState(state, context, this.settings.adapter.capabilities).violations) {
      const key = `${violation.invariant}:${violation.jobs.join(',')}:${violation.processes.join(',')}`;
      if (this.stateViolationKeys.has(key)) continue;
      this.stateViolationKeys.add(key);
      this.stateViolations.push({ ...violation, eventIndex: Math.max(0, eventIndex), time: this.now() });
    }
  }
}


/** Runs an adapter call outside any session, naming it when it throws. */
async function asOperation(operation: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AdapterError) throw error;
    throw new AdapterError(operation, `it threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
