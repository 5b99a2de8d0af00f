// Goal: the library example in README.md runs as written. The test extracts the
// marked ```ts block, writes it inside the package (so `import … from 'wf-sim'`
// resolves through the package's own exports, as it would for a user) and runs
// it with tsx in a child process.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MARKER = '<!-- readme-example:';
const scratch = join(root, '.wf-sim', `readme-example-${process.pid}`);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function extractExample(readme: string): string {
  const marker = readme.indexOf(MARKER);
  if (marker === -1) throw new Error(`README.md has no ${MARKER} … --> marker before the library example`);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (match?.[1] === undefined) throw new Error('README.md has no ```ts block after the example marker');
  return match[1];
}

it('the README library example runs as written and completes its job', async () => {
  const example = extractExample(await readFile(join(root, 'README.md'), 'utf8'));
  expect(example).toContain("from 'wf-sim'");
  const file = join(scratch, 'example.mts');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, example);
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 60_000 });
  expect(stdout.trim().split('\n')).toEqual(['job 1 completed: true', 'completed']);
});

it('the README gives the set-up commands of a fresh machine exactly', async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  expect(readme).toContain('```sh\nnpm install\nnpx wf-sim --seed 42\n```');
  expect(readme).toContain('```sh\nnpm test\n```');
  expect(readme).toContain('WF_SIM_DATABASE_URL');
});
