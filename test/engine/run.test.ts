import { describe, expect, it } from 'vitest';
import type { CheckNode, ResultNode } from '../../src/checks/result.js';
import { defineStep, type Step } from '../../src/checks/step.js';
import { runPlan, type RunContext } from '../../src/engine/run.js';
import type { RunEvent } from '../../src/engine/events.js';
import { GatewayError } from '../../src/gateways/errors.js';
import { Recorder } from '../../src/gateways/recording.js';
import type { KubeObject, ListOptions } from '../../src/gateways/types.js';
import type { Gateways } from '../../src/gateways/types.js';
import type { Runbook } from '../../src/runbooks/types.js';
import { fakeGateways, fakeKube } from '../fakes/gateways.js';
import { aScope } from '../fakes/scope.js';

const leaf = (id: string, status: CheckNode['status'], subject = id): CheckNode => ({
  id,
  title: id,
  status,
  subject,
});

function aStep(id: Step['id'], behaviour: () => Promise<ResultNode['status'][]>): Step {
  return defineStep<ResultNode['status'][]>({
    id,
    title: `title of ${id}`,
    gather: behaviour,
    evaluate: (statuses) => ({
      id,
      title: `title of ${id}`,
      status: statuses.length
        ? statuses.reduce((a, b) => (a === 'fail' || b === 'fail' ? 'fail' : a))
        : 'skip',
      children: statuses.map((s, i) => leaf(`${id}:${i}`, s)),
    }),
  });
}

const reachable = (): Gateways => fakeGateways({ kube: fakeKube({ readVersion: async () => 'v1.31.2' }) });

function context(plan: Runbook[], overrides: Partial<RunContext> = {}): RunContext {
  return {
    plan,
    gateways: reachable(),
    scope: aScope(),
    target: { context: 'test', cluster: 'test-cluster', env: null },
    stepTimeoutMs: 2_000,
    toolVersion: '9.9.9',
    now: () => new Date('2026-11-26T09:00:00Z'),
    ...overrides,
  };
}

/** One run with a 5 s budget (or `deadlineMs`), never stopped; events go to `events` when given. */
function runDoctor(
  ctx: RunContext,
  { deadlineMs = 5_000, events }: { deadlineMs?: number; events?: RunEvent[] } = {},
) {
  return runPlan(ctx, { deadlineMs, stop: new AbortController().signal }, (e) => events?.push(e));
}

const never = () => new Promise<never>(() => {});

describe('runDoctor', () => {
  it('rolls statuses up from leaves to steps to runbooks and counts leaves', async () => {
    const report = await runDoctor(
      context([
        { id: 'ingress', title: 'Ingress', steps: [aStep('ingress.dns', async () => ['pass', 'fail'])] },
        { id: 'gitops', title: 'GitOps', steps: [aStep('gitops.applications', async () => ['pass'])] },
      ]),
    );
    expect(report.status).toBe('fail');
    expect(report.runbooks.map((r) => [r.id, r.status])).toEqual([
      ['ingress', 'fail'],
      ['gitops', 'pass'],
    ]);
    expect(report.summary).toEqual({ pass: 2, warn: 0, fail: 1, error: 0, skip: 0 });
    expect(report.tool).toEqual({ name: 'platform-doctor', version: '9.9.9' });
    expect(report.startedAt).toBe('2026-11-26T09:00:00.000Z');
  });

  it('turns a crashing check into an error node for that step while the others still run', async () => {
    const debugged: string[] = [];
    const report = await runDoctor(
      context(
        [
          {
            id: 'ingress',
            title: 'Ingress',
            steps: [
              aStep('ingress.dns', async () => {
                throw new TypeError("Cannot read properties of undefined (reading 'ip')");
              }),
              aStep('ingress.https', async () => ['pass']),
            ],
          },
        ],
        { debug: (text) => debugged.push(text) },
      ),
    );
    const [dns, https] = report.runbooks[0]!.children!;
    expect(dns).toMatchObject({
      id: 'ingress.dns',
      status: 'error',
      message: "check crashed: Cannot read properties of undefined (reading 'ip')",
      hint: 'This is a bug in platform doctor: rerun with --debug for the stack trace and report it.',
    });
    expect(https!.status).toBe('pass');
    expect(debugged[0]).toMatch(/^step ingress\.dns crashed:\nTypeError: Cannot read properties/);
    expect(report.status).toBe('error');
  });

  it('gives up on a step that never answers at the step deadline and keeps the others', async () => {
    const started = performance.now();
    const report = await runDoctor(
      context(
        [
          {
            id: 'secrets',
            title: 'Secrets',
            steps: [aStep('secrets.openbao', never), aStep('secrets.stores', async () => ['pass'])],
          },
        ],
        { stepTimeoutMs: 300 },
      ),
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    const [openbao, stores] = report.runbooks[0]!.children!;
    expect(openbao).toMatchObject({
      status: 'error',
      message: 'did not finish within 0.3s',
      hint: 'Check that the systems this step talks to answer, or allow more time with --timeout.',
    });
    expect(stores!.status).toBe('pass');
  });

  it('stops every unfinished step at the overall deadline', async () => {
    const started = performance.now();
    const report = await runDoctor(
      context(
        [
          {
            id: 'ingress',
            title: 'Ingress',
            steps: [aStep('ingress.dns', never), aStep('ingress.https', never)],
          },
        ],
        { stepTimeoutMs: 20_000 },
      ),
      { deadlineMs: 400 },
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(report.runbooks[0]!.children!.map((c) => [c.status, c.message])).toEqual([
      ['error', expect.stringMatching(/^did not finish within 0\.[34]s$/)],
      ['error', expect.stringMatching(/^did not finish within 0\.[34]s$/)],
    ]);
  });

  it('reports an escaped forbidden gateway error as the missing permission, not as a crash', async () => {
    const report = await runDoctor(
      context([
        {
          id: 'ingress',
          title: 'Ingress',
          steps: [
            aStep('ingress.certificates', async () => {
              throw new GatewayError(
                'kubernetes',
                'forbidden',
                'the API server refused to list certificates',
                {
                  permission: 'list certificates.cert-manager.io in plate-stg',
                },
              );
            }),
          ],
        },
      ]),
    );
    expect(report.runbooks[0]!.children![0]).toMatchObject({
      status: 'error',
      message: 'the API server refused to list certificates',
      hint: "Grant the doctor's identity permission to list certificates.cert-manager.io in plate-stg, or narrow the scope with --namespace.",
    });
  });

  it('runs every step at once (the gateways limit their own concurrency) and emits events in order per step', async () => {
    let running = 0;
    let peak = 0;
    const slow = (id: Step['id']) =>
      aStep(id, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 30));
        running -= 1;
        return ['pass'];
      });
    const events: RunEvent[] = [];
    await runDoctor(
      context([
        {
          id: 'secrets',
          title: 'Secrets',
          steps: [
            slow('secrets.stores'),
            slow('secrets.externalsecrets'),
            slow('secrets.target-secrets'),
            slow('secrets.openbao'),
          ],
        },
      ]),
      { events },
    );
    expect(peak).toBe(4);
    expect(events[0]!.type).toBe('run-started');
    expect(events.at(-1)!.type).toBe('done');
    const storeEvents = events.filter((e) => 'step' in e && e.step === 'secrets.stores').map((e) => e.type);
    expect(storeEvents).toEqual(['step-started', 'step-finished']);
  });

  it('keeps contract order in the report whatever order steps finish in', async () => {
    const report = await runDoctor(
      context([
        {
          id: 'ingress',
          title: 'Ingress',
          steps: [
            aStep('ingress.resources', async () => {
              await new Promise((r) => setTimeout(r, 50));
              return ['pass'];
            }),
            aStep('ingress.dns', async () => ['pass']),
          ],
        },
      ]),
    );
    expect(report.runbooks[0]!.children!.map((c) => c.id)).toEqual(['ingress.resources', 'ingress.dns']);
  });

  it('reports every runbook as not checked when the API server cannot be reached, and runs no step', async () => {
    const gathered: string[] = [];
    const report = await runDoctor(
      context(
        [
          {
            id: 'ingress',
            title: 'Ingress',
            steps: [aStep('ingress.dns', async () => (gathered.push('dns'), ['pass']))],
          },
        ],
        {
          gateways: fakeGateways({
            kube: fakeKube({
              readVersion: async () => {
                throw new GatewayError(
                  'kubernetes',
                  'unreachable',
                  'cannot reach the API server at https://10.0.0.1:6443: connection refused',
                );
              },
            }),
          }),
        },
      ),
    );
    expect(gathered).toEqual([]);
    expect(report.status).toBe('error');
    expect(report.runbooks[0]).toMatchObject({
      id: 'ingress',
      status: 'error',
      message: 'not checked: cannot reach the API server at https://10.0.0.1:6443: connection refused',
    });
  });

  it('names the server and the question when the preflight never answers within the deadline', async () => {
    const started = performance.now();
    const report = await runDoctor(
      context([{ id: 'ingress', title: 'Ingress', steps: [aStep('ingress.dns', async () => ['pass'])] }], {
        gateways: fakeGateways({ kube: fakeKube({ readVersion: never }) }),
      }),
      { deadlineMs: 300 },
    );
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(report.runbooks[0]!.message).toBe('not checked: the API server did not answer within 0.3s');
  });

  it('redacts and bounds what a step says, whatever the object fields carried', async () => {
    const token = 'hvs.CAESIJ0123456789abcdefghijKLMNOP';
    const hostile = defineStep({
      id: 'secrets.stores',
      title: 'stores',
      gather: async () => null,
      evaluate: () => ({
        id: 'secrets.stores',
        title: 'stores',
        status: 'fail',
        children: [
          {
            id: 'secrets.stores:a',
            title: 'a',
            subject: 'x',
            status: 'fail',
            message: `token ${token} ${'y'.repeat(20_000)}`,
            hint: 'h',
          },
        ],
      }),
    });
    const report = await runDoctor(context([{ id: 'secrets', title: 'Secrets', steps: [hostile] }]));
    const message = report.runbooks[0]!.children![0]!.children![0]!.message!;
    expect(message).not.toContain(token);
    expect(message.length).toBeLessThanOrEqual(8192);
    expect(message).toMatch(/… \(\d+ more characters\)$/);
  });
});

describe('runDoctor with a timeline', () => {
  const NOW = new Date('2026-11-26T09:00:00Z');
  const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
  const app: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'plate-api-stg', namespace: 'argocd' },
    status: {
      resources: [{ kind: 'Service', namespace: 'plate-stg', name: 'plate-api-stg' }],
      history: [{ revision: '4f2c1e9b7a3d5c8e0f1a2b3c4d5e6f7a8b9c0d1e', deployedAt: ago(18) }],
    },
  };
  const warning = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'plate-stg' },
    involvedObject: { kind: 'Service', name: 'plate-api-stg', namespace: 'plate-stg' },
    type: 'Warning',
    reason: 'FailedToUpdateEndpoint',
    message: `quotes hvs.CAESIJ0123456789abcdefghijKLMNOP`,
    lastTimestamp: ago(5),
  } as KubeObject;

  /** A step that lists Applications and fails the Service they deploy; events listed per namespace in scope. */
  function setUp(listEvents: (options: ListOptions) => Promise<KubeObject[] | null>) {
    const lists: string[] = [];
    const recorder = new Recorder(
      fakeGateways({
        kube: fakeKube({
          readVersion: async () => 'v1.31.2',
          list: async (kind, options) => {
            lists.push(`${kind} ${options.namespace ?? '-A'}`);
            return kind === 'events' ? listEvents(options) : [app];
          },
        }),
      }),
    );
    const step = defineStep<null>({
      id: 'ingress.resources',
      title: 'resources',
      gather: async (ctx) => {
        await ctx.gateways.kube.list('applications', {}, ctx.signal);
        return null;
      },
      evaluate: () => ({
        id: 'ingress.resources',
        title: 'resources',
        status: 'fail',
        children: [leaf('ingress.resources:svc', 'fail', 'Service plate-stg/plate-api-stg')],
      }),
    });
    return { recorder, lists, plan: [{ id: 'ingress', title: 'Ingress', steps: [step] }] };
  }

  it('lists Events once per namespace in scope, puts what changed in the report and names the change before a failure', async () => {
    const { recorder, lists, plan } = setUp(async () => [warning]);
    const report = await runDoctor(
      context(plan, {
        gateways: recorder.gateways,
        scope: aScope({ namespaces: ['plate-stg', 'plate-prod'] }),
        timeline: { windowMs: 86_400_000, reads: recorder },
      }),
    );
    expect(lists.sort()).toEqual(['applications -A', 'events plate-prod', 'events plate-stg']);
    expect(report.timeline).toEqual([
      {
        time: ago(5),
        kind: 'event.warning',
        subject: 'Service plate-stg/plate-api-stg',
        message: 'FailedToUpdateEndpoint: quotes [redacted]',
      },
      {
        time: ago(18),
        kind: 'argocd.sync',
        subject: 'Application argocd/plate-api-stg',
        message: 'Argo CD synced plate-api-stg to 4f2c1e9',
      },
    ]);
    expect(report.runbooks[0]!.children![0]!.children![0]!.after).toEqual(report.timeline![1]);
  });

  it('still reports what changed, without Events, when they cannot be listed', async () => {
    const debugged: string[] = [];
    const { recorder, plan } = setUp(async () => {
      throw new GatewayError('kubernetes', 'forbidden', 'events are forbidden', {
        permission: 'list events',
      });
    });
    const report = await runDoctor(
      context(plan, {
        gateways: recorder.gateways,
        timeline: { windowMs: 86_400_000, reads: recorder },
        debug: (text) => debugged.push(text),
      }),
    );
    expect(report.status).toBe('fail');
    expect(report.timeline!.map((e) => e.kind)).toEqual(['argocd.sync']);
    expect(debugged).toEqual(['timeline: Events not read: events are forbidden']);
  });

  it('has no timeline, and lists no Events, when not asked for one', async () => {
    const { recorder, lists, plan } = setUp(async () => [warning]);
    const report = await runDoctor(context(plan, { gateways: recorder.gateways }));
    expect(report.timeline).toBeUndefined();
    expect(lists).toEqual(['applications -A']);
  });
});
