// The wf-sim command: run one seed (the main job), a campaign, list mutants, or
// run the conformance suite. Exit codes: 0 all pass; 1 an invariant was
// violated; 2 bad usage; 3 engine or adapter error.
import { writeFileSync } from 'node:fs';
import { builtInEngineNames, resolveRunEngine } from '../../conformance/engines.ts';
import { findMutant, MUTANTS, mutantOverrides } from '../../conformance/mutants/index.ts';
import { AdapterNotFoundError } from '../adapter/load.ts';
import { runCampaign } from '../campaign.ts';
import { AdapterError } from '../errors.ts';
import { Harness } from '../harness.ts';
import type { RunResult } from '../run.ts';
import { traceLines } from '../trace.ts';
import { wallNowMs } from '../wall-clock.ts';
import { describeFaultSelection, FAULT_KINDS } from '../world/faults.ts';
import { reportPathsProblem, runsFromShrink, writeCampaignReports, writeRunReports } from '../report/cli-reports.ts';
import { ChoicesFormatError, decodeChoices, encodeChoices } from '../choices-codec.ts';
import type { RecordedChoices } from '../random/choices.ts';
import { relevantLength, RUNS_MAX, type ShrinkResult } from '../shrink.ts';
import { eventLineCount, shrunkTimeline, textTimeline } from '../timeline-text.ts';
import type { OptionOverrides } from '../world/options.ts';
import { clientIds, workerIds } from '../world/workload.ts';
import { HelpRequested, parseCliArgs, SHRINK_SECONDS, UsageError, type RunArgs } from './args.ts';
import { processOutput, type Output } from './output.ts';
import { optionsLines, progressBar, replayCommand, verdictLines } from './report.ts';
import { shrinkFailure } from './shrink-failure.ts';

export const EXIT = { pass: 0, violation: 1, usage: 2, adapter: 3 } as const;

export const HELP = `wf-sim — deterministic simulation and conformance for Postgres job queues

Usage:
  wf-sim --seed N                 run one simulated world (default seed 42)
  wf-sim --seeds N [--from S]     run a campaign of N seeds starting at S (default 0)
  wf-sim mutants                  list the mutants (known incident bugs) the kit must catch
  wf-sim conformance --adapter PATH [--seeds N] [--database pglite|postgres://…] [--report junit=F,json=F]
  wf-sim help

Options:
  --engine reference | mutant:NAME | PATH   the engine under test (default reference)
  --faults swarm | all | none | a,b,…       fault kinds (default swarm: each switched on or off per seed)
                                            kinds: ${FAULT_KINDS.join(', ')}
  --policy random | pct                     scheduling policy (default random, swarm-weighted)
  --parallel N                              threads, one embedded PGlite each
  --shard i/n                               run only the i-th of n slices of the seeds (CI splitting)
  --keep-going                              do not stop a campaign at the first failing seed
  --json                                    one JSON object per seed on stdout (a campaign's shrink: one more, last)
  --trace FILE                              write the history of the (last) run as JSON lines
  --no-shrink                               report a failure without shrinking it
  --shrink-seconds N                        wall-time budget of a shrink (default ${SHRINK_SECONDS}; it also stops after ${RUNS_MAX} replays)
  --html FILE                               write the run's report (timeline, verdict, replay) as one HTML file;
                                            with --seeds: a campaign summary, each failing seed's report beside it
  --svg FILE                                write the timeline alone as SVG (campaign: the first failing seed)
  --full                                    draw the full run instead of the shrunk one
  --every-event                             print a shrunk (or --choices) timeline one line per event (heartbeats,
                                            idle stretches and lone invokes are folded by default)
  --help                                    this text

Exit codes: 0 all pass · 1 an invariant was violated · 2 bad usage · 3 engine or adapter error`;

export async function main(argv: readonly string[], output: Output = processOutput()): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof HelpRequested) {
      output.out(HELP);
      return EXIT.pass;
    }
    if (error instanceof UsageError) {
      output.err(`wf-sim: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  switch (args.command) {
    case 'help':
      output.out(HELP);
      return EXIT.pass;
    case 'mutants':
      return listMutants(args.json, output);
    case 'conformance': {
      const { conformanceCommand } = await import('../../conformance/cli.ts');
      return conformanceCommand(args, output);
    }
    case 'run':
      return runCommand(args, output);
  }
}

function listMutants(json: boolean, output: Output): number {
  if (json) {
    for (const mutant of MUTANTS) output.out(JSON.stringify({ name: mutant.name, incident: mutant.incident, invariant: mutant.invariant, bug: mutant.bug }));
    return EXIT.pass;
  }
  for (const mutant of MUTANTS) output.out(`mutant:${mutant.name.padEnd(30)} incident ${mutant.incident}  must trip ${mutant.invariant.padEnd(20)} ${mutant.bug}`);
  return EXIT.pass;
}

async function runCommand(args: RunArgs, output: Output): Promise<number> {
  let adapter;
  try {
    adapter = await resolveRunEngine(args.engine);
  } catch (error) {
    if (error instanceof RangeError) {
      output.err(`wf-sim: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof AdapterNotFoundError) {
      output.err(`wf-sim: unknown engine '${args.engine}': ${error.message}; built-in engines: ${builtInEngineNames().join(', ')}`);
      return EXIT.usage;
    }
    if (error instanceof AdapterError) {
      output.err(`wf-sim: ${error.message}`);
      return EXIT.adapter;
    }
    throw error;
  }
  // Report paths are checked before any seed runs, so a typo does not cost a campaign.
  const pathProblem = reportPathsProblem(args);
  if (pathProblem !== null) {
    output.err(`wf-sim: ${pathProblem}`);
    return EXIT.usage;
  }
  // A mutant runs under the world it is known to be caught in (its pins), unless --faults says otherwise.
  const mutant = args.engine.startsWith('mutant:') ? findMutant(args.engine.slice('mutant:'.length)) : undefined;
  const pinned = mutant === undefined ? {} : mutantOverrides(mutant);
  const faults = args.faultsText === undefined && pinned.faults !== undefined ? pinned.faults : args.faults;
  const overrides: OptionOverrides = { ...pinned, faults, ...(args.policy === undefined ? {} : { policy: args.policy }) };
  const faultsMode = describeFaultSelection(faults);
  const { color } = output;

  if (args.single) {
    let choices: RecordedChoices | undefined;
    if (args.choices !== undefined) {
      try {
        choices = decodeChoices(args.choices);
      } catch (error) {
        if (error instanceof ChoicesFormatError) {
          output.err(`wf-sim: ${error.message}`);
          return EXIT.usage;
        }
        throw error;
      }
    }
    const seed = args.seeds[0]!;
    const harness = new Harness(adapter);
    let result: RunResult;
    let shrunk: ShrinkResult | undefined;
    try {
      result = await harness.run({ seed, ...overrides, ...(choices === undefined ? {} : { choices }) });
      if (result.outcome === 'fail' && args.shrink && choices === undefined) shrunk = await shrinkFailure(harness, result, mutant, overrides, args.shrinkSeconds);
    } catch (error) {
      return adapterFailed(error, output);
    } finally {
      await harness.close();
    }
    if (args.trace !== undefined) writeFileSync(args.trace, traceLines(result.history).join('\n') + '\n');
    if (args.json) output.out(JSON.stringify({ ...jsonResult(result), ...(shrunk === undefined ? {} : { shrunk: jsonShrink(shrunk) }) }));
    const say = args.json ? output.err : output.out;
    for (const line of optionsLines(result.options, args.engine, faultsMode)) say(color.dim(line));
    for (const line of verdictLines(result, color)) say(line);
    if (!result.ok) {
      const replay = { seed, engine: args.engine, faults: args.faultsText, policy: args.policy };
      say(`replay: ${replayCommand({ ...replay, ...(args.choices === undefined ? {} : { choices: args.choices }) })}`);
      if (shrunk !== undefined) reportShrink(shrunk, result, replay, args.everyEvent, say, color);
      else if (choices !== undefined) for (const line of replayTimeline(result, args.everyEvent)) say(line);
    }
    const report = writeRunReports(args, runsFromShrink(result, shrunk));
    for (const line of report.lines) say(color.dim(line));
    if (report.problem !== null) {
      output.err(`wf-sim: ${report.problem}`);
      return EXIT.usage;
    }
    return exitFor([result]);
  }

  let failures = 0;
  const campaign = await runCampaign(
    {
      seeds: args.seeds,
      engine: args.engine,
      adapter,
      overrides,
      parallel: args.parallel,
      keepGoing: args.keepGoing,
      // About one seed in twenty is run again (at least one, at most five): cheap, and it catches leaks between seeds.
      resampleCount: Math.max(1, Math.min(5, Math.ceil(args.seeds.length / 20))),
      onResult: (result, done, total) => {
        if (!result.ok) failures += 1;
        if (args.json) output.out(JSON.stringify(jsonResult(result)));
        output.progress(progressBar(done, total, failures));
      },
    },
    wallNowMs,
  );
  if (output.isTty) output.err('');
  const say = args.json ? output.err : output.out;
  const failing = campaign.results.filter((result) => !result.ok);
  const seconds = campaign.wallMs / 1000;
  say(
    `${campaign.results.length} seeds (${args.seeds[0]}…${args.seeds[args.seeds.length - 1]}) on engine ${args.engine}: ` +
      `${campaign.results.length - failing.length} passed, ${failing.length} failed · ${(campaign.results.length / seconds).toFixed(1)} seeds/s`,
  );
  const byInvariant = new Map<string, number>();
  for (const result of failing) for (const invariant of new Set(result.violations.map((violation) => violation.invariant))) byInvariant.set(invariant, (byInvariant.get(invariant) ?? 0) + 1);
  for (const [invariant, count] of [...byInvariant.entries()].sort()) say(`  ${invariant}: ${count} seeds`);
  if (campaign.stoppedEarly) say('stopped at the first failing seed (--keep-going runs them all)');
  const first = failing[0];
  let shrunk: ShrinkResult | undefined;
  if (first !== undefined) {
    const replay = { seed: first.seed, engine: args.engine, faults: args.faultsText, policy: args.policy };
    for (const line of optionsLines(first.options, args.engine, faultsMode)) say(color.dim(line));
    for (const line of verdictLines(first, color)) say(line);
    say(`replay: ${replayCommand(replay)}`);
    // A campaign that caught nondeterminism cannot promise that a shrunk replay reproduces anything.
    if (first.outcome === 'fail' && args.shrink && campaign.mismatches.length === 0) {
      // A shrink costs up to --shrink-seconds; the other failures (--keep-going, or seeds already running on other threads) replay from their seed.
      if (failing.length > 1) say(color.dim(`shrinking the first failing seed (${first.seed}); replay the others with their seed`));
      // The campaign's harnesses are closed (and may have lived on threads); replays need one here.
      const harness = new Harness(adapter);
      try {
        shrunk = await shrinkFailure(harness, first, mutant, overrides, args.shrinkSeconds);
      } catch (error) {
        return adapterFailed(error, output);
      } finally {
        await harness.close();
      }
      // A line of its own, after the per-seed lines, so a reader of those sees only seeds.
      if (args.json) output.out(JSON.stringify({ shrunk: jsonShrink(shrunk), seed: first.seed }));
      reportShrink(shrunk, first, replay, args.everyEvent, say, color);
    }
  }
  const report = writeCampaignReports(args, campaign, first === undefined || shrunk === undefined ? undefined : new Map([[first.seed, runsFromShrink(first, shrunk)]]));
  for (const line of report.lines) say(color.dim(line));
  if (report.problem !== null) {
    output.err(`wf-sim: ${report.problem}`);
    return EXIT.usage;
  }
  if (campaign.mismatches.length > 0) {
    for (const mismatch of campaign.mismatches) say(color.red(`NONDETERMINISM: seed ${mismatch.seed} hashed ${mismatch.first} in the campaign but ${mismatch.again} when run again`));
    return EXIT.adapter;
  }
  say(color.dim(`determinism: re-ran seeds ${campaign.resampled.join(', ')}: same trace hashes`));
  return exitFor(campaign.results);
}

/** An engine or adapter that throws while running or shrinking gets one line and exit 3. */
function adapterFailed(error: unknown, output: Output): number {
  output.err(`wf-sim: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT.adapter;
}

function reportShrink(
  shrunk: ShrinkResult,
  original: RunResult,
  replay: { seed: number; engine: string; faults: string | undefined; policy: string | undefined },
  everyEvent: boolean,
  say: (line: string) => void,
  color: Output['color'],
): void {
  const result = shrunk.result;
  const timeline = shrunkTimeline(shrunk, { every: everyEvent });
  say('');
  say(color.bold(`shrunk ${shrunk.invariant}: ${original.history.length} → ${shrunk.traceLength} events (${eventLineCount(timeline)} lines below) in ${shrunk.runs} replays${shrunk.controlRuns > 0 ? ` (+${shrunk.controlRuns} on the reference)` : ''} (${shrunk.shrinks} kept${shrunk.stoppedBy === 'fixpoint' ? '' : `, stopped by the ${shrunk.stoppedBy} budget`})`));
  // Removal never renumbers, so the world names what is left: w2 and w4 of four workers, 2 of 30 jobs.
  const structure = shrunk.choices.structure;
  const omitted = new Set(structure?.processesOmitted ?? []);
  const processes = [...clientIds(result.options), ...workerIds(result.options)].filter((id) => !omitted.has(id));
  const jobs = result.options.jobs - (structure?.jobsOmitted.filter((k) => k < result.options.jobs).length ?? 0);
  const safety = structure?.safetyMs === undefined ? '' : `, safety phase cut to ${structure.safetyMs} ms`;
  say(color.dim(`world: processes ${processes.join(',') || 'none'}, ${jobs} of ${result.options.jobs} jobs, faults ${result.options.faults.join(',') || 'none'}${safety}`));
  if (shrunk.control === 'passes') say(color.dim(`the reference engine, on the same choices: no ${shrunk.invariant} violation (the case shows the mutant's bug, not the world's)`));
  if (shrunk.control === 'fails') say(color.red(`the reference engine, on the same choices, violates ${shrunk.invariant} too: this case may show the world, not the bug`));
  for (const line of timeline) say(line);
  const first = result.violations.find((violation) => violation.invariant === shrunk.invariant);
  if (first !== undefined) say(`${color.red(first.invariant)}: ${first.explanation}`);
  say(`replay the shrunk run: ${replayCommand({ ...replay, choices: encodeChoices(shrunk.choices) })}`);
}

/**
 * A replayed case (`--choices`, as a shrink's command prints it) shows its
 * timeline as the shrink did: through the evidence of its first violation.
 */
function replayTimeline(result: RunResult, everyEvent: boolean): string[] {
  const first = result.violations[0];
  if (first === undefined) return [];
  return textTimeline(result.history, result.violations, { endIndex: relevantLength(result, first.invariant) - 1, every: everyEvent });
}

function jsonShrink(shrunk: ShrinkResult): Record<string, unknown> {
  return {
    invariant: shrunk.invariant,
    traceLength: shrunk.traceLength,
    runs: shrunk.runs,
    controlRuns: shrunk.controlRuns,
    shrinks: shrunk.shrinks,
    stoppedBy: shrunk.stoppedBy,
    ...(shrunk.control === undefined ? {} : { control: shrunk.control }),
    choices: encodeChoices(shrunk.choices),
    traceHash: shrunk.result.traceHash,
    violations: shrunk.result.violations.filter((violation) => violation.invariant === shrunk.invariant),
  };
}

function exitFor(results: readonly RunResult[]): number {
  if (results.some((result) => result.outcome === 'adapter-error')) return EXIT.adapter;
  if (results.some((result) => result.outcome === 'fail')) return EXIT.violation;
  return EXIT.pass;
}

export function jsonResult(result: RunResult): Record<string, unknown> {
  return {
    seed: result.seed,
    ok: result.ok,
    outcome: result.outcome,
    violations: result.violations,
    undecided: result.undecided,
    notApplicable: result.notApplicable,
    traceHash: result.traceHash,
    options: result.options,
    stats: result.stats,
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}
