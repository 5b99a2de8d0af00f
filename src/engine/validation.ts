// Input validation for every engine operation, with zod, before any SQL runs.
// Each schema maps to one error code so callers can branch on `error.code`.
import { z } from 'zod';
import type { EngineErrorCode } from './errors.ts';
import { EngineInputError } from './errors.ts';
import { TIME_MAX_MS } from './time.ts';

const INT32_MAX = 2_147_483_647;

const text = z.string().min(1, 'must be a non-empty string');
const int32 = z.number().int().min(-INT32_MAX - 1).max(INT32_MAX);

export const timeSchema = z.number().int().min(0).max(TIME_MAX_MS);
/** A TTL or threshold: at least 1 ms, and small enough that now + it is still a valid time. */
export const durationSchema = z.number().int().min(1).max(TIME_MAX_MS);
export const backoffSchema = z.number().int().min(0).max(TIME_MAX_MS);
export const leaseTokenSchema = z.string().min(1, 'a lease token must be a non-empty string');
export const idSchema = text;
export const errorTextSchema = z.string();
export const jobIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const pidSchema = int32.min(0).nullable();

function isJson(value: unknown): boolean {
  if (value === undefined) return true;
  try {
    return JSON.stringify(value) !== undefined;
  } catch {
    return false;
  }
}

export const jobSpecSchema = z.strictObject({
  queue: text,
  type: text.optional(),
  payload: z.unknown().refine(isJson, 'must be JSON-serializable').optional(),
  priority: int32.optional(),
  availableAt: timeSchema.optional(),
  resourceKey: text.optional(),
  attemptsMax: int32.min(1).optional(),
  idempotencyKey: text.optional(),
  group: z.strictObject({ id: text, size: int32.min(1) }).optional(),
});

export const queueSchema = z.strictObject({
  name: text,
  maxConcurrency: int32.min(1).nullable(),
});

export const identitySchema = z.strictObject({
  workerId: text,
  role: z.enum(['worker', 'client']),
  pid: pidSchema,
  runId: text,
});

export const claimRequestSchema = z.strictObject({
  workerId: text,
  leaseToken: z.unknown().optional(),
  pid: pidSchema.optional(),
  runId: text.nullable().optional(),
  queues: z.array(text).optional(),
  types: z.array(text).optional(),
  lockTtlMs: z.unknown().optional(),
});

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `;
      return `${path}${issue.message}`;
    })
    .join('; ');
}

/** Parses `value` or throws an EngineInputError with `code` and a message naming what was wrong. */
export function check<T extends z.ZodType>(schema: T, value: unknown, code: EngineErrorCode, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new EngineInputError(code, `invalid ${what}: ${describe(result.error)}`, { cause: result.error });
  }
  return result.data;
}

export function checkTime(now: unknown): number {
  return check(timeSchema, now, 'INVALID_TIME', 'now (expected integer ms since the epoch)');
}

/** A TTL/threshold added to (or subtracted from) now must stay a valid time. */
export function checkDuration(value: unknown, what: string, now: number, direction: 1 | -1 = 1): number {
  const ms = check(durationSchema, value, 'INVALID_TIMEOUT', `${what} (expected a positive integer number of ms)`);
  const edge = now + direction * ms;
  if (edge < 0 || edge > TIME_MAX_MS) {
    throw new EngineInputError('INVALID_TIMEOUT', `invalid ${what}: now ${direction === 1 ? '+' : '-'} ${ms} ms is outside the representable time range`);
  }
  return ms;
}

export function checkLeaseToken(value: unknown): string {
  if (value === '') throw new EngineInputError('EMPTY_LEASE_TOKEN', 'invalid lease token: it is empty; pass the token the claim was made with');
  return check(leaseTokenSchema, value, 'INVALID_ARGUMENT', 'lease token');
}

export function checkBackoff(value: unknown, now: number): number {
  const ms = check(backoffSchema, value, 'INVALID_TIMEOUT', 'retryBackoffMs (expected a non-negative integer number of ms)');
  if (now + ms > TIME_MAX_MS) throw new EngineInputError('INVALID_TIMEOUT', `invalid retryBackoffMs: now + ${ms} ms is outside the representable time range`);
  return ms;
}
