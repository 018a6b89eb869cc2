import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { certManagerLogsStep } from '../../src/checks/ingress/cert-manager-logs.js';
import { STEP_IDS } from '../../src/runbooks/index.js';
import { esoLogsStep } from '../../src/checks/secrets/eso-logs.js';
import type { KubeObject } from '../../src/gateways/types.js';
import { renderLogs } from '../../src/sandbox/kube-logs.js';
import { parseLabelSelector } from '../../src/sandbox/kube-select.js';
import { loadScenario } from '../../src/sandbox/load.js';
import { scenarioSchema, type Scenario } from '../../src/sandbox/scenario.js';
import { fakeKube } from '../fakes/gateways.js';
import { aGatherContext } from '../fakes/scope.js';

const dir = join(import.meta.dirname, '../../scenarios');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();
const read = (name: string) => scenarioSchema.parse(parse(readFileSync(join(dir, `${name}.yaml`), 'utf8')));

describe('scenarios/*.yaml', () => {
  it('include the healthy base scenario', () => {
    expect(names).toContain('healthy');
  });

  it.each(names)('%s passes the scenario schema and says what the doctor should report', (name) => {
    const scenario = read(name);
    expect(scenario.expect).toBeDefined();
    for (const step of scenario.expect!.failingSteps) expect(STEP_IDS).toContain(step);
    if (scenario.extends !== undefined) expect(names).toContain(scenario.extends);
    if (name !== 'healthy') expect(scenario.sources.length).toBeGreaterThan(0);
  });

  it.each(names)('%s expects exit 2 exactly when a step must fail, and then names where to start', (name) => {
    const { exitCode, failingSteps, startHere } = read(name).expect!;
    if (failingSteps.length > 0) expect(exitCode).toBe(2);
    else expect(exitCode).not.toBe(2);
    if (exitCode === 2) expect(failingSteps.some((step) => startHere?.startsWith(`${step}:`))).toBe(true);
  });
});

describe('scenario logs as the log steps judge them', () => {
  const now = new Date();
  const LOG_STEPS = [
    { step: certManagerLogsStep, profileKey: 'certManager' },
    { step: esoLogsStep, profileKey: 'externalSecrets' },
  ] as const;

  /** A kube gateway over the scenario's pods and log streams, served the way the sandbox serves them. */
  function scenarioKube(scenario: Scenario) {
    const pods = scenario.kubernetes.objects.filter((o) => o.kind === 'Pod') as unknown as KubeObject[];
    return fakeKube({
      list: async (_kind, options) =>
        pods.filter(
          (p) =>
            p.metadata.namespace === options.namespace &&
            parseLabelSelector(options.labelSelector ?? '')(p.metadata.labels ?? {}),
        ),
      readPodLogs: async (ns, pod, options) =>
        renderLogs(
          scenario.kubernetes.logs[`${ns}/${pod}`]?.[options.container ?? ''] ?? [],
          { ...options, timestamps: options.timestamps ?? false },
          now,
        ),
    });
  }

  it.each(names)('%s: the log steps fail exactly when the scenario expects them to', async (name) => {
    const scenario = await loadScenario(name, { now });
    const ctx = aGatherContext({ kube: scenarioKube(scenario) }, { namespaces: ['plate-prod', 'plate-stg'] });
    for (const { step } of LOG_STEPS) {
      const node = step.evaluate(await step.gather(ctx), { now });
      const expected = scenario.expect!.failingSteps.includes(step.id);
      expect({ step: step.id, fails: node.status === 'fail' }).toEqual({ step: step.id, fails: expected });
      if (!expected) expect(['pass', 'warn']).toContain(node.status);
    }
  });
});
