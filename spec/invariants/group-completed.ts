// GROUP_COMPLETED: a group whose members have all ended has fired, with the
// right outcome. Incident 001's GROUP_END must fire: when the member that ended
// last was finalized by a reaper (or its worker died right after), no step-end
// hook runs, and only a sweep can complete the group.
import type { History } from '../history.ts';
import { TERMINAL_STATUSES, type JobState, type State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { LivenessInvariant, LivenessOptions } from './definition.ts';
import { at } from './explain.ts';
import { healCutText, judgedAt } from './liveness-time.ts';

export function checkGroupCompleted(history: History, finalState: State, options: LivenessOptions): Violation[] {
  const time = judgedAt(history, options);
  const members = new Map<string, JobState[]>();
  for (const job of finalState.jobs) {
    if (job.groupId === null) continue;
    const list = members.get(job.groupId);
    if (list === undefined) members.set(job.groupId, [job]);
    else list.push(job);
  }
  const violations: Violation[] = [];
  for (const group of finalState.groups) {
    const jobs = members.get(group.id) ?? [];
    if (jobs.length < group.size || !jobs.every((job) => TERMINAL_STATUSES.has(job.status))) continue;
    const failed = jobs.find((job) => job.status === 'failed');
    const expected = failed === undefined ? 'completed' : 'failed';
    if (group.status === expected) continue;
    const ids = jobs.map((job) => job.id);
    violations.push({
      invariant: GROUP_COMPLETED.id,
      eventIndex: null,
      time,
      jobs: ids,
      processes: [],
      explanation:
        `Let all ${jobs.length} members of group ${group.id} (job${ids.length === 1 ? '' : 's'} ${ids.join(', ')}) be terminal when liveness is judged at ${at(time)}${healCutText(options)}. ` +
        (group.status === 'open'
          ? `Then the group is still open, because no tryCompleteGroup fired it after its last member ended (GROUP_END never ran, incident 001).`
          : `Then the group ended ${group.status}, but ${failed === undefined ? 'every member completed' : `member job ${failed.id} failed`}, so it should have ended ${expected}.`),
    });
  }
  return violations;
}

export const GROUP_COMPLETED: LivenessInvariant = {
  id: 'GROUP_COMPLETED',
  family: 'GROUP_COMPLETED',
  statement:
    'When the heal phase ends, every group whose members all exist and are terminal has fired, failed if some member failed and completed otherwise.',
  origin: [{ incident: '001', why: 'GROUP_END must fire exactly once; a group whose last member was finalized by a reaper is only completed by a sweep.' }],
  implies: [],
  kind: 'liveness',
  requires: ['stateView', 'groups'],
  check: checkGroupCompleted,
};
