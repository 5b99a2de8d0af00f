// The reference engine's public surface.
export { createEngine, DEFAULT_ATTEMPTS_MAX, DEFAULT_JOB_TYPE, DEFAULT_LOCK_TTL_MS, DEFAULT_RETRY_BACKOFF_MS } from './engine.ts';
export type { EngineOptions } from './engine.ts';
export { EngineError, EngineInputError, NotFoundError } from './errors.ts';
export type { EngineErrorCode } from './errors.ts';
export type * from './types.ts';
