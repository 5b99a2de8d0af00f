// A conformance thread: loads the adapter from its path or built-in name
// (adapter objects cannot cross threads), runs its slice of the seeds on its own
// PGlite, and posts each seed's outcome. Outcomes carry no history, so messages
// stay small.
import { parentPort, workerData } from 'node:worker_threads';
import { resolveEngine } from '../sim/engine-ref.ts';
import { builtInEngine } from './engines.ts';
import type { OptionOverrides } from '../sim/world/options.ts';
import { faultFromError } from './adapter-fault.ts';
import { faultedSeed } from './seed-outcome.ts';
import { runSeedsHere } from './simulated-lane.ts';

const data = workerData as { engineRef: string; seeds: number[]; timeoutMs: number; overrides: OptionOverrides };
try {
  let adapter;
  try {
    adapter = await resolveEngine(data.engineRef, builtInEngine);
  } catch (error) {
    parentPort!.postMessage({ type: 'seed', outcome: faultedSeed(data.seeds[0] ?? 0, faultFromError(error, null)) });
    adapter = undefined;
  }
  if (adapter !== undefined) await runSeedsHere(adapter, data.seeds, data.timeoutMs, data.overrides, (outcome) => parentPort!.postMessage({ type: 'seed', outcome }));
} catch (error) {
  parentPort!.postMessage({ type: 'error', error: error instanceof Error ? error.message : String(error) });
}
