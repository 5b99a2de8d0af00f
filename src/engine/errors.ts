// The engine's typed errors. Bad input is rejected BEFORE the database is
// touched (or inside a transaction that rolls back), so a caller that gets one
// of these knows nothing changed. Bugs are not errors of this kind: they are
// assertions (plain Error) and should never be caught.

export type EngineErrorCode =
  /** `now` is not an integer number of ms in [0, 9999-12-31]. */
  | 'INVALID_TIME'
  /** A JobSpec that does not parse (missing queue, bad priority, unknown field, payload that is not JSON). */
  | 'INVALID_JOB_SPEC'
  /** A queue definition that does not parse. */
  | 'INVALID_QUEUE'
  /** enqueue into a queue nobody declared with defineQueue. */
  | 'UNKNOWN_QUEUE'
  /** getJob of an id that does not exist. */
  | 'UNKNOWN_JOB'
  /** A threshold, TTL or backoff that is not a positive (backoff: non-negative) integer number of ms. */
  | 'INVALID_TIMEOUT'
  | 'EMPTY_LEASE_TOKEN'
  /** Any other malformed argument (empty worker id, bad pid, bad filter). */
  | 'INVALID_ARGUMENT'
  /** A group member enqueued with a size different from the group's. */
  | 'GROUP_SIZE_MISMATCH'
  /** A group that already has all its members. */
  | 'GROUP_FULL'
  /** A group that has already completed or failed. */
  | 'GROUP_CLOSED';

export class EngineError extends Error {
  override readonly name: string = 'EngineError';
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}

/** The caller passed something the engine will not act on; nothing was written. */
export class EngineInputError extends EngineError {
  override readonly name: string = 'EngineInputError';
}

/** The caller named a row that does not exist; nothing was written. */
export class NotFoundError extends EngineInputError {
  override readonly name: string = 'NotFoundError';
}
