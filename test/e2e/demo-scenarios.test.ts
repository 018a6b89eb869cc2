import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leavesOf, type Report, type ResultNode } from '../../src/checks/result.js';
import { isFindingCode } from '../../src/checks/codes.js';
import { listScenarios, loadScenario } from '../../src/sandbox/load.js';
import { canariesOf } from '../support/canaries.js';
import { runCli } from '../support/run-cli.js';

function stepNodes(report: Report): ResultNode[] {
  return report.runbooks.flatMap((r) => r.children ?? []);
}

const scenarios = await listScenarios();

describe('platform doctor --demo', () => {
  it('ships a healthy scenario and one per failure the runbooks detect', () => {
    expect(scenarios.map((s) => s.name)).toContain('healthy');
    expect(scenarios.length).toBeGreaterThanOrEqual(9);
  });

  it.each(scenarios.map((s) => s.name))(
    '%s: exits as the scenario expects, fails the right steps and leaks no secret in any output',
    async (name) => {
      const scenario = await loadScenario(name);
      const dir = mkdtempSync(join(tmpdir(), `pd-demo-${name}-`));
      const reports = ['report.md', 'report.html', 'report.xml', 'report.prom', 'report.txt'].map((f) =>
        join(dir, f),
      );
      const run = await runCli([
        'doctor',
        '--demo',
        name,
        '-o',
        'json',
        '--debug',
        ...reports.flatMap((r) => ['--report', r]),
      ]);

      const report = JSON.parse(run.stdout) as Report;
      const failing = stepNodes(report)
        .filter((s) => s.status === 'fail')
        .map((s) => s.id);
      expect({ exitCode: run.exitCode, failing: failing.sort() }).toEqual({
        exitCode: scenario.expect!.exitCode,
        failing: [...scenario.expect!.failingSteps].sort(),
      });
      // Start here leads with the scenario's cause, and every failure and warning is a cause or explained by one.
      expect(report.causes?.[0]?.id).toBe(scenario.expect!.startHere);
      const accounted = new Set(report.causes!.flatMap((c) => [c.id, ...c.explains]));
      for (const leaf of report.runbooks.flatMap(leavesOf)) {
        const isTroubled = leaf.status === 'fail' || leaf.status === 'warn';
        expect(accounted.has(leaf.id), `${leaf.id} in causes`).toBe(isTroubled);
      }
      // Every failing leaf tells the engineer what to do next, and every finding names its kind.
      for (const leaf of report.runbooks.flatMap(leavesOf).filter((l) => l.status === 'fail')) {
        expect(leaf.hint, `${leaf.id} has no hint`).toBeTruthy();
      }
      for (const leaf of report.runbooks.flatMap(leavesOf)) {
        expect(leaf.status === 'pass' || isFindingCode(leaf.code ?? ''), `${leaf.id} code ${leaf.code}`).toBe(
          true,
        );
      }

      const canaries = canariesOf(scenario);
      // The scenarios plant tokens, KV values and Secret data; a scan over nothing would prove nothing.
      expect(canaries.length).toBeGreaterThanOrEqual(4);
      const outputs = [
        run.stdout,
        run.stderr,
        ...readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')),
      ];
      for (const canary of canaries) {
        for (const output of outputs)
          expect(output.includes(canary), `canary ${canary.slice(0, 6)}… leaked`).toBe(false);
      }
    },
    30_000,
  );
});
