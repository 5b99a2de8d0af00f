// A recorded choice stream as a short, shell-safe token, so a shrunk run replays
// from one command line: `npx wf-sim --seed 7 --engine … --choices <token>`.
// Values are base-36; a run of zeros is `_` + count (not a letter: every letter
// is a base-36 digit, and 35 is `z`); parts are separated by `-`: first the
// streams workload, schedule, faults in that order, then each keyed sub-stream
// as `<key>:<values>` (keys sorted), then what shrinking removed as
// `+jobs:<k.k…>`, `+procs:<id.id…>`, `+safety:<ms>`, `+story:<fault.fault…>`.
// Trailing zeros are dropped (a replay answers 0 past the end anyway), and so
// are empty keyed streams.
import { OperationSchema } from '../spec/history.ts';
import { STREAM_NAMES, type ChoiceStructure, type RecordedChoices } from './random/choices.ts';
import type { PointKind } from './scheduler.ts';
import type { StoryFault } from './world/story-faults.ts';

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
    if (structure.storyFaults !== undefined) parts.push(`+story:${structure.storyFaults.map(encodeStoryFault).join('.')}`);
  }
  return parts.join('-');
}

// A story fault is `_`-separated fields: loop, kind, turn kind, anchor (`g` and
// the start number, or the operation's index, the planned job and which time),
// delay, then a pause's length and scope or a crash's squatter life (0: none).
const FAULT_KINDS: Record<StoryFault['kind'], string> = { crash: 'c', pause: 'p', stop: 's', 'lost-ack': 'a' };
const POINT_KINDS: Record<PointKind, string> = { start: 't', sleep: 's', db: 'd' };
const LOOP = /^[cw][0-9]+\/[a-z]+$/;

function encodeStoryFault(fault: StoryFault): string {
  const anchor = fault.anchor.kind === 'start' ? ['g', fault.anchor.generation, 0] : [OperationSchema.options.indexOf(fault.anchor.op), fault.anchor.job, fault.anchor.nth];
  const extra = fault.kind === 'pause' ? [fault.pauseSteps ?? 0, fault.whole === true ? 1 : 0] : [fault.squatSteps ?? 0, 0];
  const fields = [fault.loop, FAULT_KINDS[fault.kind], POINT_KINDS[fault.point], ...[...anchor, fault.delayMs, ...extra].map((value) => (typeof value === 'number' ? value.toString(36) : value))];
  while (fields.length > 3 && fields[fields.length - 1] === '0') fields.pop();
  return fields.join('_');
}

function decodeStoryFault(item: string): StoryFault {
  const [loop = '', kindCode, pointCode, ...rest] = item.split('_');
  const kind = (Object.keys(FAULT_KINDS) as StoryFault['kind'][]).find((name) => FAULT_KINDS[name] === kindCode);
  const point = (Object.keys(POINT_KINDS) as PointKind[]).find((name) => POINT_KINDS[name] === pointCode);
  if (!LOOP.test(loop) || kind === undefined || point === undefined) throw new ChoicesFormatError(`--choices has a bad story fault '${item.slice(0, 40)}'`);
  const [anchorCode = '0', first = '0', second = '0', delay = '0', extra = '0', scope = '0'] = rest;
  let anchor: StoryFault['anchor'];
  if (anchorCode === 'g') anchor = { kind: 'start', generation: parseValue(first) };
  else {
    const op = OperationSchema.options[parseValue(anchorCode)];
    if (op === undefined) throw new ChoicesFormatError(`--choices has a bad story fault anchor '${anchorCode}'`);
    anchor = { kind: 'op', op, job: parseValue(first), nth: parseValue(second) };
  }
  const fault: StoryFault = { loop, kind, point, anchor, delayMs: parseValue(delay) };
  if (kind === 'pause') {
    fault.pauseSteps = parseValue(extra);
    fault.whole = parseValue(scope) === 1;
  } else if (parseValue(extra) > 0) fault.squatSteps = parseValue(extra);
  return fault;
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
      else if (key === '+story') structure.storyFaults = items.map(decodeStoryFault);
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
