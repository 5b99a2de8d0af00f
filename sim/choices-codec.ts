// A recorded choice stream as a short, shell-safe token, so a shrunk run replays
// from one command line: `npx wf-sim --seed 7 --engine … --choices <token>`.
// Values are base-36; a run of zeros is `_` + count (not a letter: every letter
// is a base-36 digit, and 35 is `z`); parts are separated by `-`: first the
// streams workload, schedule, faults in that order, then each keyed sub-stream
// as `<key>:<values>` (keys sorted), then what shrinking removed as
// `+jobs:<k.k…>`, `+procs:<id.id…>`, `+safety:<ms>`. Trailing zeros are dropped
// (a replay answers 0 past the end anyway), and so are empty keyed streams.
import { STREAM_NAMES, type ChoiceStructure, type RecordedChoices } from './random/choices.ts';

export class ChoicesFormatError extends Error {
  override readonly name = 'ChoicesFormatError';
}

const KEY = /^[sfw]\.[a-z0-9/]+$/;
const PROCESS = /^[cw][0-9]+$/;

export function encodeChoices(choices: RecordedChoices): string {
  const parts = STREAM_NAMES.map((name) => encodeStream(choices[name]));
  for (const key of Object.keys(choices.keyed ?? {}).sort()) {
    const values = encodeStream(choices.keyed![key]!);
    if (values.length > 0) parts.push(`${key}:${values}`);
  }
  const structure = choices.structure;
  if (structure !== undefined) {
    if (structure.jobsOmitted.length > 0) parts.push(`+jobs:${[...structure.jobsOmitted].sort((a, b) => a - b).map((k) => k.toString(36)).join('.')}`);
    if (structure.processesOmitted.length > 0) parts.push(`+procs:${[...structure.processesOmitted].sort().join('.')}`);
    if (structure.safetyMs !== undefined) parts.push(`+safety:${structure.safetyMs.toString(36)}`);
  }
  return parts.join('-');
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
      tokens.push(run === 1 ? '0' : `_${run.toString(36)}`);
    } else {
      tokens.push(values[index]!.toString(36));
      index += 1;
    }
  }
  return tokens.join('.');
}

export function decodeChoices(token: string): RecordedChoices {
  const parts = token.split('-');
  if (parts.length < STREAM_NAMES.length || !/^[0-9a-z.\-:/_+]*$/.test(token)) {
    throw new ChoicesFormatError(`--choices takes the token a shrunk run printed (three or more '-'-separated parts of base-36 values), got '${token.slice(0, 40)}'`);
  }
  const decoded = parts.slice(0, STREAM_NAMES.length).map(decodeStream);
  const choices: RecordedChoices = { workload: decoded[0]!, schedule: decoded[1]!, faults: decoded[2]! };
  const keyed: Record<string, number[]> = {};
  let structure: ChoiceStructure | undefined;
  for (const part of parts.slice(STREAM_NAMES.length)) {
    const colon = part.indexOf(':');
    const key = colon < 0 ? part : part.slice(0, colon);
    const body = colon < 0 ? '' : part.slice(colon + 1);
    if (key.startsWith('+')) {
      structure ??= { jobsOmitted: [], processesOmitted: [] };
      const items = body.split('.').filter((item) => item.length > 0);
      if (key === '+jobs') structure.jobsOmitted = items.map((item) => parseValue(item));
      else if (key === '+procs') {
        const bad = items.find((item) => !PROCESS.test(item));
        if (bad !== undefined) throw new ChoicesFormatError(`--choices names an unknown process '${bad}'`);
        structure.processesOmitted = items;
      } else if (key === '+safety') structure.safetyMs = parseValue(body);
      else throw new ChoicesFormatError(`--choices has an unknown part '${key}'`);
      continue;
    }
    if (colon < 0 || !KEY.test(key)) throw new ChoicesFormatError(`--choices has a bad keyed stream '${part.slice(0, 40)}'`);
    keyed[key] = decodeStream(body);
  }
  if (Object.keys(keyed).length > 0) choices.keyed = keyed;
  if (structure !== undefined) choices.structure = structure;
  return choices;
}

function decodeStream(part: string): number[] {
  const values: number[] = [];
  for (const item of part.split('.').filter((piece) => piece.length > 0)) {
    if (item.startsWith('_')) {
      const run = Number.parseInt(item.slice(1), 36);
      if (!Number.isSafeInteger(run) || run < 1 || run > 10_000_000) throw new ChoicesFormatError(`--choices has a bad run of zeros '${item}'`);
      for (let index = 0; index < run; index += 1) values.push(0);
    } else {
      values.push(parseValue(item));
    }
  }
  return values;
}

function parseValue(item: string): number {
  const value = Number.parseInt(item, 36);
  if (!Number.isSafeInteger(value) || !/^[0-9a-z]+$/.test(item)) throw new ChoicesFormatError(`--choices has a bad value '${item}'`);
  return value;
}
