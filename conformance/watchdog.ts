// The per-operation watchdog: an adapter call that never settles must end the
// run with an "adapter error" naming the operation, not hang CI until its job
// timeout. Two budgets:
//
// - `withDeadline` counts all real time (operations outside scheduling: install,
//   reset, setup, observe, checkState, and every call in the real-Postgres lane,
//   where a wait on the database is part of the operation);
// - `withOwnTimeBudget` counts only the time the adapter's own code runs. In the
//   simulated lane a call spends most of its life parked at a scheduling point
//   while other processes take their turns (a paused process waits a long
//   simulated pause); that wait is the simulator's, not the adapter's, so the
//   database wrapper of guard.ts stops the clock around every database call.
//   A call that hangs outside the database holds the scheduler's turn, and only
//   its own clock runs, so the error names the right operation.
//
// The watchdog never changes what a simulated process sees: it either stays
// silent or ends the run.
import { AsyncLocalStorage } from 'node:async_hooks';
import { AdapterError } from '../sim/errors.ts';
import { monotonicNowMs, startRealTimer, type RealTimer } from './real-clock.ts';

/** The default limit on one adapter call, ms of real time. */
export const OPERATION_TIMEOUT_MS_DEFAULT = 10_000;

/** The environment variable the command reads to change the limit (the command line has no flag for it). */
export const OPERATION_TIMEOUT_ENV = 'WF_SIM_OPERATION_TIMEOUT_MS';

/** The per-operation limit from the environment, or the one line to print when it is malformed. */
export function timeoutFromEnvironment(): number | string {
  const text = process.env[OPERATION_TIMEOUT_ENV];
  if (text === undefined || text === '') return OPERATION_TIMEOUT_MS_DEFAULT;
  if (!/^\d+$/.test(text) || Number(text) < 1) return `${OPERATION_TIMEOUT_ENV} must be a positive integer number of milliseconds, got '${text}'`;
  return Number(text);
}

function timeoutError(operation: string, timeoutMs: number, what: string): AdapterError {
  return new AdapterError(
    operation,
    `it did not settle within ${timeoutMs} ms of ${what} (the per-operation watchdog): an adapter call must resolve or reject; ` +
      `if the engine is just slow, raise the limit with the timeoutMs option or ${OPERATION_TIMEOUT_ENV}`,
  );
}

/** A budget of real time that runs only while no database call of its operation is in flight. */
export class OperationBudget {
  private remainingMs: number;
  private runningSince: number | null = null;
  private timer: RealTimer | null = null;
  private waits = 0;
  private settled = false;
  private rejectExpired: (error: Error) => void = () => undefined;
  /** Rejects when the budget is spent; never settles otherwise. */
  readonly expired: Promise<never>;

  constructor(
    timeoutMs: number,
    private readonly onExpire: () => Error,
  ) {
    this.remainingMs = timeoutMs;
    this.expired = new Promise<never>((_, reject) => {
      this.rejectExpired = reject;
    });
    // The race in withOwnTimeBudget handles the rejection; this keeps an expiry after the race from being "unhandled".
    this.expired.catch(() => undefined);
    this.run();
  }

  /** A database call of this operation begins: the clock stops. Calls may nest or overlap. */
  waitBegin(): void {
    if (this.settled) return;
    this.waits += 1;
    if (this.waits === 1) this.pause();
  }

  /** A database call ended: the clock runs again when none is in flight. */
  waitEnd(): void {
    if (this.settled || this.waits === 0) return;
    this.waits -= 1;
    if (this.waits === 0) this.run();
  }

  finish(): void {
    this.settled = true;
    this.pause();
  }

  private run(): void {
    this.runningSince = monotonicNowMs();
    this.timer = startRealTimer(this.remainingMs, () => {
      if (this.settled) return;
      this.settled = true;
      this.rejectExpired(this.onExpire());
    });
  }

  private pause(): void {
    if (this.runningSince === null) return;
    this.remainingMs -= monotonicNowMs() - this.runningSince;
    this.runningSince = null;
    this.timer?.cancel();
    this.timer = null;
  }
}

/** The budget of the adapter call running in this async context (database wrappers read it). */
export const currentBudget = new AsyncLocalStorage<OperationBudget>();

/** Runs an adapter call under a budget that counts only its own running time. */
export async function withOwnTimeBudget<T>(operation: string, timeoutMs: number, run: () => Promise<T> | T): Promise<T> {
  const budget = new OperationBudget(timeoutMs, () => timeoutError(operation, timeoutMs, 'its own running time, not counting database calls'));
  try {
    return await Promise.race([currentBudget.run(budget, () => Promise.resolve().then(run)), budget.expired]);
  } finally {
    budget.finish();
  }
}

/** Runs an adapter call under a plain real-time deadline. */
export async function withDeadline<T>(operation: string, timeoutMs: number, run: () => Promise<T> | T): Promise<T> {
  let timer: RealTimer | null = null;
  const expired = new Promise<never>((_, reject) => {
    timer = startRealTimer(timeoutMs, () => reject(timeoutError(operation, timeoutMs, 'real time')));
  });
  try {
    return await Promise.race([Promise.resolve().then(run), expired]);
  } finally {
    (timer as RealTimer | null)?.cancel();
  }
}
