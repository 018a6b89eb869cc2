import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { leavesOf, type Report } from '../../src/checks/result.js';
import { junit } from '../../src/report/junit.js';
import { runCli } from '../support/run-cli.js';
import { FILE_OPTIONS, loadReport } from './load-report-fixture.js';

/**
 * Reads JUnit XML with junitparser (Debian's python3-junitparser), a real consumer of the format: what it
 * sees is what a CI dashboard sees.
 */
function consume(xml: string): {
  suites: { name: string; tests: number; failures: number; errors: number; skipped: number; cases: Case[] }[];
} {
  const script = `
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromstring(sys.stdin.buffer.read())
suites = []
for suite in xml:
    cases = []
    for case in suite:
        results = [{"kind": type(r).__name__, "message": r.message, "text": r.text} for r in case.result]
        cases.append({"classname": case.classname, "name": case.name, "results": results})
    suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                   "errors": suite.errors, "skipped": suite.skipped, "cases": cases})
print(json.dumps({"suites": suites}))
`;
  return JSON.parse(
    execFileSync(PYTHON, ['-c', script], { input: xml, timeout: 20_000 }).toString(),
  ) as ReturnType<typeof consume>;
}

interface Case {
  classname: string;
  name: string;
  results: { kind: string; message: string | null; text: string | null }[];
}

// Debian's interpreter, where python3-junitparser installs; a pyenv `python3` on PATH would not have it.
const PYTHON = '/usr/bin/python3';
const hasJunitparser = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import junitparser'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();
if (!hasJunitparser && process.env.CI === 'true') {
  throw new Error('junitparser is missing: install the Debian package python3-junitparser');
}

function expectCountsMatchCases(xml: string, report: Report): void {
  const consumed = consume(xml);
  const leaves = report.runbooks.flatMap((r) => (r.children?.length ? r.children : [r]).flatMap(leavesOf));
  expect(consumed.suites.flatMap((s) => s.cases)).toHaveLength(leaves.length);
  for (const suite of consumed.suites) {
    const kinds = suite.cases.flatMap((c) => c.results.map((r) => r.kind));
    expect([suite.tests, suite.failures, suite.errors, suite.skipped]).toEqual([
      suite.cases.length,
      kinds.filter((k) => k === 'Failure').length,
      kinds.filter((k) => k === 'Error').length,
      kinds.filter((k) => k === 'Skipped').length,
    ]);
    expect(new Set(suite.cases.map((c) => `${c.classname} ${c.name}`)).size).toBe(suite.cases.length);
  }
}

describe.skipIf(!hasJunitparser)('JUnit read by a real consumer (junitparser)', () => {
  it.each(['mixed', 'error-only', 'escaping', 'all-pass'] as const)(
    'counts one case per leaf in the %s report, and the counts match the cases',
    (name) => {
      const report = loadReport(name);
      expectCountsMatchCases(junit(report, FILE_OPTIONS), report);
    },
  );

  it('carries the message, hint and commands of each failure of a demo scenario with nested groups', async () => {
    const run = await runCli(['doctor', '--demo', 'backend-no-endpoints', '-o', 'junit']);
    expect(run.exitCode).toBe(2);
    const json = await runCli(['doctor', '--demo', 'backend-no-endpoints', '-o', 'json']);
    const report = JSON.parse(json.stdout) as Report;
    expectCountsMatchCases(run.stdout, report);
    const failures = consume(run.stdout)
      .suites.flatMap((s) => s.cases)
      .filter((c) => c.results.some((r) => r.kind === 'Failure'));
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      const [result] = failure.results;
      expect(result!.message).not.toBe(failure.name);
      expect(result!.text).toContain(`fail: ${result!.message}`);
      expect(result!.text).toMatch(/\nhint: \S/);
      expect(result!.text).toMatch(/\ncommands:\n {2}\S/);
    }
    expect(failures.map((f) => f.name)).toContain(
      'Ingress plate-prod/plate-ingress › backend plate-api-prod:80',
    );
  });
});
