// Goal: the reference engine passes a swarm campaign with zero violations and no
// adapter error, on two threads, and the campaign's own determinism re-check
// agrees. WF_SIM_SEEDS sets the count (CI runs a few hundred; the benchmark more).
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../../conformance/reference/adapter.ts';
import { runCampaign } from '../../sim/campaign.ts';

const seeds = Number(process.env['WF_SIM_SEEDS'] ?? 40);

describe(`reference engine, ${seeds} swarm seeds`, () => {
  it('has zero violations', { timeout: Math.max(300_000, seeds * 6_000) }, async () => {
    const campaign = await runCampaign(
      {
        seeds: Array.from({ length: seeds }, (_, index) => index),
        engine: 'reference',
        adapter: referenceAdapter,
        overrides: {},
        parallel: 2,
        keepGoing: true,
        resampleCount: 3,
      },
      () => performance.now(),
    );
    expect(campaign.results).toHaveLength(seeds);
    const failing = campaign.results.filter((result) => !result.ok);
    const summary = failing.map((result) => `seed ${result.seed}: ${result.error ?? result.violations.map((violation) => `${violation.invariant}: ${violation.explanation}`).join(' | ')}`);
    expect(summary).toEqual([]);
    expect(campaign.mismatches).toEqual([]);
    expect(campaign.resampled.length).toBe(3);
    // The runs did real work: every seed enqueued and ran jobs.
    for (const result of campaign.results) expect(result.stats.statements).toBeGreaterThan(10);
  });
});
