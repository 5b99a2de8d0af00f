// Goal: the campaign's thread pool changes speed, never results. Persistent
// threads dealt one seed at a time give the same trace hash per seed as one
// thread; the determinism re-runs run on the warm harnesses (another thread
// than the first run when there are threads), and one thread installs the
// engine once for the whole campaign, re-runs included.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import type { EngineAdapter } from '../../sim/adapter/contract.ts';
import { runCampaign, type CampaignRequest } from '../../sim/campaign.ts';

/** A small world: the point is the pool, not the engine. */
const SMALL = { world: { workers: 2, clients: 1, jobs: 8, groups: 1 } };

function request(adapter: EngineAdapter, parallel: number, seeds: number[], extra: Partial<CampaignRequest> = {}): CampaignRequest {
  return { seeds, engine: 'reference', adapter, overrides: SMALL, parallel, keepGoing: true, resampleCount: 3, ...extra };
}

describe('campaign thread pool', () => {
  it('gives every seed the same trace hash on two threads as on one, and re-runs agree', { timeout: 300_000 }, async () => {
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7];
    const one = await runCampaign(request(referenceAdapter, 1, seeds), () => performance.now());
    const reported: number[] = [];
    const two = await runCampaign(request(referenceAdapter, 2, seeds, { onResult: (result) => reported.push(result.seed) }), () => performance.now());
    expect(one.results.map((result) => [result.seed, result.traceHash])).toEqual(two.results.map((result) => [result.seed, result.traceHash]));
    expect(two.results.every((result) => result.ok)).toBe(true);
    // Every seed was reported exactly once, whichever thread ran it.
    expect([...reported].sort((a, b) => a - b)).toEqual(seeds);
    for (const campaign of [one, two]) {
      expect(campaign.resampled).toEqual([0, 3, 7]);
      expect(campaign.mismatches).toEqual([]);
    }
  });

  it('installs the engine once on one thread, determinism re-runs included', { timeout: 300_000 }, async () => {
    let installs = 0;
    const counting: EngineAdapter = {
      ...referenceAdapter,
      install: async (db) => {
        installs += 1;
        await referenceAdapter.install(db);
      },
    };
    const campaign = await runCampaign(request(counting, 1, [10, 11, 12]), () => performance.now());
    expect(campaign.resampled).toEqual([10, 11, 12]);
    expect(campaign.mismatches).toEqual([]);
    expect(installs).toBe(1);
  });

  it('ends with an error, not a hang, when a thread cannot load its engine', { timeout: 120_000 }, async () => {
    await expect(runCampaign(request(referenceAdapter, 2, [0, 1, 2], { engine: './no-such-adapter.ts' }), () => performance.now())).rejects.toThrow();
  });
});
