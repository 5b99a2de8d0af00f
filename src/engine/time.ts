// Times cross the engine boundary as integer ms since the Unix epoch and reach
// SQL as ISO-8601 text cast to timestamptz. Formatting a given instant is the
// only use of Date here: the engine never asks what time it is.

/** 9999-12-31T23:59:59.999Z: the last instant toISOString() writes in a form Postgres parses. */
export const TIME_MAX_MS = 253_402_300_799_999;

export function toTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** Drivers return timestamptz as Date; tolerate text and numbers from other drivers. */
export function fromTimestamp(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new Error(`unparseable timestamp from the database: ${value}`);
    return ms;
  }
  throw new Error(`unexpected timestamp value from the database: ${String(value)}`);
}

export function fromNullableTimestamp(value: unknown): number | null {
  return value === null || value === undefined ? null : fromTimestamp(value);
}
