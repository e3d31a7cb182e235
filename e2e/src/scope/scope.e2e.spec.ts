import { writeFileSync } from 'node:fs';
import { TestRun } from '@kkb/testing';
import type { Violation } from './checks';
import { PROBES } from './probes';
import { keyOf, loadScopeTable, openApiOperations, SERVICES } from './scope-table';
import { CALLERS, createWorld, type World } from './world';

/**
 * Issue 13, "Hostile input", part 3: every operation of the four OpenAPI documents is classified
 * in apps/front-door/scope.json, and each service answers as its row says to province, regency,
 * district and village tokens (and integrators) inside and outside the scope of the data.
 * SCOPE_FINDINGS_FILE=<path> writes every wrong answer there as Markdown.
 */
const { entries, problems } = loadScopeTable();

describe('the scope table (apps/front-door/scope.json)', () => {
  it('should be well formed', () => {
    expect(problems).toEqual([]);
  });

  it('should classify every operation of the OpenAPI documents', () => {
    const listed = new Set(entries.map((e) => keyOf(e.service, e.operation)));
    const missing = SERVICES.flatMap((s) => openApiOperations(s).map((op) => keyOf(s, op))).filter(
      (k) => !listed.has(k),
    );
    expect(missing).toEqual([]);
  });

  it('should list no operation that the OpenAPI documents no longer have', () => {
    const documented = new Set(SERVICES.flatMap((s) => openApiOperations(s).map((op) => keyOf(s, op))));
    const stale = entries.map((e) => keyOf(e.service, e.operation)).filter((k) => !documented.has(k));
    expect(stale).toEqual([]);
  });

  it('should have a probe for each entry, under the same expectation, and none for anything else', () => {
    const byKey = new Map(entries.map((e) => [keyOf(e.service, e.operation), e]));
    const unprobed = [...byKey.keys()].filter((k) => !PROBES[k]);
    const orphans = Object.keys(PROBES).filter((k) => !byKey.has(k));
    const mismatched = [...byKey]
      .filter(([k, e]) => PROBES[k] && PROBES[k].expect !== e.expect)
      .map(([k, e]) => `${k}: the table says ${e.expect}, the spec probes ${PROBES[k].expect}`);
    expect({ unprobed, orphans, mismatched }).toEqual({ unprobed: [], orphans: [], mismatched: [] });
  });
});

describe('the answers of every operation to tokens inside and outside its scope', () => {
  const run = new TestRun();
  let world: World | undefined;
  const findings: (Violation & { operation: string; expect: string })[] = [];

  beforeAll(async () => {
    world = await createWorld(run);
  }, 120000);

  afterAll(async () => {
    await world?.close();
    await run.cleanup();
    const file = process.env.SCOPE_FINDINGS_FILE;
    if (file) writeFileSync(file, findingsMarkdown(findings));
  });

  it.each(entries)('$service $operation ($expect)', async (entry) => {
    if (!world) throw new Error('the services did not start');
    const probe = PROBES[keyOf(entry.service, entry.operation)];
    if (!probe) throw new Error(`no probe for ${entry.service} ${entry.operation}`);
    if (probe.expect !== entry.expect)
      throw new Error(`the table says ${entry.expect}, the spec probes ${probe.expect}`);
    const violations = await probe.run({ world, entry, callers: CALLERS });
    findings.push(
      ...violations.map((v) => ({
        ...v,
        operation: `${entry.service} ${entry.operation}`,
        expect: entry.expect,
      })),
    );
    expect(violations).toEqual([]);
  });
});

function findingsMarkdown(findings: (Violation & { operation: string; expect: string })[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# Scope findings',
    '',
    `Written by e2e/src/scope/scope.e2e.spec.ts on ${new Date().toISOString()}: ${findings.length} wrong answers.`,
    '',
    '| operation | expectation | token | request | what came back | expected |',
    '| --- | --- | --- | --- | --- | --- |',
    ...findings.map(
      (f) =>
        `| ${cell(f.operation)} | ${f.expect} | ${cell(f.caller)} | ${cell(f.request)} | ${cell(f.got)} | ${cell(f.expected)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
