// Goal: each mutant's bug, shown directly and deterministically on the adapter
// (no simulator): the same few calls leave the reference engine's rows correct
// and the mutant's rows wrong in exactly the way its incident describes. This
// is the negative and the positive space of every mutant, and it pins what each
// mutant IS, so a campaign that stops catching one points at the kit, not at a
// mutant that quietly stopped being buggy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, QueryResult, Queryable, Statement } from '../../src/db/database.ts';
import { createPGliteDatabase } from '../../src/db/pglite.ts';
import type { EngineAdapter, EngineSession, ProcessContext } from '../../sim/adapter/contract.ts';
import type { JobState, State } from '../../spec/state.ts';
import { findMutant, MUTANTS } from '../../conformance/mutants/index.ts';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';

/** 2026-01-01T00:00:00Z. */
const T0 = 1_767_225_600_000;
const THRESHOLD_MS = 5_000;

let db: Database;

beforeAll(async () => {
  db = await createPGliteDatabase();
  // One database for all: every install is the same migration plus, for some mutants, one extra wf_ table.
  await referenceAdapter.install(db);
  for (const mutant of MUTANTS) await mutant.adapter.install(db);
});

afterAll(async () => {
  await db.close();
});

/** A database whose statements can be interrupted: `before(name)` runs before the statement of that name, once. */
class InterposedDatabase implements Database {
  readonly kind = 'interposed';
  private readonly hooks = new Map<string, () => Promise<void>>();
  constructor(private readonly inner: Database) {}
  before(statement: string, hook: () => Promise<void>): void {
    this.hooks.set(statement, hook);
  }
  async query<Row = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    const hook = this.hooks.get(statement.name);
    if (hook !== undefined) {
      this.hooks.delete(statement.name);
      await hook();
    }
    return this.inner.query<Row>(statement, params);
  }
  exec(sql: string): Promise<void> {
    return this.inner.exec(sql);
  }
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.inner.transaction(fn);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** One scenario on one engine: a clock, a process table, and sessions opened like the simulator opens them. */
class Stage {
  now = T0;
  readonly alive = new Set<number>();
  private idSeq = 0;
  readonly db: InterposedDatabase;

  constructor(readonly adapter: EngineAdapter) {
    this.db = new InterposedDatabase(db);
  }

  async begin(queues: { name: string; maxConcurrency: number | null }[] = [{ name: 'q1', maxConcurrency: null }]): Promise<void> {
    await this.adapter.reset!(db);
    await this.adapter.setup(db, this.now, { queues });
  }

  async open(processId: string, identity: { role?: 'worker' | 'client'; pid?: number | null; runId?: string } = {}): Promise<EngineSession> {
    const pid = identity.pid ?? null;
    if (pid !== null) this.alive.add(pid);
    const context: ProcessContext = {
      processId,
      role: identity.role ?? 'worker',
      pid,
      runId: identity.runId ?? `${processId}.1`,
      db: this.db,
      clock: { now: () => this.now },
      ids: { next: (prefix) => `${prefix}${(this.idSeq += 1)}` },
      os: { isAlive: (candidate) => this.alive.has(candidate) },
    };
    const session = await this.adapter.open(context);
    await session.startup();
    return session;
  }

  state(): Promise<State> {
    return this.adapter.observe!(db, this.now);
  }

  async job(id: number): Promise<JobState> {
    const job = (await this.state()).jobs.find((candidate) => candidate.id === id);
    if (job === undefined) throw new Error(`no job ${id}`);
    return job;
  }
}

function adapterOf(name: string): EngineAdapter {
  const mutant = findMutant(name);
  if (mutant === undefined) throw new Error(`no mutant named ${name}`);
  return mutant.adapter;
}

/** Runs `scenario` on the reference and on the mutant; returns both results for a side-by-side assertion. */
async function contrast<T>(mutant: string, scenario: (stage: Stage) => Promise<T>): Promise<{ reference: T; mutant: T }> {
  const reference = await scenario(new Stage(referenceAdapter));
  const mutated = await scenario(new Stage(adapterOf(mutant)));
  return { reference, mutant: mutated };
}

function ownership(job: JobState) {
  return { owner: job.owner, leaseToken: job.leaseToken, pid: job.pid, runId: job.runId, startedAt: job.startedAt };
}

const CLEAN = { owner: null, leaseToken: null, pid: null, runId: null, startedAt: null };

describe('each mutant differs from the reference exactly by its bug', () => {
  it('requeue-keeps-pid: a retried job goes back to queued still carrying the dead run’s pid, run id and startedAt', async () => {
    const result = await contrast('requeue-keeps-pid', async (stage) => {
      await stage.begin();
      const worker = await stage.open('w1', { pid: 7 });
      const { jobId } = await worker.enqueue({ queue: 'q1', attemptsMax: 3 });
      const claimed = await worker.claim({ leaseToken: 'L1' });
      stage.now += 10;
      expect(await worker.fail({ jobId, leaseToken: claimed!.leaseToken, error: 'boom' })).toEqual({ applied: true, status: 'queued' });
      const job = await stage.job(jobId);
      return { status: job.status, ...ownership(job) };
    });
    expect(result.reference).toEqual({ status: 'queued', ...CLEAN });
    expect(result.mutant).toEqual({ status: 'queued', owner: null, leaseToken: null, pid: 7, runId: 'w1.1', startedAt: T0 });
  });

  it('claim-keeps-stale-pid: a job recovered at restart is claimed by another worker under the dead run’s pid and run id', async () => {
    const result = await contrast('claim-keeps-stale-pid', async (stage) => {
      await stage.begin();
      const first = await stage.open('w1', { pid: 3 });
      const { jobId } = await first.enqueue({ queue: 'q1' });
      await first.claim({ leaseToken: 'L1' });
      // w1 dies; its next incarnation (same id, new run) recovers what it left at startup.
      stage.alive.delete(3);
      stage.now += 100;
      await stage.open('w1', { pid: 5, runId: 'w1.2' });
      const other = await stage.open('w2', { pid: 4 });
      expect(await other.claim({ leaseToken: 'L2' })).toMatchObject({ jobId });
      const job = await stage.job(jobId);
      return { owner: job.owner, pid: job.pid, runId: job.runId };
    });
    expect(result.reference).toEqual({ owner: 'w2', pid: 4, runId: 'w2.1' });
    expect(result.mutant).toEqual({ owner: 'w2', pid: 3, runId: 'w1.1' });
  });

  it('reaper-trusts-bare-pid: a worker with a stale heartbeat is spared while a squatter holds its pid', async () => {
    const result = await contrast('reaper-trusts-bare-pid', async (stage) => {
      await stage.begin();
      const dead = await stage.open('w1', { pid: 3 });
      const { jobId } = await dead.enqueue({ queue: 'q1' });
      await dead.claim({ leaseToken: 'L1' });
      stage.alive.delete(3);
      stage.alive.add(3); // a squatter takes the dead worker's pid
      stage.now += THRESHOLD_MS + 1;
      const reaper = await stage.open('w2', { pid: 4 });
      const reaped = await reaper.reap({ thresholdMs: THRESHOLD_MS });
      return { reaped: reaped.workers, status: (await stage.job(jobId)).status };
    });
    expect(result.reference).toEqual({ reaped: ['w1'], status: 'queued' });
    expect(result.mutant).toEqual({ reaped: [], status: 'running' });
  });

  it('unfenced-terminal-writes: a reaped worker that wakes completes the job under a superseded lease', async () => {
    const result = await contrast('unfenced-terminal-writes', async (stage) => {
      await stage.begin();
      const stale = await stage.open('w1');
      const { jobId } = await stale.enqueue({ queue: 'q1' });
      const first = await stale.claim({ leaseToken: 'L1' });
      stage.now += THRESHOLD_MS + 1;
      const peer = await stage.open('w2');
      await peer.reap({ thresholdMs: THRESHOLD_MS });
      expect(await peer.claim({ leaseToken: 'L2' })).toMatchObject({ jobId });
      const applied = await stale.complete({ jobId, leaseToken: first!.leaseToken });
      const job = await stage.job(jobId);
      return { applied, status: job.status, owner: job.owner };
    });
    expect(result.reference).toEqual({ applied: false, status: 'running', owner: 'w2' });
    expect(result.mutant).toEqual({ applied: true, status: 'completed', owner: 'w2' });
  });

  it('reaper-reaps-itself: a reaper whose own heartbeat is stale reaps itself and requeues its own job', async () => {
    const result = await contrast('reaper-reaps-itself', async (stage) => {
      await stage.begin();
      const worker = await stage.open('w1');
      const { jobId } = await worker.enqueue({ queue: 'q1' });
      await worker.claim({ leaseToken: 'L1' });
      // The heartbeat loop stalled; the reaper loop of the same worker runs.
      stage.now += THRESHOLD_MS + 1;
      const reaped = await worker.reap({ thresholdMs: THRESHOLD_MS });
      return { reaped: reaped.workers, status: (await stage.job(jobId)).status };
    });
    expect(result.reference).toEqual({ reaped: [], status: 'running' });
    expect(result.mutant).toEqual({ reaped: ['w1'], status: 'queued' });
  });

  it('group-snapshot-then-update: two callers that both saw every member terminal both fire the group', async () => {
    const result = await contrast('group-snapshot-then-update', async (stage) => {
      await stage.begin();
      const a = await stage.open('w1');
      const b = await stage.open('w2');
      const group = { id: 'g1', size: 2 };
      for (const leaseToken of ['L1', 'L2']) {
        await a.enqueue({ queue: 'q1', group });
        const job = await a.claim({ leaseToken });
        await a.complete({ jobId: job!.jobId, leaseToken });
      }
      // b's call starts and snapshots while a's call is between its statements (the mutant's two statements, the reference's one).
      let second: unknown = 'not run';
      stage.db.before('mutant_group_snapshot_mark', async () => {
        second = await b.tryCompleteGroup!('g1');
      });
      const first = await a.tryCompleteGroup!('g1');
      if (second === 'not run') second = await b.tryCompleteGroup!('g1');
      return [first, second];
    });
    expect(result.reference).toEqual(['completed', null]);
    expect(result.mutant).toEqual(['completed', 'completed']);
  });

  it('lock-outside-claim: a claim between another claim and its lock runs a second job with the same key, and the upsert steals the key', async () => {
    const result = await contrast('lock-outside-claim', async (stage) => {
      await stage.begin();
      const a = await stage.open('w1');
      const b = await stage.open('w2');
      await a.enqueue({ queue: 'q1', resourceKey: 'r1' });
      await a.enqueue({ queue: 'q1', resourceKey: 'r1' });
      let second: unknown = 'not run';
      stage.db.before('mutant_lock_outside_claim_take', async () => {
        second = await b.claim({ leaseToken: 'L2' });
      });
      await a.claim({ leaseToken: 'L1' });
      if (second === 'not run') second = await b.claim({ leaseToken: 'L2' });
      const state = await stage.state();
      return {
        running: state.jobs.filter((job) => job.status === 'running').map((job) => job.owner),
        lockHolders: state.locks.map((lock) => lock.holder),
      };
    });
    expect(result.reference).toEqual({ running: ['w1'], lockHolders: ['w1'] });
    expect(result.mutant).toEqual({ running: ['w1', 'w2'], lockHolders: ['w1'] });
  });

  it('client-runs-dispatcher: an enqueue-only client’s enqueue leaves the job running under the client', async () => {
    const result = await contrast('client-runs-dispatcher', async (stage) => {
      await stage.begin();
      const client = await stage.open('c1', { role: 'client', pid: 9 });
      const { jobId } = await client.enqueue({ queue: 'q1' });
      const job = await stage.job(jobId);
      return { status: job.status, owner: job.owner };
    });
    expect(result.reference).toEqual({ status: 'queued', owner: null });
    expect(result.mutant).toEqual({ status: 'running', owner: 'c1' });
  });

  it('run-owner-claim: after its owner died and was reaped, nobody else can claim the job again', async () => {
    const result = await contrast('run-owner-claim', async (stage) => {
      await stage.begin();
      const pod = await stage.open('w1~1');
      const { jobId } = await pod.enqueue({ queue: 'q1' });
      await pod.claim({ leaseToken: 'L1' });
      // The pod dies holding the job; the next pod (a new id) reaps it and tries to run the job again.
      stage.now += THRESHOLD_MS + 1;
      const next = await stage.open('w1~2');
      expect((await next.reap({ thresholdMs: THRESHOLD_MS })).requeued).toEqual([jobId]);
      const claimed = await next.claim({ leaseToken: 'L2' });
      return { claimed: claimed?.jobId ?? null, status: (await stage.job(jobId)).status };
    });
    expect(result.reference).toEqual({ claimed: 1, status: 'running' });
    expect(result.mutant).toEqual({ claimed: null, status: 'queued' });
  });

  it('run-owner-claim: an owner that stops gracefully lets go of its marker, so the next pod runs the job', async () => {
    const result = await contrast('run-owner-claim', async (stage) => {
      await stage.begin();
      const pod = await stage.open('w1~1');
      const { jobId } = await pod.enqueue({ queue: 'q1' });
      await pod.claim({ leaseToken: 'L1' });
      expect((await pod.shutdown()).released).toEqual([jobId]);
      const next = await stage.open('w1~2');
      return (await next.claim({ leaseToken: 'L2' }))?.jobId ?? null;
    });
    expect(result.reference).toBe(1);
    expect(result.mutant).toBe(1);
  });

  it('shutdown-keeps-jobs: a graceful shutdown leaves the job running and its lock held', async () => {
    const result = await contrast('shutdown-keeps-jobs', async (stage) => {
      await stage.begin();
      const worker = await stage.open('w1');
      const { jobId } = await worker.enqueue({ queue: 'q1', resourceKey: 'r1' });
      await worker.claim({ leaseToken: 'L1' });
      const released = (await worker.shutdown()).released;
      const state = await stage.state();
      return { released, status: state.jobs.find((job) => job.id === jobId)!.status, locks: state.locks.map((lock) => lock.holder), workers: state.workers.length };
    });
    expect(result.reference).toEqual({ released: [1], status: 'queued', locks: [], workers: 0 });
    expect(result.mutant).toEqual({ released: [], status: 'running', locks: ['w1'], workers: 0 });
  });

  it('incident-003: a retried job whose kept pid is alive occupies the only slot of its queue, so nothing is claimed', async () => {
    const result = await contrast('incident-003', async (stage) => {
      await stage.begin([{ name: 'q1', maxConcurrency: 1 }]);
      const worker = await stage.open('w1', { pid: 3 });
      const { jobId } = await worker.enqueue({ queue: 'q1', attemptsMax: 3 });
      await worker.enqueue({ queue: 'q1' });
      const claimed = await worker.claim({ leaseToken: 'L1' });
      await worker.fail({ jobId, leaseToken: claimed!.leaseToken, error: 'boom' });
      const next = await worker.claim({ leaseToken: 'L2' });
      return next?.jobId ?? null;
    });
    expect(result.reference).toBe(1);
    expect(result.mutant).toBeNull();
  });
});
