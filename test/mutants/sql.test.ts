// Goal: every mutant statement is its reference statement (src/sql/) with only
// the bug's clause changed, so a change to the reference engine that a mutant
// did not follow fails here, by name, instead of silently making the mutant a
// different engine than the one its incident describes.
import { describe, expect, it } from 'vitest';
import * as reference from '../../src/sql/index.ts';
import { deleteStaleWorkersAndSelf } from '../../conformance/mutants/reaper-reaps-itself.ts';
import { claimStatement } from '../../conformance/mutants/sql/claim.ts';
import { failKeepsPid, recoverKeepsPid, releaseKeepsPid, releaseWorkerKeepsPid } from '../../conformance/mutants/sql/requeue-keeps-pid.ts';
import { completeUnfenced, failUnfenced, releaseUnfenced } from '../../conformance/mutants/unfenced-terminal-writes.ts';

/** Whitespace is layout, not meaning. */
function normalized(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Applies one edit that must match: an edit that stopped matching is the drift this file exists to catch. */
function edit(text: string, from: string, to: string): string {
  expect(text.includes(from), `expected ${JSON.stringify(from)} in the reference statement`).toBe(true);
  return text.split(from).join(to);
}

/** Incident 003: the three assignments that clear pid, run_id and started_at, gone. */
function keepIdentity(text: string): string {
  if (text.includes('pid = NULL, run_id = NULL, started_at = NULL')) return edit(text, ', pid = NULL, run_id = NULL, started_at = NULL', '');
  const lines = text.split('\n');
  const kept = lines.filter((line) => !/^\s*(pid|run_id|started_at)\s*=/.test(line));
  expect(kept).toHaveLength(lines.length - 3);
  return kept.join('\n');
}

/** Incident 001: the lease gate gone, and the parameters after the token ($2) renumbered down by one. */
function unfence(text: string, column: string): string {
  return edit(text, ` AND ${column} = $2::text`, '').replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) > 2 ? Number(n) - 1 : Number(n)}`);
}

describe('mutant SQL is the reference SQL with one clause changed', () => {
  it('the claim builder with no variant is the reference claim, byte for byte', () => {
    expect(claimStatement('any').text).toBe(reference.claim.text);
  });

  it.each([
    ['fail', reference.fail.text, failKeepsPid.text],
    ['release', reference.release.text, releaseKeepsPid.text],
    ['recoverJobs', reference.recoverJobs.text, recoverKeepsPid.text],
    ['releaseWorker', reference.releaseWorker.text, releaseWorkerKeepsPid.text],
  ])('003: %s keeps pid, run id and startedAt and changes nothing else', (_name, original, mutant) => {
    expect(normalized(mutant)).toBe(normalized(keepIdentity(original)));
  });

  it.each([
    ['complete', reference.complete.text, completeUnfenced.text, 'lease_token'],
    ['fail', reference.fail.text, failUnfenced.text, 'j.lease_token'],
    ['release', reference.release.text, releaseUnfenced.text, 'j.lease_token'],
  ])('001: %s drops the lease gate and changes nothing else', (_name, original, mutant, column) => {
    expect(normalized(mutant)).toBe(normalized(unfence(original, column)));
  });

  it('001: reap drops only the exclusion of its caller', () => {
    expect(normalized(deleteStaleWorkersAndSelf.text)).toBe(normalized(edit(reference.deleteStaleWorkers.text, ' AND id <> $2::text', '')));
  });
});
