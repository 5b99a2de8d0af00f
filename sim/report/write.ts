// The one place sim/report/ touches the file system. Reports are written to
// FILE.tmp and renamed over FILE, so a crash or a full disk never leaves a
// half-written report where a finished one is expected. A path that cannot be
// written is told in one line (the caller exits 2).
import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class ReportPathError extends Error {
  override readonly name = 'ReportPathError';
}

/** Checks before a run that `path` can take a report, so a typo does not cost a whole campaign. */
export function reportPathProblem(flag: string, path: string): string | null {
  if (path.length === 0) return `${flag} needs a file name`;
  const folder = dirname(path);
  let folderStat;
  try {
    folderStat = statSync(folder);
  } catch {
    return `${flag} ${path}: folder '${folder}' does not exist; create it or choose another path`;
  }
  if (!folderStat.isDirectory()) return `${flag} ${path}: '${folder}' is not a folder`;
  try {
    if (statSync(path).isDirectory()) return `${flag} ${path}: that is a folder; give a file name`;
  } catch {
    // No file yet: the usual case.
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    return `${flag} ${path}: folder '${folder}' is not writable`;
  }
  return null;
}

export function writeFileAtomic(flag: string, path: string, text: string): void {
  const temporary = `${path}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The write already failed; that error is the one to report.
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReportPathError(`cannot write ${flag} ${path}: ${reason}`, { cause: error });
  }
}
