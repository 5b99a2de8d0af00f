// The trace: the history as JSON lines, and its hash. Same seed ⇒ same bytes ⇒
// same hash, in any process; the hash is what determinism tests and campaigns
// compare. Only the history and the verdict enter it — never wall-clock stats.
import { createHash } from 'node:crypto';
import type { History } from '../spec/history.ts';
import type { Violation } from '../spec/verdict.ts';

export function traceLines(history: History): string[] {
  return history.map((event) => JSON.stringify(event));
}

export function traceHash(history: History, violations: readonly Violation[]): string {
  const hash = createHash('sha256');
  for (const line of traceLines(history)) hash.update(line).update('\n');
  for (const violation of violations) hash.update(`violation ${violation.invariant} ${violation.eventIndex ?? '-'} ${violation.jobs.join(',')}\n`);
  return hash.digest('hex').slice(0, 16);
}
