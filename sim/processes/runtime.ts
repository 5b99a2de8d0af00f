// What a simulated process program may touch: its recording session, its own
// sleeps, its loops, and the few facts of the world a real process would have
// from configuration (its share of the workload, the group ids). Nothing else:
// a program that read the database or the clock directly would escape the
// scheduler and break determinism.
import type { RecordingSession } from '../recording-session.ts';
import type { SimProcess } from '../scheduler.ts';
import type { WorldOptions } from '../world/options.ts';
import type { PlannedJob } from '../world/workload.ts';

export interface ProcessRuntime {
  readonly process: SimProcess;
  readonly options: WorldOptions;
  readonly session: RecordingSession;
  readonly isReaper: boolean;
  nextId(prefix: string): string;
  /** Time since the world started (global, unskewed): when planned jobs arrive. */
  worldTimeMs(): number;
  /** Sleeps on the calling loop's fiber. An interruptible sleep ends early on a graceful stop. */
  sleep(ms: number, interruptible?: boolean): Promise<'elapsed' | 'interrupted'>;
  /** Starts another loop of this process (it shares the process's fate: crash, pause of the whole process, exit). */
  spawnLoop(name: string, body: () => Promise<void>): void;
  /** This process's planned enqueues that the world has not seen acknowledged yet, in order. */
  pendingEnqueues(): PlannedJob[];
  enqueued(job: PlannedJob, jobId: number): void;
  /** Groups not yet seen to fire whose members are all terminal (the reaper's sweep). */
  openGroups(): string[];
  /** Ends the process on its own (after a graceful shutdown, or a client that is done). Never returns. */
  exit(detail: string): Promise<never>;
}
