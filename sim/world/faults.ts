// The fault kinds of DESIGN.md's fault model, and how a run decides which are
// on. By default a run is a swarm (FoundationDB's buggify, TigerBeetle's VOPR):
// each kind is switched on or off once per seed, then fires with its own rate,
// so some seeds are quiet in one dimension and loud in another.

export const FAULT_KINDS = ['crash', 'lost-ack', 'pause', 'pid-reuse', 'restart', 'skew', 'shutdown', 'contention'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  crash: 'a process dies at a scheduling point: no cleanup, heartbeats stop',
  'lost-ack': 'a statement commits but the process dies before it sees the result',
  pause: 'a process or one of its loops is not scheduled for a while, then resumes with stale memory',
  'pid-reuse': "a new process takes a dead worker's pid",
  restart: 'every process dies at once and the pid counter restarts (the next generation reuses the same pids)',
  skew: "each process's clock has a bounded offset",
  shutdown: 'a graceful stop signal arrives at a random point',
  contention: 'many workers, one hot resource key, queues with maxConcurrency 1',
};

/** `all`, `none`, or a comma-separated list; undefined = swarm. */
export type FaultSelection = { mode: 'swarm' } | { mode: 'fixed'; kinds: ReadonlySet<FaultKind> };

export function parseFaultSelection(text: string | undefined): FaultSelection {
  if (text === undefined || text === 'swarm') return { mode: 'swarm' };
  if (text === 'all') return { mode: 'fixed', kinds: new Set(FAULT_KINDS) };
  if (text === 'none') return { mode: 'fixed', kinds: new Set() };
  const kinds = new Set<FaultKind>();
  for (const part of text.split(',').map((item) => item.trim()).filter((item) => item.length > 0)) {
    if (!(FAULT_KINDS as readonly string[]).includes(part)) {
      throw new FaultSelectionError(`unknown fault '${part}'; valid faults: ${FAULT_KINDS.join(', ')}, or all, none, swarm`);
    }
    kinds.add(part as FaultKind);
  }
  return { mode: 'fixed', kinds };
}

export class FaultSelectionError extends Error {
  override readonly name = 'FaultSelectionError';
}

export function describeFaultSelection(selection: FaultSelection): string {
  return selection.mode === 'swarm' ? 'swarm' : selection.kinds.size === 0 ? 'none' : [...selection.kinds].join(',');
}
