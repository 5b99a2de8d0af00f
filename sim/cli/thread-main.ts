// A campaign thread: its own harness (its own PGlite), a slice of the seeds.
import { parentPort, workerData } from 'node:worker_threads';
import { resolveRunEngine } from '../../conformance/engines.ts';
import { deserializeOverrides, slim } from '../campaign.ts';
import { Harness } from '../harness.ts';

const data = workerData as { engine: string; overrides: unknown; seeds: number[]; keepGoing: boolean };
try {
  const harness = new Harness(await resolveRunEngine(data.engine));
  const overrides = deserializeOverrides(data.overrides);
  for (const seed of data.seeds) {
    const result = await harness.run({ seed, ...overrides });
    parentPort!.postMessage({ type: 'result', result: slim(result) });
    if (!result.ok && !data.keepGoing) break;
  }
  await harness.close();
} catch (error) {
  parentPort!.postMessage({ type: 'error', error: error instanceof Error ? error.message : String(error) });
}
