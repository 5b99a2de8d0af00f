// Goal: the lock lanes are true. The history does not record which job carries
// which resource key, so the report redraws the workload from the run's recorded
// choices and walks the enqueues; here the result is compared with the keys the
// engine actually stored, and a history that does not fit the plan yields none.
import { describe, expect, it } from 'vitest';
import { builtInEngine } from '../../conformance/engines.ts';
import { resolveEngine } from '../../sim/engine-ref.ts';
import { deriveResourceKeys } from '../../sim/report/index.ts';
import { runSeed } from '../../sim/run.ts';
import { createPGliteDatabase } from '../../src/db/pglite.ts';

describe('resource keys derived from the recorded workload', () => {
  for (const seed of [1, 11]) {
    it(`seed ${seed}: the same job → key map as the engine's rows`, async () => {
      const adapter = await resolveEngine('reference', builtInEngine);
      const db = await createPGliteDatabase();
      try {
        await adapter.install(db);
        const result = await runSeed({ seed, adapter, db });
        const rows = await db.query<{ id: number | string; resource_key: string | null }>({ name: 'test_report_resource_keys', text: 'SELECT id, resource_key FROM wf_jobs ORDER BY id' });
        const stored = new Map(rows.rows.filter((row) => row.resource_key !== null).map((row) => [Number(row.id), row.resource_key!]));
        expect(result.options.resourceKeys).toBeGreaterThan(0);
        expect(stored.size).toBeGreaterThan(0);
        expect(deriveResourceKeys(result)).toEqual(stored);

        // An enqueue the plan does not predict (another queue) makes the map empty rather than wrong.
        const tampered = result.history.map((event) => (event.type === 'invoke' && event.op === 'enqueue' ? { ...event, queue: 'nowhere' } : event));
        expect(deriveResourceKeys({ ...result, history: tampered }).size).toBe(0);
      } finally {
        await db.close();
      }
    }, 120_000);
  }
});
