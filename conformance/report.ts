// The conformance report: one row per invariant of the catalog with its verdict
// over every seed of the lane. Every reporter (human table, JSON, JUnit, HTML)
// and the vitest suite read this one structure, so they cannot disagree.
//
// Verdicts:
// - 'holds'          every seed that judged it found no violation;
// - 'violated'       some seed found one (first failing seed, its explanation, a replay command);
// - 'not-applicable' the engine does not claim the concept (a capability is false) or no seed could judge it — never a silent pass;
// - 'adapter-error'  the adapter failed, so nothing was judged: no invariant gets a verdict from a broken run.
import type { Capabilities } from '../spec/capabilities.ts';
import { CATALOG } from '../spec/catalog.ts';
import type { InvariantKind } from '../spec/invariants/definition.ts';
import type { Violation } from '../spec/verdict.ts';
import { faultLine, type AdapterFault } from './adapter-fault.ts';
import type { SeedOutcome } from './seed-outcome.ts';

export const REPORT_FORMAT_VERSION = 1;

export type InvariantVerdict = 'holds' | 'violated' | 'not-applicable' | 'adapter-error';
export type SuiteVerdict = 'pass' | 'fail' | 'adapter-error';
export type LaneName = 'simulated' | 'postgres';

/** The command's exit codes (same as the wf-sim command's). */
export const EXIT_CODES = { pass: 0, fail: 1, usage: 2, 'adapter-error': 3 } as const;

export interface InvariantRow {
  id: string;
  family: string;
  kind: InvariantKind;
  statement: string;
  verdict: InvariantVerdict;
  /** Seeds (rounds) that judged it. */
  seedsJudged: number;
  /** Seeds (rounds) with at least one violation of it, ascending. */
  failingSeeds: number[];
  /** Violations counted over every seed. */
  violationCount: number;
  /** The first violation of the first failing seed. */
  firstViolation: (Violation & { seed: number }) | null;
  /** One line that reproduces the first failing seed (null when the lane cannot replay). */
  replay: string | null;
  /** Why it is not applicable, or which adapter error kept it from a verdict. */
  reason: string | null;
}

export interface ConformanceReport {
  format: typeof REPORT_FORMAT_VERSION;
  adapter: { name: string; path: string | null; capabilities: Capabilities };
  lane: {
    name: LaneName;
    deterministic: boolean;
    /** One sentence for readers: what the lane is and whether a failing seed replays. */
    note: string;
    /** 'pglite' or the Postgres URL with any password masked. */
    database: string;
  };
  seeds: { from: number; requested: number; run: number; failing: number[] };
  verdict: SuiteVerdict;
  exitCode: number;
  invariants: InvariantRow[];
  fault: AdapterFault | null;
  wallMs: number;
  /** Lane-specific figures (the Postgres lane: workers, jobs, kills, duplicate executions, lost jobs). */
  figures: Record<string, number>;
  /** Every seed (round) run: its outcome, trace hash (simulated lane) and violations counted per invariant. */
  runs: { seed: number; outcome: SeedOutcome['outcome']; traceHash: string; violations: Record<string, number>; wallMs: number }[];
}

export interface ReportInput {
  adapterName: string;
  adapterPath: string | null;
  capabilities: Capabilities;
  lane: ConformanceReport['lane'];
  from: number;
  requested: number;
  outcomes: readonly SeedOutcome[];
  /** A fault outside any seed (loading the adapter). */
  fault?: AdapterFault | null;
  wallMs: number;
  figures?: Record<string, number>;
  /** The replay line for a failing seed, or null when the lane cannot replay. */
  replay: (seed: number) => string | null;
}

export function missingCapabilities(requires: readonly (keyof Capabilities)[], capabilities: Capabilities): string[] {
  return requires.filter((capability) => !capabilities[capability]);
}

interface Definition {
  id: string;
  family: string;
  kind: InvariantKind;
  statement: string;
  requires: readonly (keyof Capabilities)[];
}

/** The catalog, plus any invariant a checker reported that the catalog does not list (so nothing is dropped). */
function definitions(outcomes: readonly SeedOutcome[]): Definition[] {
  const listed: Definition[] = CATALOG.map((invariant) => ({ id: invariant.id, family: invariant.family, kind: invariant.kind, statement: invariant.statement, requires: invariant.requires }));
  const known = new Set(listed.map((definition) => definition.id));
  for (const outcome of outcomes) {
    for (const id of Object.keys(outcome.violationCounts)) {
      if (known.has(id)) continue;
      known.add(id);
      listed.push({ id, family: id, kind: 'history', statement: '(not in the catalog)', requires: [] });
    }
  }
  return listed;
}

export function buildReport(input: ReportInput): ConformanceReport {
  const fault = input.fault ?? input.outcomes.find((outcome) => outcome.fault !== null)?.fault ?? null;
  const judgedOutcomes = input.outcomes.filter((outcome) => outcome.outcome !== 'adapter-error');
  const rows: InvariantRow[] = definitions(input.outcomes).map((definition) => {
    const row: InvariantRow = {
      id: definition.id,
      family: definition.family,
      kind: definition.kind,
      statement: definition.statement,
      verdict: 'holds',
      seedsJudged: 0,
      failingSeeds: [],
      violationCount: 0,
      firstViolation: null,
      replay: null,
      reason: null,
    };
    const missing = missingCapabilities(definition.requires, input.capabilities);
    if (missing.length > 0) {
      row.verdict = 'not-applicable';
      row.reason = `the adapter does not claim ${missing.join(', ')} (capabilities.${missing[0]} is false)`;
      return row;
    }
    if (fault !== null) {
      row.verdict = 'adapter-error';
      row.reason = faultLine(fault);
      return row;
    }
    const reasons = new Set<string>();
    for (const outcome of judgedOutcomes) {
      const notApplicable = outcome.notApplicable.find((item) => item.invariant === definition.id);
      if (notApplicable !== undefined) {
        reasons.add(notApplicable.missing);
        continue;
      }
      row.seedsJudged += 1;
      const count = outcome.violationCounts[definition.id] ?? 0;
      if (count === 0) continue;
      row.failingSeeds.push(outcome.seed);
      row.violationCount += count;
      if (row.firstViolation === null) {
        const first = outcome.violations.find((violation) => violation.invariant === definition.id);
        if (first !== undefined) row.firstViolation = { ...first, seed: outcome.seed };
      }
    }
    row.failingSeeds.sort((a, b) => a - b);
    if (row.failingSeeds.length > 0) {
      row.verdict = 'violated';
      row.replay = input.replay(row.failingSeeds[0]!);
    } else if (row.seedsJudged === 0) {
      row.verdict = 'not-applicable';
      row.reason = reasons.size > 0 ? `no seed could judge it (missing: ${[...reasons].join(', ')})` : 'no seed ran';
    }
    return row;
  });
  const failing = [...new Set(input.outcomes.filter((outcome) => outcome.outcome === 'fail').map((outcome) => outcome.seed))].sort((a, b) => a - b);
  const verdict: SuiteVerdict = fault !== null ? 'adapter-error' : rows.some((row) => row.verdict === 'violated') ? 'fail' : 'pass';
  return {
    format: REPORT_FORMAT_VERSION,
    adapter: { name: input.adapterName, path: input.adapterPath, capabilities: input.capabilities },
    lane: input.lane,
    seeds: { from: input.from, requested: input.requested, run: input.outcomes.length, failing },
    verdict,
    exitCode: EXIT_CODES[verdict],
    invariants: rows,
    fault,
    wallMs: input.wallMs,
    figures: input.figures ?? {},
    runs: input.outcomes.map((outcome) => ({ seed: outcome.seed, outcome: outcome.outcome, traceHash: outcome.traceHash, violations: outcome.violationCounts, wallMs: outcome.wallMs })),
  };
}

/** Invariant kinds in report order, with the heading each gets. */
export const KIND_TITLES: readonly { kind: InvariantKind; title: string }[] = [
  { kind: 'state', title: 'state invariants (every committed transaction)' },
  { kind: 'history', title: 'history invariants (the recorded operations)' },
  { kind: 'liveness', title: 'liveness (after the faults stop)' },
];

/** The heading of a kind in a lane's report: the Postgres lane sees states in periodic snapshots, not after every commit. */
export function kindTitle(kind: InvariantKind, lane: LaneName): string {
  if (kind === 'state' && lane === 'postgres') return 'state invariants (consistent snapshots, every 250 ms by default)';
  return KIND_TITLES.find((entry) => entry.kind === kind)?.title ?? kind;
}

export const VERDICT_LABELS: Record<InvariantVerdict, string> = {
  holds: 'holds',
  violated: 'VIOLATED',
  'not-applicable': 'not applicable',
  'adapter-error': 'adapter error',
};

/** "30 of 30" / "3 of 30 failed, first 7" / "—". */
export function seedsText(row: InvariantRow, noun = 'seeds'): string {
  switch (row.verdict) {
    case 'holds':
      return `${row.seedsJudged} ${noun}`;
    case 'violated':
      return `${row.failingSeeds.length} of ${row.seedsJudged} failed, first ${row.failingSeeds[0]}`;
    case 'not-applicable':
    case 'adapter-error':
      return '—';
  }
}
