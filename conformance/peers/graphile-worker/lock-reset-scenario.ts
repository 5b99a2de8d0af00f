// The lock-reset scenario: graphile-worker's 4-hour lock timeout, which no
// round of the Postgres lane lives long enough to reach, exercised on a real
// Postgres with real connections and graphile-worker's own statements, then
// judged by the kit's history checkers (spec/check.ts) like any lane.
//
// Worker w1 gets a job and stalls. Instead of waiting four hours, the driver
// ages w1's lock by four hours and a second (the only timestamp it moves, and
// it says so in the history); w2's reaper duty runs graphile-worker's
// resetLockedAt, which frees the job; w2 gets it. Then w1 wakes and completes:
// complete is `delete … where id = $1`, so w1 deletes the job w2 is running.
// A second job goes the same way except that w1 fails it instead: fail is
// gated on locked_by, so that stale write is refused — both sides of the fence.
//
// Real time: the processes' clocks are the wall clock (conformance/real-clock.ts),
// as on the Postgres lane. The scenario is not deterministic in its timings, but
// its order of operations is fixed, so its verdict is.
import type { Database } from '../../../src/db/database.ts';
import { createPostgresDatabase, type PostgresDatabase } from '../../../src/db/postgres.ts';
import { checkHistory } from '../../../spec/check.ts';
import type { History, OperationEvent } from '../../../spec/history.ts';
import type { State } from '../../../spec/state.ts';
import type { Verdict } from '../../../spec/verdict.ts';
import type { EngineAdapter, EngineSession, ProcessContext } from '../../../sim/adapter/contract.ts';
import { Recorder } from '../../../sim/recorder.ts';
import { epochNowMs } from '../../real-clock.ts';
import { createGraphileAdapter, GRAPHILE_CAPABILITIES } from './index.ts';
import { ageLock } from './statements.ts';

export interface LockResetScenarioResult {
  history: History;
  finalState: State;
  verdict: Verdict;
  /** The scenario's steps, one sentence each, for the report. */
  steps: string[];
  /** The two stale writes: [complete after the reset, fail after the reset]. */
  staleComplete: boolean;
  staleFail: boolean;
}

let scenarioCounter = 0;

type Fields = Omit<OperationEvent, 'index' | 'time' | 'type' | 'process' | 'run' | 'pid' | 'role' | 'op'>;

interface Actor {
  id: string;
  run: string;
  pid: number;
  role: 'worker' | 'client';
  db: PostgresDatabase;
  session: EngineSession;
}

/** `createAdapter`: the graphile-worker adapter to drive (the pinned line by default; the newest-lines lane passes 0.18's). */
export async function runLockResetScenario(connectionString: string, createAdapter: () => EngineAdapter = createGraphileAdapter): Promise<LockResetScenarioResult> {
  scenarioCounter += 1;
  const schema = `wfsim_graphile_reset_${process.pid}_${scenarioCounter}`;
  const started = epochNowMs();
  const recorder = new Recorder(() => epochNowMs() - started);
  const steps: string[] = [];
  const adapter = createAdapter();
  const admin = await createPostgresDatabase({ connectionString, schema, max: 2 });
  const actors: Actor[] = [];
  try {
    await adapter.install(admin);
    await adapter.setup(admin, epochNowMs(), { queues: [{ name: 'q1', maxConcurrency: null }] });
    let ids = 0;
    const spawn = async (id: string, role: 'worker' | 'client', pid: number): Promise<Actor> => {
      const db = await createPostgresDatabase({ connectionString, schema, max: 2 });
      const ctx: ProcessContext = {
        processId: id,
        role,
        pid,
        runId: `${id}.1`,
        db,
        clock: { now: epochNowMs },
        ids: { next: (prefix) => `${prefix}${(ids += 1)}` },
        os: { isAlive: () => true },
      };
      const actor: Actor = { id, run: ctx.runId, pid, role, db, session: await adapter.open(ctx) };
      actors.push(actor);
      recorder.world({ process: id, run: ctx.runId, pid, role, op: 'spawn', detail: 'generation 1' });
      return actor;
    };
    const call = async <T>(actor: Actor, op: OperationEvent['op'], fields: Fields, run: () => Promise<T>, answer: (result: T) => Fields): Promise<T> => {
      const base = { process: actor.id, run: actor.run, pid: actor.pid, role: actor.role, op };
      recorder.invoke(null, { ...base, ...fields });
      const result = await run();
      recorder.ok(null, { ...base, ...fields, ...answer(result) });
      return result;
    };
    const client = await spawn('c1', 'client', 11);
    const w1 = await spawn('w1', 'worker', 12);
    const w2 = await spawn('w2', 'worker', 13);
    for (const worker of [w1, w2]) await call(worker, 'startup', {}, () => worker.session.startup(), (result) => ({ jobs: result.requeued, failedJobs: result.failed }));

    const stale: boolean[] = [];
    for (const [k, write] of [
      [0, 'complete'],
      [1, 'fail'],
    ] as const) {
      const { jobId } = await call(client, 'enqueue', { queue: 'q1' }, () => client.session.enqueue({ queue: 'q1', payload: { k }, attemptsMax: 3, idempotencyKey: `job-${k}` }), (result) => ({ queue: 'q1', job: result.jobId }));
      const first = (await call(w1, 'claim', { lease: `L${k}a` }, () => w1.session.claim({ leaseToken: `L${k}a` }), (job) => (job === null ? { job: null, lease: null } : { job: job.jobId, lease: job.leaseToken, queue: job.queue })))!;
      recorder.world({ process: 'w1', run: w1.run, pid: w1.pid, role: 'worker', op: 'pause', loop: 'all', detail: `stalls for 4 hours: the driver ages w1's lock on job ${jobId} by 4 h 1 s instead of waiting` });
      await admin.query(ageLock(schema), [jobId]);
      await call(w2, 'reap', { thresholdMs: 4 * 3_600_000 }, () => w2.session.reap({ thresholdMs: 4 * 3_600_000 }), (result) => ({ workers: result.workers, jobs: result.requeued, failedJobs: result.failed }));
      const second = (await call(w2, 'claim', { lease: `L${k}b` }, () => w2.session.claim({ leaseToken: `L${k}b` }), (job) => (job === null ? { job: null, lease: null } : { job: job.jobId, lease: job.leaseToken, queue: job.queue })))!;
      recorder.world({ process: 'w1', run: w1.run, pid: w1.pid, role: 'worker', op: 'resume', loop: 'all' });
      const lease = { jobId, leaseToken: first.leaseToken };
      let applied: boolean;
      if (write === 'complete') {
        applied = await call(w1, 'complete', { job: jobId, lease: first.leaseToken }, () => w1.session.complete(lease), (result) => ({ applied: result }));
      } else {
        const result = await call(w1, 'fail', { job: jobId, lease: first.leaseToken }, () => w1.session.fail({ ...lease, error: 'woke after 4 hours' }), (outcome) => ({ applied: outcome.applied, status: outcome.status }));
        applied = result.applied;
      }
      stale.push(applied);
      const current = await call(w2, 'complete', { job: jobId, lease: second.leaseToken }, () => w2.session.complete({ jobId, leaseToken: second.leaseToken }), (result) => ({ applied: result }));
      steps.push(
        `Job ${jobId}: w1 got it; its lock aged past 4 h; w2's reaper duty (resetLockedAt) freed it; w2 got it (attempt ${second.attempts}); ` +
          `w1 woke and its ${write} was ${applied ? 'ACCEPTED' : 'refused'}; w2's own complete was ${current ? 'accepted' : 'refused'}.`,
      );
    }
    const finalState = await adapter.observe!(admin, epochNowMs());
    const history = recorder.events;
    const verdict = checkHistory(history, GRAPHILE_CAPABILITIES, { clockSkewMaxMs: 0, finalState });
    return { history, finalState, verdict, steps, staleComplete: stale[0] === true, staleFail: stale[1] === true };
  } finally {
    for (const actor of actors) await actor.db.close().catch(() => undefined);
    await dropSchema(admin, schema);
  }
}

async function dropSchema(admin: PostgresDatabase & Database, schema: string): Promise<void> {
  try {
    await admin.dropSchema();
  } catch {
    // Best effort: a schema left behind is named for the run and harmless.
    void schema;
  } finally {
    await admin.close().catch(() => undefined);
  }
}
