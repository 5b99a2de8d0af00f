// SHUTDOWN_CLEAN: a graceful shutdown stops claiming, hands back what it holds,
// and leaves nothing behind. Incident 001's Worker.stop releases in-flight steps
// (gated on the lease) and deletes its checkin so peers need not wait for the
// timeout; incident 000's dispatcher kept scheduling after shutdown began. A
// shutdown that returns while the worker still holds a job strands that job until
// a reaper notices, which ORPHANS_RECOVERED then times.
//
// "After shutdown began" is judged per claim: a claim already in flight when the
// shutdown was invoked may still return a job (the engine could not have known),
// provided the shutdown hands that job back.
import type { History, OperationEvent } from '../history.ts';
import type { State, StateContext } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryCheckOptions, HistoryInvariant, StateInvariant } from './definition.ts';
import { at, leaseText, listText, runName, trackName, writeText } from './explain.ts';
import { walkHistory, type HistoryMonitor, type HistoryWalk, type JobTrack, type RunTrack } from './history-walk.ts';

export function checkShutdownCleanState(state: State, context: StateContext): Violation[] {
  if (context.shutDown.size === 0) return [];
  const violations: Violation[] = [];
  for (const worker of context.shutDown) {
    const jobs = state.jobs.filter((job) => job.status === 'running' && job.owner === worker);
    const locks = state.locks.filter((lock) => lock.holder === worker);
    if (jobs.length === 0 && locks.length === 0) continue;
    const kept: string[] = [];
    if (jobs.length > 0) kept.push(`running job${jobs.length === 1 ? '' : 's'} ${listText(jobs.map((job) => job.id))}`);
    if (locks.length > 0) kept.push(`the lock${locks.length === 1 ? '' : 's'} on ${listText(locks.map((lock) => lock.key))}`);
    violations.push({
      invariant: SHUTDOWN_CLEAN_STATE.id,
      eventIndex: null,
      time: state.time,
      jobs: [...jobs.map((job) => job.id), ...locks.flatMap((lock) => (lock.jobId === null || jobs.some((job) => job.id === lock.jobId) ? [] : [lock.jobId]))],
      processes: [worker],
      explanation:
        `Let ${worker}'s graceful shutdown have returned. ` +
        `Then at ${at(state.time)} ${worker} still owns ${listText(kept)}, ` +
        `because the shutdown did not release its in-flight work and drop its locks; nobody will finish or free them until a reaper notices (incidents 000, 001).`,
    });
  }
  return violations;
}

interface ShutdownTrack {
  invokeIndex: number;
  invokeTime: number;
  /** Claims in flight when the shutdown was invoked: their answers are not judged as claims after shutdown began. */
  excused: number;
  /** Jobs returned by claims invoked after the shutdown began, judged when the shutdown returns. */
  pending: { job: number; index: number; time: number; lease: string | null }[];
  okIndex: number;
  okTime: number;
}

class ShutdownCleanMonitor implements HistoryMonitor {
  readonly invariant = 'SHUTDOWN_CLEAN';
  private readonly shutdowns = new Map<RunTrack, ShutdownTrack>();

  onShutdownInvoke(event: OperationEvent, run: RunTrack): void {
    if (this.shutdowns.has(run)) return;
    this.shutdowns.set(run, { invokeIndex: event.index, invokeTime: event.time, excused: run.claimsOpen, pending: [], okIndex: -1, okTime: 0 });
  }

  onClaim(event: OperationEvent, run: RunTrack, job: JobTrack | null, walk: HistoryWalk): void {
    const shutdown = this.shutdowns.get(run);
    if (shutdown === undefined) return;
    if (shutdown.excused > 0) {
      shutdown.excused -= 1;
      return;
    }
    if (job === null) return;
    if (shutdown.okIndex < 0) {
      shutdown.pending.push({ job: job.id, index: event.index, time: event.time, lease: event.lease ?? null });
      return;
    }
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job.id],
      processes: [event.process],
      explanation:
        `Let ${trackName(run)}'s graceful shutdown have returned at ${at(shutdown.okTime)}. ` +
        `Then its claim at ${at(event.time)} returned job ${job.id} with ${leaseText(event.lease)}, ` +
        `because the engine kept a stopped worker claimable; the job is taken by a process that is going away (incidents 000, 001).`,
    });
  }

  onShutdownOk(event: OperationEvent, run: RunTrack, walk: HistoryWalk): void {
    let shutdown = this.shutdowns.get(run);
    if (shutdown === undefined) {
      shutdown = { invokeIndex: event.index, invokeTime: event.time, excused: 0, pending: [], okIndex: -1, okTime: 0 };
      this.shutdowns.set(run, shutdown);
    }
    shutdown.okIndex = event.index;
    shutdown.okTime = event.time;
    const released = new Set(event.jobs ?? []);
    const judged = new Set<number>();
    for (const claim of shutdown.pending) {
      judged.add(claim.job);
      if (released.has(claim.job)) continue;
      walk.report({
        invariant: this.invariant,
        eventIndex: claim.index,
        time: claim.time,
        jobs: [claim.job],
        processes: [run.process],
        explanation:
          `Let ${trackName(run)} begin its graceful shutdown at ${at(shutdown.invokeTime)}. ` +
          `Then a claim it invoked after that returned job ${claim.job} at ${at(claim.time)} with ${leaseText(claim.lease)}, and the shutdown that returned at ${at(event.time)} did not hand it back, ` +
          `because the engine kept claiming for a stopping worker (incidents 000, 001).`,
      });
    }
    shutdown.pending = [];
    for (const id of run.held) {
      if (released.has(id) || judged.has(id)) continue;
      const holder = walk.findJob(id)?.holder ?? null;
      const lost = walk.lastWideInfo;
      if (lost !== null && holder !== null && lost.index > holder.index) {
        walk.undecide({
          invariant: this.invariant,
          eventIndex: event.index,
          time: event.time,
          jobs: [id],
          processes: [run.process],
          explanation:
            `${trackName(run)}'s graceful shutdown returned at ${at(event.time)} without releasing job ${id}, which it held from ${at(holder.time)}; ` +
            `${lost.process}'s ${lost.op} at ${at(lost.time)} lost its answer and may have requeued it already, so whether the shutdown left it behind cannot be judged.`,
        });
        continue;
      }
      walk.report({
        invariant: this.invariant,
        eventIndex: event.index,
        time: event.time,
        jobs: [id],
        processes: [run.process],
        explanation:
          `Let ${trackName(run)} hold job ${id}${holder === null ? '' : ` from its claim at ${at(holder.time)} with ${leaseText(holder.lease)}`}. ` +
          `Then its graceful shutdown returned at ${at(event.time)} without releasing job ${id}, ` +
          `because the shutdown did not release in-flight work; the job stays running under a worker that is gone until a reaper notices (incident 001).`,
      });
    }
  }

  onWrite(event: OperationEvent, run: RunTrack, job: JobTrack, walk: HistoryWalk): void {
    this.afterShutdown(event, run, job, walk);
  }

  onAttach(event: OperationEvent, run: RunTrack, job: JobTrack, walk: HistoryWalk): void {
    this.afterShutdown(event, run, job, walk);
  }

  private afterShutdown(event: OperationEvent, run: RunTrack, job: JobTrack, walk: HistoryWalk): void {
    const shutdown = this.shutdowns.get(run);
    if (shutdown === undefined || shutdown.okIndex < 0) return;
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job.id],
      processes: [event.process],
      explanation:
        `Let ${runName(event.process, event.run)}'s graceful shutdown have returned at ${at(shutdown.okTime)}. ` +
        `Then ${writeText(event)} and the write took effect, ` +
        `because the engine still accepted the writes of a worker that had shut down; whatever it held had been handed back, so the write lands on someone else's work.`,
    });
  }
}

export function checkShutdownClean(history: History, _options?: HistoryCheckOptions): Violation[] {
  return walkHistory(history, [new ShutdownCleanMonitor()]).violations;
}

export const SHUTDOWN_CLEAN: HistoryInvariant = {
  id: 'SHUTDOWN_CLEAN',
  family: 'SHUTDOWN_CLEAN',
  statement:
    'A claim a worker invokes after its graceful shutdown began never keeps a job, its shutdown returns only after handing back every job it held, and no write of it is accepted after the shutdown returned.',
  origin: [
    { incident: '000', why: 'the client’s dispatcher kept scheduling work after shutdown began (“cannot schedule new futures after shutdown”).' },
    { incident: '001', why: 'Worker.stop must release in-flight steps and delete its checkin so peers need not wait out the timeout.' },
  ],
  implies: [],
  kind: 'history',
  requires: [],
  check: checkShutdownClean,
  monitor: () => new ShutdownCleanMonitor(),
};

export const SHUTDOWN_CLEAN_STATE: StateInvariant = {
  id: 'SHUTDOWN_CLEAN_STATE',
  family: 'SHUTDOWN_CLEAN',
  statement: 'A worker whose graceful shutdown has returned owns no running job and holds no lock.',
  origin: [
    { incident: '001', why: 'a stopped worker that keeps its steps or its resource locks blocks them until the checkin timeout.' },
    { incident: '000', why: 'a process that leaves must take nothing with it; the rows are the proof.' },
  ],
  implies: [],
  kind: 'state',
  requires: ['stateView'],
  check: checkShutdownCleanState,
};
