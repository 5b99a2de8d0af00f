// Goal: guarding an adapter (watchdog on every call, zod on every answer the
// simulator does not already check) changes nothing about a healthy run: same
// seed, same trace hash, guarded or not — so `npx wf-sim --seed S --engine PATH`
// replays exactly what the conformance lane saw. And the guard's own checks:
// observe() rows and checkState() ids that do not fit the contract are adapter
// errors with the path of the bad field.
import { afterAll, describe, expect, it } from 'vitest';
import { createPGliteDatabase } from '../../src/db/pglite.ts';
import type { EngineAdapter } from '../../sim/adapter/contract.ts';
import { Harness } from '../../sim/harness.ts';
import { guardAdapter } from '../../conformance/guard.ts';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { parseAdapterErrorLine } from '../../conformance/adapter-fault.ts';

const SEEDS = [3, 11];

describe('a guarded adapter', () => {
  const plain = new Harness(referenceAdapter);
  const guarded = new Harness(guardAdapter(referenceAdapter, { timeoutMs: 10_000, budget: 'own-time' }));
  afterAll(async () => {
    await plain.close();
    await guarded.close();
  });

  for (const seed of SEEDS) {
    it(`runs seed ${seed} to the same trace hash as the bare adapter`, async () => {
      const bare = await plain.run({ seed });
      const watched = await guarded.run({ seed });
      expect(watched.outcome).toBe(bare.outcome);
      expect(watched.traceHash).toBe(bare.traceHash);
      expect(watched.stats.statements).toBe(bare.stats.statements);
      // The guard passes unchangedBy() through: the same state checks are skipped.
      expect(watched.stats.checkStatements).toBe(bare.stats.checkStatements);
    });
  }

  it('rejects observe() rows and checkState() ids that do not fit the contract, naming the operation and the path', async () => {
    const db = await createPGliteDatabase();
    try {
      const broken: EngineAdapter = {
        ...referenceAdapter,
        observe: async () => ({ time: 0, jobs: [{ id: 'seven' }], workers: [], locks: [], groups: [], queues: [] }) as never,
        checkState: async () => [42] as never,
      };
      const adapter = guardAdapter(broken, { timeoutMs: 1_000, budget: 'own-time' });
      const observed = await adapter.observe!(db, 0).catch((error: Error) => error);
      expect(parseAdapterErrorLine((observed as Error).message)).toMatchObject({ operation: 'observe' });
      expect((observed as Error).message).toMatch(/at result\.jobs\[0\]\.id: /);
      const checked = await adapter.checkState!(db, 0, { clients: new Set(), shutDown: new Set() }).catch((error: Error) => error);
      expect((checked as Error).message).toMatch(/adapter error in checkState: .*at result\[0\]/);
    } finally {
      await db.close();
    }
  });

  it('makes an unchangedBy() that throws or answers other than true or false an adapter error, never a skipped check', () => {
    const context = { clients: new Set<string>(), shutDown: new Set<string>() };
    const throwing = guardAdapter({ ...referenceAdapter, unchangedBy: () => { throw new Error('boom'); } }, { timeoutMs: 1_000, budget: 'own-time' });
    expect(() => throwing.unchangedBy!([], context)).toThrow(/adapter error in unchangedBy: it threw: boom/);
    const vague = guardAdapter({ ...referenceAdapter, unchangedBy: () => 'yes' as never }, { timeoutMs: 1_000, budget: 'own-time' });
    expect(() => vague.unchangedBy!([], context)).toThrow(/adapter error in unchangedBy: it returned "yes"; unchangedBy\(\) must return true or false/);
    expect(guardAdapter(referenceAdapter, { timeoutMs: 1_000, budget: 'own-time' }).unchangedBy!([], context)).toBe(true);
  });

  it('rejects a session without a required method at open()', async () => {
    const adapter = guardAdapter({ ...referenceAdapter, open: () => ({ startup: async () => ({ requeued: [], failed: [], healed: [] }) }) as never }, { timeoutMs: 1_000, budget: 'own-time' });
    const db = await createPGliteDatabase();
    try {
      const context = { processId: 'w1', role: 'worker' as const, pid: 2, runId: 'w1.1', db, clock: { now: () => 0 }, ids: { next: (prefix: string) => `${prefix}1` }, os: { isAlive: () => true } };
      await expect(Promise.resolve(adapter.open(context))).rejects.toThrow(/adapter error in open: the session it returned has no method enqueue\(\)/);
    } finally {
      await db.close();
    }
  });
});
