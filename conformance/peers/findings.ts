// The shape of a peer's findings file: what reading its code predicts, per
// invariant, with the mechanism, and why each missing capability is missing.
// conformance/peers/report.ts sets these beside the verdicts the kit produced.
import type { Capability } from '../../spec/capabilities.ts';

export interface ExpectedFinding {
  /** What reading the code predicts; the report says when the kit does not confirm it. */
  verdict: 'holds' | 'violated';
  /** One sentence: the mechanism (violated) or the reason it holds. */
  mechanism: string;
  /** Failing seeds to re-run and quote beyond the first (the forms a violation takes). Default 0. */
  examples?: number;
  /** Lanes where the prediction applies (default: every lane); elsewhere the mechanism cannot be reached. */
  lanes?: readonly ('simulated' | 'postgres')[];
  /** Why the other lanes cannot reach it (printed there instead of a disagreement). */
  elsewhere?: string;
}

export interface PeerFindings {
  peer: string;
  version: string;
  adapterPath: string;
  /** Paragraphs: how the adapter maps the engine, and how it gets time. */
  summary: string[];
  expected: Partial<Record<string, ExpectedFinding>>;
  /** Why each capability the adapter declares false is absent from the engine. */
  notApplicable: Partial<Record<Capability, string>>;
}
