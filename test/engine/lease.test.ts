// Goal: every write to a running job is fenced by its lease token (incident
// 001). For complete, fail, release and attachRun we show both sides of the
// fence: the current holder's write lands, the stale holder's write changes
// nothing. Also: retries and the attemptsMax ceiling, release without spending
// an attempt, and terminal rows that keep their run link (incident 003).
import { describe, expect, it } from 'vitest';
import { describeBackends } from '../helpers/backends.ts';
import { CLEAN_OWNERSHIP, claimOrThrow, createWorld, enqueue, ownership, startWorker, T0 } from '../helpers/world.ts';

describeBackends('lease-gated writes', (backend) => {
  describe('complete', () => {
    it('lands for the lease holder and records result, finishedAt and the run link', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 41, runId: 'run-1' });
      expect(await engine.complete(T0 + 10, { jobId, leaseToken: 'L1', result: { rows: 3 } })).toBe(true);
      const job = await engine.getJob(jobId);
      expect(job).toMatchObject({ status: 'completed', result: { rows: 3 }, finishedAt: T0 + 10 });
      // A healthy job's terminal row stays linked to the run that finished it.
      expect(ownership(job)).toEqual({ owner: 'w1', leaseToken: 'L1', pid: 41, runId: 'run-1', startedAt: T0 });
    });

    it('is a no-op with a wrong lease, and a second complete is a no-op too', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      const before = await engine.snapshot();
      expect(await engine.complete(T0 + 1, { jobId, leaseToken: 'wrong' })).toBe(false);
      expect(await engine.snapshot()).toEqual(before);
      expect(await engine.complete(T0 + 2, { jobId, leaseToken: 'L1' })).toBe(true);
      const after = await engine.snapshot();
      expect(await engine.complete(T0 + 3, { jobId, leaseToken: 'L1', result: 'again' })).toBe(false);
      expect(await engine.snapshot()).toEqual(after);
    });

    it('returns false for a job id that does not exist', async () => {
      const { engine } = await createWorld(backend.db());
      expect(await engine.complete(T0, { jobId: 999, leaseToken: 'L1' })).toBe(false);
    });
  });

  describe('fail', () => {
    it('requeues with backoff and clean ownership while attempts remain, then ends in failed at attemptsMax', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine, { attemptsMax: 2 });

      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 10, runId: 'run-1' });
      expect(await engine.fail(T0 + 5, { jobId, leaseToken: 'L1', error: 'boom 1', retryBackoffMs: 100 })).toEqual({ applied: true, status: 'queued' });
      const retried = await engine.getJob(jobId);
      expect(retried).toMatchObject({ status: 'queued', attempts: 1, availableAt: T0 + 105, error: 'boom 1', finishedAt: null });
      expect(ownership(retried)).toEqual(CLEAN_OWNERSHIP);

      // The backoff holds: not claimable before availableAt.
      expect(await engine.claim(T0 + 104, { workerId: 'w1', leaseToken: 'L2' })).toBeNull();
      await claimOrThrow(engine, 'w1', 'L3', T0 + 105, { pid: 11, runId: 'run-2' });
      expect(await engine.fail(T0 + 110, { jobId, leaseToken: 'L3', error: 'boom 2' })).toEqual({ applied: true, status: 'failed' });
      const failed = await engine.getJob(jobId);
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: 'boom 2', finishedAt: T0 + 110 });
      // Terminal failure keeps the run link of the last run.
      expect(ownership(failed)).toEqual({ owner: 'w1', leaseToken: 'L3', pid: 11, runId: 'run-2', startedAt: T0 + 105 });
      // And it is never claimed again.
      expect(await engine.claim(T0 + 10_000, { workerId: 'w1', leaseToken: 'L4' })).toBeNull();
    });

    it('is a no-op with a wrong lease', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      const before = await engine.snapshot();
      expect(await engine.fail(T0 + 1, { jobId, leaseToken: 'stale', error: 'x' })).toEqual({ applied: false, status: null });
      expect(await engine.snapshot()).toEqual(before);
      expect(await engine.fail(T0 + 1, { jobId, leaseToken: 'L1', error: 'x' })).toEqual({ applied: true, status: 'queued' });
    });

    it('defaults to no backoff: the job is claimable again at once', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      await engine.fail(T0 + 7, { jobId, leaseToken: 'L1', error: 'x' });
      expect((await claimOrThrow(engine, 'w1', 'L2', T0 + 7)).id).toBe(jobId);
    });
  });

  describe('release', () => {
    it('requeues without spending an attempt, clears ownership, and the job is claimable again', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await startWorker(engine, 'w2');
      const jobId = await enqueue(engine, { attemptsMax: 1 });
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 5, runId: 'run-1' });
      expect(await engine.release(T0 + 1, { jobId, leaseToken: 'L1' })).toBe(true);
      const released = await engine.getJob(jobId);
      expect(released).toMatchObject({ status: 'queued', attempts: 0 });
      expect(ownership(released)).toEqual(CLEAN_OWNERSHIP);
      // attemptsMax is 1: had the release spent the attempt, this claim would be refused.
      const again = await claimOrThrow(engine, 'w2', 'L2', T0 + 2);
      expect(again).toMatchObject({ id: jobId, owner: 'w2', attempts: 1 });
    });

    it('is a no-op with a wrong lease', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      const before = await engine.snapshot();
      expect(await engine.release(T0 + 1, { jobId, leaseToken: 'L0' })).toBe(false);
      expect(await engine.snapshot()).toEqual(before);
    });

    it('drops the job resource lock in the same write', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine, { resourceKey: 'k' });
      await claimOrThrow(engine, 'w1', 'L1');
      expect((await engine.snapshot()).locks.map((lock) => lock.key)).toEqual(['k']);
      await engine.release(T0 + 1, { jobId, leaseToken: 'L1' });
      expect((await engine.snapshot()).locks).toEqual([]);
    });
  });

  describe('a stale holder after a re-claim (incident 001)', () => {
    it('the new claimant completes; the stale worker cannot complete, fail or release over it', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await startWorker(engine, 'w2');
      const jobId = await enqueue(engine, { resourceKey: 'k' });
      await claimOrThrow(engine, 'w1', 'L1');
      // w1 stalls; the reaper removes it and w2 takes the job over.
      await engine.heartbeat(T0 + 60_000, { workerId: 'w2' });
      const reaped = await engine.reap(T0 + 60_000, { reaperId: 'w2', thresholdMs: 30_000 });
      expect(reaped).toMatchObject({ workers: ['w1'], requeued: [jobId], locks: ['k'] });
      await claimOrThrow(engine, 'w2', 'L2', T0 + 60_001);

      // w1 wakes up with its old lease in memory.
      const beforeStale = await engine.snapshot();
      expect(await engine.complete(T0 + 60_002, { jobId, leaseToken: 'L1' })).toBe(false);
      expect(await engine.fail(T0 + 60_002, { jobId, leaseToken: 'L1', error: 'late' })).toEqual({ applied: false, status: null });
      expect(await engine.release(T0 + 60_002, { jobId, leaseToken: 'L1' })).toBe(false);
      expect(await engine.attachRun(T0 + 60_002, { jobId, leaseToken: 'L1', pid: 1, runId: 'stale-run' })).toBe(false);
      expect(await engine.heartbeat(T0 + 60_002, { workerId: 'w1' })).toBe(false);
      expect(await engine.snapshot()).toEqual(beforeStale);

      // The current holder's write lands, and its lock goes with it.
      expect(await engine.complete(T0 + 60_003, { jobId, leaseToken: 'L2', result: 'ok' })).toBe(true);
      const snapshot = await engine.snapshot();
      expect(snapshot.jobs[0]).toMatchObject({ status: 'completed', owner: 'w2', leaseToken: 'L2', result: 'ok' });
      expect(snapshot.locks).toEqual([]);
    });
  });
});
