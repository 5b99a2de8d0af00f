// Where output goes and whether it is coloured. Machine output (--json) goes to
// stdout; progress and colour to stderr; colour only on a TTY and never when
// NO_COLOR is set (https://no-color.org).
import { Chalk, type ChalkInstance } from 'chalk';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Rewrites the current stderr line (progress bars); a no-op when stderr is not a TTY. */
  progress: (line: string) => void;
  color: ChalkInstance;
  isTty: boolean;
}

export function processOutput(): Output {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  const isTty = process.stderr.isTTY === true;
  const level = noColor || !isTty ? 0 : 1;
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: (line) => {
      if (isTty) process.stderr.write(`\r\x1b[2K${line}`);
    },
    color: new Chalk({ level }),
    isTty,
  };
}

/** Collects output in memory (tests). */
export function memoryOutput(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (line) => stdout.push(line), err: (line) => stderr.push(line), progress: () => {}, color: new Chalk({ level: 0 }), isTty: false, stdout, stderr };
}
