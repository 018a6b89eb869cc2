import { describe, expect, it } from 'vitest';
import { findCauses } from '../../src/checks/causes.js';
import { group, type ResultNode } from '../../src/checks/result.js';
import { defineStep } from '../../src/checks/step.js';
import { resolveProfile } from '../../src/config/schema.js';
import { applyMutes, isMuteActive, type Mute } from '../../src/engine/mute.js';
import { runPlan } from '../../src/engine/run.js';
import { DoctorSession } from '../../src/engine/session.js';
import type { Runbook } from '../../src/runbooks/types.js';
import { fakeGateways, fakeKube } from '../fakes/gateways.js';
import { aScope } from '../fakes/scope.js';
import { asCheckNode } from '../support/shown.js';

const NOW = new Date('2026-11-26T09:00:00Z');
const PLANNED = ['ingress.resources', 'ingress.certificates', 'ingress.dns'];

const stale: ResultNode = {
  id: 'ingress.dns:stg.cocdev.co.kr',
  title: 'stg.cocdev.co.kr',
  subject: 'host stg.cocdev.co.kr',
  status: 'fail',
  code: 'DNS_WRONG_TARGET',
  message: 'resolves to 127.0.10.9, load balancer is 127.0.10.10',
  hint: 'Update the A record of stg.cocdev.co.kr (TTL 300s) to 127.0.10.10.',
  commands: ['dig +short stg.cocdev.co.kr'],
  dependsOn: ['Service ingress-nginx/ingress-nginx-controller'],
};
const fine: ResultNode = {
  id: 'ingress.dns:cocdev.co.kr',
  title: 'cocdev.co.kr',
  subject: 'host cocdev.co.kr',
  status: 'pass',
  message: 'resolves to 127.0.10.10',
};
const dnsStep = group('ingress.dns', 'DNS records point at the ingress load balancer', [fine, stale]);

const mute = (overrides: Partial<Mute> = {}): Mute => ({
  code: 'DNS_WRONG_TARGET',
  subject: 'host *.cocdev.co.kr',
  reason: 'old LB kept for the migration (OPS-412)',
  until: '2026-12-31',
  ...overrides,
});

describe('applyMutes', () => {
  it('turns a matching finding into a skip that says until when, why and what it was', () => {
    const node = applyMutes(dnsStep, [mute()], NOW, PLANNED);
    expect(node.status).toBe('pass');
    expect(node.children![1]).toEqual({
      id: 'ingress.dns:stg.cocdev.co.kr',
      title: 'stg.cocdev.co.kr',
      subject: 'host stg.cocdev.co.kr',
      status: 'skip',
      code: 'DNS_WRONG_TARGET',
      message:
        'muted until 2026-12-31: old LB kept for the migration (OPS-412) (was fail: resolves to 127.0.10.9, load balancer is 127.0.10.10)',
      hint: 'Update the A record of stg.cocdev.co.kr (TTL 300s) to 127.0.10.10.',
      commands: ['dig +short stg.cocdev.co.kr'],
    });
    expect(node.children![0]).toBe(fine);
  });

  it.each([
    ['another code', mute({ code: 'DNS_NXDOMAIN' })],
    ['another subject', mute({ subject: 'host cocdev.co.kr' })],
    ['a subject the glob only prefixes', mute({ subject: 'host stg' })],
  ])('leaves a finding of %s alone', (_, m) => {
    expect(applyMutes(dnsStep, [m], NOW, PLANNED)).toEqual(dnsStep);
  });

  it('matches subjects with bash globs, where * also crosses the slash of namespace/name', () => {
    const cert: ResultNode = { ...stale, subject: 'Certificate plate-stg/stg-tls', code: 'CERT_EXPIRING' };
    const step = group('ingress.certificates', 'Certificates', [cert]);
    for (const subject of [
      'Certificate *',
      'Certificate plate-stg/*',
      '{Secret,Certificate} plate-*/stg-tls',
    ])
      expect(applyMutes(step, [mute({ code: 'CERT_EXPIRING', subject })], NOW, PLANNED).status).toBe('skip');
  });

  it('holds through the whole of its until day in UTC, and lets go the moment after', () => {
    expect(isMuteActive(mute(), new Date('2026-12-31T23:59:59.999Z'))).toBe(true);
    expect(isMuteActive(mute(), new Date('2027-01-01T00:00:00.000Z'))).toBe(false);
  });

  it('un-mutes itself after the date, and warns about the expired entry under the step that reports its code', () => {
    const later = new Date('2027-01-02T08:00:00Z');
    const node = applyMutes(dnsStep, [mute()], later, PLANNED);
    expect(node.status).toBe('fail');
    expect(node.children![1]).toEqual(stale);
    expect(node.children![2]).toEqual({
      id: 'ingress.dns:mute DNS_WRONG_TARGET host *.cocdev.co.kr',
      title: 'mute DNS_WRONG_TARGET host *.cocdev.co.kr',
      subject: 'mute DNS_WRONG_TARGET host *.cocdev.co.kr',
      status: 'warn',
      code: 'MUTE_EXPIRED',
      message:
        'expired after 2026-12-31 (old LB kept for the migration (OPS-412)); DNS_WRONG_TARGET findings on host *.cocdev.co.kr count again',
      hint: 'Remove this mute from platform.yaml once the issue is fixed, or renew its until date if it is still accepted.',
      commands: [],
    });
    // Once, under the first planned step that can report the code: not under the other steps.
    const resources = group('ingress.resources', 'Ingresses', [fine]);
    expect(applyMutes(resources, [mute()], later, PLANNED)).toEqual(resources);
  });

  it('reports an expired mute of a code any step gives under the first planned step, which stays its own first child', () => {
    const forbidden: ResultNode = {
      id: 'ingress.resources',
      title: 'Ingresses',
      status: 'error',
      code: 'CHECK_FORBIDDEN',
      message: 'not allowed to list ingresses.networking.k8s.io in all namespaces',
      hint: 'Grant it.',
      durationMs: 12,
    };
    const node = applyMutes(
      forbidden,
      [mute({ code: 'CHECK_FORBIDDEN', subject: '*', until: '2026-01-01' })],
      NOW,
      PLANNED,
    );
    expect(node).toMatchObject({
      id: 'ingress.resources',
      title: 'Ingresses',
      status: 'error',
      durationMs: 12,
    });
    expect(node.children!.map((c) => [c.id, c.status, c.code])).toEqual([
      ['ingress.resources:step', 'error', 'CHECK_FORBIDDEN'],
      ['ingress.resources:mute CHECK_FORBIDDEN *', 'warn', 'MUTE_EXPIRED'],
    ]);
  });

  it('never makes a muted finding a cause, nor lets it explain anything', () => {
    const secret: ResultNode = {
      id: 'ingress.resources:plate-stg/plate-ingress/tls/stg-tls',
      title: 'TLS Secret stg-tls',
      subject: 'Secret plate-stg/stg-tls',
      status: 'fail',
      code: 'TLS_SECRET_MISSING',
      message: 'does not exist (TLS Secret of Ingress plate-stg/plate-ingress)',
      hint: 'Create it.',
    };
    const cert: ResultNode = {
      id: 'ingress.certificates:plate-stg/stg-tls',
      title: 'Certificate plate-stg/stg-tls',
      subject: 'Certificate plate-stg/stg-tls',
      status: 'fail',
      code: 'CERT_RATE_LIMITED',
      message: 'not Ready: ACME rate limit',
      hint: 'Wait.',
      covers: ['Secret plate-stg/stg-tls'],
    };
    const muted = applyMutes(
      group('ingress.certificates', 'Certificates', [cert]),
      [mute({ code: 'CERT_RATE_LIMITED', subject: 'Certificate plate-stg/*' })],
      NOW,
      PLANNED,
    );
    const runbooks = [
      group('ingress', 'Ingress', [group('ingress.resources', 'Ingresses', [secret]), muted]),
    ];
    expect(findCauses(runbooks)).toEqual([{ id: secret.id, explains: [] }]);
  });
});

describe('mutes in the engine', () => {
  const step = defineStep({
    id: 'ingress.dns',
    title: dnsStep.title,
    gather: async () => dnsStep,
    evaluate: asCheckNode,
  });
  const plan: Runbook[] = [{ id: 'ingress', title: 'Ingress', steps: [step] }];
  const profile = { ...resolveProfile('stg', undefined, undefined), mutes: [mute()] };
  const options = {
    plan,
    gateways: fakeGateways({ kube: fakeKube({ readVersion: async () => 'v1.31.2' }) }),
    scope: aScope({ profile }),
    target: { context: 'test', cluster: 'test', env: 'stg' },
    stepTimeoutMs: 2_000,
    toolVersion: '9.9.9',
    now: () => NOW,
  };

  it('mutes every run: a one-shot run and a rerun of the step alike', async () => {
    const report = await runPlan(
      options,
      { deadlineMs: 5_000, stop: new AbortController().signal },
      () => {},
    );
    expect(report.status).toBe('pass');
    expect(report.summary).toEqual({ pass: 1, warn: 0, fail: 0, error: 0, skip: 1 });
    expect(report.causes).toEqual([]);

    const session = new DoctorSession({ ...options, timeoutMs: 5_000 });
    await session.run();
    const rerun = await session.rerunStep('ingress.dns');
    expect(rerun.runbooks[0]!.children![0]!.children![1]!.message).toMatch(/^muted until 2026-12-31: /);
    expect(rerun.status).toBe('pass');
  });
});
