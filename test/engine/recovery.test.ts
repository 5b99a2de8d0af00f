// Goal: every way a job goes back to queued leaves it clean, and every way a
// worker disappears gets its jobs running again. Incident 003 (a requeued row
// kept a dead run's pid; a reused pid then wedged the queue): startup requeue,
// fail with retry, reap, release and shutdown all clear owner, lease, pid, run
// id and startedAt; sanitize heals rows that are dirty anyway. Incident 002 (a
// second ownership guard blocked recovery): an orphaned job runs again after
// reaping. Incident 001: the reaper never reaps itself nor a heartbeating worker.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/types.ts';
import { describeBackends } from '../helpers/backends.ts';
import { CLEAN_OWNERSHIP, claimOrThrow, createWorld, enqueue, forceJobColumns, ownership, startWorker, T0 } from '../helpers/world.ts';

const THRESHOLD_MS = 30_000;

async function expectQueuedClean(engine: Engine, jobId: number): Promise<void> {
  const job = await engine.getJob(jobId);
  expect(job.status).toBe('queued');
  expect(ownership(job)).toEqual(CLEAN_OWNERSHIP);
}

describeBackends('recovery and queued-row hygiene', (backend) => {
  describe('every path back to queued clears the run identity (incident 003)', () => {
    it('startup of a new incarnation requeues what the old one left running', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1', T0, { pid: 35, runId: 'w1.1' });
      const jobId = await enqueue(engine, { resourceKey: 'k' });
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 35, runId: 'run-759' });
      // Container restart: the same worker id comes back with a new incarnation (and, here, the same pid).
      const result = await engine.startup(T0 + 1_000, { workerId: 'w1', role: 'worker', pid: 35, runId: 'w1.2' });
      expect(result).toEqual({ requeued: [jobId], failed: [], healed: [] });
      await expectQueuedClean(engine, jobId);
      expect((await engine.snapshot()).locks).toEqual([]);
    });

    it('startup fails the leftover jobs whose attempts are spent, keeping their run link', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1', T0, { runId: 'w1.1' });
      const jobId = await enqueue(engine, { attemptsMax: 1 });
      await claimOrThrow(engine, 'w1', 'L1', T0, { runId: 'run-1', pid: 9 });
      const result = await engine.startup(T0 + 1, { workerId: 'w1', role: 'worker', pid: 9, runId: 'w1.2' });
      expect(result).toEqual({ requeued: [], failed: [jobId], healed: [] });
      const job = await engine.getJob(jobId);
      expect(job).toMatchObject({ status: 'failed', finishedAt: T0 + 1, runId: 'run-1', pid: 9, owner: 'w1' });
      expect(job.error).toMatch(/restarted/);
    });

    it('startup of the same incarnation again (a retried registration) leaves its own jobs alone', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1', T0, { runId: 'w1.1' });
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      expect(await engine.startup(T0 + 1, { workerId: 'w1', role: 'worker', pid: null, runId: 'w1.1' })).toEqual({ requeued: [], failed: [], healed: [] });
      expect(await engine.getJob(jobId)).toMatchObject({ status: 'running', owner: 'w1', leaseToken: 'L1' });
    });

    it('fail with retry clears it', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 42, runId: 'run-1' });
      await engine.fail(T0 + 1, { jobId, leaseToken: 'L1', error: 'transient' });
      await expectQueuedClean(engine, jobId);
    });

    it('reap clears it', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 42, runId: 'run-1' });
      await engine.reap(T0 + THRESHOLD_MS + 1, { reaperId: 'r1', thresholdMs: THRESHOLD_MS });
      await expectQueuedClean(engine, jobId);
    });

    it('release clears it', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 42, runId: 'run-1' });
      await engine.release(T0 + 1, { jobId, leaseToken: 'L1' });
      await expectQueuedClean(engine, jobId);
    });

    it('shutdown clears it', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 42, runId: 'run-1' });
      await engine.shutdown(T0 + 1, { workerId: 'w1' });
      await expectQueuedClean(engine, jobId);
    });
  });

  describe('sanitize (incident 003)', () => {
    it('heals queued rows that carry ownership, leaves healthy rows alone, and is idempotent', async () => {
      const { engine, db } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const dirty = await enqueue(engine);
      const healthy = await enqueue(engine);
      const alsoDirty = await enqueue(engine);
      const running = await enqueue(engine, { priority: 10 });
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 7, runId: 'run-7' });
      // The incident's row: queued + run_id + pid, started_at NULL. And one with only started_at.
      await forceJobColumns(db, dirty, `run_id = 'run-759', pid = 35`);
      await forceJobColumns(db, alsoDirty, `started_at = '2023-11-14T22:00:00Z'`);

      expect(await engine.sanitize(T0 + 1)).toEqual({ healed: [dirty, alsoDirty] });
      await expectQueuedClean(engine, dirty);
      await expectQueuedClean(engine, alsoDirty);
      await expectQueuedClean(engine, healthy);
      // A running job's ownership is not the sanitizer's business.
      expect(await engine.getJob(running)).toMatchObject({ status: 'running', owner: 'w1', pid: 7, runId: 'run-7' });

      const after = await engine.snapshot();
      expect(await engine.sanitize(T0 + 2)).toEqual({ healed: [] });
      expect(await engine.snapshot()).toEqual(after);
    });

    it('runs at startup', async () => {
      const { engine, db } = await createWorld(backend.db());
      const jobId = await enqueue(engine);
      await forceJobColumns(db, jobId, `owner = 'gone', lease_token = 'L-old'`);
      const result = await engine.startup(T0, { workerId: 'w1', role: 'worker', pid: null, runId: 'w1.1' });
      expect(result.healed).toEqual([jobId]);
      await expectQueuedClean(engine, jobId);
    });
  });

  describe('reaper (incidents 001 and 003)', () => {
    it('removes only workers whose heartbeat is older than the threshold, never the caller', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'reaper', T0);
      await startWorker(engine, 'stale', T0);
      await startWorker(engine, 'fresh', T0);
      await engine.heartbeat(T0 + 20_000, { workerId: 'fresh' });
      // At T0 + 30_001 'reaper' and 'stale' are both past the threshold; 'fresh' is not.
      const result = await engine.reap(T0 + 30_001, { reaperId: 'reaper', thresholdMs: THRESHOLD_MS });
      expect(result.workers).toEqual(['stale']);
      expect((await engine.snapshot()).workers.map((worker) => worker.workerId)).toEqual(['fresh', 'reaper']);
    });

    it('keeps a worker whose heartbeat is exactly at the threshold', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1', T0);
      expect((await engine.reap(T0 + THRESHOLD_MS, { reaperId: 'r', thresholdMs: THRESHOLD_MS })).workers).toEqual([]);
      expect((await engine.reap(T0 + THRESHOLD_MS + 1, { reaperId: 'r', thresholdMs: THRESHOLD_MS })).workers).toEqual(['w1']);
    });

    it('resets the reaped workers’ jobs with leases cleared, fails the spent ones, and drops their locks', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await startWorker(engine, 'w2');
      const retryable = await enqueue(engine, { resourceKey: 'a', priority: 2 });
      const spent = await enqueue(engine, { attemptsMax: 1, priority: 1 });
      const survivor = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      await claimOrThrow(engine, 'w1', 'L2');
      await engine.locks.acquire(T0, { key: 'side', holder: 'w1', ttlMs: 120_000 });
      await claimOrThrow(engine, 'w2', 'L3');
      await engine.heartbeat(T0 + 40_000, { workerId: 'w2' });

      const result = await engine.reap(T0 + 40_000, { reaperId: 'w2', thresholdMs: THRESHOLD_MS });
      expect(result).toEqual({ workers: ['w1'], requeued: [retryable], failed: [spent], locks: ['a', 'side'] });
      await expectQueuedClean(engine, retryable);
      expect(await engine.getJob(spent)).toMatchObject({ status: 'failed', finishedAt: T0 + 40_000, owner: 'w1' });
      expect(await engine.getJob(survivor)).toMatchObject({ status: 'running', owner: 'w2', leaseToken: 'L3' });
      expect((await engine.snapshot()).locks).toEqual([]);
    });

    it('does not reap a freshly claimed job whose pid is not stamped yet while its worker heartbeats', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: null });
      for (const at of [T0 + 20_000, T0 + 40_000, T0 + 60_000]) {
        await engine.heartbeat(at, { workerId: 'w1' });
        expect(await engine.reap(at, { reaperId: 'r1', thresholdMs: THRESHOLD_MS })).toEqual({ workers: [], requeued: [], failed: [], locks: [] });
      }
      expect(await engine.getJob(jobId)).toMatchObject({ status: 'running', owner: 'w1', leaseToken: 'L1', pid: null });
    });

    it('judges liveness by heartbeat, not pid: a dead worker whose pid now belongs to a live process is reaped', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1', T0, { pid: 35 });
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 35 });
      // A new process (another worker) got pid 35 and heartbeats; w1 itself does not.
      await startWorker(engine, 'w2', T0 + 50_000, { pid: 35 });
      const result = await engine.reap(T0 + 50_000, { reaperId: 'w2', thresholdMs: THRESHOLD_MS });
      expect(result).toMatchObject({ workers: ['w1'], requeued: [jobId] });
    });

    it('recovers a running job whose owner has no worker row at all', async () => {
      const { engine, db } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      // The worker row vanished without its jobs being handled (a claim racing a reap on a real Postgres).
      await db.exec(`DELETE FROM wf_workers WHERE id = 'w1'`);
      const result = await engine.reap(T0 + 1, { reaperId: 'r1', thresholdMs: THRESHOLD_MS });
      expect(result).toEqual({ workers: [], requeued: [jobId], failed: [], locks: [] });
      await expectQueuedClean(engine, jobId);
    });
  });

  describe('orphans run again (incident 002)', () => {
    it('a job orphaned by a crashed worker is claimed by another worker after reaping, and completes', async () => {
      const { engine } = await createWorld(backend.db(), [{ name: 'default', maxConcurrency: 1 }]);
      await startWorker(engine, 'w1');
      await startWorker(engine, 'w2');
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1', T0, { pid: 100, runId: 'run-1' });
      // w1 crashes: no more heartbeats, no cleanup. Until it is reaped the queue (limit 1) stays busy.
      await engine.heartbeat(T0 + 31_000, { workerId: 'w2' });
      expect(await engine.claim(T0 + 31_000, { workerId: 'w2', leaseToken: 'L2' })).toBeNull();
      await engine.reap(T0 + 31_000, { reaperId: 'w2', thresholdMs: THRESHOLD_MS });
      // No second guard (a run-owner claim, a pid check) stands in the way of the new claimant.
      const reclaimed = await claimOrThrow(engine, 'w2', 'L3', T0 + 31_001, { pid: 200, runId: 'run-2' });
      expect(reclaimed).toMatchObject({ id: jobId, owner: 'w2', attempts: 2, pid: 200, runId: 'run-2' });
      expect(await engine.complete(T0 + 31_002, { jobId, leaseToken: 'L3' })).toBe(true);
    });

    it('a restarted worker re-claims its own orphan after startup requeues it', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1', T0, { runId: 'w1.1' });
      const jobId = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      await engine.startup(T0 + 5, { workerId: 'w1', role: 'worker', pid: null, runId: 'w1.2' });
      expect((await claimOrThrow(engine, 'w1', 'L2', T0 + 6)).id).toBe(jobId);
      expect(await engine.complete(T0 + 7, { jobId, leaseToken: 'L1' })).toBe(false);
      expect(await engine.complete(T0 + 7, { jobId, leaseToken: 'L2' })).toBe(true);
    });
  });

  describe('heartbeat', () => {
    it('records liveness and extends the worker’s locks, never shortening them', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await engine.locks.acquire(T0, { key: 'mine', holder: 'w1', ttlMs: 10_000 });
      await engine.locks.acquire(T0, { key: 'long', holder: 'w1', ttlMs: 900_000 });
      await engine.locks.acquire(T0, { key: 'theirs', holder: 'w2', ttlMs: 10_000 });
      expect(await engine.heartbeat(T0 + 5_000, { workerId: 'w1', lockTtlMs: 20_000 })).toBe(true);
      const snapshot = await engine.snapshot();
      expect(snapshot.workers[0]).toMatchObject({ workerId: 'w1', heartbeatAt: T0 + 5_000 });
      expect(Object.fromEntries(snapshot.locks.map((lock) => [lock.key, lock.expiresAt]))).toEqual({ long: T0 + 900_000, mine: T0 + 25_000, theirs: T0 + 10_000 });
    });

    it('returns false and extends nothing once the worker row is gone', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await engine.reap(T0 + 40_000, { reaperId: 'r', thresholdMs: THRESHOLD_MS });
      await engine.locks.acquire(T0 + 40_000, { key: 'k', holder: 'w1', ttlMs: 1_000 });
      expect(await engine.heartbeat(T0 + 40_001, { workerId: 'w1' })).toBe(false);
      expect((await engine.snapshot()).locks[0]?.expiresAt).toBe(T0 + 41_000);
    });
  });

  describe('shutdown', () => {
    it('releases in-flight jobs without spending an attempt, drops the worker’s locks and its row', async () => {
      const { engine } = await createWorld(backend.db());
      await startWorker(engine, 'w1');
      await startWorker(engine, 'w2');
      const first = await enqueue(engine, { resourceKey: 'k', priority: 2 });
      const second = await enqueue(engine, { priority: 1 });
      const other = await enqueue(engine);
      await claimOrThrow(engine, 'w1', 'L1');
      await claimOrThrow(engine, 'w1', 'L2');
      await claimOrThrow(engine, 'w2', 'L3');
      await engine.locks.acquire(T0, { key: 'side', holder: 'w1', ttlMs: 60_000 });

      expect(await engine.shutdown(T0 + 1, { workerId: 'w1' })).toEqual({ released: [first, second], locks: ['k', 'side'] });
      const snapshot = await engine.snapshot();
      expect(snapshot.workers.map((worker) => worker.workerId)).toEqual(['w2']);
      expect(snapshot.locks).toEqual([]);
      for (const jobId of [first, second]) {
        await expectQueuedClean(engine, jobId);
        expect((await engine.getJob(jobId)).attempts).toBe(0);
      }
      expect(await engine.getJob(other)).toMatchObject({ status: 'running', owner: 'w2' });
      // The released jobs are anyone's again.
      expect((await claimOrThrow(engine, 'w2', 'L4', T0 + 2)).id).toBe(first);
    });

    it('of an unknown or already reaped worker releases nothing and does not throw', async () => {
      const { engine } = await createWorld(backend.db());
      expect(await engine.shutdown(T0, { workerId: 'nobody' })).toEqual({ released: [], locks: [] });
    });
  });
});
