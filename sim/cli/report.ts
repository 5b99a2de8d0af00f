// Human-readable reports of runs and campaigns.
import type { ChalkInstance } from 'chalk';
import type { RunResult } from '../run.ts';
import type { WorldOptions } from '../world/options.ts';

export function optionsLines(options: WorldOptions, engine: string, faultsMode: string): string[] {
  const queues = options.queues.map((queue) => (queue.maxConcurrency === null ? queue.name : `${queue.name}≤${queue.maxConcurrency}`)).join(' ');
  const faults = options.faults.length === 0 ? 'none' : options.faults.join(',');
  return [
    `seed ${options.seed} · engine ${engine} · policy ${options.policy} · faults ${faults}${faultsMode === 'swarm' ? ' (swarm)' : ''}`,
    `world: ${options.workers} workers (${options.reapers} reaping), ${options.clients} clients, ${options.jobs} jobs in ${options.groups} groups, queues ${queues}, ` +
      `${options.resourceKeys} resource keys, attempts ≤${options.attemptsMax}, ${options.failurePercent}% failing, steps ${options.stepMsMin}–${options.stepMsMax} ms`,
    `timing: poll ${options.pollIntervalMs} ms, heartbeat ${options.heartbeatIntervalMs} ms, reaper every ${options.reaperIntervalMs} ms after ${options.reaperThresholdMs} ms, ` +
      `skew ±${options.clockSkewMaxMs} ms, pidMax ${options.pidMax}, safety ${options.safetyMs / 1000} s, heal budget ${Math.round(options.healBudgetMs / 1000)} s`,
  ];
}

export function verdictLines(result: RunResult, color: ChalkInstance): string[] {
  const stats = result.stats;
  const speed = stats.wallMs > 0 ? `${Math.round(stats.simMs / stats.wallMs)}× real time` : '';
  const facts = `${stats.events} events · ${stats.statements} statements · ${(stats.simMs / 1000).toFixed(1)} s simulated in ${stats.wallMs} ms (${speed}) · trace ${result.traceHash}`;
  if (result.outcome === 'adapter-error') return [`${color.yellow.bold('ADAPTER ERROR')}  ${result.error ?? ''}`, `  ${facts}`];
  if (result.ok) {
    const notApplicable = result.notApplicable.length > 0 ? ` · not applicable: ${result.notApplicable.map((item) => item.invariant).join(', ')}` : '';
    const undecided = result.undecided.length > 0 ? ` · undecided (lost answers): ${[...new Set(result.undecided.map((item) => item.invariant))].join(', ')}` : '';
    return [`${color.green.bold('PASS')}  ${facts}${notApplicable}${undecided}`];
  }
  const invariants = [...new Set(result.violations.map((violation) => violation.invariant))];
  const lines = [`${color.red.bold('FAIL')}  ${invariants.join(', ')}  ·  ${facts}`];
  for (const violation of result.violations.slice(0, 12)) {
    const where = violation.eventIndex === null ? 'at the end' : `at event ${violation.eventIndex}, t=${violation.time ?? '?'} ms`;
    lines.push(`  ${color.red(violation.invariant)} ${where}`);
    lines.push(`    ${violation.explanation}`);
  }
  if (result.violations.length > 12) lines.push(`  … and ${result.violations.length - 12} more`);
  return lines;
}

export function replayCommand(args: { seed: number; engine: string; faults: string | undefined; policy: string | undefined; choices?: string }): string {
  const parts = ['npx wf-sim', `--seed ${args.seed}`];
  if (args.engine !== 'reference') parts.push(`--engine ${args.engine}`);
  if (args.faults !== undefined) parts.push(`--faults ${args.faults}`);
  if (args.policy !== undefined) parts.push(`--policy ${args.policy}`);
  if (args.choices !== undefined) parts.push(`--choices ${args.choices}`);
  return parts.join(' ');
}

export function progressBar(done: number, total: number, failures: number, width = 30): string {
  const filled = Math.round((done / Math.max(total, 1)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} seeds${failures > 0 ? `, ${failures} failing` : ''}`;
}
