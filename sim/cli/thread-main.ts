// A campaign thread: its own harness (its own PGlite), alive for the whole
// campaign. The main thread sends it one seed at a time, then 'close'.
import { parentPort, workerData } from 'node:worker_threads';
import { resolveRunEngine } from '../../conformance/engines.ts';
import { deserializeOverrides, slim, type ThreadCommand, type ThreadReply } from '../campaign.ts';
import { Harness } from '../harness.ts';

const data = workerData as { engine: string; overrides: unknown };
const port = parentPort!;
const reply = (message: ThreadReply) => port.postMessage(message);
const overrides = deserializeOverrides(data.overrides);
const ready = resolveRunEngine(data.engine).then((adapter) => new Harness(adapter));
// Seeds arrive one at a time and the main thread waits for each answer, so runs never overlap.
let queue: Promise<void> = Promise.resolve();
port.on('message', (command: ThreadCommand) => {
  queue = queue.then(async () => {
    try {
      const harness = await ready;
      if (command.type === 'close') {
        await harness.close();
        port.close();
        return;
      }
      reply({ type: 'result', result: slim(await harness.run({ seed: command.seed, ...overrides })) });
    } catch (error) {
      reply({ type: 'error', error: error instanceof Error ? error.message : String(error) });
    }
  });
});
