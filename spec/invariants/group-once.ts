// GROUP_ONCE: a completion group fires at most once, only when every member is
// terminal, and with the right outcome. Incident 001 replaced a snapshot read
// (get_run_group_stats, then act) with one conditional UPDATE because under N
// workers the snapshot let GROUP_END fire twice, or before the last step ended.
//
// Membership comes from enqueue events that name the job's group (and the
// group's size), and from the final state's rows when the caller passes them:
// membership is fixed at enqueue, so the end state tells which jobs belonged.
// A member whose terminal write was lost with an `info` (or that a reap whose
// answer was lost may have failed) may or may not have been terminal when the
// group fired. The rest of the run settles it: if the job
// was claimed, requeued or ended again after the fire, the lost write had not
// ended it; otherwise the final row says whether it did, and with which outcome.
// Only without a final state does the judgement stay undecided.
// A write still in flight at the fire (invoked, answered later) may have taken
// effect before it — an engine whose terminal write takes two statements shows
// the row terminal before the call returns — so its own answer after the fire
// is not "ended again": it settles the member with the answer's outcome.
import type { History, OperationEvent } from '../history.ts';
import { TERMINAL_STATUSES, type JobState, type State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { HistoryCheckOptions, HistoryInvariant } from './definition.ts';
import { at, listText, runName } from './explain.ts';
import { maybeTerminal, walkHistory, type EndRecord, type HistoryMonitor, type HistoryWalk, type JobTrack, type RunTrack } from './history-walk.ts';

const SCAN_MEMBERS_MAX = 32;

interface Fire {
  readonly index: number;
  readonly time: number;
  readonly process: string;
  readonly run: string | null;
  readonly status: 'completed' | 'failed';
}

/** A fire judged at the end because some members' terminal writes were lost. */
interface Deferred {
  readonly group: GroupTrack;
  readonly fire: Fire;
  readonly maybe: readonly number[];
  /** For each maybe member whose complete / fail was in flight at the fire: that write's invoke index. */
  readonly inFlight: ReadonlyMap<number, number>;
  readonly failedMember: number | null;
}

interface GroupTrack {
  readonly id: string;
  size: number | null;
  readonly members: number[];
  /** Built once a group is large enough that scanning `members` would cost more than a Set. */
  memberSet: Set<number> | null;
  fired: Fire | null;
}

class GroupOnceMonitor implements HistoryMonitor {
  readonly invariant = 'GROUP_ONCE';
  private readonly groups = new Map<string, GroupTrack>();
  private readonly deferred: Deferred[] = [];
  private readonly finalState: State | undefined;

  constructor(options?: HistoryCheckOptions) {
    const finalState = options?.finalState;
    this.finalState = finalState;
    if (finalState === undefined) return;
    for (const group of finalState.groups) this.group(group.id).size = group.size;
    for (const job of finalState.jobs) if (job.groupId !== null) this.addMember(this.group(job.groupId), job.id);
  }

  onEnqueue(_event: OperationEvent, job: JobTrack): void {
    if (job.group === null) return;
    const group = this.group(job.group);
    if (group.size === null && job.groupSize !== null) group.size = job.groupSize;
    this.addMember(group, job.id);
  }

  onGroup(event: OperationEvent, _run: RunTrack, walk: HistoryWalk): void {
    // An `info` may have fired the group; assuming it did not is the reading that blames no one.
    if (event.type !== 'ok' || event.group == null) return;
    const status = event.status;
    if (status !== 'completed' && status !== 'failed') return;
    const group = this.group(event.group);
    const who = runName(event.process, event.run);
    if (group.fired !== null) {
      const first = group.fired;
      walk.report({
        invariant: this.invariant,
        eventIndex: event.index,
        time: event.time,
        jobs: [...group.members],
        processes: first.process === event.process ? [event.process] : [first.process, event.process],
        explanation:
          `Let group ${group.id} fire once: ${runName(first.process, first.run)}'s tryCompleteGroup fired it ${first.status} at ${at(first.time)}. ` +
          `Then ${who}'s tryCompleteGroup fired it again (${status}) at ${at(event.time)}, ` +
          `because completion was decided from a snapshot instead of one conditional update, so the group's end ran twice.`,
      });
      return;
    }
    const fire: Fire = { index: event.index, time: event.time, process: event.process, run: event.run, status };
    group.fired = fire;

    if (group.members.length === 0 && group.size === null) {
      walk.undecide({
        invariant: this.invariant,
        eventIndex: event.index,
        time: event.time,
        jobs: [],
        processes: [event.process],
        explanation:
          `${who}'s tryCompleteGroup fired group ${group.id} ${status} at ${at(event.time)}, but no enqueue event names a member of ${group.id} and no final state was given, ` +
          `so whether its members were terminal cannot be judged.`,
      });
      return;
    }

    const notTerminal: number[] = [];
    const maybe: number[] = [];
    const inFlight = new Map<number, number>();
    let failedMember: number | null = null;
    for (const id of group.members) {
      const job = walk.findJob(id);
      const terminal = job?.terminal ?? null;
      if (terminal === null) {
        if (job !== undefined && maybeTerminal(job, walk)) {
          maybe.push(id);
          if (job.openWrites > 0) inFlight.set(id, job.lastWriteInvokeIndex);
        } else notTerminal.push(id);
      } else if (terminal.outcome === 'failed' && failedMember === null) {
        failedMember = id;
      }
    }
    const absent = group.size !== null && group.members.length < group.size ? group.size - group.members.length : 0;
    if (notTerminal.length > 0 || absent > 0) {
      const reasons: string[] = [];
      if (notTerminal.length > 0) reasons.push(`member${notTerminal.length === 1 ? '' : 's'} ${listText(notTerminal.map((id) => `job ${id}`))} had not reached a terminal state`);
      if (absent > 0) reasons.push(`only ${group.members.length} of its ${group.size} members exist`);
      this.early(walk, group, fire, notTerminal.length > 0 ? notTerminal : [...group.members], listText(reasons));
      return;
    }
    if (maybe.length > 0) {
      this.deferred.push({ group, fire, maybe, inFlight, failedMember });
      return;
    }
    this.judgeOutcome(walk, group, fire, failedMember);
  }

  onEnd(walk: HistoryWalk): void {
    if (this.deferred.length === 0) return;
    const rows = new Map<number, JobState>();
    if (this.finalState !== undefined) for (const row of this.finalState.jobs) rows.set(row.id, row);
    for (const { group, fire, maybe, inFlight, failedMember } of this.deferred) {
      const ranAgain: number[] = [];
      const unknown: number[] = [];
      let failed = failedMember;
      for (const id of maybe) {
        const job = walk.findJob(id)!;
        const row = rows.get(id);
        const answer = inFlightAnswer(job, fire, inFlight.get(id));
        if (answer !== null && (row === undefined || TERMINAL_STATUSES.has(row.status))) {
          if (answer.outcome === 'failed' && failed === null) failed = id;
          continue;
        }
        // Anything else that happened to the job after the fire proves the lost write had not ended it.
        if ((job.lastClaim?.index ?? -1) > fire.index || (job.lastEnd?.index ?? -1) > fire.index || (row !== undefined && !TERMINAL_STATUSES.has(row.status))) ranAgain.push(id);
        else if (row === undefined) unknown.push(id);
        else if (row.status === 'failed' && failed === null) failed = id;
      }
      if (ranAgain.length > 0) {
        this.early(
          walk,
          group,
          fire,
          ranAgain,
          `${listText(ranAgain.map((id) => `job ${id}`))} had only a terminal write whose answer was lost, and ${ranAgain.length === 1 ? 'it was' : 'they were'} claimed, requeued or ended again after the fire (or ${ranAgain.length === 1 ? 'is' : 'are'} not terminal at the end), so ${ranAgain.length === 1 ? 'that write had' : 'those writes had'} not ended ${ranAgain.length === 1 ? 'it' : 'them'}`,
        );
        continue;
      }
      if (unknown.length > 0) {
        walk.undecide({
          invariant: this.invariant,
          eventIndex: fire.index,
          time: fire.time,
          jobs: unknown,
          processes: [fire.process],
          explanation:
            `${runName(fire.process, fire.run)}'s tryCompleteGroup fired group ${group.id} ${fire.status} at ${at(fire.time)}; ` +
            `${listText(unknown.map((id) => `job ${id}`))} had a terminal write whose answer was lost and no final state tells whether it applied, so whether the group fired early cannot be judged.`,
        });
        continue;
      }
      this.judgeOutcome(walk, group, fire, failed);
    }
  }

  private early(walk: HistoryWalk, group: GroupTrack, fire: Fire, jobs: number[], reasons: string): void {
    walk.report({
      invariant: this.invariant,
      eventIndex: fire.index,
      time: fire.time,
      jobs,
      processes: [fire.process],
      explanation:
        `Let group ${group.id} fire only when all its members are terminal. ` +
        `Then ${runName(fire.process, fire.run)}'s tryCompleteGroup fired it ${fire.status} at ${at(fire.time)}, but ${reasons}, ` +
        `because the completion check did not see every member in the same statement that fired the group.`,
    });
  }

  private judgeOutcome(walk: HistoryWalk, group: GroupTrack, fire: Fire, failedMember: number | null): void {
    const expected = failedMember === null ? 'completed' : 'failed';
    if (fire.status === expected) return;
    walk.report({
      invariant: this.invariant,
      eventIndex: fire.index,
      time: fire.time,
      jobs: failedMember === null ? [...group.members] : [failedMember],
      processes: [fire.process],
      explanation:
        `Let a group end failed if and only if one of its members failed. ` +
        `Then ${runName(fire.process, fire.run)}'s tryCompleteGroup fired group ${group.id} ${fire.status} at ${at(fire.time)}, ` +
        (failedMember === null
          ? `but every member had completed, so it should have fired completed.`
          : `but member job ${failedMember} had failed, so it should have fired failed.`),
    });
  }

  private group(id: string): GroupTrack {
    let group = this.groups.get(id);
    if (group === undefined) {
      group = { id, size: null, members: [], memberSet: null, fired: null };
      this.groups.set(id, group);
    }
    return group;
  }

  private addMember(group: GroupTrack, job: number): void {
    // Most groups are small: a linear scan costs less than a Set per group, until it does not.
    if (group.memberSet !== null) {
      if (group.memberSet.has(job)) return;
      group.memberSet.add(job);
    } else {
      if (group.members.includes(job)) return;
      if (group.members.length >= SCAN_MEMBERS_MAX) group.memberSet = new Set([...group.members, job]);
    }
    group.members.push(job);
  }
}

/**
 * The terminal end that answered the write in flight at the fire, if that is
 * the only thing that happened to the job since: no claim after the fire, no
 * later write invoked, and the job's latest end is a terminal one after the fire.
 */
function inFlightAnswer(job: JobTrack, fire: Fire, writeInvokeIndex: number | undefined): EndRecord | null {
  if (writeInvokeIndex === undefined || job.lastWriteInvokeIndex !== writeInvokeIndex) return null;
  if ((job.lastClaim?.index ?? -1) > fire.index) return null;
  const end = job.lastEnd;
  if (end === null || end.reason !== 'terminal' || end.index < fire.index || end.outcome === null) return null;
  return end;
}

export function checkGroupOnce(history: History, options?: HistoryCheckOptions): Violation[] {
  return walkHistory(history, [new GroupOnceMonitor(options)]).violations;
}

export const GROUP_ONCE: HistoryInvariant = {
  id: 'GROUP_ONCE',
  family: 'GROUP_ONCE',
  statement:
    'A completion group fires at most once, only after every one of its members reached a terminal state, and with outcome failed exactly when some member failed.',
  origin: [
    { incident: '001', why: 'the snapshot-then-act group completion let GROUP_END fire twice or too early under N workers; one conditional UPDATE replaced it.' },
  ],
  implies: [],
  kind: 'history',
  requires: ['groups'],
  check: checkGroupOnce,
  monitor: (options) => new GroupOnceMonitor(options),
};
