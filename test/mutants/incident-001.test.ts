// Goal: each of incident 001's bugs (unfenced terminal writes, self-reaping,
// snapshot-then-update group completion, the resource lock taken outside the
// claim, a shutdown that keeps its jobs) is caught by a default campaign of 200
// seeds, by the invariant the mutant names.
import { describe, it } from 'vitest';
import { CAMPAIGN_TIMEOUT_MS, expectCaught } from './campaign.ts';

describe('incident 001 mutants are caught within 200 seeds', () => {
  it('mutant:unfenced-terminal-writes by STALE_WRITE_FENCED', () => expectCaught('unfenced-terminal-writes'), CAMPAIGN_TIMEOUT_MS);
  it('mutant:reaper-reaps-itself by REAPER_NOT_SELF', () => expectCaught('reaper-reaps-itself'), CAMPAIGN_TIMEOUT_MS);
  it('mutant:group-snapshot-then-update by GROUP_ONCE', () => expectCaught('group-snapshot-then-update'), CAMPAIGN_TIMEOUT_MS);
  it('mutant:lock-outside-claim by LOCK_EXCLUSIVE', () => expectCaught('lock-outside-claim'), CAMPAIGN_TIMEOUT_MS);
  it('mutant:shutdown-keeps-jobs by SHUTDOWN_CLEAN', () => expectCaught('shutdown-keeps-jobs'), CAMPAIGN_TIMEOUT_MS);
});
