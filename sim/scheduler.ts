// The deterministic scheduler. Simulated processes are ordinary async code made
// of fibers (a worker has a main loop, a heartbeat loop and maybe a reaper loop);
// a fiber reaches the world only through scheduling points (a database call, a
// sleep), and exactly one fiber runs between two points. Which fiber runs next is
// a choice drawn from the schedule stream, so the interleaving is a function of
// the seed. Simulated time is an integer number of ms that jumps to the next
// timer whenever nothing is runnable: hours of lease timeouts cost microseconds.
import type { Role } from '../spec/state.ts';
import type { Random } from './random/choices.ts';

/** What a fiber is told when it gets its turn at a database call. */
export type Directive = 'proceed' | 'crash-after';
export type PointKind = 'start' | 'db' | 'sleep';

export interface SimProcess {
  /** Stable id: 'w1' keeps its id across restarts. */
  readonly id: string;
  /** Incarnation id: 'w1.2' is the second start of w1. */
  readonly run: string;
  readonly role: Role;
  readonly pid: number | null;
  readonly generation: number;
  /** Offset of this process's clock from global time, ms. */
  readonly skewMs: number;
  alive: boolean;
  /** Not scheduled before this global time (whole-process pause). */
  pausedUntil: number;
  /** A graceful stop signal has arrived. */
  stopRequested: boolean;
  readonly fibers: Fiber[];
}

export interface Fiber {
  /** Creation order; unique and deterministic. */
  readonly id: number;
  readonly name: string;
  readonly process: SimProcess;
  wakeAt: number;
  /** Not scheduled before this global time (a single loop stalls while the rest of the process runs). */
  pausedUntil: number;
  parked: boolean;
  kind: PointKind;
  interruptible: boolean;
  interrupted: boolean;
  done: boolean;
  priority: number;
  weight: number;
  resume: ((directive: Directive) => void) | null;
}

export type Policy = 'random' | 'pct';

export interface SchedulerOptions {
  policy: Policy;
  random: Random;
  /** PCT: bug depth d (d − 1 priority change points). */
  pctDepth: number;
  /** PCT: expected number of steps k over which change points are spread. */
  pctSteps: number;
  /** Simulated ms each database call takes (so a busy fiber's clock moves). */
  statementMs: number;
  /** Picks the next fiber instead of `policy` (the world records picks by fiber, for shrinking; see world/picker.ts). */
  chooser?: (runnable: readonly Fiber[]) => Fiber;
}

export type TurnDecision = { kind: 'run'; directive: Directive } | { kind: 'skip' };

export interface SchedulerHooks {
  /** Called before a fiber gets its turn; the fault injector may crash or pause it instead. */
  beforeTurn(fiber: Fiber): TurnDecision;
  /** Called after each turn (the state check runs here). */
  afterTurn(fiber: Fiber): Promise<void>;
}

export type StopReason = 'done' | 'idle' | 'steps' | 'time' | 'error';

interface Timer {
  at: number;
  seq: number;
  run: () => void;
}

export class Scheduler {
  now = 0;
  steps = 0;
  private readonly fibers: Fiber[] = [];
  private readonly timers: Timer[] = [];
  private timerSeq = 0;
  private fiberSeq = 0;
  private current: Fiber | null = null;
  private endTurn: (() => void) | null = null;
  private readonly changePoints: number[];
  /** The first error a fiber threw (an engine or adapter error); it stops the run. */
  error: unknown = undefined;
  hooks: SchedulerHooks = { beforeTurn: () => ({ kind: 'run', directive: 'proceed' }), afterTurn: async () => {} };

  constructor(private readonly options: SchedulerOptions) {
    this.changePoints = [];
    if (options.policy === 'pct') {
      for (let index = 0; index < options.pctDepth - 1; index += 1) this.changePoints.push(options.random.int(1, options.pctSteps));
    }
  }

  /** Starts a fiber; it first parks at a 'start' point, so no code of it runs before its first turn. */
  spawnFiber(process: SimProcess, name: string, weight: number, body: (fiber: Fiber) => Promise<void>): Fiber {
    const fiber: Fiber = {
      id: this.fiberSeq++,
      name,
      process,
      wakeAt: this.now,
      pausedUntil: 0,
      parked: false,
      kind: 'start',
      interruptible: false,
      interrupted: false,
      done: false,
      // PCT: initial priorities are at least d, so the change points (1 … d−1) always rank below them.
      priority: this.options.policy === 'pct' ? this.options.pctDepth + this.options.random.int(0, 1_000_000) : 0,
      weight,
      resume: null,
    };
    this.fibers.push(fiber);
    process.fibers.push(fiber);
    const started = this.park(fiber, 'start').then(() => body(fiber));
    started.then(
      () => this.finish(fiber),
      (error: unknown) => {
        if (this.error === undefined) this.error = error;
        this.finish(fiber);
      },
    );
    return fiber;
  }

  /** The fiber whose turn it is, or null between turns. */
  currentFiber(): Fiber | null {
    return this.current;
  }

  /** A database call: wait for the turn; the directive says whether the process dies right after the call commits. */
  point(fiber: Fiber): Promise<Directive> {
    return this.park(fiber, 'db');
  }

  /** Sleep `ms` of simulated time. An interruptible sleep ends early when the process gets a stop signal. */
  async sleep(fiber: Fiber, ms: number, interruptible = false): Promise<'elapsed' | 'interrupted'> {
    fiber.wakeAt = this.now + Math.max(0, ms);
    fiber.interruptible = interruptible;
    fiber.interrupted = false;
    await this.park(fiber, 'sleep');
    fiber.interruptible = false;
    return fiber.interrupted ? 'interrupted' : 'elapsed';
  }

  /** Wakes the process's interruptible sleeps now (graceful stop). */
  interrupt(process: SimProcess): void {
    for (const fiber of process.fibers) {
      if (fiber.parked && fiber.interruptible) {
        fiber.interrupted = true;
        fiber.wakeAt = this.now;
      }
    }
  }

  /** Kills a process: its fibers never run again, with no cleanup. If it is running now, its turn ends here. */
  kill(process: SimProcess): void {
    process.alive = false;
    for (const fiber of process.fibers) {
      fiber.done = true;
      fiber.resume = null;
      fiber.parked = false;
    }
    if (this.current !== null && this.current.process === process) this.closeTurn();
  }

  /**
   * The calling fiber's process has been killed mid-turn: never return to its code.
   * A new promise each time, referenced by nothing but the abandoned fiber, so
   * the fiber and the world it holds are garbage once the run ends. One shared
   * never-settling promise gathered a reaction per abandoned fiber and kept every
   * finished world alive (≈ 0.3 MB per seed: RSS doubled over 1,000 seeds).
   */
  abandon(): Promise<never> {
    return new Promise<never>(() => {});
  }

  at(time: number, run: () => void): void {
    this.timers.push({ at: Math.max(time, this.now), seq: this.timerSeq++, run });
  }

  /** Runs turns until `until()` holds, nothing can ever run again, or a budget is spent. */
  async run(limits: { until: () => boolean; stepsMax: number; timeMax: number }): Promise<StopReason> {
    for (;;) {
      if (this.error !== undefined) return 'error';
      this.fireDueTimers();
      if (limits.until()) return 'done';
      if (this.steps >= limits.stepsMax) return 'steps';
      const runnable = this.runnable();
      if (runnable.length === 0) {
        const next = this.nextWake();
        if (next === Infinity) return 'idle';
        if (next > limits.timeMax) return 'time';
        this.now = next;
        continue;
      }
      const fiber = this.pick(runnable);
      const decision = this.hooks.beforeTurn(fiber);
      if (decision.kind === 'skip') continue;
      await this.grant(fiber, decision.directive);
      if (this.error !== undefined) return 'error';
      this.steps += 1;
      const changeIndex = this.changePoints.indexOf(this.steps);
      if (changeIndex >= 0) fiber.priority = changeIndex + 1;
      await this.hooks.afterTurn(fiber);
    }
  }

  private park(fiber: Fiber, kind: PointKind): Promise<Directive> {
    if (kind === 'db') fiber.wakeAt = this.now;
    fiber.kind = kind;
    const promise = new Promise<Directive>((resolve) => {
      fiber.resume = resolve;
    });
    fiber.parked = true;
    if (this.current === fiber) this.closeTurn();
    return promise;
  }

  private finish(fiber: Fiber): void {
    fiber.done = true;
    fiber.parked = false;
    fiber.resume = null;
    if (this.current === fiber) this.closeTurn();
  }

  private closeTurn(): void {
    const end = this.endTurn;
    this.endTurn = null;
    this.current = null;
    end?.();
  }

  private async grant(fiber: Fiber, directive: Directive): Promise<void> {
    const resume = fiber.resume;
    if (resume === null) return;
    fiber.resume = null;
    fiber.parked = false;
    const turn = new Promise<void>((resolve) => {
      this.endTurn = resolve;
    });
    this.current = fiber;
    if (fiber.kind === 'db') this.now += this.options.statementMs;
    resume(directive);
    await turn;
  }

  private runnable(): Fiber[] {
    const ready: Fiber[] = [];
    for (const fiber of this.fibers) {
      if (fiber.done || !fiber.parked || !fiber.process.alive) continue;
      if (fiber.wakeAt <= this.now && fiber.pausedUntil <= this.now && fiber.process.pausedUntil <= this.now) ready.push(fiber);
    }
    return ready;
  }

  private nextWake(): number {
    let next = Infinity;
    for (const fiber of this.fibers) {
      if (fiber.done || !fiber.parked || !fiber.process.alive) continue;
      next = Math.min(next, Math.max(fiber.wakeAt, fiber.pausedUntil, fiber.process.pausedUntil));
    }
    for (const timer of this.timers) next = Math.min(next, timer.at);
    return next;
  }

  private fireDueTimers(): void {
    for (;;) {
      let due: Timer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= this.now && (due === undefined || timer.at < due.at || (timer.at === due.at && timer.seq < due.seq))) due = timer;
      }
      if (due === undefined) return;
      this.timers.splice(this.timers.indexOf(due), 1);
      due.run();
    }
  }

  private pick(runnable: Fiber[]): Fiber {
    if (this.options.chooser !== undefined) return this.options.chooser(runnable);
    return pickByPolicy(this.options.policy, runnable, (bound) => this.options.random.int(0, bound - 1));
  }

  /** Drops finished fibers so long runs stay linear. */
  compact(): void {
    for (let index = this.fibers.length - 1; index >= 0; index -= 1) if (this.fibers[index]!.done) this.fibers.splice(index, 1);
  }
}

/**
 * The policy's pick among runnable fibers: PCT's highest priority, or a draw
 * weighted by each fiber's weight. `draw(n)` returns an integer in [0, n); it is
 * not called when only one fiber can run, so a lone fiber costs no draw.
 */
export function pickByPolicy(policy: Policy, runnable: readonly Fiber[], draw: (bound: number) => number): Fiber {
  if (runnable.length === 1) return runnable[0]!;
  if (policy === 'pct') {
    let best = runnable[0]!;
    for (const fiber of runnable) if (fiber.priority > best.priority) best = fiber;
    return best;
  }
  let total = 0;
  for (const fiber of runnable) total += fiber.weight;
  let left = draw(total);
  for (const fiber of runnable) {
    left -= fiber.weight;
    if (left < 0) return fiber;
  }
  return runnable[runnable.length - 1]!;
}
