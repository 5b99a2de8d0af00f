// Wall-clock time, used for two things only, both outside the simulated world:
// reporting how long a run took (stats.wallMs, never hashed) and the watchdog
// that turns an adapter call that never settles into an "adapter error". Nothing
// here may influence what a simulated process sees.
import { performance } from 'node:perf_hooks';

export function wallNowMs(): number {
  return performance.now();
}

/**
 * Rejects with `onTimeout()` if `operation` has not settled after `timeoutMs` of
 * real time. The timer is unref'd so it never keeps the process alive.
 */
export function withWallTimeout<T>(operation: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    timer.unref();
  });
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}
