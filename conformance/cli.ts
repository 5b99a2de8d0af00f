// `wf-sim conformance --adapter PATH`: load an engine author's adapter (TypeScript
// is fine: the command runs under tsx; 'reference' and 'mutant:NAME' name the
// kit's own engines), run one lane over it, print the table,
// write the requested reports. Exit codes: 0 every judged invariant holds; 1 an
// invariant was violated; 2 usage or environment (no such module, unreachable
// database, unwritable report); 3 adapter error (it threw, returned malformed
// data, or never answered) — then no invariant gets a verdict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AdapterNotFoundError, loadAdapter } from '../sim/adapter/load.ts';
import type { EngineAdapter } from '../sim/adapter/contract.ts';
import type { ConformanceArgs } from '../sim/cli/args.ts';
import type { Output } from '../sim/cli/output.ts';
import { progressBar } from '../sim/cli/report.ts';
import { ALL_CAPABILITIES } from '../spec/capabilities.ts';
import { faultFromError } from './adapter-fault.ts';
import { builtInEngine, builtInEngineNames } from './engines.ts';
import { findMutant, mutantOverrides } from './mutants/index.ts';
import { LaneEnvironmentError, POSTGRES_LANE_NOTE, maskPassword } from './postgres-lane.ts';
import { buildReport, EXIT_CODES, type ConformanceReport } from './report.ts';
import { renderHtml, renderHuman, renderJson, renderJunit } from './reporters/index.ts';
import { runConformance, SIMULATED_LANE_NOTE } from './run-conformance.ts';
import { timeoutFromEnvironment } from './watchdog.ts';


function laneOf(args: ConformanceArgs): ConformanceReport['lane'] {
  return args.database === 'pglite'
    ? { name: 'simulated', deterministic: true, note: SIMULATED_LANE_NOTE, database: 'pglite' }
    : { name: 'postgres', deterministic: false, note: POSTGRES_LANE_NOTE, database: maskPassword(args.database) };
}

function writeReports(report: ConformanceReport, args: ConformanceArgs, output: Output): boolean {
  const files: [string | undefined, () => string][] = [
    [args.reports.junit, () => renderJunit(report)],
    [args.reports.json, () => renderJson(report)],
    [args.html, () => renderHtml(report)],
  ];
  for (const [file, render] of files) {
    if (file === undefined) continue;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, render());
    } catch (error) {
      output.err(`wf-sim: cannot write the report ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }
  return true;
}

export async function conformanceCommand(args: ConformanceArgs, output: Output): Promise<number> {
  const timeoutMs = timeoutFromEnvironment();
  if (typeof timeoutMs === 'string') {
    output.err(`wf-sim: ${timeoutMs}`);
    return EXIT_CODES.usage;
  }
  let adapter: EngineAdapter;
  // Built-in engines by name too ('reference', 'mutant:NAME'): the kit's own tests run its mutants through this command.
  const mutant = args.adapter.startsWith('mutant:') ? findMutant(args.adapter.slice('mutant:'.length)) : undefined;
  try {
    adapter = builtInEngine(args.adapter) ?? (await loadAdapter(args.adapter));
  } catch (error) {
    if (error instanceof AdapterNotFoundError) {
      output.err(`wf-sim: ${error.message}; built-in engines: ${builtInEngineNames().join(', ')}`);
      return EXIT_CODES.usage;
    }
    // The module exists but is not an adapter (or its import threw): an adapter error, reported like any other so CI gets its JUnit file.
    const report = buildReport({
      adapterName: args.adapter,
      adapterPath: args.adapter,
      capabilities: ALL_CAPABILITIES,
      lane: laneOf(args),
      from: args.from,
      requested: args.seeds,
      outcomes: [],
      fault: { ...faultFromError(error, null), operation: 'load' },
      wallMs: 0,
      replay: () => null,
    });
    for (const line of renderHuman(report, output.color)) output.out(line);
    return writeReports(report, args, output) ? report.exitCode : EXIT_CODES.usage;
  }

  const noun = args.database === 'pglite' ? 'seeds' : 'rounds';
  let failures = 0;
  let report: ConformanceReport;
  try {
    report = await runConformance(adapter, {
      seeds: args.seeds,
      from: args.from,
      database: args.database,
      timeoutMs,
      adapterPath: args.adapter,
      parallel: args.parallel,
      // A mutant runs under the world pins it is known to be caught with; `wf-sim --engine mutant:NAME` applies the same pins, so the replay line needs none.
      ...(mutant === undefined ? {} : { overrides: mutantOverrides(mutant) }),
      onSeed: (outcome, done, total) => {
        if (outcome.outcome !== 'pass') failures += 1;
        output.progress(progressBar(done, total, failures).replace(' seeds', ` ${noun}`));
      },
    });
  } catch (error) {
    if (error instanceof LaneEnvironmentError) {
      output.err(`wf-sim: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  if (output.isTty) output.err('');
  for (const line of renderHuman(report, output.color)) output.out(line);
  if (!writeReports(report, args, output)) return EXIT_CODES.usage;
  return report.exitCode;
}
