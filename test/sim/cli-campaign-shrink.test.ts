// Goal: a campaign keeps the promise that failures shrink to a short timeline.
// Its first failing seed is shrunk as `--seed N` would shrink it, and the printed
// `--choices` command replays the same violation and timeline; `--no-shrink` and a passing
// campaign print no shrunk run at all.
import { describe, expect, it } from 'vitest';
import { main } from '../../sim/cli/main.ts';
import { memoryOutput } from '../../sim/cli/output.ts';

async function run(argv: string[]) {
  const output = memoryOutput();
  const code = await main(argv, output);
  return { code, stdout: output.stdout, stderr: output.stderr, text: [...output.stdout, ...output.stderr].join('\n') };
}

// Seed 0 already violates LOCK_EXCLUSIVE, and it shrinks to a handful of events in a few seconds.
const MUTANT = 'mutant:lock-outside-claim';

describe('a failing campaign shrinks its first failing seed', () => {
  // One shrink serves both the person's text and --json: a shrink is most of this file's time.
  it('prints the shrunk run and a --choices command that replays the same violation; --json gets one final {shrunk, seed} line', { timeout: 90_000 }, async () => {
    const campaign = await run(['--seeds', '3', '--engine', MUTANT, '--json']);
    expect(campaign.code, campaign.text).toBe(1);

    // The person's text (on stderr beside --json), as `--seed 0` alone would print it.
    const header = campaign.stderr.find((line) => line.startsWith('shrunk '));
    expect(header).toMatch(/^shrunk LOCK_EXCLUSIVE: \d+ → \d+ events \(\d+ lines below\) in \d+ replays/);
    // The header counts the timeline's event lines (an idle stretch or folded heartbeats are part of one line).
    const timelineLines = campaign.stderr.filter((line) => /^(>>| {2}) t=\d/.test(line));
    expect(timelineLines.length).toBeGreaterThan(0);
    expect(Number(/\((\d+) lines below\)/.exec(header!)![1])).toBe(timelineLines.length);
    // A mutant's case is checked against the reference engine on the same choices (the case shows the bug, not the world).
    expect(campaign.stderr).toContain("the reference engine, on the same choices: no LOCK_EXCLUSIVE violation (the case shows the mutant's bug, not the world's)");
    // The campaign stopped at its only failure, so there are no others to point at.
    expect(campaign.text).not.toMatch(/shrinking the first failing seed/);
    const replayLine = campaign.stderr.find((line) => line.startsWith('replay the shrunk run: '));
    expect(replayLine).toMatch(/^replay the shrunk run: npx wf-sim --seed 0 --engine mutant:lock-outside-claim --choices \S+$/);
    const explanation = campaign.stderr.find((line) => line.startsWith('LOCK_EXCLUSIVE: '))!.slice('LOCK_EXCLUSIVE: '.length);
    expect(explanation).toMatch(/^Let job \d+ run under w\d+ with resource key r\d+/);

    // Machine output: the per-seed lines as before, then the shrink on a line of its own.
    const objects = campaign.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = objects.at(-1)!;
    expect(Object.keys(last)).toEqual(['shrunk', 'seed']);
    expect(last['seed']).toBe(0);
    const shrunk = last['shrunk'] as { invariant: string; control: string; choices: string; violations: { invariant: string; explanation: string }[] };
    expect(shrunk.invariant).toBe('LOCK_EXCLUSIVE');
    expect(shrunk.control).toBe('passes');
    expect(replayLine!.endsWith(` --choices ${shrunk.choices}`)).toBe(true);
    expect(shrunk.violations[0]).toMatchObject({ invariant: 'LOCK_EXCLUSIVE', explanation });
    const seeds = objects.slice(0, -1);
    expect(seeds.length).toBeGreaterThan(0);
    for (const object of seeds) expect(object).toMatchObject({ seed: expect.any(Number), traceHash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(seeds.filter((object) => 'shrunk' in object)).toEqual([]);

    const replay = await run(replayLine!.slice('replay the shrunk run: npx wf-sim '.length).split(' '));
    expect(replay.code, replay.text).toBe(1);
    expect(replay.stdout.find((line) => line.startsWith('FAIL'))).toMatch(/^FAIL {2}LOCK_EXCLUSIVE\b/);
    expect(replay.stdout).toContain(`    ${explanation}`);
    // A replay of a shrunk run is not shrunk again, and prints the same timeline the shrink printed.
    expect(replay.text).not.toMatch(/^shrunk /m);
    const replayLines = replay.stdout.filter((line) => /^(>>| {2}) t=\d/.test(line));
    expect(replayLines).toEqual(timelineLines);
    expect(replayLines.filter((line) => line.startsWith('>>')).length).toBeGreaterThan(0);
  });
});

describe('the shrink budget', () => {
  it('--shrink-seconds bounds the shrink: one second ends it long before its fixpoint (8 events), and it says so; --every-event prints each event', { timeout: 60_000 }, async () => {
    // --every-event: one line per event, so the lines printed are the events counted.
    const short = await run(['--seed', '0', '--engine', MUTANT, '--shrink-seconds', '1', '--every-event']);
    expect(short.code, short.text).toBe(1);
    const line = short.stdout.find((text) => text.startsWith('shrunk '));
    expect(line).toMatch(/^shrunk LOCK_EXCLUSIVE: \d+ → (\d+) events \(\d+ lines below\) in \d+ replays .*stopped by the time budget\)$/);
    const events = Number(/→ (\d+) events/.exec(line!)![1]);
    expect(events).toBeGreaterThan(8);
    expect(Number(/\((\d+) lines below\)/.exec(line!)![1])).toBe(events);
    expect(short.stdout.filter((text) => /^(>>| {2}) t=\d/.test(text))).toHaveLength(events);
    // What it printed still replays: the command carries the choices as far as the shrink got.
    expect(short.stdout.some((text) => text.startsWith('replay the shrunk run: npx wf-sim --seed 0 --engine mutant:lock-outside-claim --choices '))).toBe(true);
  });
});

describe('campaigns that print no shrunk run', () => {
  it('--no-shrink reports the failing seed without shrinking it', { timeout: 60_000 }, async () => {
    const campaign = await run(['--seeds', '3', '--engine', MUTANT, '--no-shrink']);
    expect(campaign.code, campaign.text).toBe(1);
    expect(campaign.stdout).toContain('replay: npx wf-sim --seed 0 --engine mutant:lock-outside-claim');
    expect(campaign.text).not.toMatch(/shrunk|shrinking|--choices/);
  });

  it('a passing campaign has nothing to shrink', { timeout: 60_000 }, async () => {
    const campaign = await run(['--seeds', '2', '--json']);
    expect(campaign.code, campaign.text).toBe(0);
    expect(campaign.stdout).toHaveLength(2);
    expect(campaign.text).not.toMatch(/shrunk|shrinking|--choices|replay/);
  });
});
