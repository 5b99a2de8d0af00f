// `npm run bench`: every speed and memory target of the project, measured side
// by side in one run on this machine, printed as a table (stderr) and as JSON
// (stdout, and .wf-sim/bench.json). Machines are shared and noisy: figures are
// medians and ratios. `npm run bench -- --quick` runs smaller counts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { MUTANTS } from '../../conformance/mutants/index.ts';
import { benchCheckSkip } from './check-skip.ts';
import { benchCheckers } from './checkers.ts';
import { benchDriver } from './driver.ts';
import { benchMutants } from './mutants.ts';
import { benchStress, STRESS_SKIP_REASON, type StressBenchRow } from './stress.ts';
import { benchMemory, benchParallel, benchSimulatedTime, benchStandardWorld } from './simulator.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const want = (name: string) => only === undefined || only.includes(name);

type Row = [string, string, string, string];
const rows: Row[] = [];
/** Every target of issue 4 that this run measured: value, goal, met or not. */
interface Target {
  target: string;
  measured: string;
  goal: string;
  met: boolean;
}
const targets: Target[] = [];
const results: Record<string, unknown> = { machine: { cores: (await import('node:os')).cpus().length, node: process.version, load_average_at_start: (await import('node:os')).loadavg() }, quick };
const say = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (value: number, digits = 1) => value.toLocaleString('en-US', { maximumFractionDigits: digits });

if (want('driver')) {
  say('driver: PGlite statements through the fast path vs query() vs raw execProtocol …');
  const driver = await benchDriver();
  results.driver = driver;
  for (const item of driver) rows.push(['driver', item.name, `${fmt(item.statements_per_second, 0)} statements/s`, `${fmt(item.median_ms_per_statement, 4)} ms median`]);
}
if (want('checkers')) {
  say('checkers: 1,000,000-event history …');
  const checkers = await benchCheckers();
  results.checkers = checkers;
  rows.push(['checkers', `${fmt(checkers.events, 0)} events`, `${fmt(checkers.events_per_second, 0)} events/s (target ≥ 1,000,000)`, `time(1M)/time(250k) = ${fmt(checkers.linear_ratio, 2)} (linear ≈ 4)`]);
}
if (want('standard')) {
  say('simulator: standard world …');
  const standard = await benchStandardWorld(quick ? 10 : 40);
  results.standard_world = standard;
  rows.push(['simulator', `standard world, ${standard.seeds} seeds`, `${fmt(standard.seeds_per_second, 2)} seeds/s, ${fmt(standard.statements_per_second, 0)} statements/s`, `outside PGlite ${fmt(standard.share_of_wall_outside_pglite * 100)}% of wall (target ≤ 25%)`]);
  targets.push({ target: 'wall time outside PGlite, standard world', measured: `${fmt(standard.share_of_wall_outside_pglite * 100)}%`, goal: '≤ 25%', met: standard.share_of_wall_outside_pglite <= 0.25 });
}
if (want('parallel')) {
  say('simulator: --parallel 1 vs 2, and two processes vs one …');
  const parallel = await benchParallel(quick ? 40 : 200);
  results.parallel = parallel;
  rows.push(['simulator', `--parallel 2 vs 1, ${parallel.seeds} seeds`, `${fmt(parallel.threads_ratio, 2)}× whole command, ${fmt(parallel.threads_ratio_steady, 2)}× steady (target ≥ 1.7×)`, `${fmt(parallel.one_thread.seeds_per_second, 2)} → ${fmt(parallel.two_threads.seeds_per_second, 2)} seeds/s`]);
  rows.push(['machine', 'two processes vs one, same seeds', `wf-sim: ${fmt(parallel.two_processes_ratio, 2)}× whole, ${fmt(parallel.two_processes_ratio_steady, 2)}× steady`, `pure-CPU loop: ${fmt(parallel.cpu_loop_ratio, 2)}× (the ceiling two cores give here)`]);
  // Both figures are targets: start-up (tsx and a PGlite per thread) is a fixed cost that only a long campaign amortizes.
  const beside = `two processes ${fmt(parallel.two_processes_ratio_steady, 2)}× steady, ${fmt(parallel.two_processes_ratio, 2)}× whole; CPU loop ${fmt(parallel.cpu_loop_ratio, 2)}×`;
  targets.push({ target: '--parallel 2 vs one thread, steady state', measured: `${fmt(parallel.threads_ratio_steady, 2)}× (${beside})`, goal: '≥ 1.7×', met: parallel.threads_ratio_steady >= 1.7 });
  targets.push({ target: `--parallel 2 vs one thread, whole command, ${parallel.seeds} seeds`, measured: `${fmt(parallel.threads_ratio, 2)}×`, goal: '≥ 1.7×', met: parallel.threads_ratio >= 1.7 });
}
if (want('time')) {
  say('simulator: lease- and reaper-heavy world …');
  const time = await benchSimulatedTime(quick ? 3 : 10);
  results.simulated_time = time;
  rows.push(['simulator', `lease-heavy world, ${time.seeds} seeds`, `${fmt(time.median_speedup, 0)}× faster than wall time (target ≥ 10,000×)`, `median ${fmt(time.median_simulated_ms / 3_600_000, 2)} h simulated in ${fmt(time.median_wall_ms, 0)} ms`]);
  targets.push({ target: 'simulated time vs wall time, lease-heavy world', measured: `${fmt(time.median_speedup, 0)}×`, goal: '≥ 10,000×', met: time.median_speedup >= 10_000 });
}
if (want('memory')) {
  say('simulator: RSS over a long campaign …');
  const memory = await benchMemory(quick ? 200 : 1000);
  results.memory = memory;
  rows.push([
    'simulator',
    `RSS over ${memory.seeds} seeds`,
    `${fmt(memory.growth * 100)}% growth after warm-up (target < 10%)`,
    `${fmt(memory.rss_mb_after_warmup, 0)} → ${fmt(memory.rss_mb_at_end, 0)} MB; reference failed seeds: ${memory.failing_seeds.length === 0 ? 'none' : memory.failing_seeds.join(', ')}`,
  ]);
  targets.push({ target: `RSS growth over a ${fmt(memory.seeds, 0)}-seed campaign`, measured: `${fmt(memory.growth * 100)}%`, goal: '< 10%', met: memory.growth < 0.1 });
}
if (want('checkskip')) {
  say('simulator: the state-check skip, side by side with a check after every turn …');
  const skip = await benchCheckSkip(quick ? 10 : 40);
  results.check_skip = skip;
  for (const row of skip) {
    rows.push([
      'simulator',
      `state-check skip, ${row.engine}, seeds ${row.seeds}`,
      `${fmt(row.checks_skipping, 0)} checks instead of ${fmt(row.checks_every_turn, 0)} (same traces and violations)`,
      `wall ${fmt(row.wall_ratio, 2)}× of checking every turn (${fmt(row.wall_ms_skipping / 1000, 1)} s vs ${fmt(row.wall_ms_every_turn / 1000, 1)} s)`,
    ]);
  }
}

if (want('mutants')) {
  say('mutants: seeds and wall time to detection, shrunk trace length …');
  const mutantNames = process.argv.find((arg) => arg.startsWith('--mutants='))?.slice('--mutants='.length).split(',');
  const mutants = await benchMutants(quick ? 5 : 20, 200, mutantNames);
  results.mutants = mutants;
  for (const row of mutants) {
    rows.push([
      'mutant',
      `${row.mutant} → ${row.invariant}`,
      `caught in ${row.caught_campaigns}/${row.campaigns}; median ${row.median_seeds_to_detection ?? '—'} seeds, ${row.median_wall_seconds_to_detection === null ? '—' : fmt(row.median_wall_seconds_to_detection, 1)} s (targets ≤ 50, ≤ 5 s)`,
      `shrunk ${row.original_trace_events ?? '—'} → ${row.shrunk_trace_events ?? '—'} events (${row.shrunk_timeline_lines ?? '—'} lines printed) in ${row.shrink_replays ?? '—'} replays (+${row.shrink_reference_replays ?? '—'} on the reference; ${row.shrink_stopped_by ?? '—'}; target ≤ 30; reference ${row.shrunk_reference ?? '—'})`,
    ]);
  }
}

// The stress column beside the mutants (stress.ts): with --only=mutants unless --no-stress, or alone with --only=stress,
// then taking the simulator's medians from an earlier bench JSON (--sim-from=FILE) when given.
if ((want('mutants') && !process.argv.includes('--no-stress')) || only?.includes('stress') === true) {
  const databaseUrl = process.env['WF_SIM_DATABASE_URL'];
  if (databaseUrl === undefined || databaseUrl === '') {
    say(STRESS_SKIP_REASON);
    results.mutants_stress = { skipped: STRESS_SKIP_REASON };
    rows.push(['stress', 'all mutants', STRESS_SKIP_REASON, '']);
  } else {
    const simRows = simulatorMedians();
    const names = process.argv.find((arg) => arg.startsWith('--mutants='))?.slice('--mutants='.length).split(',') ?? MUTANTS.map((mutant) => mutant.name);
    const budgetSeconds = Number(process.argv.find((arg) => arg.startsWith('--stress-seconds='))?.slice('--stress-seconds='.length) ?? (quick ? 20 : 60));
    const stress = await benchStress(names, simRows, { connectionString: databaseUrl, budgetSeconds });
    results.mutants_stress = stress;
    for (const row of stress) rows.push(['stress', `${row.mutant} → ${row.invariant}`, stressVerdict(row), stressDetail(row)]);
  }
}

/** The simulator's median seconds to detection per mutant: from this run, else from --sim-from=FILE, else unknown. */
function simulatorMedians(): Map<string, number | null> {
  const medians = new Map<string, number | null>();
  const here = results.mutants as { mutant: string; median_wall_seconds_to_detection: number | null }[] | undefined;
  const file = process.argv.find((arg) => arg.startsWith('--sim-from='))?.slice('--sim-from='.length);
  const earlier = here ?? (file === undefined ? [] : (JSON.parse(readFileSync(file, 'utf8')) as { mutants?: typeof here }).mutants ?? []);
  for (const row of earlier) medians.set(row.mutant, row.median_wall_seconds_to_detection);
  return medians;
}

function stressVerdict(row: StressBenchRow): string {
  if (row.adapter_error !== null) return `adapter error: ${row.adapter_error}`;
  const sim = row.sim_median_seconds === null ? 'simulator median unknown' : `simulator median ${fmt(row.sim_median_seconds, 1)} s`;
  const equal = `${row.caught_within_equal_budget ? 'caught' : 'not caught'} within ${fmt(row.equal_budget_seconds, 1)} s (${sim})`;
  if (row.caught_rounds === 0) return `${equal}; never in ${row.budget_seconds} s (${row.rounds} rounds)`;
  return `${equal}; caught in ${row.caught_rounds}/${row.rounds} rounds of ${row.budget_seconds} s, median ${fmt(row.median_seconds_to_detection ?? 0, 1)} s`;
}

function stressDetail(row: StressBenchRow): string {
  const ratio = row.stress_over_sim === null ? '' : `${fmt(row.stress_over_sim, 1)}× the simulator's time; `;
  const tripped = Object.entries(row.rounds_per_invariant).map(([invariant, count]) => `${invariant} ${count}`).join(', ');
  return `${ratio}${fmt(row.round_seconds_median, 1)} s a round, ${row.kills} kills; tripped: ${tripped === '' ? 'nothing' : tripped}`;
}

const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
say('');
for (const row of rows) say(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  │  '));
if (targets.length > 0) {
  results.targets = targets;
  const cells = targets.map((item) => [item.target, item.measured, item.goal, item.met ? 'met' : 'NOT met']);
  const targetWidths = [0, 1, 2, 3].map((column) => Math.max(...cells.map((row) => row[column]!.length)));
  say('');
  say('targets (issue 4):');
  for (const row of cells) say(row.map((cell, column) => cell.padEnd(targetWidths[column]!)).join('  │  '));
}
results.load_average = (await import('node:os')).loadavg();
mkdirSync('.wf-sim', { recursive: true });
writeFileSync('.wf-sim/bench.json', JSON.stringify(results, null, 2) + '\n');
process.stdout.write(JSON.stringify(results) + '\n');
