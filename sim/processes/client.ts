// An enqueue-only client (incident 000): it registers, enqueues its share of the
// workload and exits. It never claims; an engine that makes it run a dispatcher
// anyway is caught by CLIENT_NEVER_CLAIMS.
import { enqueueLoop } from './enqueue-loop.ts';
import type { ProcessRuntime } from './runtime.ts';

export async function clientProgram(runtime: ProcessRuntime): Promise<void> {
  await runtime.session.startup();
  await enqueueLoop(runtime);
  await runtime.exit('enqueued its share and exited');
}
