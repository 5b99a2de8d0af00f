// TERMINAL_FINAL: completed and failed are final. Once an accepted write (or a
// reaper that found the attempts spent) ended a job, no claim returns it and no
// write or requeue changes it. Incident 001's stale finisher could flip a
// finished step back, and a job that runs again after it completed runs its
// side effects twice.
import type { History, OperationEvent } from '../history.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryCheckOptions, HistoryInvariant } from './definition.ts';
import { at, changeText, leaseText, outcomeText, runName } from './explain.ts';
import { walkHistory, type Change, type HistoryMonitor, type HistoryWalk, type JobTrack, type Outcome, type RunTrack } from './history-walk.ts';

class TerminalFinalMonitor implements HistoryMonitor {
  readonly invariant = 'TERMINAL_FINAL';

  onClaim(event: OperationEvent, _run: RunTrack, job: JobTrack | null, walk: HistoryWalk): void {
    if (job === null || job.terminal === null) return;
    this.report(walk, event, job, `${runName(event.process, event.run)}'s claim at ${at(event.time)} returned it with ${leaseText(event.lease)}`);
  }

  onTransition(event: OperationEvent, job: JobTrack, change: Change, outcome: Outcome | null, walk: HistoryWalk): void {
    if (job.terminal === null) return;
    this.report(walk, event, job, `${changeText(event, change, outcome)} and that took effect`);
  }

  onAttach(event: OperationEvent, _run: RunTrack, job: JobTrack, walk: HistoryWalk): void {
    if (job.terminal === null) return;
    this.report(walk, event, job, `${event.process}'s attachRun at ${at(event.time)} with ${leaseText(event.lease)} took effect`);
  }

  private report(walk: HistoryWalk, event: OperationEvent, job: JobTrack, what: string): void {
    const terminal = job.terminal!;
    walk.report({
      invariant: this.invariant,
      eventIndex: event.index,
      time: event.time,
      jobs: [job.id],
      processes: terminal.process === event.process ? [event.process] : [terminal.process, event.process],
      explanation:
        `Let ${outcomeText(terminal, job.id)}. ` +
        `Then ${what}, ` +
        `because the engine did not treat the terminal state as final; a finished job changed again.`,
    });
  }
}

export function checkTerminalFinal(history: History, _options?: HistoryCheckOptions): Violation[] {
  return walkHistory(history, [new TerminalFinalMonitor()]).violations;
}

export const TERMINAL_FINAL: HistoryInvariant = {
  id: 'TERMINAL_FINAL',
  family: 'TERMINAL_FINAL',
  statement:
    'After a job’s first accepted terminal outcome no claim returns it and no later write, requeue or terminal outcome of it takes effect.',
  origin: [
    { incident: '001', why: 'without lease gating a stale finisher could rewrite a step that had already completed, and a completed job could run again.' },
  ],
  implies: [],
  kind: 'history',
  requires: [],
  check: checkTerminalFinal,
  monitor: () => new TerminalFinalMonitor(),
};
