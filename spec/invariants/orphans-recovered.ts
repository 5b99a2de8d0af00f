// ORPHANS_RECOVERED: a job whose worker died holding it (or whose worker's
// shutdown returned without handing it back) runs again, or ends, within a
// stated bound. Incident 002's redundant owner claim kept a dead pod's runs from
// ever being picked up again; the bound is the reaper threshold plus slack,
// counted from the death or from the heal, whichever is later, because during
// the fault phase the world may keep every would-be rescuer down.
//
// Recovery is the dead owner's hold being let go in time: the job requeued (by a
// reaper, a startup, a shutdown) or ended by the deadline, and then — whenever
// capacity allows — run again before the end. Counting to the next claim instead
// would blame a busy single-slot queue for a recovery that happened on time;
// counting only the requeue would pass 002's bug, where the job is requeued but
// every claimant refuses it. A run that ended before an orphan's deadline gives
// no verdict for that orphan. An orphan whose row is terminal at the end, with
// no accepted write in the history, was ended by the write its process died
// waiting for: recovered.
import type { History, OperationEvent } from '../history.ts';
import { TERMINAL_STATUSES, type JobState, type State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { LivenessInvariant, LivenessOptions } from './definition.ts';
import { at, runName, trackName } from './explain.ts';
import { walkHistory, type Change, type DeathRecord, type HistoryMonitor, type HistoryWalk, type JobTrack, type RunTrack } from './history-walk.ts';
import { judgedAt } from './liveness-time.ts';

interface Obligation {
  readonly job: number;
  readonly since: number;
  readonly sinceIndex: number;
  readonly deadline: number;
  readonly cause: string;
  readonly process: string;
  /** Set when the hold was let go in time (a requeue): from then on only "runs again before the end" is owed. */
  released?: { time: number; how: string };
}

function deathText(run: RunTrack, death: DeathRecord): string {
  switch (death.cause) {
    case 'crash':
      return `${trackName(run)} crashed at ${at(death.time)}`;
    case 'exit':
      return `${trackName(run)} exited at ${at(death.time)}`;
    case 'restart':
      return `${trackName(run)} died in a container restart at ${at(death.time)}`;
    case 'lost ack':
      return `${trackName(run)} died at ${at(death.time)} before it saw an answer (lost ack)`;
  }
}

class OrphansRecoveredMonitor implements HistoryMonitor {
  readonly invariant = 'ORPHANS_RECOVERED';
  private readonly obligations = new Map<number, Obligation>();

  constructor(
    private readonly options: LivenessOptions,
    private readonly finalState: State,
    private readonly endTime: number,
  ) {}

  onDeath(run: RunTrack, death: DeathRecord): void {
    for (const id of run.held) this.owe(id, death.time, death.index, `${deathText(run, death)} while holding it`, run.process);
  }

  onShutdownOk(event: OperationEvent, run: RunTrack): void {
    const released = new Set(event.jobs ?? []);
    for (const id of run.held) {
      if (!released.has(id)) this.owe(id, event.time, event.index, `${trackName(run)}'s shutdown returned at ${at(event.time)} without releasing it`, run.process);
    }
  }

  onClaim(event: OperationEvent, _run: RunTrack, job: JobTrack | null, walk: HistoryWalk): void {
    if (job !== null) this.settle(job.id, event, `${runName(event.process, event.run)} claimed it again at ${at(event.time)}`, walk);
  }

  onTransition(event: OperationEvent, job: JobTrack, change: Change, _outcome: unknown, walk: HistoryWalk): void {
    if (change === 'terminal') {
      this.settle(job.id, event, `${event.process}'s ${event.op} ended it at ${at(event.time)}`, walk);
      return;
    }
    const obligation = this.obligations.get(job.id);
    if (obligation === undefined || obligation.released !== undefined) return;
    const how = `${event.process}'s ${event.op} requeued it at ${at(event.time)}`;
    // Released late: the recovery itself was blocked or slow.
    if (event.time > obligation.deadline) this.settle(job.id, event, how, walk);
    else obligation.released = { time: event.time, how };
  }

  onEnd(walk: HistoryWalk): void {
    if (this.obligations.size === 0) return;
    const rows = new Map<number, JobState>();
    for (const row of this.finalState.jobs) rows.set(row.id, row);
    for (const obligation of this.obligations.values()) {
      const row = rows.get(obligation.job);
      if (row !== undefined && TERMINAL_STATUSES.has(row.status)) continue;
      if (obligation.released !== undefined) {
        walk.report({
          invariant: this.invariant,
          eventIndex: obligation.sinceIndex,
          time: obligation.since,
          jobs: [obligation.job],
          processes: [obligation.process],
          explanation:
            `Let job ${obligation.job} be orphaned: ${obligation.cause}. ` +
            `Then ${obligation.released.how}, in time, but nobody ran it again before the run ended at ${at(this.endTime)}` +
            `${row === undefined ? '' : ` (its row says ${row.status}${row.owner === null ? '' : ` under ${row.owner}`})`}, ` +
            `because something still refused the dead owner's job: a stranded run (incident 002).`,
        });
        continue;
      }
      if (this.endTime < obligation.deadline) continue;
      walk.report({
        invariant: this.invariant,
        eventIndex: obligation.sinceIndex,
        time: obligation.since,
        jobs: [obligation.job],
        processes: [obligation.process],
        explanation:
          `Let job ${obligation.job} be orphaned: ${obligation.cause}. ` +
          `Then by the deadline ${at(obligation.deadline)} (the later of that and the heal at ${at(this.options.healTime)}, plus threshold ${this.options.thresholdMs} ms and bound ${this.options.boundMs} ms) ` +
          `nobody had claimed it again and it had not ended (the run ended at ${at(this.endTime)}${row === undefined ? '' : `; its row says ${row.status}${row.owner === null ? '' : ` under ${row.owner}`}`}), ` +
          `because nothing recovered a dead worker's job: a stranded run (incident 002).`,
      });
    }
  }

  private owe(job: number, since: number, sinceIndex: number, cause: string, process: string): void {
    if (this.obligations.has(job)) return;
    const deadline = Math.max(since, this.options.healTime) + this.options.thresholdMs + this.options.boundMs;
    this.obligations.set(job, { job, since, sinceIndex, deadline, cause, process });
  }

  private settle(job: number, event: OperationEvent, how: string, walk: HistoryWalk): void {
    const obligation = this.obligations.get(job);
    if (obligation === undefined) return;
    this.obligations.delete(job);
    // Released in time: running again at any later moment is what was owed.
    if (obligation.released !== undefined || event.time <= obligation.deadline) return;
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job],
      processes: obligation.process === event.process ? [event.process] : [obligation.process, event.process],
      explanation:
        `Let job ${job} be orphaned: ${obligation.cause}. ` +
        `Then ${how}, after its deadline ${at(obligation.deadline)} (the later of the orphaning and the heal at ${at(this.options.healTime)}, plus threshold ${this.options.thresholdMs} ms and bound ${this.options.boundMs} ms), ` +
        `because recovery of a dead worker's job was blocked or late (incident 002).`,
    });
  }
}

export function checkOrphansRecovered(history: History, finalState: State, options: LivenessOptions): Violation[] {
  return walkHistory(history, [new OrphansRecoveredMonitor(options, finalState, judgedAt(history, options))]).violations;
}

export const ORPHANS_RECOVERED: LivenessInvariant = {
  id: 'ORPHANS_RECOVERED',
  family: 'ORPHANS_RECOVERED',
  statement:
    'A job held by a worker that died, or whose worker’s shutdown returned without releasing it, is requeued or ends by max(that time, heal time) + thresholdMs + boundMs, and runs again or ends before the run does.',
  origin: [
    { incident: '002', why: 'a redundant run-owner claim that no recovery cleared kept a dead pod’s runs from ever being re-dispatched.' },
  ],
  implies: [],
  kind: 'liveness',
  requires: [],
  check: checkOrphansRecovered,
};
