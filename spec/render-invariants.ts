// Renders the catalog as spec/INVARIANTS.md. The file is generated so the prose
// a reader sees and the ids a checker reports can never drift apart; a test
// fails when the file differs from the rendering.
//
// Regenerate: npx tsx spec/render-invariants.ts > spec/INVARIANTS.md
import { CATALOG } from './catalog.ts';
import type { Invariant, InvariantKind } from './invariants/definition.ts';

export const REGENERATE_COMMAND = 'npx tsx spec/render-invariants.ts > spec/INVARIANTS.md';

const KIND_TITLES: Record<InvariantKind, string> = {
  state: 'State invariants',
  history: 'History invariants',
  liveness: 'Liveness invariants',
};

const KIND_NOTES: Record<InvariantKind, string> = {
  state: 'Judged on a snapshot of the rows after every committed transaction: `(state, context) → Violation[]`.',
  history: 'Judged on the recorded operations (`invoke / ok / fail / info`) in one pass: `(history, { clockSkewMaxMs, finalState? }) → Violation[]`.',
  liveness:
    'Judged at the end of the heal phase: `(history, finalState, { healTime, thresholdMs, boundMs, aliveProcesses }) → Violation[]`.',
};

const KINDS: readonly InvariantKind[] = ['state', 'history', 'liveness'];

/** Pure: the same catalog always renders the same bytes. */
export function renderInvariantsMarkdown(catalog: readonly Invariant[]): string {
  const lines: string[] = [
    '# Invariants',
    '',
    `<!-- Generated from spec/catalog.ts by spec/render-invariants.ts; do not edit. Regenerate: ${REGENERATE_COMMAND} -->`,
    '',
    'Each invariant has a stable id, one sentence, the incidents it comes from (`../shared/seeds/`), what it implies',
    '(whenever it holds, the implied ones hold too), and the engine capabilities it needs; an engine that lacks one',
    'gets the invariant reported as not applicable, never as passed.',
    '',
    '| id | kind | statement |',
    '| --- | --- | --- |',
  ];
  for (const invariant of catalog) lines.push(`| [${invariant.id}](#${invariant.id.toLowerCase()}) | ${invariant.kind} | ${escapeCell(invariant.statement)} |`);
  for (const kind of KINDS) {
    const invariants = catalog.filter((invariant) => invariant.kind === kind);
    if (invariants.length === 0) continue;
    lines.push('', `## ${KIND_TITLES[kind]}`, '', KIND_NOTES[kind]);
    for (const invariant of invariants) {
      lines.push('', `### ${invariant.id}`, '', invariant.statement, '');
      if (invariant.family !== invariant.id) lines.push(`- Family: ${invariant.family} (this is the rule's ${invariant.kind} half)`);
      lines.push(`- Requires: ${invariant.requires.length === 0 ? 'nothing beyond the base operations' : invariant.requires.map((capability) => `\`${capability}\``).join(', ')}`);
      lines.push(`- Implies: ${invariant.implies.length === 0 ? '—' : invariant.implies.join(', ')}`);
      lines.push('- Origin:');
      for (const origin of invariant.origin) lines.push(`  - ${origin.incident}: ${origin.why}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

// Run as a script it prints the rendering (spec/ imports nothing but zod and
// itself, so the shell writes the file); imported, it only exports.
if (process.argv[1]?.replaceAll('\\', '/').endsWith('spec/render-invariants.ts') === true) {
  process.stdout.write(renderInvariantsMarkdown(CATALOG));
}
