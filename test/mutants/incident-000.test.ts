// Goal: incident 000's bug - an enqueue-only client that runs a dispatcher and
// takes work it never runs - is caught by a default campaign of 200 seeds, by
// CLIENT_NEVER_CLAIMS.
import { describe, it } from 'vitest';
import { CAMPAIGN_TIMEOUT_MS, expectCaught } from './campaign.ts';

describe('incident 000 mutants are caught within 200 seeds', () => {
  it('mutant:client-runs-dispatcher by CLIENT_NEVER_CLAIMS', () => expectCaught('client-runs-dispatcher'), CAMPAIGN_TIMEOUT_MS);
});
