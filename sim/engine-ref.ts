// How a run names its engine so that a worker thread can load the same one:
// a built-in name ('reference', 'mutant:NAME') or a path to an adapter module.
import type { EngineAdapter } from './adapter/contract.ts';
import { loadAdapter } from './adapter/load.ts';

export type EngineResolver = (name: string) => EngineAdapter | undefined;

export async function resolveEngine(name: string, builtIn: EngineResolver, cwd?: string): Promise<EngineAdapter> {
  return builtIn(name) ?? (await loadAdapter(name, cwd));
}
