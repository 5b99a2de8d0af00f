// The world: one shared database, a simulated OS, a scheduler, the processes of
// the workload, and the faults. It runs a safety phase under faults, then heals
// (faults stop, every process is started again, pauses end) and runs a liveness
// phase within a stated budget, checking state invariants after every turn that
// touched the database.
import type { Database, ExecutedStatement } from '../../src/db/database.ts';
import type { OperationEvent } from '../../spec/history.ts';
import { rebaseState } from '../../spec/rebase-state.ts';
import type { State, StateContext } from '../../spec/state.ts';
import type { Violation } from '../../spec/verdict.ts';
import type { EngineAdapter, ProcessContext } from '../adapter/contract.ts';
import { SimulatedOs } from '../os.ts';
import { clientProgram } from '../processes/client.ts';
import type { ProcessRuntime } from '../processes/runtime.ts';
import { workerProgram } from '../processes/worker.ts';
import type { ChoiceStructure, Streams } from '../random/choices.ts';
import { Recorder } from '../recorder.ts';
import { RecordingSession } from '../recording-session.ts';
import { ScheduledDatabase } from '../scheduled-database.ts';
import { Scheduler, type Fiber, type SimProcess, type StopReason, type TurnDecision } from '../scheduler.ts';
import { FAULT_OPTION_DRAWS, stallBoundMs, type WorldOptions } from './options.ts';
import { fiberPicker, generationOfRun, slotOfRun } from './picker.ts';
import { StoryTracker, type StoryEvent, type StoryFault } from './story-faults.ts';
import { clientIds, workerIds, type PlannedJob, type Workload } from './workload.ts';

/** Container restarts a run may have (options draw 1 or 2); their times hold this many positions of the faults stream. */
const RESTARTS_MAX = 2;

/** Positions of the container restarts' times in the faults stream (after drawOptions' draws; unused ones padded). */
export const RESTART_DRAWS: readonly number[] = Array.from({ length: RESTARTS_MAX }, (_, index) => FAULT_OPTION_DRAWS + index);

/** Positions of a loop's fault sub-stream each turn takes (see World.beforeTurn). */
export const TURN_FRAME = 6;

/**
 * Lengths of time that must be compared with the world's timings (a pause
 * against the reaper threshold, a squatter's life against a reaper interval) are
 * drawn in thousandths of their maximum, not in absolute ms: the maximum scales
 * with the heartbeat interval, so when shrinking picks a quieter heartbeat (a
 * longer threshold) a pause that outlived the threshold still does.
 */
const RELATIVE_STEPS = 1000;

function relativeMs(steps: number, maxMs: number): number {
  return Math.max(1, Math.ceil((maxMs * steps) / RELATIVE_STEPS));
}

/** Simulated time 0 is this instant on the engines' clocks (2026-01-01T00:00:00Z), so timestamps read naturally. */
export const EPOCH_MS = 1_767_225_600_000;

/** Judges a snapshot against the state invariants (the spec's pure checkers, filtered by capability). */
export type StateJudge = (state: State, context: StateContext) => Violation[];

export interface WorldParts {
  options: WorldOptions;
  workload: Workload;
  adapter: EngineAdapter;
  db: Database;
  /** The run's choice streams: the schedule and faults streams, and the keyed sub-streams of each process and loop. */
  streams: Streams;
  /** Processes a shrinker removed (they are never started). */
  structure?: ChoiceStructure;
  judge: StateJudge;
  /** Stop after the safety phase at this simulated time, with no heal phase (shrinking replays of safety violations). */
  horizonMs?: number;
}

export interface WorldOutcome {
  safetyStop: StopReason;
  /** 'stalled': no job's row changed for the stall bound while work remained (`stall` says since when). */
  healStop: StopReason | 'horizon' | 'stalled';
  healTime: number;
  /** For a heal phase that stalled: when the job rows last changed, and the bound the stall outlasted. */
  stall: { since: number; boundMs: number } | null;
  endTime: number;
  /** State violations seen during the run, first per invariant and job. */
  stateViolations: Violation[];
  finalState: State | null;
  aliveProcesses: string[];
  statements: number;
  checkStatements: number;
  steps: number;
  /** Every fault that fired in a loop's turn, anchored to the story (see story-faults.ts). */
  firedFaults: StoryFault[];
  /** Every slot's returned operation on a planned job, in order (story-faults.ts). */
  storyEvents: readonly StoryEvent[];
  error: unknown;
}

interface ProcessSlot {
  id: string;
  role: 'worker' | 'client';
  generation: number;
  current: SimProcess | null;
  /** A client that enqueued everything has finished for good. */
  finished: boolean;
  restartPending: boolean;
}

export class World {
  readonly scheduler: Scheduler;
  readonly os: SimulatedOs;
  readonly recorder: Recorder;
  private readonly slots = new Map<string, ProcessSlot>();
  private readonly enqueuedJobs = new Map<number, number>();
  private readonly terminalJobs = new Set<number>();
  private readonly firedGroups = new Set<string>();
  private readonly shutDown = new Set<string>();
  private readonly stateViolationKeys = new Set<string>();
  readonly stateViolations: Violation[] = [];
  private idSeq = new Map<string, number>();
  private phase: 'safety' | 'heal' = 'safety';
  private healTime = -1;
  private drainUntil = Infinity;
  private statements = 0;
  private checkStatements = 0;
  private restartsLeft: number;
  /** What each slot did, for anchoring the faults that fire (and, replaying story faults, for placing them). */
  private readonly story = new StoryTracker();
  private readonly firedFaults: StoryFault[] = [];
  /** Story faults still to fire, when the run replays them instead of drawing each turn's faults; null when drawing. */
  private readonly storyPending: StoryFault[] | null;
  /** A process whose ack will be lost in this turn, and the fault that says so (its squatter is decided when it dies). */
  private readonly lostAcks = new Map<SimProcess, StoryFault>();
  /** Engine job id → planned job k, for anchors that survive removing other jobs. */
  private readonly jobKeys = new Map<number, number>();
  /**
   * How long a heal phase may go with no job's row changing before it counts as
   * stalled (world/options.ts stallBoundMs); null for an engine without a view of
   * its rows or without a stated retry backoff, whose heal runs to its budget.
   */
  private readonly stallBound: number | null;

  constructor(private readonly parts: WorldParts) {
    const { options, streams } = parts;
    this.stallBound = parts.adapter.observe === undefined || parts.adapter.retryBackoffMaxMs === undefined ? null : stallBoundMs(options, parts.adapter.retryBackoffMaxMs);
    this.os = new SimulatedOs(options.pidMax);
    this.scheduler = new Scheduler({
      policy: options.policy,
      // PCT's change points and priorities; the picks themselves are recorded by fiber (world/picker.ts).
      random: streams.keyed('schedule', 'pct'),
      pctDepth: 3,
      pctSteps: 4000,
      statementMs: 1,
      chooser: fiberPicker(options.policy, streams.schedule),
    });
    this.recorder = new Recorder(() => this.scheduler.now);
    this.restartsLeft = options.rates.restarts;
    this.storyPending = parts.structure?.storyFaults === undefined ? null : parts.structure.storyFaults.map((fault) => ({ ...fault }));
    this.scheduler.hooks = {
      beforeTurn: (fiber) => this.beforeTurn(fiber),
      afterTurn: (fiber) => this.afterTurn(fiber),
    };
    const omitted = new Set(parts.structure?.processesOmitted ?? []);
    for (const id of clientIds(options)) if (!omitted.has(id)) this.slots.set(id, { id, role: 'client', generation: 0, current: null, finished: false, restartPending: false });
    for (const id of workerIds(options)) if (!omitted.has(id)) this.slots.set(id, { id, role: 'worker', generation: 0, current: null, finished: false, restartPending: false });
  }

  async run(): Promise<WorldOutcome> {
    const { options, adapter, db } = this.parts;
    await adapter.setup(db, EPOCH_MS, { queues: options.queues });
    for (const slot of this.slots.values()) this.start(slot);
    // Container restarts fall at drawn times inside the safety phase (fixed positions: unused ones are padded).
    const faults = this.parts.streams.faults;
    for (let index = 0; index < RESTARTS_MAX; index += 1) {
      if (index >= this.restartsLeft) {
        faults.pad();
        continue;
      }
      const at = faults.int(1_000, Math.max(1_000, options.safetyMs - 1_000));
      this.scheduler.at(at, () => this.containerRestart());
    }

    const horizon = this.parts.horizonMs;
    const safetyStop = await this.scheduler.run({
      until: () => this.phase === 'heal' || this.allDone(),
      stepsMax: options.stepsMax,
      timeMax: horizon === undefined ? options.safetyMs : Math.min(options.safetyMs, horizon),
    });
    // With a horizon (a shrinking replay of a safety violation) the run ends here: no heal, no end state.
    let healStop: WorldOutcome['healStop'] = 'horizon';
    if (horizon === undefined) {
      if (safetyStop !== 'error') {
        if (this.scheduler.now < options.safetyMs && !this.allDone() && safetyStop === 'time') this.scheduler.now = options.safetyMs;
        this.heal();
      }
      healStop =
        safetyStop === 'error'
          ? 'error'
          : await this.scheduler.run({
              until: () => this.drained() || this.stalled(),
              stepsMax: options.stepsMax * 2,
              timeMax: this.healTime + options.healBudgetMs,
            });
      if (healStop === 'done' && !this.allDone()) healStop = 'stalled';
    }
    const error = this.scheduler.error;
    let finalState: State | null = null;
    if (error === undefined && horizon === undefined && adapter.observe !== undefined) finalState = toSimulatedTime(await adapter.observe(db, EPOCH_MS + this.scheduler.now));
    return {
      safetyStop,
      healStop,
      healTime: this.healTime,
      stall: healStop === 'stalled' && this.stallBound !== null ? { since: this.stallSince(), boundMs: this.stallBound } : null,
      endTime: this.scheduler.now,
      stateViolations: this.stateViolations,
      finalState,
      aliveProcesses: [...this.slots.values()].filter((slot) => slot.current?.alive === true).map((slot) => slot.current!.id),
      statements: this.statements,
      checkStatements: this.checkStatements,
      steps: this.scheduler.steps,
      firedFaults: this.firedFaults,
      storyEvents: this.story.events(),
      error,
    };
  }

  // ---- progress -----------------------------------------------------------

  private onOk(event: OperationEvent): void {
    // Enqueues are anchored when their planned job is known (runtime.enqueued), just after this.
    const k = event.job == null || event.op === 'enqueue' ? undefined : this.jobKeys.get(event.job);
    if (k !== undefined && event.run != null) this.story.jobEvent(slotOfRun(event.run), generationOfRun(event.run), event.op, k, event.time);
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
        if (event.op === 'startup') this.shutDown.delete(event.process);
        break;
      case 'tryCompleteGroup':
        if (event.status != null && event.group != null) this.firedGroups.add(event.group);
        break;
      case 'shutdown':
        this.shutDown.add(event.process);
        break;
      default:
        break;
    }
  }

  private allDone(): boolean {
    if (this.enqueuedJobs.size < this.parts.workload.jobs.length) return false;
    for (const jobId of this.enqueuedJobs.values()) if (!this.terminalJobs.has(jobId)) return false;
    return true;
  }

  /** Done, then a little longer so reapers sweep the last groups and locks. */
  private drained(): boolean {
    if (this.drainUntil === Infinity && this.allDone()) {
      this.drainUntil = this.scheduler.now + 2 * this.parts.options.reaperIntervalMs + this.parts.options.heartbeatIntervalMs;
    }
    return this.scheduler.now >= this.drainUntil;
  }

  // ---- processes ----------------------------------------------------------

  private start(slot: ProcessSlot): void {
    const { options, adapter } = this.parts;
    slot.generation += 1;
    slot.restartPending = false;
    const pid = this.os.spawn(slot.id);
    this.story.started(slot.id, slot.generation, this.scheduler.now);
    // Each start draws from its slot's own sub-streams, so removing another process never shifts them.
    const startFaults = this.parts.streams.keyed('faults', slot.id);
    let skewMs = 0;
    if (options.clockSkewMaxMs > 0) skewMs = startFaults.int(-options.clockSkewMaxMs, options.clockSkewMaxMs);
    else startFaults.pad();
    // A per-start identity is a new worker id for every start, as a pod name would be.
    const id = slot.role === 'worker' && options.workerIdentity === 'per-start' && slot.generation > 1 ? `${slot.id}~${slot.generation}` : slot.id;
    const process: SimProcess = {
      id,
      run: `${slot.id}.${slot.generation}`,
      role: slot.role,
      pid,
      generation: slot.generation,
      skewMs,
      alive: true,
      pausedUntil: 0,
      stopRequested: false,
      fibers: [],
    };
    slot.current = process;
    this.recorder.world({ process: id, run: process.run, pid, role: slot.role, op: 'spawn', detail: `generation ${slot.generation}, clock skew ${skewMs} ms` });
    const context: ProcessContext = {
      processId: id,
      role: slot.role,
      pid,
      runId: process.run,
      db: new ScheduledDatabase(this.parts.db, this.scheduler, {
        onStatement: (fiber) => this.onStatement(fiber),
        onLostAck: (fiber) => this.loseAck(fiber.process),
        // Kept only for an adapter that can be asked about them.
        onResult: (_fiber, record) => {
          if (this.parts.adapter.unchangedBy !== undefined) this.turnRecords.push(record);
        },
      }),
      clock: { now: () => EPOCH_MS + this.scheduler.now + skewMs },
      ids: { next: (prefix) => this.nextId(prefix) },
      os: { isAlive: (candidate) => this.os.isAlive(candidate) },
      settings: { heartbeatIntervalMs: options.heartbeatIntervalMs, lockTtlMs: options.lockTtlMs, reaperThresholdMs: options.reaperThresholdMs },
    };
    const weight = 1 + this.parts.streams.keyed('schedule', slot.id).int(0, 3);
    this.scheduler.spawnFiber(process, 'main', weight, async () => {
      const session = new RecordingSession(await adapter.open(context), process, this.recorder, this.scheduler, { onOk: (event) => this.onOk(event) });
      const runtime = this.runtime(process, slot, session, weight);
      if (slot.role === 'client') await clientProgram(runtime);
      else await workerProgram(runtime);
    });
  }

  private runtime(process: SimProcess, slot: ProcessSlot, session: RecordingSession, weight: number): ProcessRuntime {
    const { options, workload } = this.parts;
    const reapers = new Set(workerIds(options).slice(0, options.reapers));
    return {
      process,
      options,
      session,
      isReaper: reapers.has(slot.id),
      nextId: (prefix) => this.nextId(prefix),
      worldTimeMs: () => this.scheduler.now,
      sleep: (ms, interruptible = false) => this.scheduler.sleep(this.fiberOf(process), ms, interruptible),
      spawnLoop: (name, body) => {
        this.scheduler.spawnFiber(process, name, weight, body);
      },
      pendingEnqueues: () => workload.jobs.filter((job) => job.enqueuer === slot.id && !this.enqueuedJobs.has(job.k)),
      enqueued: (job: PlannedJob, jobId: number) => {
        this.enqueuedJobs.set(job.k, jobId);
        this.jobKeys.set(jobId, job.k);
        this.story.jobEvent(slot.id, slot.generation, 'enqueue', job.k, this.scheduler.now);
      },
      openGroups: () => this.readyGroups(),
      exit: (detail) => {
        if (slot.role === 'client') slot.finished = true;
        this.recorder.world({ process: process.id, run: process.run, pid: process.pid, role: process.role, op: 'exit', detail });
        this.end(process);
        // A worker that shut down gracefully is started again by its supervisor, as in a rolling deploy.
        if (slot.role === 'worker') this.scheduleRestart(slot);
        return this.scheduler.abandon();
      },
    };
  }

  /**
   * Groups not seen to fire whose members are all enqueued and terminal. The
   * reaper's sweep exists for a group whose last member's worker died between
   * its terminal write and its group call; sweeping groups that are not ready
   * would only add no-op statements (workers still call for every member).
   */
  private readyGroups(): string[] {
    const ready: string[] = [];
    for (const group of this.parts.workload.groups) {
      if (this.firedGroups.has(group.id)) continue;
      const members = this.parts.workload.jobs.filter((job) => job.spec.group?.id === group.id);
      if (members.every((job) => this.terminalJobs.has(this.enqueuedJobs.get(job.k) ?? -1))) ready.push(group.id);
    }
    return ready;
  }

  private fiberOf(process: SimProcess): Fiber {
    const fiber = this.scheduler.currentFiber();
    if (fiber === null || fiber.process !== process) throw new Error(`process ${process.run} slept outside its own turn`);
    return fiber;
  }

  private nextId(prefix: string): string {
    const next = (this.idSeq.get(prefix) ?? 0) + 1;
    this.idSeq.set(prefix, next);
    return `${prefix}${next}`;
  }

  private end(process: SimProcess): void {
    if (process.pid !== null) this.os.exit(process.pid);
    this.scheduler.kill(process);
  }

  /**
   * Kills a process with no cleanup. pid reuse: an unrelated process may take
   * the dead pid at once, so a bare pid now "looks alive"; it lives a while and
   * exits, and is never placed when it could crowd the table (the slots' own
   * processes always fit). A seed's run draws whether a squatter comes and how
   * long it lives from two positions per crash of the slot's own sub-stream; a
   * story fault carries that decision (`squat`: its life in relative steps, or
   * undefined for none). Returns the squatter's life, or undefined.
   */
  private crash(process: SimProcess, detail: string, squat?: { steps: number | undefined }): number | undefined {
    if (!process.alive) return undefined;
    this.recorder.world({ process: process.id, run: process.run, pid: process.pid, role: process.role, op: 'crash', detail });
    this.recorder.crashed(process.fibers, detail);
    this.end(process);
    const pid = process.pid;
    const reusePercent = this.parts.options.rates.pidReusePercent;
    const reusable = pid !== null && this.os.aliveCount() + this.slots.size < this.parts.options.pidMax - 1 && reusePercent > 0;
    // The life is drawn only once the squatter is placed (a seed's draws stay as they always were).
    const place = (life: () => number): number | undefined => {
      if (pid === null || !this.os.spawnAt(pid, `squatter of ${process.run}`)) return undefined;
      const generation = this.os.generation;
      const steps = life();
      this.scheduler.at(this.scheduler.now + relativeMs(steps, this.parts.options.pauseMsMax), () => {
        if (this.os.generation === generation && this.os.ownerOf(pid) === `squatter of ${process.run}`) this.os.exit(pid);
      });
      return steps;
    };
    let squatted: number | undefined;
    if (squat !== undefined) {
      const steps = squat.steps;
      if (reusable && steps !== undefined) squatted = place(() => steps);
    } else {
      const crashFaults = this.parts.streams.keyed('faults', `${slotOfRun(process.run)}/crash`);
      // A certain reuse (100%) draws nothing: its position is padded all the same.
      if (!reusable || reusePercent >= 100) crashFaults.pad();
      if (reusable && (reusePercent >= 100 || crashFaults.chance(reusePercent, 100))) squatted = place(() => crashFaults.int(1, RELATIVE_STEPS));
      if (squatted === undefined) crashFaults.pad();
    }
    const slot = this.slotOf(process);
    if (slot !== undefined) this.scheduleRestart(slot);
    return squatted;
  }

  /** The process dies right after its statement committed; the fault that said so learns its squatter. */
  private loseAck(process: SimProcess): void {
    const fault = this.lostAcks.get(process);
    this.lostAcks.delete(process);
    const detail = 'right after its statement committed (lost ack)';
    const replayed = this.storyPending !== null && fault !== undefined;
    const squatted = this.crash(process, detail, replayed ? { steps: fault.squatSteps } : undefined);
    if (!replayed && fault !== undefined && squatted !== undefined) fault.squatSteps = squatted;
  }

  private slotOf(process: SimProcess): ProcessSlot | undefined {
    for (const slot of this.slots.values()) if (slot.current === process) return slot;
    return undefined;
  }

  private scheduleRestart(slot: ProcessSlot): void {
    if (slot.restartPending || slot.finished) return;
    slot.restartPending = true;
    this.scheduler.at(this.scheduler.now + this.parts.options.restartDelayMs, () => {
      if (slot.restartPending && slot.current?.alive !== true) this.start(slot);
    });
  }

  private containerRestart(): void {
    if (this.phase !== 'safety') return;
    this.recorder.world({ process: 'world', run: null, pid: null, role: 'world', op: 'restart', detail: 'every process dies; the pid counter starts over' });
    for (const slot of this.slots.values()) {
      const process = slot.current;
      if (process?.alive === true) {
        this.recorder.crashed(process.fibers, 'in a container restart');
        this.scheduler.kill(process);
      }
      slot.restartPending = false;
    }
    this.os.restart();
    this.scheduler.at(this.scheduler.now + this.parts.options.restartDelayMs, () => {
      for (const slot of this.slots.values()) if (slot.current?.alive !== true && !slot.finished) this.start(slot);
    });
  }

  private heal(): void {
    this.phase = 'heal';
    this.healTime = this.scheduler.now;
    this.recorder.world({ process: 'world', run: null, pid: null, role: 'world', op: 'heal', detail: 'faults stop; every process runs again' });
    for (const slot of this.slots.values()) {
      const process = slot.current;
      if (process?.alive === true) {
        process.pausedUntil = 0;
        for (const fiber of process.fibers) fiber.pausedUntil = 0;
      } else if (!slot.finished) {
        this.start(slot);
      }
    }
  }

  // ---- faults ---------------------------------------------------------------

  /**
   * The faults of one turn, drawn from the turning loop's own sub-stream in a
   * frame of TURN_FRAME positions (crash, pause, pause length, pause scope,
   * stop, lost ack), each padded when not drawn: a fault removed by shrinking
   * leaves that loop's later faults at their turns, and other loops' untouched.
   */
  private beforeTurn(fiber: Fiber): TurnDecision {
    if (this.phase === 'heal') return { kind: 'run', directive: 'proceed' };
    if (this.storyPending !== null) return this.storyTurn(fiber, this.storyPending);
    const { rates } = this.parts.options;
    const process = fiber.process;
    const faults = this.parts.streams.keyed('faults', `${slotOfRun(process.run)}/${fiber.name}`);
    if (rates.crashPerMille > 0 && faults.chance(rates.crashPerMille, 1000)) {
      faults.pad(TURN_FRAME - 1);
      const fired = this.fired(fiber, 'crash');
      const squatted = this.crash(process, `at a scheduling point of its ${fiber.name} loop`);
      if (squatted !== undefined) fired.squatSteps = squatted;
      return { kind: 'skip' };
    }
    if (rates.crashPerMille <= 0) faults.pad();
    if (rates.pausePerMille > 0 && faults.chance(rates.pausePerMille, 1000)) {
      const steps = faults.int(1, RELATIVE_STEPS);
      // Half the pauses stop the whole process (GC stall, SIGSTOP); half stall only this loop.
      const whole = faults.chance(1, 2);
      faults.pad(2);
      this.fired(fiber, 'pause', { pauseSteps: steps, whole });
      this.pause(fiber, steps, whole);
      return { kind: 'skip' };
    }
    if (rates.pausePerMille <= 0) faults.pad();
    faults.pad(2);
    const mayStop = process.role === 'worker' && !process.stopRequested && rates.shutdownPerMille > 0;
    if (mayStop && faults.chance(rates.shutdownPerMille, 1000)) {
      this.fired(fiber, 'stop');
      this.stop(fiber);
    }
    if (!mayStop) faults.pad();
    const mayLoseAck = fiber.kind === 'db' && rates.lostAckPerMille > 0;
    if (!mayLoseAck) faults.pad();
    else if (faults.chance(rates.lostAckPerMille, 1000)) {
      this.lostAcks.set(process, this.fired(fiber, 'lost-ack'));
      return { kind: 'run', directive: 'crash-after' };
    }
    return { kind: 'run', directive: 'proceed' };
  }

  /**
   * A turn of a run that replays story faults: those of this loop whose anchor
   * has happened in this generation and whose delay has passed fire now, in the
   * order a drawn frame would (a crash or a pause ends the turn; a stop and a
   * lost ack may come together). At the very moment it is due, a fault waits for
   * the kind of turn it fired at (a loop wakes and reaches its statement in the
   * same millisecond: dying before the call is not dying inside it).
   */
  private storyTurn(fiber: Fiber, pending: StoryFault[]): TurnDecision {
    const process = fiber.process;
    const slot = slotOfRun(process.run);
    const loop = `${slot}/${fiber.name}`;
    const now = this.scheduler.now;
    const due: StoryFault[] = [];
    for (let index = 0; index < pending.length; ) {
      const fault = pending[index]!;
      if (fault.loop === loop && !this.story.stillPossible(slot, fault.anchor, process.generation)) {
        pending.splice(index, 1);
        continue;
      }
      index += 1;
      if (fault.loop !== loop) continue;
      const anchored = this.story.timeOf(slot, fault.anchor, process.generation);
      if (anchored === null) continue;
      const at = anchored + fault.delayMs;
      if (now > at || (now === at && fiber.kind === fault.point)) due.push(fault);
    }
    if (due.length === 0) return { kind: 'run', directive: 'proceed' };
    const take = (fault: StoryFault): StoryFault => {
      pending.splice(pending.indexOf(fault), 1);
      this.firedFaults.push({ ...fault });
      return fault;
    };
    const crash = due.find((fault) => fault.kind === 'crash');
    if (crash !== undefined) {
      take(crash);
      this.crash(process, `at a scheduling point of its ${fiber.name} loop`, { steps: crash.squatSteps });
      return { kind: 'skip' };
    }
    const pause = due.find((fault) => fault.kind === 'pause');
    if (pause !== undefined) {
      take(pause);
      this.pause(fiber, pause.pauseSteps ?? 1, pause.whole === true);
      return { kind: 'skip' };
    }
    const stop = due.find((fault) => fault.kind === 'stop');
    if (stop !== undefined) {
      take(stop);
      if (process.role === 'worker' && !process.stopRequested) this.stop(fiber);
    }
    const lostAck = fiber.kind === 'db' ? due.find((fault) => fault.kind === 'lost-ack') : undefined;
    if (lostAck !== undefined) {
      this.lostAcks.set(process, take(lostAck));
      return { kind: 'run', directive: 'crash-after' };
    }
    return { kind: 'run', directive: 'proceed' };
  }

  /** Records a fault firing in this turn, anchored to the story so far. */
  private fired(fiber: Fiber, kind: StoryFault['kind'], details: Pick<StoryFault, 'pauseSteps' | 'whole'> = {}): StoryFault {
    const slot = slotOfRun(fiber.process.run);
    const fault: StoryFault = { ...this.story.describe(`${slot}/${fiber.name}`, slot, kind, fiber.kind, this.scheduler.now), ...details };
    this.firedFaults.push(fault);
    return fault;
  }

  private pause(fiber: Fiber, steps: number, whole: boolean): void {
    const process = fiber.process;
    const until = this.scheduler.now + relativeMs(steps, this.parts.options.pauseMsMax);
    if (whole) process.pausedUntil = until;
    else fiber.pausedUntil = until;
    this.recorder.world({ process: process.id, run: process.run, pid: process.pid, role: process.role, op: 'pause', until, loop: whole ? 'all' : fiber.name });
    this.scheduler.at(until, () => {
      if (process.alive) this.recorder.world({ process: process.id, run: process.run, pid: process.pid, role: process.role, op: 'resume', loop: whole ? 'all' : fiber.name });
    });
  }

  private stop(fiber: Fiber): void {
    const process = fiber.process;
    process.stopRequested = true;
    this.recorder.world({ process: process.id, run: process.run, pid: process.pid, role: process.role, op: 'stop', detail: `during its ${fiber.name} loop` });
    this.scheduler.interrupt(process);
  }

  // ---- state checks -----------------------------------------------------------

  private turnStatements = 0;
  /** The statements this turn ran, with their results: what the adapter's unchangedBy() is asked about. */
  private turnRecords: ExecutedStatement[] = [];
  /** The context the last state check ran under, and whether it found nothing; a skipped check leaves both as they were. */
  private lastCheck: { contextKey: string; clean: boolean } | null = null;

  private onStatement(fiber: Fiber): void {
    this.statements += 1;
    this.turnStatements += 1;
    this.recorder.statement(fiber);
  }

  private lastProgressObserve = 0;

  private async afterTurn(_fiber: Fiber): Promise<void> {
    await this.observeProgress();
    if (this.turnStatements === 0) return;
    this.turnStatements = 0;
    const records = this.turnRecords;
    this.turnRecords = [];
    const { adapter, db } = this.parts;
    const now = EPOCH_MS + this.scheduler.now;
    const context = this.stateContext();
    if (adapter.checkState !== undefined) {
      // The rows the check reads are as the last clean check saw them, under the same context: it would find nothing again.
      const contextKey = adapter.unchangedBy === undefined ? '' : `${[...context.clients].sort().join(',')}|${[...context.shutDown].sort().join(',')}`;
      if (this.lastCheck?.clean === true && this.lastCheck.contextKey === contextKey && adapter.unchangedBy?.(records, context) === true) return;
      this.checkStatements += 1;
      const violated = await adapter.checkState(db, now, context);
      this.lastCheck = { contextKey, clean: violated.length === 0 };
      if (violated.length === 0) return;
    }
    if (adapter.observe === undefined) return;
    this.checkStatements += 1;
    const state = toSimulatedTime(await adapter.observe(db, now));
    const eventIndex = this.recorder.events.length - 1;
    for (const violation of this.parts.judge(state, context)) {
      const key = `${violation.invariant}:${violation.jobs.join(',')}:${violation.processes.join(',')}`;
      if (this.stateViolationKeys.has(key)) continue;
      this.stateViolationKeys.add(key);
      this.stateViolations.push({ ...violation, eventIndex, time: this.scheduler.now });
    }
  }

  /**
   * During healing, progress is also read from the engine's rows now and then: a
   * job whose terminal write lost its ack is terminal in the rows but unknown to
   * the history, and waiting for it would run the heal phase to its budget. The
   * same reading notes when the job rows last changed, for stalled().
   */
  private async observeProgress(): Promise<void> {
    const { adapter, db, options } = this.parts;
    if (this.phase !== 'heal' || adapter.observe === undefined || this.allDone()) return;
    if (this.scheduler.now - this.lastProgressObserve < options.reaperIntervalMs) return;
    this.lastProgressObserve = this.scheduler.now;
    this.checkStatements += 1;
    const state = await adapter.observe(db, EPOCH_MS + this.scheduler.now);
    const enqueued = new Set(this.enqueuedJobs.values());
    for (const job of state.jobs) if (enqueued.has(job.id) && (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled')) this.terminalJobs.add(job.id);
    const rows = state.jobs.map((job) => `${job.id}:${job.status}:${job.attempts}:${job.owner ?? ''}:${job.leaseToken ?? ''}`).join(',');
    if (rows !== this.jobRows) {
      this.jobRows = rows;
      this.rowsChangedAt = this.scheduler.now;
    }
  }

  /** The job rows as last observed (id, status, attempts, owner, lease of each), and when they last changed. */
  private jobRows = '';
  private rowsChangedAt = 0;

  /**
   * The heal phase has stalled: work remains, and no job's row has changed for
   * longer than any recovery takes, so nothing more will happen before the
   * budget.
   */
  private stalled(): boolean {
    return this.stallBound !== null && this.scheduler.now - this.stallSince() > this.stallBound && !this.allDone();
  }

  private stallSince(): number {
    return Math.max(this.rowsChangedAt, this.healTime);
  }

  private stateContext(): StateContext {
    const clients = new Set<string>();
    for (const slot of this.slots.values()) if (slot.role === 'client' && slot.current !== null) clients.add(slot.current.id);
    return { clients, shutDown: this.shutDown };
  }
}

/** Rows carry the engines' clock (EPOCH_MS + simulated time, plus a process's skew); the checkers speak simulated time. */
function toSimulatedTime(state: State): State {
  return rebaseState(state, EPOCH_MS);
}
