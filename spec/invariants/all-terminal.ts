// ALL_TERMINAL: after the faults stop and the heal phase runs, every job ends.
// Incident 002 stranded runs because a redundant owner claim blocked recovery;
// incident 003 wedged a whole max_concurrency = 1 queue behind one phantom run.
// The explanation says what each unfinished job is waiting for, so a wedge
// reads as a wedge.
import type { History } from '../history.ts';
import { TERMINAL_STATUSES, type JobState, type LockState, type State } from '../state.ts';
import type { Violation } from '../verdict.ts';
import type { LivenessInvariant, LivenessOptions } from './definition.ts';
import { at, listText } from './explain.ts';
import { aliveSet, healEndText, judgedAt } from './liveness-time.ts';

export function checkAllTerminal(history: History, finalState: State, options: LivenessOptions): Violation[] {
  const alive = aliveSet(options);
  const time = judgedAt(history, options);
  const limits = new Map<string, number | null>();
  for (const queue of finalState.queues) limits.set(queue.name, queue.maxConcurrency);
  const runningByQueue = new Map<string, JobState[]>();
  const locks = new Map<string, LockState>();
  for (const lock of finalState.locks) locks.set(lock.key, lock);
  for (const job of finalState.jobs) {
    if (job.status !== 'running') continue;
    const list = runningByQueue.get(job.queue);
    if (list === undefined) runningByQueue.set(job.queue, [job]);
    else list.push(job);
  }
  const ownerText = (job: JobState) => {
    const owner = job.owner ?? 'no owner';
    const state = job.owner !== null && alive.has(job.owner) ? 'alive' : 'not alive';
    return `job ${job.id} under ${owner} (${state}${job.pid === null ? '' : `, pid ${job.pid}`}${job.runId === null ? '' : `, run ${job.runId}`})`;
  };

  const violations: Violation[] = [];
  for (const job of finalState.jobs) {
    if (TERMINAL_STATUSES.has(job.status)) continue;
    const processes: string[] = [];
    const jobs = [job.id];
    let because: string;
    if (job.status === 'running') {
      if (job.owner !== null) processes.push(job.owner);
      because =
        job.owner !== null && alive.has(job.owner)
          ? `${job.owner} is alive but has not finished it`
          : `its owner ${job.owner ?? '(none)'} is not alive and nothing recovered the job: a stranded run (incidents 002, 003)`;
    } else {
      const limit = limits.get(job.queue) ?? null;
      const running = runningByQueue.get(job.queue) ?? [];
      const lock = job.resourceKey === null ? undefined : locks.get(job.resourceKey);
      if (limit !== null && running.length >= limit) {
        for (const other of running) {
          jobs.push(other.id);
          if (other.owner !== null) processes.push(other.owner);
        }
        because = `queue ${job.queue} is full at its maxConcurrency ${limit} with ${listText(running.map(ownerText))}: a wedged queue (incident 003)`;
      } else if (lock !== undefined) {
        processes.push(lock.holder);
        if (lock.jobId !== null) jobs.push(lock.jobId);
        because = `its resource key ${lock.key} is held by ${lock.holder}${lock.jobId === null ? '' : ` for job ${lock.jobId}`} until ${at(lock.expiresAt)} on the rows' clock`;
      } else {
        because = `no worker claimed it (attempts ${job.attempts} of ${job.attemptsMax})`;
      }
    }
    violations.push({
      invariant: ALL_TERMINAL.id,
      eventIndex: null,
      time,
      jobs,
      processes,
      explanation:
        `Let the faults stop at ${at(options.healTime)} and ${healEndText(options, time)}. ` +
        `Then job ${job.id} is still ${job.status}, because ${because}.`,
    });
  }
  return violations;
}

export const ALL_TERMINAL: LivenessInvariant = {
  id: 'ALL_TERMINAL',
  family: 'ALL_TERMINAL',
  statement: 'When the heal phase ends, every job is completed, failed or cancelled.',
  origin: [
    { incident: '002', why: 'a redundant owner claim that no recovery cleared left runs stranded after their pod died.' },
    { incident: '003', why: 'one phantom running job wedged a max_concurrency = 1 queue and every queued job behind it.' },
  ],
  implies: [],
  kind: 'liveness',
  requires: ['stateView'],
  check: checkAllTerminal,
};
