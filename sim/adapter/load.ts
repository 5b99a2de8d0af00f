// Loads an adapter module from a path (TypeScript is fine: the wf-sim command
// runs under tsx) and checks its shape before anything runs, so a broken module
// gets one clear line instead of a stack trace or, worse, a verdict.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdapterShapeSchema, type EngineAdapter } from './contract.ts';
import { AdapterError } from '../errors.ts';

export class AdapterNotFoundError extends Error {
  override readonly name = 'AdapterNotFoundError';
}

export async function loadAdapter(path: string, cwd: string = process.cwd()): Promise<EngineAdapter> {
  const candidates = [path, `${path}.ts`, `${path}/index.ts`, `${path}/adapter.ts`].map((candidate) => resolve(cwd, candidate));
  const file = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (file === undefined) throw new AdapterNotFoundError(`no adapter module at '${path}' (looked for ${candidates.map((c) => `'${c}'`).join(', ')}); pass a path to a .ts or .js file`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterError('load', `importing ${file} threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let candidate = module.default ?? module.adapter;
  if (typeof candidate === 'function') candidate = await (candidate as () => unknown)();
  const parsed = AdapterShapeSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdapterError('load', `${file} must export an EngineAdapter as default (or a function returning one); at ${issue?.path.join('.') || '(export)'}: ${issue?.message ?? 'invalid'}`);
  }
  return candidate as EngineAdapter;
}
