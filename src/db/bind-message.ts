// The Bind message of the extended query protocol, written straight into one
// buffer together with the messages that follow it (Describe, Execute, Sync).
// PGlite's own serializer builds the same bytes through a growable writer and a
// second buffer for the values, then the driver copied them once more; on a
// statement that PGlite runs in ≈ 40 µs that cost ≈ 15–20 µs. The bytes are
// identical to `protocol.serialize.bind` with text parameters and text results
// (a test pins that).
import type { ParameterText } from './parameters.ts';

const BIND = 0x42; // 'B'

/** Bind (unnamed portal, every parameter and result in text format), then `tail`. */
export function bindMessage(statement: string, values: readonly ParameterText[], tail: Uint8Array): Uint8Array {
  const nameLength = Buffer.byteLength(statement);
  let valuesLength = 0;
  for (const value of values) valuesLength += 4 + (value === null ? 0 : Buffer.byteLength(value));
  const count = values.length;
  // Length field onward: length, portal "" \0, name \0, format-code count and codes, value count and values, result-format count.
  const length = 4 + 1 + nameLength + 1 + 2 + 2 * count + 2 + valuesLength + 2;
  const out = Buffer.allocUnsafe(1 + length + tail.length);
  let at = 0;
  out[at++] = BIND;
  out.writeInt32BE(length, at);
  at += 4;
  out[at++] = 0;
  at += out.write(statement, at);
  out[at++] = 0;
  out.writeUInt16BE(count, at);
  at += 2;
  // Format code 0 (text) for every parameter.
  out.fill(0, at, at + 2 * count);
  at += 2 * count;
  out.writeUInt16BE(count, at);
  at += 2;
  for (const value of values) {
    if (value === null) {
      out.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    const written = out.write(value, at + 4);
    out.writeInt32BE(written, at);
    at += 4 + written;
  }
  // No result format codes: every column comes back as text.
  out.writeInt16BE(0, at);
  at += 2;
  out.set(tail, at);
  return out;
}
