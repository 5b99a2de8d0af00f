// Command-line arguments. Bad input gets one line that says what was wrong and
// what the valid values are (exit 2); nothing runs until the whole line parses.
import { parseArgs } from 'node:util';
import { SEED_MAX } from '../random/choices.ts';
import type { Policy } from '../scheduler.ts';
import { WALL_MS_MAX } from '../shrink.ts';
import { parseFaultSelection, FaultSelectionError, type FaultSelection } from '../world/faults.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface RunArgs {
  command: 'run';
  /** Seeds to run, in order. */
  seeds: number[];
  /** True when the user asked for one seed (--seed), false for a campaign (--seeds). */
  single: boolean;
  engine: string;
  faults: FaultSelection;
  faultsText: string | undefined;
  policy: Policy | undefined;
  parallel: number;
  shard: { index: number; count: number } | undefined;
  json: boolean;
  trace: string | undefined;
  html: string | undefined;
  svg: string | undefined;
  keepGoing: boolean;
  shrink: boolean;
  /** Wall-time budget of a shrink, seconds. */
  shrinkSeconds: number;
  full: boolean;
  /** The shrunk timeline with every event on its own line (no heartbeat or idle-stretch folding). */
  everyEvent: boolean;
  choices: string | undefined;
}

export interface HelpArgs {
  command: 'help';
}

export interface MutantsArgs {
  command: 'mutants';
  json: boolean;
}

export interface ConformanceArgs {
  command: 'conformance';
  adapter: string;
  seeds: number;
  from: number;
  database: string;
  reports: { junit?: string; json?: string };
  parallel: number;
  html: string | undefined;
}

export type Args = RunArgs | HelpArgs | MutantsArgs | ConformanceArgs;

export const POLICIES: readonly Policy[] = ['random', 'pct'];

/**
 * A shrink's default wall-time budget: shrinkRun's, which the benchmark uses,
 * so the command prints the case the README reports (there, every mutant's
 * first failure shrank to its fixpoint within it; a wedged world's replays
 * take seconds each).
 */
export const SHRINK_SECONDS = WALL_MS_MAX / 1_000;

export function parseSeed(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a non-negative integer (0 … ${SEED_MAX}), got '${text}'`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > SEED_MAX) throw new UsageError(`${flag} must be at most ${SEED_MAX}, got '${text}'`);
  return value;
}

function parseCount(text: string, flag: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new UsageError(`${flag} must be an integer from 1 to ${max}, got '${text}'`);
  return Number(text);
}

function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (match === null) throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n (e.g. --shard 2/4), got '${text}'`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n (e.g. --shard 2/4), got '${text}'`);
  return { index, count };
}

export function parseCliArgs(argv: readonly string[]): Args {
  const [first, ...rest] = argv;
  if (first === 'help' || first === '--help' || first === '-h') return { command: 'help' };
  if (first === 'mutants') return parseMutants(rest);
  if (first === 'conformance') return parseConformance(rest);
  if (first !== undefined && !first.startsWith('-')) throw new UsageError(`unknown command '${first}'; commands: (none) to run seeds, mutants, conformance, help`);
  return parseRun(argv);
}

function parse(argv: readonly string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']) {
  // `--seed -3` is a bad seed, not a second option: join it so the value check can say so.
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    const next = argv[index + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && options?.[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index += 1;
    } else {
      joined.push(arg);
    }
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new UsageError(`${message.replace(/\. To specify.*$/, '')}; see wf-sim --help`);
  }
}

function parseRun(argv: readonly string[]): RunArgs {
  const { values } = parse(argv, {
    seed: { type: 'string' },
    seeds: { type: 'string' },
    from: { type: 'string' },
    engine: { type: 'string' },
    faults: { type: 'string' },
    policy: { type: 'string' },
    parallel: { type: 'string' },
    shard: { type: 'string' },
    json: { type: 'boolean' },
    trace: { type: 'string' },
    html: { type: 'string' },
    svg: { type: 'string' },
    'keep-going': { type: 'boolean' },
    'no-shrink': { type: 'boolean' },
    'shrink-seconds': { type: 'string' },
    full: { type: 'boolean' },
    'every-event': { type: 'boolean' },
    choices: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const text = values as Record<string, string | boolean | undefined>;
  if (text.help === true) throw new HelpRequested();
  if (text.seed !== undefined && text.seeds !== undefined) throw new UsageError('give either --seed N (one world) or --seeds N (a campaign), not both');
  let seeds: number[];
  let single: boolean;
  if (text.seeds !== undefined) {
    const count = parseCount(text.seeds as string, '--seeds', 10_000_000);
    const from = text.from === undefined ? 0 : parseSeed(text.from as string, '--from');
    if (from + count - 1 > 0xffff_ffff) throw new UsageError('--from + --seeds runs past the largest seed (4294967295)');
    seeds = Array.from({ length: count }, (_, index) => from + index);
    single = false;
  } else {
    if (text.from !== undefined) throw new UsageError('--from goes with --seeds N');
    seeds = [text.seed === undefined ? 42 : parseSeed(text.seed as string, '--seed')];
    single = true;
  }
  const shard = text.shard === undefined ? undefined : parseShard(text.shard as string);
  if (shard !== undefined) seeds = seeds.filter((_, index) => index % shard.count === shard.index - 1);
  const policy = text.policy as string | undefined;
  if (policy !== undefined && !(POLICIES as readonly string[]).includes(policy)) throw new UsageError(`unknown policy '${policy}'; valid policies: ${POLICIES.join(', ')}`);
  let faults: FaultSelection;
  try {
    faults = parseFaultSelection(text.faults as string | undefined);
  } catch (error) {
    if (error instanceof FaultSelectionError) throw new UsageError(error.message);
    throw error;
  }
  const engine = (text.engine as string | undefined) ?? 'reference';
  if (engine.length === 0) throw new UsageError("--engine needs a value: reference, mutant:NAME, or a path to an adapter module");
  return {
    command: 'run',
    seeds,
    single,
    engine,
    faults,
    faultsText: text.faults as string | undefined,
    policy: policy as Policy | undefined,
    parallel: text.parallel === undefined ? 1 : parseCount(text.parallel as string, '--parallel', 64),
    shard,
    json: text.json === true,
    trace: text.trace as string | undefined,
    html: text.html as string | undefined,
    svg: text.svg as string | undefined,
    keepGoing: text['keep-going'] === true,
    shrink: text['no-shrink'] !== true,
    shrinkSeconds: text['shrink-seconds'] === undefined ? SHRINK_SECONDS : parseCount(text['shrink-seconds'] as string, '--shrink-seconds', 3_600),
    full: text.full === true,
    everyEvent: text['every-event'] === true,
    choices: text.choices as string | undefined,
  };
}

function parseMutants(argv: readonly string[]): MutantsArgs {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  return { command: 'mutants', json: (values as { json?: boolean }).json === true };
}

function parseConformance(argv: readonly string[]): ConformanceArgs {
  const { values } = parse(argv, {
    adapter: { type: 'string' },
    seeds: { type: 'string' },
    from: { type: 'string' },
    database: { type: 'string' },
    report: { type: 'string' },
    parallel: { type: 'string' },
    html: { type: 'string' },
  });
  const text = values as Record<string, string | undefined>;
  if (text.adapter === undefined) throw new UsageError('conformance needs --adapter PATH (a module whose default export is an EngineAdapter)');
  const reports: { junit?: string; json?: string } = {};
  for (const part of (text.report ?? '').split(',').filter((item) => item.length > 0)) {
    const [kind, file] = part.split('=');
    if ((kind !== 'junit' && kind !== 'json') || file === undefined || file.length === 0) {
      throw new UsageError(`--report takes junit=FILE and/or json=FILE, comma-separated; got '${part}'`);
    }
    reports[kind] = file;
  }
  const database = text.database ?? 'pglite';
  if (database !== 'pglite' && !/^postgres(ql)?:\/\//.test(database)) throw new UsageError(`--database takes pglite or a postgres:// URL, got '${database}'`);
  return {
    command: 'conformance',
    adapter: text.adapter,
    seeds: text.seeds === undefined ? 50 : parseCount(text.seeds, '--seeds', 1_000_000),
    from: text.from === undefined ? 0 : parseSeed(text.from, '--from'),
    database,
    reports,
    parallel: text.parallel === undefined ? 1 : parseCount(text.parallel, '--parallel', 64),
    html: text.html,
  };
}

export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}
