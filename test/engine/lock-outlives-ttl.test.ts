// Goal: a running job keeps its resource key even when its lock's TTL runs out
// (a paused holder, a slow heartbeat), because the job row, not the TTL, says the
// key is in use: the sweep spares the lock, no second job with the key is
// claimed, and the lock API refuses the key. Found by the simulator's lease-heavy
// world (LOCK_EXCLUSIVE). Once the job ends, the key is free again.
import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/backends.ts';
import { claimOrThrow, createWorld, enqueue, startWorker, T0 } from '../helpers/world.ts';

describeBackends('a running job holds its key past its lock TTL', (backend) => {
  it('sweep spares the expired lock of a running job, and drops it once the job is done', async () => {
    const { engine } = await createWorld(backend.db());
    await startWorker(engine, 'w1');
    const first = await enqueue(engine, { resourceKey: 'rag:/db' });
    const job = await claimOrThrow(engine, 'w1', 'L1', T0, { lockTtlMs: 1_000 });
    expect(job.id).toBe(first);
    const late = T0 + 10_000;
    expect(await engine.locks.sweep(late)).toEqual([]);
    expect((await engine.snapshot()).locks.map((lock) => lock.key)).toEqual(['rag:/db']);
    expect(await engine.complete(late, { jobId: first, leaseToken: 'L1' })).toBe(true);
    // complete dropped it; an expired API lock with no running job is swept.
    expect(await engine.locks.acquire(late, { key: 'other', holder: 'ops', ttlMs: 10 })).toBe(true);
    expect(await engine.locks.sweep(late + 20)).toEqual(['other']);
  });

  it('no second job with the key is claimed while the first runs, even after its lock expired', async () => {
    const { engine } = await createWorld(backend.db());
    await startWorker(engine, 'w1');
    await startWorker(engine, 'w2');
    const first = await enqueue(engine, { resourceKey: 'k' });
    const second = await enqueue(engine, { resourceKey: 'k' });
    await claimOrThrow(engine, 'w1', 'L1', T0, { lockTtlMs: 1_000 });
    const late = T0 + 10_000;
    await engine.heartbeat(late, { workerId: 'w2' });
    expect(await engine.claim(late, { workerId: 'w2', leaseToken: 'L2' })).toBeNull();
    // The positive space: when the first job ends, the second is claimable.
    expect(await engine.complete(late, { jobId: first, leaseToken: 'L1' })).toBe(true);
    expect((await claimOrThrow(engine, 'w2', 'L3', late)).id).toBe(second);
  });

  it('the lock API refuses a key a running job holds, whatever the expiry, and grants it after', async () => {
    const { engine } = await createWorld(backend.db());
    await startWorker(engine, 'w1');
    const first = await enqueue(engine, { resourceKey: 'k' });
    await claimOrThrow(engine, 'w1', 'L1', T0, { lockTtlMs: 1_000 });
    const late = T0 + 10_000;
    expect(await engine.locks.acquire(late, { key: 'k', holder: 'vacuum', ttlMs: 1_000 })).toBe(false);
    expect(await engine.complete(late, { jobId: first, leaseToken: 'L1' })).toBe(true);
    expect(await engine.locks.acquire(late, { key: 'k', holder: 'vacuum', ttlMs: 1_000 })).toBe(true);
  });
});
