// Goal: the driver's own Bind serializer sends exactly the bytes PGlite's
// serializer would (text parameters, text results), for every kind of value the
// engine passes, so the fast path changes cost and nothing else.
import { protocol } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { bindMessage } from '../../src/db/bind-message.ts';
import type { ParameterText } from '../../src/db/parameters.ts';

const tail = new Uint8Array([...protocol.serialize.describe({ type: 'P' }), ...protocol.serialize.execute({}), ...protocol.serialize.sync()]);

function expected(statement: string, values: ParameterText[]): number[] {
  return [...protocol.serialize.bind({ statement, values }), ...tail];
}

describe('bindMessage', () => {
  const cases: [string, ParameterText[]][] = [
    ['wf_no_params', []],
    ['wf_claim', ['w1', 'lease-1', '2026-01-01T00:00:00.000Z', '{"a","b"}', null, '42']],
    ['wf_nulls', [null, null]],
    ['wf_empty', ['', 'x', '']],
    ['wf_unicode', ['zażółć gęślą jaźń', '日本語', '😀 emoji', '{"payload":"ü"}']],
    ['stmt_ünïcode_name', ['a']],
    ['wf_long', ['x'.repeat(100_000), 'y'.repeat(70_000)]],
  ];
  for (const [statement, values] of cases) {
    it(`matches PGlite's serializer for ${statement}`, () => {
      expect([...bindMessage(statement, values, tail)]).toEqual(expected(statement, values));
    });
  }
});
