// The lock-reset scenario's section of docs/peers.md: its steps, its history,
// and the kit's verdict on that history.
import { VERDICT_LABELS } from '../../report.ts';
import { HISTORY_INVARIANTS } from '../../../spec/catalog.ts';
import type { EngineAdapter } from '../../../sim/adapter/contract.ts';
import { runLockResetScenario } from './lock-reset-scenario.ts';

/** `createAdapter`: the graphile-worker adapter the scenario drives (the pinned line by default); `testPath`: the test that asserts its verdict. */
export async function renderLockResetScenario(databaseUrl: string | undefined, createAdapter?: () => EngineAdapter, testPath = 'test/peers/graphile-worker.test.ts'): Promise<string[]> {
  const lines = ['### Lock-reset scenario (real Postgres, a lock aged past 4 hours)', ''];
  if (databaseUrl === undefined) {
    lines.push('Not run: WF_SIM_DATABASE_URL is not set.', '');
    return lines;
  }
  const result = await runLockResetScenario(databaseUrl, createAdapter);
  lines.push(
    `\`conformance/peers/graphile-worker/lock-reset-scenario.ts\` (test: \`${testPath}\`). Two worker pools and a client on real connections; the only thing the driver does besides calling the adapter is age one lock by 4 h 1 s (recorded in the history as a pause of w1). Not deterministic in its timings; its order of operations, and so its verdict, is fixed.`,
    '',
  );
  for (const step of result.steps) lines.push(`- ${step}`);
  lines.push('', '| invariant | verdict | explanation |', '| --- | --- | --- |');
  const notApplicable = new Map(result.verdict.notApplicable.map((item) => [item.invariant, item.missing]));
  for (const invariant of HISTORY_INVARIANTS) {
    const violations = result.verdict.violations.filter((violation) => violation.invariant === invariant.id);
    const missing = notApplicable.get(invariant.id);
    const verdict = missing !== undefined ? VERDICT_LABELS['not-applicable'] : violations.length > 0 ? `**${VERDICT_LABELS.violated}**` : VERDICT_LABELS.holds;
    const why = missing !== undefined ? `needs ${missing}` : violations.map((violation) => `“${violation.explanation}”`).join('<br>');
    lines.push(`| ${invariant.id} | ${verdict} | ${why.replace(/\|/g, '\\|')} |`);
  }
  lines.push('', '<details><summary>History</summary>', '', '```');
  for (const event of result.history) {
    const fields = Object.entries(event)
      .filter(([key]) => !['index', 'time', 'process', 'run', 'pid', 'role', 'type', 'op'].includes(key))
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(' ');
    lines.push(`${String(event.index).padStart(3)} t=${String(event.time).padStart(4)} ${event.process.padEnd(3)} ${event.type.padEnd(6)} ${event.op}${fields === '' ? '' : ` ${fields}`}`);
  }
  lines.push('```', '', '</details>', '');
  return lines;
}
