// A recorded choice stream as a short, shell-safe token, so a shrunk run replays
// from one command line: `npx wf-sim --seed 7 --engine … --choices <token>`.
// Values are base-36; a run of zeros is `z` + count; streams are separated by
// `-` in the order workload, schedule, faults; trailing zeros are dropped
// (a replay answers 0 past the end anyway).
import { STREAM_NAMES, type RecordedChoices } from './random/choices.ts';

export class ChoicesFormatError extends Error {
  override readonly name = 'ChoicesFormatError';
}

export function encodeChoices(choices: RecordedChoices): string {
  return STREAM_NAMES.map((name) => encodeStream(choices[name])).join('-');
}

function encodeStream(values: readonly number[]): string {
  let end = values.length;
  while (end > 0 && values[end - 1] === 0) end -= 1;
  const tokens: string[] = [];
  for (let index = 0; index < end; ) {
    if (values[index] === 0) {
      let run = 0;
      while (index < end && values[index] === 0) {
        run += 1;
        index += 1;
      }
      tokens.push(run === 1 ? '0' : `z${run.toString(36)}`);
    } else {
      tokens.push(values[index]!.toString(36));
      index += 1;
    }
  }
  return tokens.join('.');
}

export function decodeChoices(token: string): RecordedChoices {
  const parts = token.split('-');
  if (parts.length !== STREAM_NAMES.length || !/^[0-9a-z.-]*$/.test(token)) {
    throw new ChoicesFormatError(`--choices takes the token a shrunk run printed (three '-'-separated streams of base-36 values), got '${token.slice(0, 40)}'`);
  }
  const decoded = parts.map((part) => {
    const values: number[] = [];
    for (const item of part.split('.').filter((piece) => piece.length > 0)) {
      if (item.startsWith('z')) {
        const run = Number.parseInt(item.slice(1), 36);
        if (!Number.isSafeInteger(run) || run < 1 || run > 10_000_000) throw new ChoicesFormatError(`--choices has a bad run of zeros '${item}'`);
        for (let index = 0; index < run; index += 1) values.push(0);
      } else {
        const value = Number.parseInt(item, 36);
        if (!Number.isSafeInteger(value)) throw new ChoicesFormatError(`--choices has a bad value '${item}'`);
        values.push(value);
      }
    }
    return values;
  });
  return { workload: decoded[0]!, schedule: decoded[1]!, faults: decoded[2]! };
}
