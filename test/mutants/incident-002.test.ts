// Goal: incident 002's bug - a redundant run-owner claim that no recovery path
// clears - is caught by a default campaign of 200 seeds, by ORPHANS_RECOVERED.
import { describe, it } from 'vitest';
import { CAMPAIGN_TIMEOUT_MS, expectCaught } from './campaign.ts';

describe('incident 002 mutants are caught within 200 seeds', () => {
  it('mutant:run-owner-claim by ORPHANS_RECOVERED', () => expectCaught('run-owner-claim'), CAMPAIGN_TIMEOUT_MS);
});
