// Goal: the two coordination primitives of incident 001 behave as stated.
// Resource locks: acquire / refresh / release / force-release / sweep by TTL,
// each shown granting the right holder and refusing the wrong one. Groups: the
// completion fires exactly once, only after all `size` members exist and are
// terminal, and a failed member makes the group failed.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/types.ts';
import { describeBackends } from '../helpers/backends.ts';
import { claimOrThrow, createWorld, enqueue, startWorker, T0 } from '../helpers/world.ts';

async function runToEnd(engine: Engine, workerId: string, outcome: 'complete' | 'fail', now: number): Promise<number> {
  const job = await claimOrThrow(engine, workerId, `${workerId}-${now}`, now);
  if (outcome === 'complete') {
    expect(await engine.complete(now, { jobId: job.id, leaseToken: job.leaseToken ?? '' })).toBe(true);
  } else {
    expect(await engine.fail(now, { jobId: job.id, leaseToken: job.leaseToken ?? '', error: 'broken' })).toEqual({ applied: true, status: 'failed' });
  }
  return job.id;
}

describeBackends('resource locks and groups', (backend) => {
  describe('resource locks', () => {
    it('acquire grants a free key, renews for its holder, and refuses another holder until expiry', async () => {
      const { engine } = await createWorld(backend.db());
      expect(await engine.locks.acquire(T0, { key: 'k', holder: 'a', ttlMs: 1_000 })).toBe(true);
      expect(await engine.locks.acquire(T0 + 10, { key: 'k', holder: 'b', ttlMs: 1_000 })).toBe(false);
      expect(await engine.locks.acquire(T0 + 500, { key: 'k', holder: 'a', ttlMs: 1_000 })).toBe(true);
      expect((await engine.snapshot()).locks).toEqual([{ key: 'k', holder: 'a', jobId: null, acquiredAt: T0, expiresAt: T0 + 1_500 }]);
      expect(await engine.locks.acquire(T0 + 1_499, { key: 'k', holder: 'b', ttlMs: 1_000 })).toBe(false);
      // At expiry the key is free to take.
      expect(await engine.locks.acquire(T0 + 1_500, { key: 'k', holder: 'b', jobId: 7, ttlMs: 1_000 })).toBe(true);
      expect((await engine.snapshot()).locks).toEqual([{ key: 'k', holder: 'b', jobId: 7, acquiredAt: T0 + 1_500, expiresAt: T0 + 2_500 }]);
    });

    it('refresh extends an unexpired lock of its holder only', async () => {
      const { engine } = await createWorld(backend.db());
      await engine.locks.acquire(T0, { key: 'k', holder: 'a', ttlMs: 1_000 });
      expect(await engine.locks.refresh(T0 + 100, { key: 'k', holder: 'b', ttlMs: 5_000 })).toBe(false);
      expect(await engine.locks.refresh(T0 + 100, { key: 'k', holder: 'a', ttlMs: 5_000 })).toBe(true);
      expect((await engine.snapshot()).locks[0]?.expiresAt).toBe(T0 + 5_100);
      // An expired lock is not revived: by then it may belong to someone else.
      expect(await engine.locks.refresh(T0 + 5_100, { key: 'k', holder: 'a', ttlMs: 5_000 })).toBe(false);
      expect(await engine.locks.refresh(T0, { key: 'missing', holder: 'a', ttlMs: 5_000 })).toBe(false);
    });

    it('release drops the lock for its holder only', async () => {
      const { engine } = await createWorld(backend.db());
      await engine.locks.acquire(T0, { key: 'k', holder: 'a', ttlMs: 1_000 });
      expect(await engine.locks.release({ key: 'k', holder: 'b' })).toBe(false);
      expect((await engine.snapshot()).locks).toHaveLength(1);
      expect(await engine.locks.release({ key: 'k', holder: 'a' })).toBe(true);
      expect((await engine.snapshot()).locks).toEqual([]);
      expect(await engine.locks.release({ key: 'k', holder: 'a' })).toBe(false);
    });

    it('forceRelease drops the lock whoever holds it', async () => {
      const { engine } = await createWorld(backend.db());
      await engine.locks.acquire(T0, { key: 'k', holder: 'a', ttlMs: 1_000 });
      expect(await engine.locks.forceRelease({ key: 'k' })).toBe(true);
      expect(await engine.locks.acquire(T0 + 1, { key: 'k', holder: 'b', ttlMs: 1_000 })).toBe(true);
      expect(await engine.locks.forceRelease({ key: 'nothing' })).toBe(false);
    });

    it('sweep drops exactly the expired locks and returns their keys sorted', async () => {
      const { engine } = await createWorld(backend.db());
      await engine.locks.acquire(T0, { key: 'z-short', holder: 'a', ttlMs: 100 });
      await engine.locks.acquire(T0, { key: 'a-short', holder: 'b', ttlMs: 200 });
      await engine.locks.acquire(T0, { key: 'm-long', holder: 'c', ttlMs: 10_000 });
      expect(await engine.locks.sweep(T0 + 99)).toEqual([]);
      expect(await engine.locks.sweep(T0 + 200)).toEqual(['a-short', 'z-short']);
      expect((await engine.snapshot()).locks.map((lock) => lock.key)).toEqual(['m-long']);
      expect(await engine.locks.sweep(T0 + 200)).toEqual([]);
    });

    it('a running job keeps its key past the lock TTL: no sweep, no acquire, no claim by others until it is reaped', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await startWorker(engine, 'w2');
      const running = await enqueue(engine, { resourceKey: 'k', priority: 1 });
      const waiting = await enqueue(engine, { resourceKey: 'k' });
      await claimOrThrow(engine, 'w1', 'L1', T0, { lockTtlMs: 1_000 });
      // w1 stalls (no heartbeat) longer than the lock TTL but shorter than the reaper threshold.
      const later = T0 + 5_000;
      await engine.heartbeat(later, { workerId: 'w2' });
      expect(await engine.locks.sweep(later)).toEqual([]);
      expect(await engine.locks.acquire(later, { key: 'k', holder: 'vacuum', ttlMs: 1_000 })).toBe(false);
      expect(await engine.claim(later, { workerId: 'w2', leaseToken: 'L2' })).toBeNull();
      expect((await engine.snapshot()).locks).toEqual([expect.objectContaining({ key: 'k', holder: 'w1', jobId: running })]);
      // The job's owner itself may still renew it.
      expect(await engine.locks.acquire(later, { key: 'k', holder: 'w1', ttlMs: 1_000 })).toBe(true);

      // The reaper, not the clock, supersedes the stalled owner; then the key is free.
      const reapAt = T0 + 40_000;
      await engine.heartbeat(reapAt, { workerId: 'w2' });
      await engine.reap(reapAt, { reaperId: 'w2', thresholdMs: 30_000 });
      expect((await claimOrThrow(engine, 'w2', 'L3', reapAt)).id).toBe(running);
      expect(await engine.claim(reapAt, { workerId: 'w2', leaseToken: 'L4' })).toBeNull();
      expect((await engine.getJob(waiting)).status).toBe('queued');
    });

    it('an expired lock with no running job behind it is swept and free to take', async () => {
      const { engine } = await createWorld(backend.db());
      await engine.locks.acquire(T0, { key: 'k', holder: 'a', jobId: 99, ttlMs: 1_000 });
      expect(await engine.locks.acquire(T0 + 1_000, { key: 'k', holder: 'b', ttlMs: 1_000 })).toBe(true);
      await engine.locks.acquire(T0, { key: 'j', holder: 'a', ttlMs: 1_000 });
      expect(await engine.locks.sweep(T0 + 2_000)).toEqual(['j', 'k']);
    });

    it('a lock holder may claim a job with its own key (a lock taken through the API)', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await startWorker(engine, 'w2');
      await engine.locks.acquire(T0, { key: 'k', holder: 'w1', ttlMs: 10_000 });
      const jobId = await enqueue(engine, { resourceKey: 'k' });
      expect(await engine.claim(T0, { workerId: 'w2', leaseToken: 'L0' })).toBeNull();
      const job = await claimOrThrow(engine, 'w1', 'L1');
      expect(job.id).toBe(jobId);
      expect((await engine.snapshot()).locks).toEqual([expect.objectContaining({ key: 'k', holder: 'w1', jobId })]);
    });
  });

  describe('groups', () => {
    it('completes exactly once, after every member is terminal', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      for (let index = 0; index < 3; index += 1) await enqueue(engine, { group: { id: 'g', size: 3 } });
      expect(await engine.tryCompleteGroup(T0, 'g')).toBeNull();
      await runToEnd(engine, 'w1', 'complete', T0 + 1);
      await runToEnd(engine, 'w1', 'complete', T0 + 2);
      expect(await engine.tryCompleteGroup(T0 + 2, 'g')).toBeNull();
      await runToEnd(engine, 'w1', 'complete', T0 + 3);
      expect(await engine.tryCompleteGroup(T0 + 3, 'g')).toBe('completed');
      // Idempotent: every later caller is told it was not the one.
      expect(await engine.tryCompleteGroup(T0 + 4, 'g')).toBeNull();
      expect((await engine.snapshot()).groups).toEqual([{ id: 'g', size: 3, status: 'completed', completedAt: T0 + 3 }]);
    });

    it('does not fire before all `size` members exist, even if every existing member is terminal', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await enqueue(engine, { group: { id: 'g', size: 2 } });
      await runToEnd(engine, 'w1', 'complete', T0 + 1);
      expect(await engine.tryCompleteGroup(T0 + 1, 'g')).toBeNull();
      await enqueue(engine, { group: { id: 'g', size: 2 } }, T0 + 2);
      await runToEnd(engine, 'w1', 'complete', T0 + 3);
      expect(await engine.tryCompleteGroup(T0 + 3, 'g')).toBe('completed');
    });

    it('a failed member makes the group failed, whatever the others did', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await enqueue(engine, { group: { id: 'g', size: 3 }, attemptsMax: 1, priority: 2 });
      await enqueue(engine, { group: { id: 'g', size: 3 }, priority: 1 });
      await enqueue(engine, { group: { id: 'g', size: 3 } });
      await runToEnd(engine, 'w1', 'fail', T0 + 1);
      await runToEnd(engine, 'w1', 'complete', T0 + 2);
      expect(await engine.tryCompleteGroup(T0 + 2, 'g')).toBeNull();
      await runToEnd(engine, 'w1', 'complete', T0 + 3);
      expect(await engine.tryCompleteGroup(T0 + 3, 'g')).toBe('failed');
      expect(await engine.tryCompleteGroup(T0 + 4, 'g')).toBeNull();
    });

    it('racing callers: exactly one of them is told it completed the group', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await enqueue(engine, { group: { id: 'g', size: 2 } });
      await enqueue(engine, { group: { id: 'g', size: 2 } });
      await runToEnd(engine, 'w1', 'complete', T0 + 1);
      await runToEnd(engine, 'w1', 'complete', T0 + 2);
      const outcomes = await Promise.all([1, 2, 3, 4, 5, 6].map((offset) => engine.tryCompleteGroup(T0 + 2 + offset, 'g')));
      expect(outcomes.filter((outcome) => outcome !== null)).toEqual(['completed']);
    });

    it('an unknown group has nothing to complete', async () => {
      const { engine } = await createWorld(backend.db());
      expect(await engine.tryCompleteGroup(T0, 'never-enqueued')).toBeNull();
    });

    it('refuses a member with a different size, a member beyond the size, and a member of a finished group', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await enqueue(engine, { group: { id: 'g', size: 1 } });
      await expect(engine.enqueue(T0, { queue: 'default', group: { id: 'g', size: 2 } })).rejects.toMatchObject({ code: 'GROUP_SIZE_MISMATCH' });
      await expect(engine.enqueue(T0, { queue: 'default', group: { id: 'g', size: 1 } })).rejects.toMatchObject({ code: 'GROUP_FULL' });
      await runToEnd(engine, 'w1', 'complete', T0 + 1);
      expect(await engine.tryCompleteGroup(T0 + 1, 'g')).toBe('completed');
      await expect(engine.enqueue(T0 + 2, { queue: 'default', group: { id: 'g', size: 1 } })).rejects.toMatchObject({ code: 'GROUP_CLOSED' });
      expect((await engine.snapshot()).jobs).toHaveLength(1);
    });

    it('racing enqueues into a group never exceed its size', async () => {
      const { engine } = await createWorld(backend.db());
      const attempts = await Promise.allSettled([1, 2, 3, 4, 5].map((index) => engine.enqueue(T0, { queue: 'default', group: { id: 'g', size: 3 }, payload: index })));
      expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(3);
      expect(attempts.filter((attempt) => attempt.status === 'rejected').map((attempt) => (attempt as PromiseRejectedResult).reason.code)).toEqual(['GROUP_FULL', 'GROUP_FULL']);
      expect((await engine.snapshot()).jobs).toHaveLength(3);
    });
  });
});
