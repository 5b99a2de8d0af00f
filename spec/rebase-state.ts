// Rebasing a state's times onto the history's clock. An engine's rows carry
// the clock it was given (the simulator's EPOCH_MS + simulated time; the
// Postgres lane's epoch ms), while a history counts ms from the start of the
// run. The checkers compare state times with history times and print both in
// explanations, so a state must speak the history's clock before it is judged.
// Shifting every time by the same constant keeps every comparison within the
// state as it was.
import type { State } from './state.ts';

/** The state with every time (its own, jobs' startedAt, workers' heartbeatAt, locks' expiresAt) minus `originMs`. */
export function rebaseState(state: State, originMs: number): State {
  const shift = (time: number) => time - originMs;
  return {
    ...state,
    time: shift(state.time),
    jobs: state.jobs.map((job) => (job.startedAt === null ? job : { ...job, startedAt: shift(job.startedAt) })),
    workers: state.workers.map((worker) => ({ ...worker, heartbeatAt: shift(worker.heartbeatAt) })),
    locks: state.locks.map((lock) => ({ ...lock, expiresAt: shift(lock.expiresAt) })),
  };
}
