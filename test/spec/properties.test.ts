// Properties: histories and states of a correct in-memory queue never violate an invariant, and one injected bug always yields the violation of the invariant named for it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { checkHistory, checkLiveness, checkState } from '../../spec/check.ts';
import { parseHistory } from '../../spec/parse.ts';
import type { Verdict } from '../../spec/verdict.ts';
import type { HistoryEvent, OperationEvent } from '../../spec/history.ts';
import { actionArbitrary, actionsArbitrary } from './support/actions.ts';
import { FAULT_SCENARIOS, type FaultScenario } from './support/faults.ts';
import { QueueModel, type Action } from './support/queue-model.ts';

const BOUND_MS = 1000;

const actions = actionsArbitrary();

function describeVerdict(verdict: Verdict): string {
  return [...verdict.violations, ...(verdict.undecided ?? [])].map((violation) => `${violation.invariant}: ${violation.explanation}`).join('\n');
}

function healed(model: QueueModel) {
  model.heal(BOUND_MS);
  const finalState = model.snapshot();
  const liveness = { healTime: model.healTime!, thresholdMs: 1000, boundMs: BOUND_MS, aliveProcesses: model.aliveProcesses(), endTime: model.time };
  return { finalState, liveness };
}

describe('a correct queue', () => {
  it('never breaks a state invariant, after any action', () => {
    fc.assert(
      fc.property(actions, (steps) => {
        const model = new QueueModel();
        for (const step of steps) {
          model.apply(step);
          const verdict = checkState(model.snapshot(), model.context(), ALL_CAPABILITIES);
          if (verdict.valid !== true) throw new Error(`after ${step.kind}: ${describeVerdict(verdict)}`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('records histories the schema accepts and the history and liveness checkers judge valid', () => {
    fc.assert(
      fc.property(actions, (steps) => {
        const model = new QueueModel();
        for (const step of steps) model.apply(step);
        const { finalState, liveness } = healed(model);
        parseHistory(model.history);
        const history = checkHistory(model.history, ALL_CAPABILITIES, { clockSkewMaxMs: 0, finalState });
        if (history.valid !== true) throw new Error(describeVerdict(history));
        const live = checkLiveness(model.history, finalState, ALL_CAPABILITIES, liveness);
        if (live.valid !== true) throw new Error(describeVerdict(live));
      }),
      { numRuns: 200 },
    );
  });
});

function judge(scenario: FaultScenario, prefix: Action[], suffix: Action[]): Verdict {
  const model = new QueueModel();
  for (const step of prefix) model.apply(step);
  const snapshot = scenario.run(model);
  const context = model.context();
  for (const step of suffix) model.apply(step);
  const { finalState, liveness } = healed(model);
  switch (scenario.evidence) {
    case 'state':
      if (snapshot === undefined) throw new Error(`scenario "${scenario.name}" returned no snapshot`);
      return checkState(snapshot, context, ALL_CAPABILITIES);
    case 'history':
      return checkHistory(model.history, ALL_CAPABILITIES, { clockSkewMaxMs: 0, finalState });
    case 'liveness': {
      const judged = scenario.corrupt === undefined ? finalState : scenario.corrupt(finalState, model.aliveProcesses());
      return checkLiveness(model.history, judged, ALL_CAPABILITIES, liveness);
    }
  }
}

describe('one injected bug', () => {
  it('covers every invariant of the catalog with at least one scenario', async () => {
    const { CATALOG } = await import('../../spec/catalog.ts');
    const covered = new Set(FAULT_SCENARIOS.map((scenario) => scenario.invariant));
    expect(CATALOG.map((invariant) => invariant.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(FAULT_SCENARIOS.map((scenario) => [scenario.name, scenario] as const))('%s → always caught', (_name, scenario) => {
    fc.assert(
      fc.property(actions, fc.array(actionArbitrary, { maxLength: 30 }), (prefix, suffix) => {
        const verdict = judge(scenario, prefix, suffix);
        const found = verdict.violations.filter((violation) => violation.invariant === scenario.invariant);
        if (found.length === 0) throw new Error(`expected ${scenario.invariant}, got: ${describeVerdict(verdict) || 'no violation'}`);
        expect(verdict.valid).toBe(false);
        for (const violation of found) {
          expect(violation.explanation).toMatch(/^Let /);
          expect(violation.jobs.length + violation.processes.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 25 },
    );
  });
});

/** Whether an accepted terminal outcome of `job` appears before `index`. */
function endedBefore(history: readonly HistoryEvent[], job: number, index: number): boolean {
  for (const event of history.slice(0, index)) {
    if (event.type !== 'ok') continue;
    if (event.job === job && event.applied === true && (event.op === 'complete' || (event.op === 'fail' && event.status === 'failed'))) return true;
    if ((event.op === 'reap' || event.op === 'startup') && event.failedJobs?.includes(job) === true) return true;
  }
  return false;
}

describe('one refused write turned into an accepted one', () => {
  it('is caught: as a stale write, or as a change to a finished job', () => {
    fc.assert(
      fc.property(actions, fc.nat(), (steps, pick) => {
        const model = new QueueModel();
        for (const step of steps) model.apply(step);
        const { finalState } = healed(model);
        const refused = model.history.filter((event): event is OperationEvent => event.type === 'ok' && event.op === 'complete' && event.applied === false);
        fc.pre(refused.length > 0);
        const target = refused[pick % refused.length]!;
        const history = model.history.map((event) => (event === target ? { ...target, applied: true } : event));
        const expected = endedBefore(history, target.job!, target.index) ? 'TERMINAL_FINAL' : 'STALE_WRITE_FENCED';
        const verdict = checkHistory(history, ALL_CAPABILITIES, { clockSkewMaxMs: 0, finalState });
        const found = verdict.violations.find((violation) => violation.invariant === expected && violation.eventIndex === target.index);
        if (found === undefined) throw new Error(`expected ${expected} at event ${target.index}, got: ${describeVerdict(verdict) || 'no violation'}`);
        expect(found.jobs).toContain(target.job);
        expect(found.processes).toContain(target.process);
        expect(found.explanation).toContain(`lease ${target.lease}`);
      }),
      { numRuns: 60 },
    );
  });
});
