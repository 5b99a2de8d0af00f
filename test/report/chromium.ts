// Headless Chromium for the report tests: Debian's `chromium` package, launched
// with everything that would reach the network switched off and a throwaway
// profile, so a test run leaves nothing behind and needs no network.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Debian's package by default; WF_SIM_CHROMIUM points elsewhere (another install, or a missing path to see the skip). */
export const CHROMIUM_PATH = process.env.WF_SIM_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_AVAILABLE = existsSync(CHROMIUM_PATH);
/** A cold start of Chromium on a loaded CI machine can take a while. */
const CHROMIUM_TIMEOUT_MS = 90_000;

function launch(extra: string[], file: string, hash: string): string {
  const profile = mkdtempSync(join(tmpdir(), 'wf-sim-chromium-'));
  try {
    return execFileSync(
      CHROMIUM_PATH,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        ...extra,
        `${pathToFileURL(file).href}${hash}`,
      ],
      { encoding: 'utf8', timeout: CHROMIUM_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM after the page's script ran, as Chromium serializes it. */
export function dumpDom(file: string, hash = ''): string {
  return launch(['--dump-dom'], file, hash);
}

export function screenshot(file: string, png: string, hash = ''): void {
  launch([`--screenshot=${png}`, '--window-size=1400,900', '--hide-scrollbars'], file, hash);
}
