// A run as a readable timeline: one line per event (time, process, pid,
// operation, job, lease, outcome), the violating step marked. Heartbeats are
// folded into a count per line of other activity, because they are most of a
// history and none of its story.
import type { History, HistoryEvent } from '../spec/history.ts';
import type { Violation } from '../spec/verdict.ts';

export interface TimelineOptions {
  /** Show events up to this index (the violation, for a safety invariant). */
  endIndex?: number;
  /** Keep heartbeat lines instead of folding them. */
  heartbeats?: boolean;
}

export function textTimeline(history: History, violations: readonly Violation[], options: TimelineOptions = {}): string[] {
  const marked = new Map<number, Violation[]>();
  for (const violation of violations) {
    if (violation.eventIndex === null) continue;
    const list = marked.get(violation.eventIndex) ?? [];
    list.push(violation);
    marked.set(violation.eventIndex, list);
  }
  const end = Math.min(options.endIndex ?? history.length - 1, history.length - 1);
  const lines: string[] = [];
  let folded = 0;
  for (let index = 0; index <= end; index += 1) {
    const event = history[index]!;
    const isMarked = marked.has(index);
    if (!options.heartbeats && event.type !== 'world' && event.op === 'heartbeat' && event.applied !== false && !isMarked) {
      folded += 1;
      continue;
    }
    const suffix = folded > 0 ? `  (+${folded} heartbeats)` : '';
    folded = 0;
    lines.push(`${isMarked ? '>>' : '  '} ${formatEvent(event)}${suffix}`);
    for (const violation of marked.get(index) ?? []) lines.push(`   ^ ${violation.invariant}: ${violation.explanation}`);
  }
  return lines;
}

export function formatEvent(event: HistoryEvent): string {
  const time = `t=${event.time}`.padEnd(9);
  const who = `${event.process}${event.pid === null ? '' : `[${event.pid}]`}`.padEnd(12);
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
