// Verdicts and violations. A violation explains itself in sentences and names
// every id involved, so a person can follow it without reading the trace.
import { z } from 'zod';

export const ViolationSchema = z.object({
  invariant: z.string(),
  /** The history event (or, for state invariants, the last event before the snapshot) where it shows; null for end-of-run checks. */
  eventIndex: z.number().int().nonnegative().nullable(),
  time: z.number().int().nullable(),
  jobs: z.array(z.number().int()),
  processes: z.array(z.string()),
  explanation: z.string(),
});
export type Violation = z.infer<typeof ViolationSchema>;

export type Validity = true | false | 'unknown';

export interface Verdict {
  valid: Validity;
  violations: Violation[];
  /** Invariants that could not be judged because the engine lacks a concept, with the missing capability. */
  notApplicable: { invariant: string; missing: string }[];
  /**
   * Judgements that rest on the unknown outcome of an `info` operation: a
   * violation under one outcome and none under the other. They make `valid`
   * 'unknown' when there is no violation.
   */
  undecided?: Violation[];
  /** Violations not listed because an invariant reached the per-invariant limit, with how many were left out. */
  omitted?: { invariant: string; count: number }[];
}
