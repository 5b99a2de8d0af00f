// Turns statement parameters into the text form Postgres parses for the cast
// written in the SQL ($1::bigint, $2::timestamptz, $3::text[], $4::jsonb). Both
// drivers use it, so a value reaches PGlite and a real Postgres as the same bytes.
// The engine passes JSON payloads already stringified: a bare string here is
// always text, never a JSON document.

export type ParameterText = string | null;

export function toParameterText(value: unknown): ParameterText {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot send the non-finite number ${value} to Postgres`);
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) return toArrayLiteral(value);
      return JSON.stringify(value);
    default:
      throw new TypeError(`cannot send a ${typeof value} to Postgres`);
  }
}

/** A one-dimensional array literal: {"a","b",NULL}. Elements are quoted so commas and braces in them are data. */
function toArrayLiteral(values: readonly unknown[]): string {
  const elements = values.map((element) => {
    if (Array.isArray(element)) throw new TypeError('nested arrays are not supported as statement parameters');
    const text = toParameterText(element);
    if (text === null) return 'NULL';
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${elements.join(',')}}`;
}

export function toParameterTexts(params: readonly unknown[] | undefined): ParameterText[] {
  return params === undefined ? [] : params.map(toParameterText);
}
