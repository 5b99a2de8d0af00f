// Which job carries which resource key. The history does not say (an enqueue
// records its queue and group, not its payload), but the workload is drawn from
// the run's recorded workload choices, and each process enqueues its planned jobs
// in workload order, retrying the first unacknowledged one after a restart. So we
// redraw the workload and walk the enqueues; at the first enqueue that does not
// fit the plan we give up and return an empty map — a picture without lock lanes
// is better than one with wrong ones.
import type { History } from '../../spec/history.ts';
import type { RecordedChoices } from '../random/choices.ts';
import type { WorldOptions } from '../world/options.ts';
import { slotOfRun } from '../world/picker.ts';
import { redrawWorkload, type PlannedJob } from '../world/workload.ts';

export interface ResourceKeySource {
  options: WorldOptions;
  choices: RecordedChoices;
  history: History;
}

export function deriveResourceKeys(source: ResourceKeySource): Map<number, string> {
  const keys = new Map<number, string>();
  // A slimmed result (a passing seed from a campaign thread) has no choices left to redraw from.
  if (source.options.resourceKeys === 0 || source.choices.workload.length === 0) return keys;
  let planned: PlannedJob[];
  try {
    planned = redrawWorkload(source.options, source.choices).jobs;
  } catch {
    return new Map();
  }
  const bySlot = new Map<string, PlannedJob[]>();
  for (const job of planned) bySlot.set(job.enqueuer, [...(bySlot.get(job.enqueuer) ?? []), job]);
  const acknowledged = new Set<number>();
  const pendingByRun = new Map<string, PlannedJob>();
  for (const event of source.history) {
    if (event.type === 'world' || event.op !== 'enqueue' || event.run === null) continue;
    // The slot owns the plan whatever the process id.
    const slot = slotOfRun(event.run);
    if (event.type === 'invoke') {
      const job = bySlot.get(slot)?.find((candidate) => !acknowledged.has(candidate.k));
      const group = event.group ?? undefined;
      if (job === undefined || job.spec.queue !== event.queue || job.spec.group?.id !== group) return new Map();
      pendingByRun.set(event.run, job);
      continue;
    }
    const job = pendingByRun.get(event.run);
    pendingByRun.delete(event.run);
    if (event.type !== 'ok' || job === undefined || event.job == null) continue;
    acknowledged.add(job.k);
    if (job.spec.resourceKey !== undefined) keys.set(event.job, job.spec.resourceKey);
  }
  return keys;
}
