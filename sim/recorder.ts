// The history recorder. Events get a dense index and the global simulated time;
// operations in flight are remembered per fiber so that a crash can close them
// honestly: `info` when a statement of the operation reached the database (it may
// have taken effect), `fail` when none did.
import type { HistoryEvent, OperationEvent, WorldEvent } from '../spec/history.ts';
import type { Fiber } from './scheduler.ts';

type OperationFields = Omit<OperationEvent, 'index' | 'time' | 'type'>;
type WorldFields = Omit<WorldEvent, 'index' | 'time' | 'type'>;

interface Pending {
  fields: OperationFields;
  statements: number;
}

export class Recorder {
  readonly events: HistoryEvent[] = [];
  private readonly pending = new Map<Fiber, Pending>();
  constructor(private readonly clock: () => number) {}

  world(fields: WorldFields): WorldEvent {
    const event: WorldEvent = { index: this.events.length, time: this.clock(), type: 'world', ...fields };
    this.events.push(event);
    return event;
  }

  invoke(fiber: Fiber | null, fields: OperationFields): void {
    this.push('invoke', fields);
    if (fiber !== null) this.pending.set(fiber, { fields, statements: 0 });
  }

  ok(fiber: Fiber | null, fields: OperationFields): OperationEvent {
    if (fiber !== null) this.pending.delete(fiber);
    return this.push('ok', fields);
  }

  fail(fiber: Fiber | null, fields: OperationFields & { error: string }): OperationEvent {
    if (fiber !== null) this.pending.delete(fiber);
    return this.push('fail', fields);
  }

  statement(fiber: Fiber): void {
    const pending = this.pending.get(fiber);
    if (pending !== undefined) pending.statements += 1;
  }

  /** Closes the operations the dead process had in flight. */
  crashed(fibers: readonly Fiber[], detail: string): void {
    for (const fiber of fibers) {
      const pending = this.pending.get(fiber);
      if (pending === undefined) continue;
      this.pending.delete(fiber);
      if (pending.statements > 0) this.push('info', { ...pending.fields, error: `process died ${detail}; the outcome is unknown` });
      else this.push('fail', { ...pending.fields, error: `process died ${detail}, before the operation reached the database` });
    }
  }

  private push(type: OperationEvent['type'], fields: OperationFields): OperationEvent {
    const event = { index: this.events.length, time: this.clock(), type, ...fields } as OperationEvent;
    this.events.push(event);
    return event;
  }
}
