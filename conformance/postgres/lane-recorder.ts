// The history recorder of the real-Postgres lane: the simulator's recorder (same
// events, same `info` for operations a death cut short) plus one rule real
// processes need. A killed process's code does not stop at once: its in-flight
// call may still come back (committed just before the kill, or failing on the
// terminated connection). The kill already closed that call as `info`, so
// anything the dead incarnation reports afterwards is dropped, exactly as the
// simulator never resumes a killed fiber.
import type { OperationEvent } from '../../spec/history.ts';
import { Recorder } from '../../sim/recorder.ts';
import type { Fiber } from '../../sim/scheduler.ts';

type OperationFields = Omit<OperationEvent, 'index' | 'time' | 'type'>;

export class LaneRecorder extends Recorder {
  private readonly deadRuns = new Set<string>();

  constructor(private readonly now: () => number) {
    super(now);
  }

  /** From now on, nothing of this incarnation is recorded. */
  markDead(run: string): void {
    this.deadRuns.add(run);
  }

  isDead(run: string | null): boolean {
    return run !== null && this.deadRuns.has(run);
  }

  override invoke(fiber: Fiber | null, fields: OperationFields): void {
    if (this.isDead(fields.run)) return;
    super.invoke(fiber, fields);
  }

  override ok(fiber: Fiber | null, fields: OperationFields): OperationEvent {
    // A detached event (index -1, never in the history): the caller's listener ignores dead runs.
    if (this.isDead(fields.run)) return { index: -1, time: this.now(), type: 'ok', ...fields } as OperationEvent;
    return super.ok(fiber, fields);
  }

  override fail(fiber: Fiber | null, fields: OperationFields & { error: string }): OperationEvent {
    if (this.isDead(fields.run)) return { index: -1, time: this.now(), type: 'fail', ...fields } as OperationEvent;
    return super.fail(fiber, fields);
  }
}
