// The engines the wf-sim command knows by name: the reference engine and its
// mutants (one known incident bug each). Anything else is a path to an adapter.
import type { EngineAdapter } from '../sim/adapter/contract.ts';
import { loadAdapter } from '../sim/adapter/load.ts';
import { guardAdapter } from './guard.ts';
import { timeoutFromEnvironment } from './watchdog.ts';
import { referenceAdapter } from './reference/adapter.ts';
import { MUTANTS } from './mutants/index.ts';

export function builtInEngine(name: string): EngineAdapter | undefined {
  if (name === 'reference') return referenceAdapter;
  if (name.startsWith('mutant:')) return MUTANTS.find((mutant) => mutant.name === name.slice('mutant:'.length))?.adapter;
  return undefined;
}

export function builtInEngineNames(): string[] {
  return ['reference', ...MUTANTS.map((mutant) => `mutant:${mutant.name}`)];
}

/**
 * The engine a `wf-sim` run names: a built-in one as it is, or an adapter module
 * behind the same guard as the conformance lane (zod on every answer, a
 * watchdog on the adapter's own running time), so a hanging or malformed
 * adapter ends in an adapter error instead of a hang. The guard changes no trace.
 */
export async function resolveRunEngine(name: string, cwd?: string): Promise<EngineAdapter> {
  const builtIn = builtInEngine(name);
  if (builtIn !== undefined) return builtIn;
  const timeoutMs = timeoutFromEnvironment();
  if (typeof timeoutMs === 'string') throw new RangeError(timeoutMs);
  return guardAdapter(await loadAdapter(name, cwd), { timeoutMs, budget: 'own-time' });
}
