// The timeline model: what the picture shows, derived from a history alone (a
// pure function, no layout). One lane per process id; on it the lease bars (who
// held which job, from the claim to the write that ended the claim), the runs
// (spawn → crash/exit), pauses, and point marks. Renderers only place this.
import type { History, HistoryEvent, OperationEvent, WorldEvent } from '../../spec/history.ts';
import type { Violation } from '../../spec/verdict.ts';

/** How a claim ended, as the bar's colour says it. */
export type LeaseOutcome =
  /** complete applied. */
  | 'completed'
  /** fail applied (retried or attempts spent: the title says which). */
  | 'failed'
  /** release applied. */
  | 'released'
  /** The terminal write was rejected (applied=false): the fence worked. */
  | 'fenced'
  /** The terminal write's outcome is unknown (info: the process died after it reached the database). */
  | 'unknown'
  /** The holder died (crash, container restart) before any terminal write reached the database. */
  | 'crashed'
  /** The run ended with the claim still held. */
  | 'open';

export const LEASE_OUTCOMES: readonly LeaseOutcome[] = ['completed', 'failed', 'released', 'fenced', 'unknown', 'crashed', 'open'];

export interface LeaseBar {
  process: string;
  run: string | null;
  pid: number | null;
  job: number;
  lease: string;
  queue: string | null;
  resourceKey: string | null;
  /** Claim ok. */
  start: number;
  startIndex: number;
  /** The terminal write's last event, the death of the holder, or the end of the run. */
  end: number;
  endIndex: number | null;
  outcome: LeaseOutcome;
  /** fail: the job's status after the write ('queued' = retried, 'failed' = attempts spent). */
  status: string | null;
  /**
   * When the database stopped counting this claim as the job's owner while the
   * holder still believed in it (reaped, requeued at a startup, released by a
   * shutdown, healed, or claimed again): from here on the holder is stale and its
   * write should be fenced. Null when it never happened before the bar ended.
   */
  lost: { time: number; index: number; by: string; how: string } | null;
  /** For a dead holder: until when the orphaned claim stayed in the database (requeue or end of run). */
  orphanUntil: number | null;
  /** Event indexes of this claim's operations (claim, heartbeats on it, terminal write), for highlighting. */
  indexes: number[];
}

export type MarkKind =
  | 'spawn'
  | 'pid-reuse'
  | 'crash'
  | 'stop'
  | 'exit'
  | 'heartbeat'
  | 'heartbeat-rejected'
  | 'enqueue'
  | 'reap'
  | 'startup'
  | 'sanitize'
  | 'shutdown'
  | 'group'
  | 'claim-unknown'
  | 'attach';

export interface Mark {
  kind: MarkKind;
  process: string;
  time: number;
  index: number;
  title: string;
}

export interface PauseSpan {
  process: string;
  loop: string;
  start: number;
  end: number;
  index: number;
}

export interface RunSpan {
  run: string | null;
  pid: number | null;
  generation: number | null;
  start: number;
  end: number;
  ending: 'crash' | 'exit' | 'restart' | 'open';
  /** The pid was another run's before (a reuse after a crash or a container restart). */
  reusedPid: boolean;
}

export interface Lane {
  process: string;
  role: string;
  runs: RunSpan[];
  pids: number[];
}

export interface GlobalMark {
  kind: 'restart' | 'heal';
  time: number;
  index: number;
  title: string;
}

export interface ViolationMark {
  /** 1-based, in the order given. */
  number: number;
  invariant: string;
  eventIndex: number | null;
  time: number;
  /** The lane it is drawn on, or null when no process of it has a lane. */
  process: string | null;
  explanation: string;
  jobs: number[];
  processes: string[];
  /** The lease of the claim the violating event belongs to, when it has one. */
  lease: string | null;
}

export interface ResourceHold {
  key: string;
  process: string;
  job: number;
  lease: string;
  start: number;
  end: number;
  row: number;
}

export interface TimelineModel {
  lanes: Lane[];
  bars: LeaseBar[];
  marks: Mark[];
  pauses: PauseSpan[];
  globals: GlobalMark[];
  violations: ViolationMark[];
  /** Per resource key, holds packed into rows so overlapping holds stay visible. */
  resources: { key: string; rows: number; holds: ResourceHold[] }[];
  endTime: number;
  healTime: number | null;
  eventCount: number;
}

export interface ModelOptions {
  /** Job id → resource key, when derivable (see resource-keys.ts). */
  resourceKeys?: ReadonlyMap<number, string>;
}

const TERMINAL_WRITES = new Set(['complete', 'fail', 'release']);

export function buildTimelineModel(history: History, violations: readonly Violation[], options: ModelOptions = {}): TimelineModel {
  const resourceKeys = options.resourceKeys ?? new Map<number, string>();
  const endTime = history.reduce((max, event) => Math.max(max, event.time), 0);
  const lanes = new Map<string, Lane>();
  const laneOf = (event: HistoryEvent): Lane => {
    let lane = lanes.get(event.process);
    if (lane === undefined) {
      lane = { process: event.process, role: event.role, runs: [], pids: [] };
      lanes.set(event.process, lane);
    }
    return lane;
  };
  const marks: Mark[] = [];
  const pauses: PauseSpan[] = [];
  const globals: GlobalMark[] = [];
  const bars: LeaseBar[] = [];
  /** Open claims by lease token. */
  const openBars = new Map<string, LeaseBar>();
  /** Pauses not yet ended by a resume or the death of their process. */
  const openPauses: PauseSpan[] = [];
  /** The process and run that first had each pid, to mark reuse. */
  const pidSeen = new Map<number, string>();
  let healTime: number | null = null;

  const currentRun = (lane: Lane): RunSpan | undefined => {
    const last = lane.runs[lane.runs.length - 1];
    return last !== undefined && last.ending === 'open' ? last : undefined;
  };
  const endPauses = (process: string, time: number, loop: string | null) => {
    for (let position = openPauses.length - 1; position >= 0; position -= 1) {
      const pause = openPauses[position]!;
      if (pause.process !== process || (loop !== null && pause.loop !== loop)) continue;
      pause.end = Math.min(pause.end, time);
      openPauses.splice(position, 1);
    }
  };
  const lose = (job: number, event: OperationEvent, how: string, exceptLease: string | null) => {
    for (const bar of openBars.values()) {
      if (bar.job !== job || bar.lease === exceptLease || bar.lost !== null) continue;
      bar.lost = { time: event.time, index: event.index, by: event.process, how };
    }
    for (const bar of bars) {
      // A dead holder's claim stays in the database until someone requeues it.
      if (bar.job === job && bar.orphanUntil === null && (bar.outcome === 'crashed' || bar.outcome === 'unknown') && !openBars.has(bar.lease) && bar.lease !== exceptLease) {
        bar.orphanUntil = event.time;
      }
    }
  };
  const closeRunClaims = (run: string | null, process: string, time: number, index: number) => {
    for (const [lease, bar] of openBars) {
      if (bar.process !== process || bar.run !== run) continue;
      bar.end = time;
      bar.endIndex = index;
      bar.outcome = 'crashed';
      openBars.delete(lease);
    }
  };
  const endRun = (lane: Lane, time: number, ending: RunSpan['ending'], index: number) => {
    const run = currentRun(lane);
    if (run === undefined) return;
    run.end = time;
    run.ending = ending;
    closeRunClaims(run.run, lane.process, time, index);
    endPauses(lane.process, time, null);
  };

  for (const event of history) {
    if (event.type === 'world') {
      handleWorld(event);
      continue;
    }
    handleOperation(event);
  }

  function handleWorld(event: WorldEvent): void {
    switch (event.op) {
      case 'restart':
        globals.push({ kind: 'restart', time: event.time, index: event.index, title: `#${event.index} t=${event.time} ms: container restart — ${event.detail ?? 'every process dies'}` });
        for (const lane of lanes.values()) endRun(lane, event.time, 'restart', event.index);
        return;
      case 'heal':
        healTime = event.time;
        globals.push({ kind: 'heal', time: event.time, index: event.index, title: `#${event.index} t=${event.time} ms: heal — ${event.detail ?? 'faults stop'}; liveness is judged from here` });
        return;
      default:
        break;
    }
    if (event.process === 'world') return;
    const lane = laneOf(event);
    const who = `${event.process} (run ${event.run ?? '?'}, pid ${event.pid ?? '?'})`;
    switch (event.op) {
      case 'spawn': {
        endRun(lane, event.time, 'crash', event.index);
        const generation = /generation (\d+)/.exec(event.detail ?? '');
        const previous = event.pid === null ? undefined : pidSeen.get(event.pid);
        lane.runs.push({
          run: event.run,
          pid: event.pid,
          generation: generation === null ? null : Number(generation[1]),
          start: event.time,
          end: endTime,
          ending: 'open',
          reusedPid: previous !== undefined,
        });
        if (event.pid !== null && !lane.pids.includes(event.pid)) lane.pids.push(event.pid);
        if (event.pid !== null && previous !== undefined) {
          marks.push({ kind: 'pid-reuse', process: event.process, time: event.time, index: event.index, title: `#${event.index} t=${event.time} ms: ${who} started on pid ${event.pid}, which ${previous} had before — a bare pid check would think the old holder alive` });
        } else {
          marks.push({ kind: 'spawn', process: event.process, time: event.time, index: event.index, title: `#${event.index} t=${event.time} ms: ${who} started (${event.detail ?? ''})` });
        }
        if (event.pid !== null) pidSeen.set(event.pid, `run ${event.run ?? '?'}`);
        return;
      }
      case 'crash':
        marks.push({ kind: 'crash', process: event.process, time: event.time, index: event.index, title: `#${event.index} t=${event.time} ms: ${who} crashed ${event.detail ?? ''}`.trim() });
        endRun(lane, event.time, 'crash', event.index);
        return;
      case 'exit':
        marks.push({ kind: 'exit', process: event.process, time: event.time, index: event.index, title: `#${event.index} t=${event.time} ms: ${who} exited (${event.detail ?? ''})` });
        endRun(lane, event.time, 'exit', event.index);
        return;
      case 'stop':
        marks.push({ kind: 'stop', process: event.process, time: event.time, index: event.index, title: `#${event.index} t=${event.time} ms: graceful stop signal to ${who} ${event.detail ?? ''}`.trim() });
        return;
      case 'pause': {
        const pause: PauseSpan = { process: event.process, loop: event.loop ?? 'all', start: event.time, end: Math.min(event.until ?? endTime, endTime), index: event.index };
        pauses.push(pause);
        openPauses.push(pause);
        return;
      }
      case 'resume':
        endPauses(event.process, event.time, event.loop ?? 'all');
        return;
      default:
        return;
    }
  }

  function handleOperation(event: OperationEvent): void {
    const lane = laneOf(event);
    if (currentRun(lane) === undefined && lane.runs.length === 0) {
      // A history cut from the middle (a shrunk or hand-written one) may lack the spawn.
      lane.runs.push({ run: event.run, pid: event.pid, generation: null, start: event.time, end: endTime, ending: 'open', reusedPid: false });
      if (event.pid !== null && !lane.pids.includes(event.pid)) lane.pids.push(event.pid);
    }
    const at = `#${event.index} t=${event.time} ms`;
    if (event.op === 'claim') {
      if (event.type === 'ok' && event.job != null && event.lease != null) {
        lose(event.job, event, `claimed again by ${event.process} with lease ${event.lease}`, event.lease);
        const bar: LeaseBar = {
          process: event.process,
          run: event.run,
          pid: event.pid,
          job: event.job,
          lease: event.lease,
          queue: event.queue ?? null,
          resourceKey: resourceKeys.get(event.job) ?? null,
          start: event.time,
          startIndex: event.index,
          end: endTime,
          endIndex: null,
          outcome: 'open',
          status: null,
          lost: null,
          orphanUntil: null,
          indexes: [event.index],
        };
        bars.push(bar);
        openBars.set(event.lease, bar);
      } else if (event.type === 'info') {
        marks.push({ kind: 'claim-unknown', process: event.process, time: event.time, index: event.index, title: `${at}: claim with lease ${event.lease ?? '?'} — outcome unknown (${event.error ?? 'no answer'}); if it committed, the job is orphaned` });
      }
      return;
    }
    if (TERMINAL_WRITES.has(event.op) && event.lease != null) {
      const bar = openBars.get(event.lease);
      if (bar === undefined) return;
      bar.indexes.push(event.index);
      if (event.type === 'invoke') return;
      bar.end = event.time;
      bar.endIndex = event.index;
      openBars.delete(event.lease);
      if (event.type === 'info') bar.outcome = 'unknown';
      else if (event.type === 'fail') bar.outcome = 'crashed';
      else if (event.applied === false) bar.outcome = 'fenced';
      else bar.outcome = event.op === 'complete' ? 'completed' : event.op === 'fail' ? 'failed' : 'released';
      bar.status = event.status ?? null;
      return;
    }
    if (event.type !== 'ok') return;
    switch (event.op) {
      case 'heartbeat':
        marks.push({
          kind: event.applied === false ? 'heartbeat-rejected' : 'heartbeat',
          process: event.process,
          time: event.time,
          index: event.index,
          title: `${at}: heartbeat ${event.applied === false ? 'rejected (this worker was reaped)' : 'accepted'}`,
        });
        return;
      case 'attachRun':
        if (event.lease != null) openBars.get(event.lease)?.indexes.push(event.index);
        marks.push({ kind: 'attach', process: event.process, time: event.time, index: event.index, title: `${at}: attachRun job ${event.job ?? '?'} lease ${event.lease ?? '?'} applied=${String(event.applied)}` });
        return;
      case 'enqueue':
        marks.push({ kind: 'enqueue', process: event.process, time: event.time, index: event.index, title: `${at}: enqueued job ${event.job ?? '?'} on ${event.queue ?? '?'}${event.group != null ? ` (group ${event.group})` : ''}` });
        return;
      case 'reap':
      case 'startup':
      case 'sanitize':
      case 'shutdown': {
        const jobs = event.jobs ?? [];
        const failed = event.failedJobs ?? [];
        const workers = event.workers ?? [];
        const how = { reap: `reaped by ${event.process}`, startup: `requeued at ${event.process}'s startup`, sanitize: `healed by ${event.process}'s sanitize`, shutdown: `released by ${event.process}'s shutdown` }[event.op];
        for (const job of [...jobs, ...failed]) lose(job, event, how, null);
        // An idle sweep is most of a reaper's life and none of the story; a shutdown always is.
        if (event.op !== 'shutdown' && jobs.length === 0 && failed.length === 0 && workers.length === 0) return;
        const parts = [`${at}: ${event.op}`];
        if (event.op === 'reap') parts.push(`(threshold ${event.thresholdMs ?? '?'} ms) removed workers ${list(workers)}`);
        parts.push(`${event.op === 'shutdown' ? 'released' : event.op === 'sanitize' ? 'healed' : 'requeued'} jobs ${list(jobs)}`);
        if (failed.length > 0) parts.push(`failed jobs ${list(failed)}`);
        marks.push({ kind: event.op, process: event.process, time: event.time, index: event.index, title: parts.join(' · ') });
        return;
      }
      case 'tryCompleteGroup':
        if (event.status != null) marks.push({ kind: 'group', process: event.process, time: event.time, index: event.index, title: `${at}: group ${event.group ?? '?'} fired: ${event.status}` });
        return;
      default:
        return;
    }
  }

  // A crashed holder's claim stays until the end unless someone requeued it; an
  // unknown write may have landed, so it only gets a tail when a requeue proves it did not.
  for (const bar of bars) if (bar.outcome === 'crashed' && bar.orphanUntil === null) bar.orphanUntil = endTime;

  const byIndex = new Map<number, HistoryEvent>();
  for (const event of history) byIndex.set(event.index, event);
  const orderedLanes = [...lanes.values()].sort(compareLanes);
  const laneNames = new Set(orderedLanes.map((lane) => lane.process));
  const violationMarks = violations.map((violation, position): ViolationMark => {
    const event = violation.eventIndex === null ? undefined : byIndex.get(violation.eventIndex);
    const process = event !== undefined && laneNames.has(event.process) ? event.process : (violation.processes.find((name) => laneNames.has(name)) ?? null);
    const lease = event !== undefined && event.type !== 'world' ? (event.lease ?? bars.find((bar) => bar.indexes.includes(event.index))?.lease ?? null) : null;
    return {
      number: position + 1,
      invariant: violation.invariant,
      eventIndex: violation.eventIndex,
      time: event?.time ?? violation.time ?? endTime,
      process,
      explanation: violation.explanation,
      jobs: violation.jobs,
      processes: violation.processes,
      lease,
    };
  });

  return {
    lanes: orderedLanes,
    bars,
    marks,
    pauses,
    globals,
    violations: violationMarks,
    resources: packResources(bars),
    endTime,
    healTime,
    eventCount: history.length,
  };
}

function list(items: readonly (string | number)[]): string {
  return items.length === 0 ? '—' : items.join(', ');
}

/** Workers first, then clients, then anything else; by slot number, then by generation (w1, w1~2, w2, …). */
function compareLanes(left: Lane, right: Lane): number {
  const rank = (lane: Lane) => (lane.role === 'worker' ? 0 : lane.role === 'client' ? 1 : 2);
  const key = (lane: Lane) => {
    const match = /^([a-z]*)(\d+)(?:~(\d+))?$/i.exec(lane.process);
    return match === null ? { prefix: lane.process, slot: 0, generation: 0 } : { prefix: match[1]!, slot: Number(match[2]), generation: Number(match[3] ?? 1) };
  };
  const a = key(left);
  const b = key(right);
  return rank(left) - rank(right) || a.prefix.localeCompare(b.prefix) || a.slot - b.slot || a.generation - b.generation || left.process.localeCompare(right.process);
}

/** Greedy interval packing: each hold takes the first row free at its start. */
function packResources(bars: readonly LeaseBar[]): TimelineModel['resources'] {
  const byKey = new Map<string, LeaseBar[]>();
  for (const bar of bars) {
    if (bar.resourceKey === null) continue;
    const held = byKey.get(bar.resourceKey) ?? [];
    held.push(bar);
    byKey.set(bar.resourceKey, held);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([key, held]) => {
      const rowEnds: number[] = [];
      const holds = [...held]
        .sort((a, b) => a.start - b.start || a.startIndex - b.startIndex)
        .map((bar): ResourceHold => {
          let row = rowEnds.findIndex((end) => end <= bar.start);
          if (row === -1) row = rowEnds.length;
          rowEnds[row] = bar.end;
          return { key, process: bar.process, job: bar.job, lease: bar.lease, start: bar.start, end: bar.end, row };
        });
      return { key, rows: Math.max(rowEnds.length, 1), holds };
    });
}
