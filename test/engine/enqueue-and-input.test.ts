// Goal: enqueue stores what it is given with the documented defaults and honours
// idempotency keys; snapshot and getJob agree; and every kind of bad input is
// refused with a typed error (code + clear message) while the database stays
// exactly as it was.
import { expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.ts';
import { EngineInputError, NotFoundError } from '../../src/engine/errors.ts';
import type { Engine } from '../../src/engine/types.ts';
import { describeBackends } from '../helpers/backends.ts';
import { claimOrThrow, createWorld, enqueue, startWorker, T0 } from '../helpers/world.ts';

describeBackends('enqueue', (backend) => {
  it('applies the defaults: type default, priority 0, 3 attempts, available now, queued and unowned', async () => {
    const { engine } = await createWorld(backend.db());
    const { jobId, created } = await engine.enqueue(T0, { queue: 'default' });
    expect(created).toBe(true);
    expect(await engine.getJob(jobId)).toEqual({
      id: jobId,
      queue: 'default',
      type: 'default',
      status: 'queued',
      priority: 0,
      availableAt: T0,
      resourceKey: null,
      groupId: null,
      attempts: 0,
      attemptsMax: 3,
      owner: null,
      leaseToken: null,
      pid: null,
      runId: null,
      startedAt: null,
      finishedAt: null,
      payload: null,
      result: null,
      error: null,
      idempotencyKey: null,
    });
  });

  it('round-trips JSON payloads of every shape', async () => {
    const { engine } = await createWorld(backend.db());
    const payloads = [{ nested: { list: [1, 'two', null] } }, 'a string', 42, [1, 2], null, true];
    for (const payload of payloads) {
      const jobId = await enqueue(engine, { payload });
      expect((await engine.getJob(jobId)).payload).toEqual(payload);
    }
  });

  it('returns the existing job for a repeated idempotency key and creates nothing', async () => {
    const { engine } = await createWorld(backend.db(), [{ name: 'default' }, { name: 'other' }]);
    const first = await engine.enqueue(T0, { queue: 'default', idempotencyKey: 'order-1', payload: 1 });
    const before = await engine.snapshot();
    const second = await engine.enqueue(T0 + 1, { queue: 'other', idempotencyKey: 'order-1', payload: 2, group: { id: 'g', size: 1 } });
    expect(second).toEqual({ jobId: first.jobId, created: false });
    expect(await engine.snapshot()).toEqual(before);
  });

  it('racing enqueues with one idempotency key create one job', async () => {
    const { engine } = await createWorld(backend.db());
    const results = await Promise.all([1, 2, 3, 4].map(() => engine.enqueue(T0, { queue: 'default', idempotencyKey: 'once' })));
    expect(new Set(results.map((result) => result.jobId)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect((await engine.snapshot()).jobs).toHaveLength(1);
  });

  it('creates the group row with its size on the first member', async () => {
    const { engine } = await createWorld(backend.db());
    await enqueue(engine, { group: { id: 'batch', size: 2 } });
    expect((await engine.snapshot()).groups).toEqual([{ id: 'batch', size: 2, status: 'open', completedAt: null }]);
  });

  it('snapshot rows equal getJob rows, sorted by key, with times as ms numbers', async () => {
    const { engine } = await createWorld(backend.db(), [{ name: 'b', maxConcurrency: 2 }, { name: 'a' }]);
    await startWorker(engine, 'w2');
    await startWorker(engine, 'w1', T0, { pid: 12 });
    const first = await enqueue(engine, { queue: 'a', resourceKey: 'k', payload: { x: 1 } });
    await enqueue(engine, { queue: 'b', availableAt: T0 + 5 });
    await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 12, runId: 'r' });
    const snapshot = await engine.snapshot();
    expect(snapshot.queues).toEqual([{ name: 'a', maxConcurrency: null }, { name: 'b', maxConcurrency: 2 }]);
    expect(snapshot.workers).toEqual([
      { workerId: 'w1', role: 'worker', pid: 12, runId: 'w1.1', heartbeatAt: T0, startedAt: T0, stopping: false },
      { workerId: 'w2', role: 'worker', pid: null, runId: 'w2.1', heartbeatAt: T0, startedAt: T0, stopping: false },
    ]);
    expect(snapshot.locks).toEqual([{ key: 'k', holder: 'w1', jobId: first, acquiredAt: T0, expiresAt: T0 + 30_000 }]);
    expect(snapshot.jobs.map((job) => job.id)).toEqual([1, 2]);
    for (const job of snapshot.jobs) expect(job).toEqual(await engine.getJob(job.id));
  });

  it('defineQueue changes the limit of an existing queue', async () => {
    const { engine } = await createWorld(backend.db());
    await engine.defineQueue(T0, { name: 'default', maxConcurrency: 4 });
    expect((await engine.snapshot()).queues).toEqual([{ name: 'default', maxConcurrency: 4 }]);
  });
});

interface BadCase {
  name: string;
  code: string;
  run(engine: Engine): Promise<unknown>;
}

// Each case is a call a confused caller could make. `as never` lets the test
// pass what the types forbid, as JavaScript callers and adapters can.
const BAD_INPUT: BadCase[] = [
  { name: 'enqueue into an unknown queue', code: 'UNKNOWN_QUEUE', run: (engine) => engine.enqueue(T0, { queue: 'nope' }) },
  { name: 'enqueue into an unknown queue with a group', code: 'UNKNOWN_QUEUE', run: (engine) => engine.enqueue(T0, { queue: 'nope', group: { id: 'fresh', size: 2 } }) },
  { name: 'enqueue without a queue', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, {} as never) },
  { name: 'enqueue with an empty queue name', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, { queue: '' }) },
  { name: 'enqueue with a fractional priority', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, { queue: 'default', priority: 1.5 }) },
  { name: 'enqueue with attemptsMax 0', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, { queue: 'default', attemptsMax: 0 }) },
  { name: 'enqueue with a group of size 0', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, { queue: 'default', group: { id: 'g', size: 0 } }) },
  { name: 'enqueue with a misspelt field', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, { queue: 'default', attempts_max: 2 } as never) },
  { name: 'enqueue with a payload that is not JSON', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, { queue: 'default', payload: { id: 10n } }) },
  { name: 'enqueue with a negative availableAt', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, { queue: 'default', availableAt: -1 }) },
  { name: 'enqueue with an empty resource key', code: 'INVALID_JOB_SPEC', run: (engine) => engine.enqueue(T0, { queue: 'default', resourceKey: '' }) },
  { name: 'enqueue at a fractional now', code: 'INVALID_TIME', run: (engine) => engine.enqueue(T0 + 0.5, { queue: 'default' }) },
  { name: 'enqueue at NaN', code: 'INVALID_TIME', run: (engine) => engine.enqueue(Number.NaN, { queue: 'default' }) },
  { name: 'claim with an empty lease token', code: 'EMPTY_LEASE_TOKEN', run: (engine) => engine.claim(T0, { workerId: 'w1', leaseToken: '' }) },
  { name: 'claim with a zero lock TTL', code: 'INVALID_TIMEOUT', run: (engine) => engine.claim(T0, { workerId: 'w1', leaseToken: 'L', lockTtlMs: 0 }) },
  { name: 'claim with an empty worker id', code: 'INVALID_ARGUMENT', run: (engine) => engine.claim(T0, { workerId: '', leaseToken: 'L' }) },
  { name: 'complete with an empty lease token', code: 'EMPTY_LEASE_TOKEN', run: (engine) => engine.complete(T0, { jobId: 1, leaseToken: '' }) },
  { name: 'fail with an empty lease token', code: 'EMPTY_LEASE_TOKEN', run: (engine) => engine.fail(T0, { jobId: 1, leaseToken: '', error: 'x' }) },
  { name: 'fail with a negative backoff', code: 'INVALID_TIMEOUT', run: (engine) => engine.fail(T0, { jobId: 1, leaseToken: 'L1', error: 'x', retryBackoffMs: -1 }) },
  { name: 'release with an empty lease token', code: 'EMPTY_LEASE_TOKEN', run: (engine) => engine.release(T0, { jobId: 1, leaseToken: '' }) },
  { name: 'attachRun with an empty lease token', code: 'EMPTY_LEASE_TOKEN', run: (engine) => engine.attachRun(T0, { jobId: 1, leaseToken: '', pid: 1, runId: 'r' }) },
  { name: 'reap with a zero threshold', code: 'INVALID_TIMEOUT', run: (engine) => engine.reap(T0, { reaperId: 'r', thresholdMs: 0 }) },
  { name: 'reap with a negative threshold', code: 'INVALID_TIMEOUT', run: (engine) => engine.reap(T0, { reaperId: 'r', thresholdMs: -30_000 }) },
  { name: 'reap with a threshold reaching before the epoch', code: 'INVALID_TIMEOUT', run: (engine) => engine.reap(T0, { reaperId: 'r', thresholdMs: T0 + 1 }) },
  { name: 'heartbeat with a negative lock TTL', code: 'INVALID_TIMEOUT', run: (engine) => engine.heartbeat(T0, { workerId: 'w1', lockTtlMs: -1 }) },
  { name: 'lock acquire with a zero TTL', code: 'INVALID_TIMEOUT', run: (engine) => engine.locks.acquire(T0, { key: 'k', holder: 'h', ttlMs: 0 }) },
  { name: 'lock refresh with a negative TTL', code: 'INVALID_TIMEOUT', run: (engine) => engine.locks.refresh(T0, { key: 'held', holder: 'w1', ttlMs: -5 }) },
  { name: 'lock release with an empty key', code: 'INVALID_ARGUMENT', run: (engine) => engine.locks.release({ key: '', holder: 'w1' }) },
  { name: 'defineQueue with maxConcurrency 0', code: 'INVALID_QUEUE', run: (engine) => engine.defineQueue(T0, { name: 'default', maxConcurrency: 0 }) },
  { name: 'startup with an unknown role', code: 'INVALID_ARGUMENT', run: (engine) => engine.startup(T0, { workerId: 'w9', role: 'admin' as never, pid: null, runId: 'r' }) },
  { name: 'getJob of an unknown id', code: 'UNKNOWN_JOB', run: (engine) => engine.getJob(999) },
];

describeBackends('bad input', (backend) => {
  for (const badCase of BAD_INPUT) {
    it(`${badCase.name}: ${badCase.code}, database unchanged`, async () => {
      // A populated world, so "unchanged" means something: a queue, a worker, a running job with a lock, a group.
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await enqueue(engine, { resourceKey: 'held', group: { id: 'g', size: 2 } });
      await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      const before = await engine.snapshot();

      const error = await badCase.run(engine).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(EngineInputError);
      expect(error).toMatchObject({ code: badCase.code });
      expect((error as Error).message.length).toBeGreaterThan(10);
      expect(await engine.snapshot()).toEqual(before);
    });
  }

  it('is refused before any statement runs, with a one-line message', async () => {
    const db = backend.db();
    const engine = createEngine({ db });
    const before = db.statements;
    await expect(engine.reap(T0, { reaperId: 'r', thresholdMs: -1 })).rejects.toThrow('invalid thresholdMs (expected a positive integer number of ms)');
    await expect(engine.claim(T0, { workerId: 'w', leaseToken: '' })).rejects.toThrow(/lease token: it is empty/);
    await expect(engine.enqueue(T0, { queue: 'default', priority: 'high' } as never)).rejects.toThrow(/^invalid job spec: priority: /);
    expect(db.statements).toBe(before);
  });

  it('an unknown job id raises NotFoundError naming the id', async () => {
    const { engine } = await createWorld(backend.db());
    await expect(engine.getJob(12345)).rejects.toBeInstanceOf(NotFoundError);
    await expect(engine.getJob(12345)).rejects.toThrow(/unknown job 12345/);
  });
});
