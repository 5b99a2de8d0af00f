// The workload: which jobs exist, who enqueues them and when, how long each step
// runs and which attempts fail. It is drawn from the workload stream alone, with
// fixed bounds mapped onto the options afterwards, so the same seed gives the
// same jobs whatever faults are switched on. A job's behaviour lives in its
// payload, so it behaves the same whichever worker runs it.
import type { JobSpec } from '../adapter/contract.ts';
import { streamsFromChoices, type ChoiceStructure, type Random, type RecordedChoices } from '../random/choices.ts';
import { drawOptions, JOBS_MAX, type WorldOptions } from './options.ts';

export interface JobPayload {
  /** The job's index in the workload (stable across engines; engines assign their own ids). */
  k: number;
  durationMs: number;
  /** Attempts 1 … failAttempts fail; later ones succeed. */
  failAttempts: number;
}

export interface PlannedJob {
  k: number;
  /** Process id of the enqueuer. */
  enqueuer: string;
  /** When the job arrives: simulated ms after the world starts. */
  delayMs: number;
  spec: JobSpec & { payload: JobPayload };
}

export interface Workload {
  jobs: PlannedJob[];
  groups: { id: string; size: number }[];
  /** Process ids that enqueue, in order; clients first. */
  enqueuers: string[];
}

export function workerIds(options: WorldOptions): string[] {
  return Array.from({ length: options.workers }, (_, index) => `w${index + 1}`);
}

export function clientIds(options: WorldOptions): string[] {
  return Array.from({ length: options.clients }, (_, index) => `c${index + 1}`);
}

/**
 * Where the workload stream's draws sit after the shape draws (the shrinker reads
 * them to lower a job's times): GROUP_SIZE_DRAWS group sizes in
 * [GROUP_SIZE_MIN, GROUP_SIZE_MAX], then JOBS_DRAWN jobs of JOB_DRAWS draws each,
 * in drawWorkload's order, of which duration is the 4th and delay the 8th.
 */
export const GROUP_SIZE_DRAWS = 4;
export const GROUP_SIZE_MIN = 2;
export const GROUP_SIZE_MAX = 5;
/** Every job a world may have is drawn (options.ts draws the count; it cannot import this file, which imports it). */
export const JOBS_DRAWN = JOBS_MAX;
export const JOB_DRAWS = 8;
export const JOB_DURATION_DRAW = 3;
export const JOB_DELAY_DRAW = 7;
/** A job's arrival is its delay draw (0–1000) times this: arrivals spread over the first 20 simulated seconds. */
export const ARRIVAL_STEP_MS = 20;

/**
 * The jobs of the world. `structure` removes jobs and processes a shrinker took
 * out without renumbering anything: every job's draws sit at fixed positions of
 * the workload stream (all JOBS_DRAWN are drawn whatever the count), so job 5 is the same
 * job with or without job 3; a job whose enqueuer was removed is enqueued by the
 * first remaining process instead, at the same time.
 */
export function drawWorkload(options: WorldOptions, random: Random, structure?: ChoiceStructure): Workload {
  const omittedProcesses = new Set(structure?.processesOmitted ?? []);
  const omittedJobs = new Set(structure?.jobsOmitted ?? []);
  const allEnqueuers = [...clientIds(options), ...workerIds(options)];
  const enqueuers = allEnqueuers.filter((id) => !omittedProcesses.has(id));
  const groupSizes = Array.from({ length: GROUP_SIZE_DRAWS }, () => random.int(GROUP_SIZE_MIN, GROUP_SIZE_MAX));
  // JOB_DRAWS draws a job, in this order (JOB_DURATION_DRAW and JOB_DELAY_DRAW name two of them).
  const raw = Array.from({ length: JOBS_DRAWN }, () => ({
    queue: random.int(0, 999),
    priority: random.int(0, 2),
    resource: random.int(0, 999),
    duration: random.int(0, 1000),
    failing: random.int(0, 99),
    failAttempts: random.int(1, 4),
    enqueuer: random.int(0, 999),
    delay: random.int(0, 1000),
  }));

  // Groups take consecutive jobs from the front, each enqueued by one process. A group whose members were
  // partly removed keeps the rest (its size is what remains); one with none left is gone.
  const groupOf = new Map<number, { group: { id: string; size: number }; first: number }>();
  const groups: { id: string; size: number }[] = [];
  let next = 0;
  for (let index = 0; index < options.groups; index += 1) {
    const size = groupSizes[index]!;
    if (next + size > options.jobs) break;
    const members = Array.from({ length: size }, (_, member) => next + member).filter((k) => !omittedJobs.has(k));
    if (members.length > 0) {
      const group = { id: `g${index + 1}`, size: members.length };
      groups.push(group);
      for (const k of members) groupOf.set(k, { group, first: next });
    }
    next += size;
  }

  const jobs: PlannedJob[] = [];
  // With every process removed, nothing can enqueue: the world has no jobs.
  if (enqueuers.length === 0) return { jobs, groups: [], enqueuers };
  for (let k = 0; k < options.jobs; k += 1) {
    if (omittedJobs.has(k)) continue;
    const draw = raw[k]!;
    const membership = groupOf.get(k);
    // A group's members share their first member's enqueuer and arrival time.
    const leader = membership === undefined ? k : membership.first;
    const drawnEnqueuer = allEnqueuers[raw[leader]!.enqueuer % allEnqueuers.length]!;
    const enqueuer = omittedProcesses.has(drawnEnqueuer) ? enqueuers[0]! : drawnEnqueuer;
    // A draw of 0 is the simplest job: no failing attempt, no resource key.
    const failAttempts = draw.failing >= 100 - options.failurePercent ? Math.min(draw.failAttempts, options.attemptsMax) : 0;
    const spec: PlannedJob['spec'] = {
      queue: options.queues[draw.queue % options.queues.length]!.name,
      priority: draw.priority,
      attemptsMax: options.attemptsMax,
      idempotencyKey: `job-${k}`,
      payload: {
        k,
        durationMs: options.stepMsMin + Math.floor(((options.stepMsMax - options.stepMsMin) * draw.duration) / 1000),
        failAttempts,
      },
    };
    if (options.resourceKeys > 0 && draw.resource % 3 === 2) spec.resourceKey = `r${(draw.resource >> 2) % options.resourceKeys}`;
    if (membership !== undefined) spec.group = membership.group;
    // A group arrives together.
    jobs.push({ k, enqueuer, delayMs: raw[leader]!.delay * ARRIVAL_STEP_MS, spec });
  }
  return { jobs, groups, enqueuers };
}

/**
 * The workload a run drew, drawn again from its recorded choices (the shrinker's
 * candidates, the report's resource-key lanes). drawOptions only consumes the
 * shape draws: the run's own options are used, pins included.
 */
export function redrawWorkload(options: WorldOptions, choices: RecordedChoices): Workload {
  const { streams } = streamsFromChoices(choices);
  drawOptions(options.seed, streams);
  return drawWorkload(options, streams.workload, choices.structure);
}
