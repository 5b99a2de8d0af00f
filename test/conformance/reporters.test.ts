// Goal: every reporter tells the same story about one report, and the JUnit
// file is XML a CI system accepts — well formed, one <testcase> per invariant,
// <failure> with the explanation and the replay command, <skipped> for not
// applicable, <error> for an adapter error — even when the engine's messages are
// full of markup, quotes and control characters. The XML checker itself is
// tested on the negative space too, so "it parses" means something.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES } from '../../spec/capabilities.ts';
import { CATALOG } from '../../spec/catalog.ts';
import { buildReport, type ConformanceReport } from '../../conformance/report.ts';
import { renderHtml, renderHuman, renderJson, renderJunit } from '../../conformance/reporters/index.ts';
import type { SeedOutcome } from '../../conformance/seed-outcome.ts';
import { findAll, parseXml, XmlError } from './support/xml.ts';

const HOSTILE = `job <7> & "w2's" ]]> lease L3\u0000\u0007 — é 🙂 </failure><script>`;

function seed(seedNumber: number, violations: Record<string, string> = {}): SeedOutcome {
  return {
    seed: seedNumber,
    outcome: Object.keys(violations).length > 0 ? 'fail' : 'pass',
    violations: Object.entries(violations).map(([invariant, explanation]) => ({ invariant, eventIndex: 12, time: 5200, jobs: [7], processes: ['w2', 'w3'], explanation })),
    violationCounts: Object.fromEntries(Object.keys(violations).map((invariant) => [invariant, 1])),
    notApplicable: [],
    fault: null,
    traceHash: `hash${seedNumber}`,
    wallMs: 10,
    coveredMs: 60_000,
    events: 100,
    statements: 50,
  };
}

const lane = { name: 'simulated' as const, deterministic: true, note: 'simulated lane', database: 'pglite' };

function mixedReport(): ConformanceReport {
  return buildReport({
    adapterName: 'engine & <friends>',
    adapterPath: './adapters/my "engine".ts',
    capabilities: { ...ALL_CAPABILITIES, groups: false },
    lane,
    from: 0,
    requested: 3,
    outcomes: [seed(0), seed(1, { SINGLE_OWNER: HOSTILE }), seed(2, { SINGLE_OWNER: 'again', LOCK_EXCLUSIVE: 'two holders' })],
    wallMs: 1234,
    replay: (failing) => `npx wf-sim --seed ${failing} --engine ./adapters/my "engine".ts`,
  });
}

function faultReport(): ConformanceReport {
  return buildReport({
    adapterName: 'broken',
    adapterPath: './broken.ts',
    capabilities: { ...ALL_CAPABILITIES, resourceLocks: false },
    lane,
    from: 0,
    requested: 5,
    outcomes: [seed(0), { ...seed(1), outcome: 'adapter-error', fault: { operation: 'claim', message: `it threw: ${HOSTILE}`, seed: 1 } }],
    wallMs: 10,
    replay: () => null,
  });
}

describe('the XML checker used by these tests', () => {
  it('accepts well-formed XML and rejects what CI parsers reject', () => {
    expect(parseXml('<?xml version="1.0"?><a x="1 &amp; 2"><b/>t&#10;<c>&lt;</c></a>').children.map((child) => child.name)).toEqual(['b', 'c']);
    for (const bad of ['<a><b></a></b>', '<a x=1/>', '<a>&nbsp;</a>', '<a>a < b</a>', '<a x="<"/>', '<a/><b/>', '<a>\u0000</a>', '<a x="1" x="2"/>', '<a>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlError);
    }
  });
});

describe('JUnit report', () => {
  it('is well-formed XML with one testcase per invariant, grouped by kind', () => {
    const report = mixedReport();
    const root = parseXml(renderJunit(report));
    expect(root.name).toBe('testsuites');
    const cases = findAll(root, 'testcase');
    expect(cases.map((testcase) => testcase.attributes.name)).toEqual(CATALOG.map((invariant) => invariant.id));
    expect(findAll(root, 'testsuite').map((suite) => suite.attributes.name!.split(' · ')[1])).toEqual(['state', 'history', 'liveness']);
    expect(root.attributes.tests).toBe(String(CATALOG.length));
  });

  it('puts the explanation and the replay command in a <failure>, escaped', () => {
    const root = parseXml(renderJunit(mixedReport()));
    const singleOwner = findAll(root, 'testcase').find((testcase) => testcase.attributes.name === 'SINGLE_OWNER')!;
    const failure = findAll(singleOwner, 'failure')[0]!;
    expect(failure.text).toContain('job <7> & "w2\'s" ]]> lease L3');
    expect(failure.text).toContain('\uFFFD');
    expect(failure.text).toContain('Replay: npx wf-sim --seed 1 --engine ./adapters/my "engine".ts');
    expect(failure.text).toContain('2 of 3 failed, first 1');
    expect(root.attributes.failures).toBe('2');
  });

  it('marks invariants the engine does not claim as <skipped> with the reason, never as passed', () => {
    const root = parseXml(renderJunit(mixedReport()));
    const skipped = findAll(root, 'testcase').filter((testcase) => findAll(testcase, 'skipped').length > 0);
    expect(skipped.map((testcase) => testcase.attributes.name)).toEqual(['GROUP_ONCE', 'GROUP_COMPLETED']);
    expect(findAll(skipped[0]!, 'skipped')[0]!.attributes.message).toContain('does not claim groups');
    expect(root.attributes.skipped).toBe('2');
  });

  it('turns an adapter error into an <error> on every invariant it kept from a verdict, and no failure', () => {
    const report = faultReport();
    expect(report.verdict).toBe('adapter-error');
    expect(report.exitCode).toBe(3);
    const root = parseXml(renderJunit(report));
    const cases = findAll(root, 'testcase');
    expect(cases).toHaveLength(CATALOG.length);
    expect(findAll(root, 'failure')).toHaveLength(0);
    const errors = findAll(root, 'error');
    const notApplicable = CATALOG.filter((invariant) => invariant.requires.includes('resourceLocks')).length;
    expect(errors).toHaveLength(CATALOG.length - notApplicable);
    expect(errors[0]!.attributes.message).toContain('adapter error in claim: it threw: job <7>');
    expect(root.attributes.errors).toBe(String(CATALOG.length - notApplicable));
  });
});

describe('the other reporters agree', () => {
  it('JSON round-trips the report', () => {
    const report = mixedReport();
    expect(JSON.parse(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('the human table has one row per invariant with verdict, seeds and replay, and explains violations', () => {
    const lines = renderHuman(mixedReport(), new Chalk({ level: 0 }));
    const text = lines.join('\n');
    for (const invariant of CATALOG) expect(lines.some((line) => line.trimStart().startsWith(`${invariant.id} `))).toBe(true);
    expect(lines.find((line) => line.trimStart().startsWith('SINGLE_OWNER '))).toMatch(/VIOLATED\s+2 of 3 failed, first 1\s+npx wf-sim --seed 1/);
    expect(lines.find((line) => line.trimStart().startsWith('GROUP_ONCE '))).toMatch(/not applicable\s+—\s+the adapter does not claim groups/);
    expect(lines.find((line) => line.trimStart().startsWith('QUEUED_CLEAN '))).toMatch(/holds\s+3 seeds/);
    expect(text).toContain('SINGLE_OWNER violated on seed 1 (and 1 more seeds: 2)');
    expect(lines[lines.length - 1]).toBe('FAIL  16 hold · 2 violated · 2 not applicable · exit 1');
  });

  it('the HTML page is well-formed markup with the same rows', () => {
    const html = renderHtml(mixedReport()).replace('<!doctype html>', '').replace(/<meta charset="utf-8">/, '<meta charset="utf-8"/>');
    const root = parseXml(html);
    const rows = findAll(root, 'tr').filter((row) => findAll(row, 'td').length > 0);
    expect(rows).toHaveLength(CATALOG.length);
  });
});
