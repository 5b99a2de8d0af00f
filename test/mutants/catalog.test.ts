// Goal: the mutant catalog is well formed and reachable: unique names, adapters
// named `mutant:NAME` that the wf-sim command resolves, invariants the spec
// knows, pins that parse, `wf-sim mutants` listing them all, and the violation
// a mutant's failing run is shrunk for.
import { describe, expect, it } from 'vitest';
import { familyOf, invariantById } from '../../spec/catalog.ts';
import { main } from '../../sim/cli/main.ts';
import { memoryOutput } from '../../sim/cli/output.ts';
import { builtInEngine, builtInEngineNames } from '../../conformance/engines.ts';
import { caughtBy, expectedInvariants, findMutant, MUTANTS, mutantOverrides, shrinkTarget } from '../../conformance/mutants/index.ts';

const FAMILIES = new Set(MUTANTS.flatMap(expectedInvariants).map((id) => familyOf(id)));

describe('the mutant catalog', () => {
  it('has the eleven incident mutants under unique names', () => {
    const names = MUTANTS.map((mutant) => mutant.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(11);
    expect(new Set(MUTANTS.map((mutant) => mutant.incident))).toEqual(new Set(['000', '001', '002', '003']));
  });

  for (const mutant of MUTANTS) {
    it(`mutant:${mutant.name} is resolvable, names known invariants and has valid pins`, () => {
      expect(mutant.adapter.name).toBe(`mutant:${mutant.name}`);
      expect(builtInEngine(`mutant:${mutant.name}`)).toBe(mutant.adapter);
      expect(builtInEngineNames()).toContain(`mutant:${mutant.name}`);
      for (const invariant of expectedInvariants(mutant)) expect(invariantById(invariant), `${invariant} is not in the spec catalog`).toBeDefined();
      expect(mutant.bug).toMatch(/^[A-Z].*\.$/);
      expect(() => mutantOverrides(mutant)).not.toThrow();
    });
  }

  it('caughtBy matches an id, its family, and requires every named invariant', () => {
    const shutdown = MUTANTS.find((mutant) => mutant.name === 'shutdown-keeps-jobs')!;
    expect(caughtBy(shutdown, [{ invariant: 'SHUTDOWN_CLEAN_STATE' }])).toBe(true);
    expect(caughtBy(shutdown, [{ invariant: 'ORPHANS_RECOVERED' }])).toBe(false);
    const incident = MUTANTS.find((mutant) => mutant.name === 'incident-003')!;
    expect(caughtBy(incident, [{ invariant: 'ALL_TERMINAL' }])).toBe(false);
    expect(caughtBy(incident, [{ invariant: 'ALL_TERMINAL' }, { invariant: 'QUEUED_CLEAN' }])).toBe(true);
    expect(FAMILIES.size).toBeGreaterThan(8);
  });

  it('`wf-sim mutants` lists every mutant with its incident and invariant, and --json gives one object per line', async () => {
    const human = memoryOutput();
    expect(await main(['mutants'], human)).toBe(0);
    for (const mutant of MUTANTS) expect(human.stdout.join('\n')).toContain(`mutant:${mutant.name}`);
    const json = memoryOutput();
    expect(await main(['mutants', '--json'], json)).toBe(0);
    const listed = json.stdout.map((line) => JSON.parse(line) as { name: string; incident: string; invariant: string });
    expect(listed.map((entry) => entry.name)).toEqual(MUTANTS.map((mutant) => mutant.name));
    expect(listed.map((entry) => entry.invariant)).toEqual(MUTANTS.map((mutant) => mutant.invariant));
  });
});

describe('the violation a mutant is shrunk for', () => {
  const of = (...ids: string[]) => ids.map((invariant) => ({ invariant }));

  it('is the named invariant even when a neighbour came first', () => {
    expect(shrinkTarget(findMutant('unfenced-terminal-writes')!, of('SINGLE_OWNER', 'STALE_WRITE_FENCED'))).toBe('STALE_WRITE_FENCED');
  });

  it('is a member of the named family (the state half of CLIENT_NEVER_CLAIMS)', () => {
    expect(shrinkTarget(findMutant('client-runs-dispatcher')!, of('QUEUED_CLEAN', 'CLIENT_NEVER_CLAIMS_STATE'))).toBe('CLIENT_NEVER_CLAIMS_STATE');
  });

  it('is none when the run does not trip the named invariant (the caller then shrinks the first violation)', () => {
    expect(shrinkTarget(findMutant('unfenced-terminal-writes')!, of('SINGLE_OWNER', 'QUEUED_CLEAN'))).toBeUndefined();
  });
});
