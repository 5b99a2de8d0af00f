// Real time, for the places of conformance/ that need it and may not be
// deterministic: the watchdog that turns an adapter call that never settles into
// an "adapter error", the real-Postgres lane, whose processes run on the wall
// clock against real connections, and the plain stress test that loops its
// rounds against a wall-time budget. This is the only file of conformance/
// that reads the wall clock or sets timers; the simulated lane never lets what
// it returns reach a simulated process (the watchdog only ever ends a run).
import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds (fractional) for measuring durations. */
export function monotonicNowMs(): number {
  return performance.now();
}

/** Milliseconds since the Unix epoch, integer: the injected clock of the real-Postgres lane's processes. */
export function epochNowMs(): number {
  return Date.now();
}

export interface RealTimer {
  cancel(): void;
}

/**
 * Calls `fire` after `ms` of real time unless cancelled. A watchdog timer is
 * unref'd (it must never keep the process alive); a timer that is the work
 * itself (a real process sleeping) keeps it alive.
 */
export function startRealTimer(ms: number, fire: () => void, keepAlive = false): RealTimer {
  const handle = setTimeout(fire, Math.max(0, ms));
  if (!keepAlive) handle.unref();
  return { cancel: () => clearTimeout(handle) };
}

/** Resolves after `ms` of real time. Not unref'd: a lane waiting on it is real work. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });
}
