// Goal: incident 003's bugs (requeue keeps the pid, claim keeps a stale pid,
// the reaper trusts a bare pid) and the incident end to end (a reused pid wedges
// a maxConcurrency 1 queue, in the world the mutant pins) are each caught within
// 200 seeds, by the invariants the mutants name.
import { describe, it } from 'vitest';
import { CAMPAIGN_TIMEOUT_MS, expectCaught } from './campaign.ts';

describe('incident 003 mutants are caught within 200 seeds', () => {
  it('mutant:requeue-keeps-pid by QUEUED_CLEAN', () => expectCaught('requeue-keeps-pid'), CAMPAIGN_TIMEOUT_MS);
  it('mutant:claim-keeps-stale-pid by RUN_IDENTITY', () => expectCaught('claim-keeps-stale-pid'), CAMPAIGN_TIMEOUT_MS);
  it('mutant:reaper-trusts-bare-pid by ORPHANS_RECOVERED', () => expectCaught('reaper-trusts-bare-pid'), CAMPAIGN_TIMEOUT_MS);
  it('mutant:incident-003 by ALL_TERMINAL and QUEUED_CLEAN', () => expectCaught('incident-003'), CAMPAIGN_TIMEOUT_MS);
});
