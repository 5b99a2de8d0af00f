// REAPER_NOT_SELF: a reaper removes neither itself nor a worker that is
// provably alive. Incident 001's reaper could reap its own worker when the
// checkin loop stalled while the reaper loop ran, resetting its own in-flight
// steps. A worker is provably fresh when a heartbeat (or startup) it began at
// time h had been acknowledged before the reap began, and the reap answered at
// t with t − h < thresholdMs − 2·clockSkewMaxMs: then no clocks within the skew
// bound can make that heartbeat look older than the threshold.
import type { History, OperationEvent } from '../history.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryCheckOptions, HistoryInvariant } from './definition.ts';
import { at, runName } from './explain.ts';
import { walkHistory, type HistoryMonitor, type HistoryWalk, type RunTrack } from './history-walk.ts';

/** The latest two registrations of a worker id, updated in place (a heartbeat is the most common event). */
interface Registrations {
  latestInvokeTime: number;
  latestOkIndex: number;
  latestOkTime: number;
  latestOp: string;
  previousInvokeTime: number;
  previousOkIndex: number;
  previousOkTime: number;
  previousOp: string;
}

class ReaperNotSelfMonitor implements HistoryMonitor {
  readonly invariant = 'REAPER_NOT_SELF';
  /** A heartbeat acknowledged while the reap was in flight must not count, the one before it does: two are kept. */
  private readonly registrations = new Map<string, Registrations>();

  constructor(private readonly clockSkewMaxMs: number) {}

  onRegistration(event: OperationEvent, _run: RunTrack, invokeTime: number): void {
    const known = this.registrations.get(event.process);
    if (known === undefined) {
      this.registrations.set(event.process, {
        latestInvokeTime: invokeTime,
        latestOkIndex: event.index,
        latestOkTime: event.time,
        latestOp: event.op,
        previousInvokeTime: 0,
        previousOkIndex: -1,
        previousOkTime: 0,
        previousOp: '',
      });
      return;
    }
    known.previousInvokeTime = known.latestInvokeTime;
    known.previousOkIndex = known.latestOkIndex;
    known.previousOkTime = known.latestOkTime;
    known.previousOp = known.latestOp;
    known.latestInvokeTime = invokeTime;
    known.latestOkIndex = event.index;
    known.latestOkTime = event.time;
    known.latestOp = event.op;
  }

  onReap(event: OperationEvent, run: RunTrack, walk: HistoryWalk): void {
    const workers = event.workers;
    if (workers === undefined || workers.length === 0) return;
    const thresholdMs = event.thresholdMs ?? run.reapThresholdMs;
    const began = run.reapInvokeIndex >= 0 ? run.reapInvokeIndex : event.index;
    const reaper = runName(event.process, event.run);
    for (const worker of workers) {
      if (worker === event.process) {
        walk.report({
          invariant: this.invariant,
          eventIndex: event.index,
          time: event.time,
          jobs: event.jobs ?? [],
          processes: [event.process],
          explanation:
            `Let ${reaper} reap dead workers at ${at(event.time)}. ` +
            `Then the reap removed ${worker} itself${event.jobs !== undefined && event.jobs.length > 0 ? ` and requeued its jobs` : ''}, ` +
            `because the reaper did not exclude its caller; a worker whose heartbeat loop stalled while its reaper loop ran resets its own in-flight work (incident 001).`,
        });
        continue;
      }
      if (thresholdMs == null) continue;
      const known = this.registrations.get(worker);
      if (known === undefined) continue;
      let registration: { invokeTime: number; okIndex: number; okTime: number; op: string };
      if (known.latestOkIndex <= began) registration = { invokeTime: known.latestInvokeTime, okIndex: known.latestOkIndex, okTime: known.latestOkTime, op: known.latestOp };
      else if (known.previousOkIndex >= 0 && known.previousOkIndex <= began) registration = { invokeTime: known.previousInvokeTime, okIndex: known.previousOkIndex, okTime: known.previousOkTime, op: known.previousOp };
      else continue;
      const ageMs = event.time - registration.invokeTime;
      const freshMs = thresholdMs - 2 * this.clockSkewMaxMs;
      if (ageMs >= freshMs) continue;
      walk.report({
        invariant: this.invariant,
        eventIndex: event.index,
        time: event.time,
        jobs: event.jobs ?? [],
        processes: [event.process, worker],
        explanation:
          `Let ${worker}'s ${registration.op} begun at ${at(registration.invokeTime)} have been acknowledged at ${at(registration.okTime)}, before ${reaper}'s reap began. ` +
          `Then the reap answered at ${at(event.time)} with ${worker} among the reaped, with threshold ${thresholdMs} ms, ` +
          `but ${worker}'s ${registration.op} was at most ${ageMs} ms old, under thresholdMs − 2·clockSkewMaxMs = ${freshMs} ms, ` +
          `because the reaper did not judge liveness by the heartbeat (or trusted something else); a live worker lost its jobs.`,
      });
    }
  }
}

export function checkReaperNotSelf(history: History, options: HistoryCheckOptions): Violation[] {
  return walkHistory(history, [new ReaperNotSelfMonitor(options.clockSkewMaxMs)]).violations;
}

export const REAPER_NOT_SELF: HistoryInvariant = {
  id: 'REAPER_NOT_SELF',
  family: 'REAPER_NOT_SELF',
  statement:
    'A reap never removes its caller, nor a worker whose heartbeat or startup, acknowledged before the reap began, began less than thresholdMs − 2·clockSkewMaxMs before the reap answered.',
  origin: [
    { incident: '001', why: 'reap_dead_workers did not skip the caller, so a stalled checkin loop let a worker reap itself and reset its own in-flight steps.' },
  ],
  implies: [],
  kind: 'history',
  requires: ['reaper'],
  check: checkReaperNotSelf,
  monitor: (options) => new ReaperNotSelfMonitor(options.clockSkewMaxMs),
};
