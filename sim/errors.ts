// Errors that end a run without an invariant verdict. An engine that throws, or
// an adapter that returns malformed data or hangs, is reported as such (exit 3):
// it must never be mistaken for a violation or for a pass.

export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  constructor(
    readonly operation: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`adapter error in ${operation}: ${message}`, options);
  }
}
