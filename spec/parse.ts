// Validating evidence that crosses a boundary (an adapter's rows, a history file
// from a real-Postgres run) before any checker believes it. A malformed event
// fails with the path of the bad field ("history[3].job: expected number,
// received string"), so a broken recorder or adapter gets one clear line
// instead of a false verdict. The checkers themselves never call zod: they run
// on a million events.
import type { z } from 'zod';
import { HistorySchema, type History } from './history.ts';
import { StateSchema, type State } from './state.ts';

export class EvidenceFormatError extends Error {
  override readonly name = 'EvidenceFormatError';
  constructor(
    readonly what: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(`${what} is malformed: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
  }
}

/** 'history[3].job' from ['history', 3, 'job']. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return text;
}

const ISSUES_MAX = 10;

function issuesOf(root: string, error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, ISSUES_MAX).map((issue) => ({ path: formatPath(root, issue.path), message: issue.message }));
}

export function parseHistory(input: unknown): History {
  const result = HistorySchema.safeParse(input);
  if (!result.success) throw new EvidenceFormatError('history', issuesOf('history', result.error));
  return result.data;
}

export function parseState(input: unknown): State {
  const result = StateSchema.safeParse(input);
  if (!result.success) throw new EvidenceFormatError('state', issuesOf('state', result.error));
  return result.data;
}
