// Where a planned job's draws sit in the workload stream (world/workload.ts
// exports the layout): after the world's shape draws come the group sizes,
// then every job's draws. A group's members arrive together, at their FIRST
// member's delay draw — which is still read when that member was removed — so
// lowering a member's own delay draw would change nothing.
import type { RecordedChoices } from '../random/choices.ts';
import type { WorldOptions } from '../world/options.ts';
import { GROUP_SIZE_DRAWS, GROUP_SIZE_MAX, GROUP_SIZE_MIN, JOB_DELAY_DRAW, JOB_DRAWS, JOB_DURATION_DRAW, JOBS_DRAWN } from '../world/workload.ts';

/** The workload index of job k's first draw, or null when the stream is too short to hold the jobs. */
function jobBase(choices: RecordedChoices, k: number): number | null {
  const base = choices.workload.length - JOB_DRAWS * JOBS_DRAWN;
  return base < GROUP_SIZE_DRAWS ? null : base + k * JOB_DRAWS;
}

/** The job whose delay draw sets job k's arrival: its group's first member, or itself. */
export function arrivalLeader(options: WorldOptions, choices: RecordedChoices, k: number): number {
  const base = choices.workload.length - JOB_DRAWS * JOBS_DRAWN;
  if (base < GROUP_SIZE_DRAWS) return k;
  let next = 0;
  for (let index = 0; index < Math.min(options.groups, GROUP_SIZE_DRAWS); index += 1) {
    const size = GROUP_SIZE_MIN + Math.min(Math.max(0, choices.workload[base - GROUP_SIZE_DRAWS + index] ?? 0), GROUP_SIZE_MAX - GROUP_SIZE_MIN);
    if (next + size > options.jobs) break;
    if (k >= next && k < next + size) return next;
    next += size;
  }
  return k;
}

/** Workload indexes of the draws that set job k's arrival and step length (null when they are not there). */
export function jobTimeDraws(options: WorldOptions, choices: RecordedChoices, k: number): { delay: number; duration: number } | null {
  const own = jobBase(choices, k);
  const leader = jobBase(choices, arrivalLeader(options, choices, k));
  if (own === null || leader === null) return null;
  return { delay: leader + JOB_DELAY_DRAW, duration: own + JOB_DURATION_DRAW };
}
