// A run as a readable timeline: one line per event (time, process, pid,
// operation, job, lease, outcome), the violating step marked. Two kinds of
// event carry no story and are folded by default:
//   - heartbeats (invoke and outcome), into a count of their events on the
//     next line of other activity (they are most of a history);
//   - idle stretches: runs of operations that reported doing nothing (a claim
//     that got no job, a reap that removed and requeued nothing, a sanitize
//     that healed nothing) with their heartbeats, into one line that counts
//     them. A liveness case's evidence runs to a deadline, and what fills the
//     wait is one live worker polling and reaping to no effect: a stretch of
//     60 such events says "time passed and nothing was recovered", which one
//     line says as well (TLC prints a liveness counterexample's stuttering tail
//     as one step).
//   - an operation's invoke, when its outcome follows it with nothing but
//     heartbeats between: the outcome's line says the operation, its job,
//     lease and result (an operation overlapped by another keeps both lines,
//     which is what shows a race).
// `every: true` prints every event instead (the CLI's --every-event).
import type { History, HistoryEvent, OperationEvent } from '../spec/history.ts';
import type { Violation } from '../spec/verdict.ts';
import type { ShrinkResult } from './shrink.ts';

export interface TimelineOptions {
  /** Show events up to this index (the violation, for a safety invariant). */
  endIndex?: number;
  /** One line per event: no heartbeat or idle-stretch folding. */
  every?: boolean;
}

/**
 * An idle stretch is folded only when it would otherwise take at least this
 * many lines (heartbeats aside): shorter ones read as well unfolded, and a
 * single empty poll is often part of a story (group-snapshot-then-update's).
 */
export const IDLE_FOLD_MIN_LINES = 4;

export function textTimeline(history: History, violations: readonly Violation[], options: TimelineOptions = {}): string[] {
  const marked = new Map<number, Violation[]>();
  for (const violation of violations) {
    if (violation.eventIndex === null) continue;
    const list = marked.get(violation.eventIndex) ?? [];
    list.push(violation);
    marked.set(violation.eventIndex, list);
  }
  const end = Math.min(options.endIndex ?? history.length - 1, history.length - 1);
  const shown = history.slice(0, end + 1);
  const outcomes = pairOperations(shown);
  const stretches = options.every ? new Map<number, number>() : idleStretches(shown, marked, outcomes);
  const merged = options.every ? new Set<number>() : mergedInvokes(shown, marked, outcomes.outcomeOf, stretches);
  const lines: string[] = [];
  let folded = 0;
  for (let index = 0; index <= end; index += 1) {
    const stretchEnd = stretches.get(index);
    if (stretchEnd !== undefined) {
      lines.push(`   ${foldLine(shown.slice(index, stretchEnd + 1), folded)}`);
      folded = 0;
      index = stretchEnd;
      continue;
    }
    const event = shown[index]!;
    const isMarked = marked.has(index);
    if (merged.has(index)) continue;
    if (!options.every && isHeartbeat(event) && !isMarked) {
      folded += 1;
      continue;
    }
    const suffix = folded > 0 ? `  (+${folded} heartbeat events)` : '';
    folded = 0;
    lines.push(`${isMarked ? '>>' : '  '} ${formatEvent(event)}${suffix}`);
    for (const violation of marked.get(index) ?? []) lines.push(`${EXPLANATION_PREFIX}${violation.invariant}: ${violation.explanation}`);
  }
  return lines;
}

/** A shrunk case as the command prints it: its events through the end of the evidence, its invariant's violations marked. */
export function shrunkTimeline(shrunk: ShrinkResult, options: Omit<TimelineOptions, 'endIndex'> = {}): string[] {
  const targeted = shrunk.result.violations.filter((violation) => violation.invariant === shrunk.invariant);
  return textTimeline(shrunk.result.history, targeted, { ...options, endIndex: shrunk.traceLength - 1 });
}

/** Lines of a timeline that show events (the `^` lines under a marked event explain it). */
export function eventLineCount(lines: readonly string[]): number {
  return lines.filter((line) => !line.startsWith(EXPLANATION_PREFIX)).length;
}

const EXPLANATION_PREFIX = '   ^ ';

function isHeartbeat(event: HistoryEvent): boolean {
  return event.type !== 'world' && event.op === 'heartbeat' && event.applied !== false;
}

/** A completed operation that reported doing nothing. */
function isIdleOutcome(event: OperationEvent): boolean {
  if (event.type !== 'ok') return false;
  switch (event.op) {
    case 'claim':
      return event.job == null;
    case 'reap':
      return (event.jobs ?? []).length === 0 && (event.failedJobs ?? []).length === 0 && (event.workers ?? []).length === 0;
    case 'sanitize':
      return (event.jobs ?? []).length === 0 && (event.failedJobs ?? []).length === 0;
    default:
      return false;
  }
}

/**
 * The foldable stretches, as start index → end index: maximal runs of idle
 * events (heartbeats, and both halves of idle operations) that hold every
 * operation they touch whole — an invoke whose outcome falls outside the run
 * ends the run before it — and would print IDLE_FOLD_MIN_LINES lines or more.
 */
function idleStretches(history: History, marked: ReadonlyMap<number, unknown>, { outcomeOf, invokeOf }: Operations): Map<number, number> {
  const idle = (index: number): boolean => {
    const event = history[index]!;
    if (event.type === 'world' || marked.has(index)) return false;
    if (isHeartbeat(event)) return true;
    const outcome = event.type === 'invoke' ? outcomeOf.get(index) : index;
    if (outcome === undefined || marked.has(outcome)) return false;
    return isIdleOutcome(history[outcome] as OperationEvent);
  };

  const stretches = new Map<number, number>();
  let index = 0;
  while (index < history.length) {
    if (!idle(index)) {
      index += 1;
      continue;
    }
    let start = index;
    let end = index;
    while (end + 1 < history.length && idle(end + 1)) end += 1;
    const next = end + 1;
    // Keep operations whole: trim an outcome whose invoke is before the run, an invoke whose outcome is after it.
    let trimmed = true;
    while (trimmed && start <= end) {
      trimmed = false;
      for (let k = start; k <= end; k += 1) {
        const event = history[k]!;
        if (event.type === 'ok' && (invokeOf.get(k) ?? start) < start) {
          start = k + 1;
          trimmed = true;
          break;
        }
        if (event.type === 'invoke' && (outcomeOf.get(k) ?? Infinity) > end) {
          end = k - 1;
          trimmed = true;
          break;
        }
      }
    }
    if (start <= end && lineCount(history, start, end, outcomeOf) >= IDLE_FOLD_MIN_LINES) stretches.set(start, end);
    index = next;
  }
  return stretches;
}

interface Operations {
  /** Each invoke's outcome (index → index). */
  outcomeOf: Map<number, number>;
  /** Each outcome's invoke. */
  invokeOf: Map<number, number>;
}

/** Each invoke's outcome: the next ok/fail/info of the same process run and operation. */
function pairOperations(history: History): Operations {
  const outcomeOf = new Map<number, number>();
  const invokeOf = new Map<number, number>();
  const open = new Map<string, number[]>();
  history.forEach((event, index) => {
    if (event.type === 'world') return;
    const key = `${event.process}/${event.run ?? ''}/${event.op}`;
    if (event.type === 'invoke') {
      const queue = open.get(key) ?? [];
      queue.push(index);
      open.set(key, queue);
      return;
    }
    const invoke = open.get(key)?.shift();
    if (invoke === undefined) return;
    outcomeOf.set(invoke, index);
    invokeOf.set(index, invoke);
  });
  return { outcomeOf, invokeOf };
}

/**
 * Invokes whose outcome line says it all: the outcome is shown, and only
 * heartbeats (folded anyway) come between, so no other operation overlaps it.
 * Neither half is marked or inside an idle stretch (a stretch prints its own line).
 */
function mergedInvokes(history: History, marked: ReadonlyMap<number, unknown>, outcomeOf: ReadonlyMap<number, number>, stretches: ReadonlyMap<number, number>): Set<number> {
  const inStretch = new Set<number>();
  for (const [start, end] of stretches) for (let index = start; index <= end; index += 1) inStretch.add(index);
  const merged = new Set<number>();
  for (const [invoke, outcome] of outcomeOf) {
    if (isHeartbeat(history[invoke]!) || marked.has(invoke) || inStretch.has(invoke) || inStretch.has(outcome) || !alone(history, invoke, outcome)) continue;
    let printedBetween = false;
    for (let between = invoke + 1; between < outcome && !printedBetween; between += 1) printedBetween = marked.has(between) || inStretch.has(between);
    if (!printedBetween) merged.add(invoke);
  }
  return merged;
}

/** Whether nothing but heartbeats comes between an invoke and its outcome: no other operation overlaps it. */
function alone(history: History, invoke: number, outcome: number): boolean {
  for (let between = invoke + 1; between < outcome; between += 1) if (!isHeartbeat(history[between]!)) return false;
  return true;
}

/** Lines the events from start to end would print unfolded (heartbeats fold into a neighbour's line, an invoke into its outcome's when nothing else comes between). */
function lineCount(history: History, start: number, end: number, outcomeOf: ReadonlyMap<number, number>): number {
  let lines = 0;
  for (let k = start; k <= end; k += 1) {
    if (isHeartbeat(history[k]!)) continue;
    const outcome = outcomeOf.get(k);
    if (outcome !== undefined && outcome <= end && alone(history, k, outcome)) continue;
    lines += 1;
  }
  return lines;
}

/**
 * One line for an idle stretch: its span, who was idle, and what they did.
 * `heartbeatsBefore` are heartbeats folded just before it, counted in.
 */
function foldLine(events: readonly HistoryEvent[], heartbeatsBefore: number): string {
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const time = `t=${first.time}`;
  const byProcess = new Map<string, { label: string; counts: Map<string, number>; heartbeats: number }>();
  for (const event of events) {
    if (event.type === 'world') continue;
    const label = processLabel(event);
    const entry = byProcess.get(label) ?? { label, counts: new Map<string, number>(), heartbeats: 0 };
    byProcess.set(label, entry);
    if (isHeartbeat(event)) entry.heartbeats += event.type === 'invoke' ? 0 : 1;
    else if (event.type === 'ok') entry.counts.set(event.op, (entry.counts.get(event.op) ?? 0) + 1);
  }
  const single = byProcess.size === 1;
  const parts = [...byProcess.values()].map((entry) => {
    const ops = [...entry.counts].map(([op, count]) => `${op} → nothing ×${count}`);
    if (entry.heartbeats > 0) ops.push(`heartbeat ×${entry.heartbeats}`);
    return `${single ? '' : `${entry.label} `}${ops.join(', ')}`;
  });
  const who = single ? [...byProcess.keys()][0]! : `${byProcess.size} processes`;
  const before = heartbeatsBefore > 0 ? `  (+${heartbeatsBefore} heartbeat events before)` : '';
  return `${time.padEnd(9)} ${who.padEnd(12)} idle   until t=${last.time}: ${parts.join('; ')} (${events.length} events folded)${before}`;
}

/** A process as the timeline names it: its id and, when it has one, its pid (`w1~2[2]`). */
function processLabel(event: HistoryEvent): string {
  return `${event.process}${event.pid === null ? '' : `[${event.pid}]`}`;
}

export function formatEvent(event: HistoryEvent): string {
  const time = `t=${event.time}`.padEnd(9);
  const who = processLabel(event).padEnd(12);
  if (event.type === 'world') {
    const detail = [event.loop === undefined ? '' : `loop ${event.loop}`, event.until === undefined ? '' : `until t=${event.until}`, event.detail ?? ''].filter((part) => part.length > 0).join(', ');
    return `${time} ${who} ${event.op.toUpperCase()}${detail.length > 0 ? ` (${detail})` : ''}`;
  }
  const parts: string[] = [`${event.type.padEnd(6)} ${event.op}`];
  if (event.job != null) parts.push(`job ${event.job}`);
  if (event.lease != null) parts.push(`lease ${event.lease}`);
  if (event.group != null) parts.push(`group ${event.group}`);
  if (event.type === 'ok') {
    if (event.op === 'claim' && event.job == null) parts.push('→ nothing');
    if (event.applied !== undefined) parts.push(event.applied ? '→ applied' : '→ rejected');
    if (event.status !== undefined) parts.push(`→ ${event.status ?? 'no change'}`);
    if (event.workers !== undefined && event.workers.length > 0) parts.push(`→ reaped ${event.workers.join(',')}`);
    if (event.jobs !== undefined && event.jobs.length > 0) parts.push(`jobs ${event.jobs.join(',')}`);
    if (event.failedJobs !== undefined && event.failedJobs.length > 0) parts.push(`failed ${event.failedJobs.join(',')}`);
  }
  if (event.error !== undefined) parts.push(`(${event.error})`);
  return `${time} ${who} ${parts.join(' ')}`;
}
