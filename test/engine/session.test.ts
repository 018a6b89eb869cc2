import { describe, expect, it } from 'vitest';
import type { ResultNode } from '../../src/checks/result.js';
import { asCheckNode } from '../support/shown.js';
import { defineStep } from '../../src/checks/step.js';
import type { RunEvent } from '../../src/engine/events.js';
import { DoctorSession } from '../../src/engine/session.js';
import type { Runbook } from '../../src/runbooks/types.js';
import { fakeDns, fakeGateways, fakeHttp, fakeKube, fakeOpenBao } from '../fakes/gateways.js';
import { aScope } from '../fakes/scope.js';
import { Recorder } from '../../src/gateways/recording.js';
import type { KubeObject } from '../../src/gateways/types.js';
import { DNS_FAILING, DNS_FIXED, RESOURCES, STORES, TARGET } from '../ui/sample.js';

/** A session over three steps whose nodes the test sets; `holdDns` keeps the dns step's gather waiting. */
function harness(options: { timeoutMs?: number } = {}) {
  const answers = new Map<string, ResultNode>([
    ['ingress.resources', RESOURCES],
    ['ingress.dns', DNS_FAILING],
    ['secrets.stores', STORES],
  ]);
  const gathered: string[] = [];
  const forgotten: { gateway: string; scoped: boolean }[] = [];
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
      evaluate: asCheckNode,
    });
  const plan: Runbook[] = [
    {
      id: 'ingress',
      title: 'Ingress, certificates and DNS',
      steps: [step('ingress.resources', RESOURCES.title), step('ingress.dns', DNS_FAILING.title)],
    },
    { id: 'secrets', title: 'Secrets from OpenBao', steps: [step('secrets.stores', STORES.title)] },
  ];
  const forget = (gateway: string) => (signal?: AbortSignal) =>
    void forgotten.push({ gateway, scoped: signal !== undefined });
  const closed: string[] = [];
  const close = (gateway: string) => async () => void closed.push(gateway);
  const session = new DoctorSession({
    plan,
    gateways: fakeGateways({
      kube: fakeKube({ forget: forget('kube'), close: close('kube'), readVersion: async () => 'v1.31.2' }),
      openbao: fakeOpenBao({ forget: forget('openbao'), close: close('openbao') }),
      dns: fakeDns({ forget: forget('dns'), close: close('dns') }),
      http: fakeHttp({ forget: forget('http'), close: close('http') }),
    }),
    scope: aScope(),
    target: TARGET,
    timeoutMs: options.timeoutMs ?? 5_000,
    stepTimeoutMs: 5_000,
    toolVersion: '0.1.0',
    now: () => new Date('2025-01-01T03:00:00Z'),
  });
  const events: RunEvent[] = [];
  session.subscribe((e) => events.push(e));
  const holdDns = () => {
    let open: () => void = () => {};
    gate = new Promise((resolve) => (open = resolve));
    return open;
  };
  return { session, answers, gathered, forgotten, closed, events, holdDns };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
};
const types = (events: RunEvent[]) => events.map((e) => `${e.type}${'step' in e ? ` ${e.step}` : ''}`);

describe('the doctor session', () => {
  it('runs every planned step and tells its listeners as it goes', async () => {
    const h = harness();
    const report = await h.session.run();
    expect(report.status).toBe('fail');
    expect(
      types(h.events)
        .filter((t) => t.startsWith('step-started'))
        .sort(),
    ).toEqual(['step-started ingress.dns', 'step-started ingress.resources', 'step-started secrets.stores']);
    expect(types(h.events)[0]).toBe('run-started');
    expect(types(h.events).at(-1)).toBe('done');
    expect(h.forgotten).toEqual([]);
  });

  it("reruns one step after dropping only that step's reads, and keeps the others' results", async () => {
    const h = harness();
    await h.session.run();
    h.answers.set('ingress.dns', DNS_FIXED);
    h.gathered.length = 0;
    h.events.length = 0;

    const report = await h.session.rerunStep('ingress.dns');
    expect(h.forgotten).toEqual([
      { gateway: 'kube', scoped: true },
      { gateway: 'openbao', scoped: true },
      { gateway: 'dns', scoped: true },
      { gateway: 'http', scoped: true },
    ]);
    expect(h.gathered).toEqual(['ingress.dns']);
    expect(types(h.events)).toEqual(['step-started ingress.dns', 'step-finished ingress.dns', 'done']);
    expect(report.status).toBe('pass');
    expect(report.summary).toEqual({ pass: 6, warn: 0, fail: 0, error: 0, skip: 0 });
    expect(report.runbooks[0]!.children![1]).toMatchObject({ id: 'ingress.dns', status: 'pass' });
    expect(report.startedAt).toBe('2025-01-01T03:00:00.000Z');
  });

  it('forgets every read before a second full run', async () => {
    const h = harness();
    await h.session.run();
    await h.session.run();
    expect(h.forgotten).toEqual([
      { gateway: 'kube', scoped: false },
      { gateway: 'openbao', scoped: false },
      { gateway: 'dns', scoped: false },
      { gateway: 'http', scoped: false },
    ]);
  });

  it('runs one thing at a time: a rerun asked for during a run starts after it', async () => {
    const h = harness();
    const open = h.holdDns();
    const first = h.session.run();
    await until(() => h.gathered.includes('ingress.dns'));
    const rerun = h.session.rerunStep('ingress.resources');
    expect(h.gathered.filter((id) => id === 'ingress.resources')).toHaveLength(1);
    open();
    await first;
    await rerun;
    expect(h.gathered.filter((id) => id === 'ingress.resources')).toHaveLength(2);
  });

  it('stops mid-run with the finished steps and an error for each step that had not finished', async () => {
    const h = harness();
    h.holdDns();
    const running = h.session.run();
    await until(() => h.gathered.includes('ingress.dns'));
    h.session.stop();
    const report = await running;
    expect(report.status).toBe('error');
    expect(report.runbooks[0]!.children![1]).toEqual({
      id: 'ingress.dns',
      title: DNS_FAILING.title,
      status: 'error',
      code: 'CHECK_STOPPED',
      message: 'not checked: stopped before this step finished',
      hint: 'Run platform doctor again and let the run finish.',
      durationMs: expect.any(Number),
    });
    expect(report.runbooks[0]!.children![0]!.status).toBe('pass');
    expect(h.session.partialReport().status).toBe('error');
  });

  it('watches: runs again after the interval, says when, and returns the last complete run when stopped', async () => {
    const h = harness();
    const seen: string[] = [];
    const watching = h.session.watch(20, (report) => void seen.push(report.status));
    await until(() => seen.length >= 2);
    h.session.stop();
    const last = await watching;
    expect(last.status).toBe('fail');
    expect(h.events.filter((e) => e.type === 'run-scheduled')[0]).toEqual({
      type: 'run-scheduled',
      inMs: 20,
    });
    expect(h.events.at(-1)).toEqual({ type: 'run-scheduled', inMs: null });
  });

  it('closes every gateway on close()', async () => {
    const h = harness();
    await h.session.run();
    await h.session.close();
    expect(h.closed.sort()).toEqual(['dns', 'http', 'kube', 'openbao']);
    expect(h.session.isStopped).toBe(true);
  });
});

describe('DoctorSession and what changed', () => {
  it('keeps the timeline of the last full run when one step is rerun, and relates the rerun leaves to it', async () => {
    const app: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'plate-api-stg', namespace: 'argocd' },
      status: {
        resources: [{ kind: 'Service', namespace: 'plate-stg', name: 'plate-api-stg' }],
        history: [
          { revision: '4f2c1e9b7a3d5c8e0f1a2b3c4d5e6f7a8b9c0d1e', deployedAt: '2025-01-01T02:40:00Z' },
        ],
      },
    };
    let lists = 0;
    const recorder = new Recorder(
      fakeGateways({
        kube: fakeKube({
          readVersion: async () => 'v1.31.2',
          list: async (kind) => (lists++, kind === 'applications' ? [app] : []),
          forget: () => {},
        }),
      }),
    );
    const step = defineStep({
      id: 'ingress.resources',
      title: 'resources',
      gather: async (ctx) => ctx.gateways.kube.list('applications', {}, ctx.signal),
      evaluate: () => ({
        id: 'ingress.resources',
        title: 'resources',
        status: 'fail' as const,
        children: [
          {
            id: 'ingress.resources:svc',
            title: 's',
            subject: 'Service plate-stg/plate-api-stg',
            status: 'fail' as const,
          },
        ],
      }),
    });
    const session = new DoctorSession({
      plan: [{ id: 'ingress', title: 'Ingress', steps: [step] }],
      gateways: recorder.gateways,
      scope: aScope(),
      target: TARGET,
      timeoutMs: 5_000,
      stepTimeoutMs: 5_000,
      toolVersion: '0.1.0',
      now: () => new Date('2025-01-01T03:00:00Z'),
      timeline: { windowMs: 86_400_000, reads: recorder },
    });
    const leafOf = (report: { runbooks: ResultNode[] }) => report.runbooks[0]!.children![0]!.children![0]!;
    const first = await session.run();
    expect(first.timeline).toEqual([
      {
        time: '2025-01-01T02:40:00.000Z',
        kind: 'argocd.sync',
        subject: 'Application argocd/plate-api-stg',
        message: 'Argo CD synced plate-api-stg to 4f2c1e9',
      },
    ]);
    expect(leafOf(first).after).toEqual(first.timeline![0]);
    const rerun = await session.rerunStep('ingress.resources');
    expect(rerun.timeline).toEqual(first.timeline);
    expect(leafOf(rerun).after).toEqual(first.timeline![0]);
    expect(lists).toBe(3);
  });
});
