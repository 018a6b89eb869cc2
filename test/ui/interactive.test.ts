import { describe, expect, it } from 'vitest';
import type { ResultNode } from '../../src/checks/result.js';
import { defineStep } from '../../src/checks/step.js';
import type { RunOptions } from '../../src/engine/run.js';
import type { Runbook } from '../../src/runbooks/types.js';
import { createController } from '../../src/ui/interactive.js';
import type { DoctorAction } from '../../src/ui/state.js';
import { fakeDns, fakeGateways, fakeHttp, fakeKube, fakeOpenBao } from '../fakes/gateways.js';
import { aScope } from '../fakes/scope.js';
import { DNS_FAILING, DNS_FIXED, RESOURCES, STORES, TARGET } from './sample.js';

/** Steps whose node the test sets; `gate` holds a step's gather until the test opens it. */
function harness() {
  const answers = new Map<string, ResultNode>([
    ['ingress.resources', RESOURCES],
    ['ingress.dns', DNS_FAILING],
    ['secrets.stores', STORES],
  ]);
  const gathered: string[] = [];
  const forgotten: string[] = [];
  let gate: Promise<void> | null = null;
  const step = (id: 'ingress.resources' | 'ingress.dns' | 'secrets.stores', title: string) =>
    defineStep({
      id,
      title,
      gather: async () => {
        gathered.push(id);
        if (id === 'ingress.dns' && gate) await gate;
        return answers.get(id)!;
      },
      evaluate: (node: ResultNode) => node,
    });
  const plan: Runbook[] = [
    {
      id: 'ingress',
      title: 'Ingress, certificates and DNS',
      steps: [step('ingress.resources', RESOURCES.title), step('ingress.dns', DNS_FAILING.title)],
    },
    { id: 'secrets', title: 'Secrets from OpenBao', steps: [step('secrets.stores', STORES.title)] },
  ];
  const forget = (name: string) => () => void forgotten.push(name);
  const run: RunOptions = {
    plan,
    gateways: fakeGateways({
      kube: fakeKube({ forget: forget('kube') }),
      openbao: fakeOpenBao({ forget: forget('openbao') }),
      dns: fakeDns({ forget: forget('dns') }),
      http: fakeHttp({ forget: forget('http') }),
    }),
    scope: aScope(),
    target: TARGET,
    deadlineMs: 5_000,
    stepTimeoutMs: 5_000,
    concurrency: 1,
    toolVersion: '0.1.0',
    now: () => new Date('2025-01-01T03:00:00Z'),
  };
  const actions: DoctorAction[] = [];
  const holdDns = () => {
    let open: () => void = () => {};
    gate = new Promise((resolve) => (open = resolve));
    return open;
  };
  return {
    run,
    answers,
    gathered,
    forgotten,
    actions,
    dispatch: (a: DoctorAction) => void actions.push(a),
    holdDns,
  };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
};
const eventTypes = (actions: DoctorAction[]) =>
  actions.map((a) =>
    a.type === 'run-event' ? `${a.event.type}${'step' in a.event ? ` ${a.event.step}` : ''}` : a.type,
  );
const isDone = (actions: DoctorAction[]) =>
  actions.some((a) => a.type === 'run-event' && a.event.type === 'done');

describe('the interactive controller', () => {
  it('starts the run on connect and stamps every event with the clock', async () => {
    const h = harness();
    const controller = createController({ run: h.run, saveReport: async () => '' }, () => 7);
    controller.connect(h.dispatch);
    await until(() => isDone(h.actions));
    expect(eventTypes(h.actions)).toEqual([
      'run-started',
      'step-started ingress.resources',
      'step-finished ingress.resources',
      'step-started ingress.dns',
      'step-finished ingress.dns',
      'step-started secrets.stores',
      'step-finished secrets.stores',
      'done',
    ]);
    expect(h.actions.every((a) => a.type === 'run-event' && a.atMs === 7)).toBe(true);
  });

  it('reruns one step with fresh reads and recomputes the report around its new node', async () => {
    const h = harness();
    const controller = createController({ run: h.run, saveReport: async () => '' });
    controller.connect(h.dispatch);
    await until(() => isDone(h.actions));
    h.answers.set('ingress.dns', DNS_FIXED);
    h.forgotten.length = 0;
    h.gathered.length = 0;
    h.actions.length = 0;

    controller.rerunStep('ingress.dns');
    await until(() => h.actions.some((a) => a.type === 'notice'));
    expect(h.forgotten.sort()).toEqual(['dns', 'http', 'kube', 'openbao']);
    expect(h.gathered).toEqual(['ingress.dns']);
    expect(eventTypes(h.actions)).toEqual([
      'step-started ingress.dns',
      'step-finished ingress.dns',
      'done',
      'notice',
    ]);
    expect(h.actions.at(-1)).toEqual({ type: 'notice', text: 'reran ingress.dns: passed' });

    controller.quit();
    const report = await controller.finished;
    expect(report.status).toBe('pass');
    expect(report.summary).toEqual({ pass: 6, warn: 0, fail: 0, error: 0, skip: 0 });
    expect(report.runbooks[0]).toMatchObject({ id: 'ingress', status: 'pass' });
    expect(report.runbooks[0]!.children![1]).toMatchObject({ id: 'ingress.dns', status: 'pass' });
    expect(report.startedAt).toBe('2025-01-01T03:00:00.000Z');
  });

  it('reruns everything with R, forgetting the memo first', async () => {
    const h = harness();
    const controller = createController({ run: h.run, saveReport: async () => '' });
    controller.connect(h.dispatch);
    await until(() => isDone(h.actions));
    h.gathered.length = 0;
    h.forgotten.length = 0;
    controller.rerunAll();
    await until(() => h.gathered.length === 3);
    expect(h.forgotten.sort()).toEqual(['dns', 'http', 'kube', 'openbao']);
  });

  it('ignores a rerun asked for while a run is still going', async () => {
    const h = harness();
    const open = h.holdDns();
    const controller = createController({ run: h.run, saveReport: async () => '' });
    controller.connect(h.dispatch);
    await until(() => h.gathered.includes('ingress.dns'));
    controller.rerunStep('ingress.resources');
    controller.rerunAll();
    open();
    await until(() => isDone(h.actions));
    expect(h.gathered).toEqual(['ingress.resources', 'ingress.dns', 'secrets.stores']);
  });

  it('quits mid-run with the finished steps and an error for each step that had not finished', async () => {
    const h = harness();
    h.holdDns();
    const controller = createController({ run: h.run, saveReport: async () => '' });
    controller.connect(h.dispatch);
    await until(() => h.gathered.includes('ingress.dns'));
    controller.quit();
    const report = await controller.finished;
    expect(report.status).toBe('error');
    expect(report.runbooks.map((r) => r.children!.map((c) => [c.id, c.status]))).toEqual([
      [
        ['ingress.resources', 'pass'],
        ['ingress.dns', 'error'],
      ],
      [['secrets.stores', 'error']],
    ]);
    expect(report.runbooks[0]!.children![1]).toEqual({
      id: 'ingress.dns',
      title: DNS_FAILING.title,
      status: 'error',
      message: 'not checked: quit before this step finished',
      hint: 'Run platform doctor again and let the run finish.',
    });
  });

  it('saves the last report and shows the path, or why it could not', async () => {
    const h = harness();
    const saved: string[] = [];
    let fails = false;
    const controller = createController({
      run: h.run,
      saveReport: async (report) => {
        if (fails) throw new Error('EACCES: permission denied, open /ro/report.md');
        saved.push(report.status);
        return '/work/platform-doctor-2025-01-01T03-00-00-000Z.md';
      },
    });
    controller.connect(h.dispatch);
    await until(() => isDone(h.actions));
    controller.save();
    await until(() => h.actions.filter((a) => a.type === 'notice').length === 2);
    fails = true;
    controller.save();
    await until(() => h.actions.filter((a) => a.type === 'notice').length === 4);
    expect(saved).toEqual(['fail']);
    expect(h.actions.filter((a) => a.type === 'notice').map((a) => a.type === 'notice' && a.text)).toEqual([
      'saving the report…',
      'saved /work/platform-doctor-2025-01-01T03-00-00-000Z.md',
      'saving the report…',
      'could not save the report: EACCES: permission denied, open /ro/report.md',
    ]);
  });

  it('with --watch, runs everything again after the interval and says when', async () => {
    const h = harness();
    const controller = createController({ run: h.run, watchMs: 30, saveReport: async () => '' }, () => 1_000);
    controller.connect(h.dispatch);
    await until(() => h.gathered.length >= 6);
    controller.quit();
    expect(h.actions.filter((a) => a.type === 'watch-scheduled')[0]).toEqual({
      type: 'watch-scheduled',
      atMs: 1_030,
    });
    expect(eventTypes(h.actions).filter((t) => t === 'run-started').length).toBeGreaterThanOrEqual(2);
    await controller.finished;
  });
});
