// The catalog is complete and stable (unique ids, every definition says where it comes from), and spec/INVARIANTS.md is exactly its rendering.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG, INVARIANT_IDS, familyOf, invariantById } from '../../spec/catalog.ts';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { REGENERATE_COMMAND, renderInvariantsMarkdown } from '../../spec/render-invariants.ts';

describe('catalog', () => {
  it('lists every id once, in the order of INVARIANT_IDS', () => {
    expect(CATALOG.map((invariant) => invariant.id)).toEqual([...INVARIANT_IDS]);
  });

  it('gives every invariant one sentence, an incident with a reason, real capabilities and known implications', () => {
    for (const invariant of CATALOG) {
      expect(invariant.statement, invariant.id).toMatch(/^[A-Z].*\.$/);
      expect(invariant.statement.split('. ').length, invariant.id).toBe(1);
      expect(invariant.origin.length, invariant.id).toBeGreaterThan(0);
      for (const origin of invariant.origin) {
        expect(['000', '001', '002', '003']).toContain(origin.incident);
        expect(origin.why.length).toBeGreaterThan(20);
      }
      for (const capability of invariant.requires) expect(Object.keys(ALL_CAPABILITIES)).toContain(capability);
      for (const implied of invariant.implies) expect(invariantById(implied), `${invariant.id} implies ${implied}`).toBeDefined();
      expect(invariantById(invariant.family), invariant.id).toBeDefined();
    }
  });

  it('covers every incident', () => {
    const incidents = new Set(CATALOG.flatMap((invariant) => invariant.origin.map((origin) => origin.incident)));
    expect([...incidents].sort()).toEqual(['000', '001', '002', '003']);
  });

  it('groups the two halves of a rule into one family', () => {
    expect(familyOf('CLIENT_NEVER_CLAIMS_STATE')).toBe('CLIENT_NEVER_CLAIMS');
    expect(familyOf('SHUTDOWN_CLEAN_STATE')).toBe('SHUTDOWN_CLEAN');
    expect(familyOf('SINGLE_OWNER')).toBe('SINGLE_OWNER');
  });
});

describe('spec/INVARIANTS.md', () => {
  it('is the rendering of the catalog', () => {
    const file = readFileSync(new URL('../../spec/INVARIANTS.md', import.meta.url), 'utf8');
    const rendered = renderInvariantsMarkdown(CATALOG);
    expect(file === rendered, `spec/INVARIANTS.md is out of date with spec/catalog.ts; regenerate it with: ${REGENERATE_COMMAND}`).toBe(true);
  });

  it('renders every id with its statement and origin', () => {
    const rendered = renderInvariantsMarkdown(CATALOG);
    for (const invariant of CATALOG) {
      expect(rendered).toContain(`### ${invariant.id}`);
      expect(rendered).toContain(invariant.statement);
    }
    expect(renderInvariantsMarkdown(CATALOG)).toBe(rendered);
  });
});
