// An adapter fault as the reports show it: which operation, what it did wrong,
// on which seed. The simulator reports faults as one line ("adapter error in
// claim: it threw: …"); when a guard already named the operation the line may
// carry the prefix twice, and the innermost one is the truth.
import { AdapterError } from '../sim/errors.ts';

export interface AdapterFault {
  /** The adapter call at fault: 'claim', 'observe', 'install', 'load', … */
  operation: string;
  /** What it did: threw (with the message), returned a malformed value (with the zod path), or never settled. */
  message: string;
  /** The seed (simulated lane) or round (Postgres lane) it happened on; null before any seed ran. */
  seed: number | null;
}

const PREFIX = /^adapter error in ([A-Za-z][\w.]*): /;

/** Splits "adapter error in OP: detail", unwrapping "it threw: adapter error in OP: …" to its innermost layer. */
export function parseAdapterErrorLine(line: string): { operation: string; message: string } | null {
  let match = PREFIX.exec(line);
  if (match === null) return null;
  let operation = match[1]!;
  let rest = line.slice(match[0].length);
  for (;;) {
    const inner = /^it threw: /.exec(rest);
    const nested = inner === null ? null : PREFIX.exec(rest.slice(inner[0].length));
    if (inner === null || nested === null) break;
    operation = nested[1]!;
    rest = rest.slice(inner[0].length + nested[0].length);
    match = nested;
  }
  return { operation, message: rest };
}

export function faultFromLine(line: string, seed: number | null): AdapterFault {
  const parsed = parseAdapterErrorLine(line);
  if (parsed !== null) return { ...parsed, seed };
  return { operation: 'run', message: line.replace(/^adapter error: /, ''), seed };
}

/** A fault from something a lane caught. Errors that are not AdapterErrors are still the adapter's side of the line: the kit's own code does not throw. */
export function faultFromError(error: unknown, seed: number | null): AdapterFault {
  if (error instanceof AdapterError) return faultFromLine(error.message, seed);
  const text = error instanceof Error ? error.message : String(error);
  return { operation: 'run', message: `an error escaped the run: ${text}`, seed };
}

export function faultLine(fault: AdapterFault): string {
  return `adapter error in ${fault.operation}: ${fault.message}${fault.seed === null ? '' : ` (seed ${fault.seed})`}`;
}
