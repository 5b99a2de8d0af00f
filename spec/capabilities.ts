// What an engine has. A checker that needs a concept the engine does not have
// answers 'not applicable' instead of passing silently (Elle's "unknown" is for
// histories; this is for engines).
import { z } from 'zod';

export const CapabilitiesSchema = z.object({
  /** Terminal writes carry a per-claim token that a newer claim supersedes. */
  leaseTokens: z.boolean(),
  /** Completion groups with an exactly-once completion. */
  groups: z.boolean(),
  /** Resource keys that keep two jobs from running at once. */
  resourceLocks: z.boolean(),
  /** Job rows record the pid / run id of the process running them. */
  runIdentity: z.boolean(),
  /** Per-queue maxConcurrency. */
  maxConcurrency: z.boolean(),
  /** attempts / attemptsMax per job. */
  attempts: z.boolean(),
  /** A reaper that removes workers by heartbeat (and reports whom it removed). */
  reaper: z.boolean(),
  /** Graceful release of an in-flight job without spending an attempt. */
  release: z.boolean(),
  /** Enqueue-only clients as a role distinct from workers. */
  clients: z.boolean(),
  /** A normalized read-only view of the engine's rows (needed by every state invariant). */
  stateView: z.boolean(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
export type Capability = keyof Capabilities;

export const ALL_CAPABILITIES: Capabilities = {
  leaseTokens: true,
  groups: true,
  resourceLocks: true,
  runIdentity: true,
  maxConcurrency: true,
  attempts: true,
  reaper: true,
  release: true,
  clients: true,
  stateView: true,
};
