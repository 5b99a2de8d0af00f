// The repository's source files, for the tidy tests: a sorted walk of a folder,
// and a file's code with comments removed, so prose may name what code may not call.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Files under `folder` (relative to the repository) ending in one of `extensions`, skipping the folders named in `skip`. */
export function sourceFiles(folder: string, extensions: readonly string[], skip: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!skip.has(relative(repoRoot, path))) walk(path);
      } else if (extensions.some((extension) => name.endsWith(extension))) out.push(path);
    }
  };
  walk(join(repoRoot, folder));
  return out;
}

/** The file's text without block and line comments (a `//` inside a URL or a string is kept). */
export function codeWithoutComments(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}
