import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateCertificates as evaluateCertificatesNode,
  gatherCertificates,
  type CertificateFact,
  type CertificatesFacts,
  type IngressTlsUse,
  type IssuanceChain,
} from '../../src/checks/ingress/certificates.js';
import {
  evaluateGatewayCertificates as evaluateGatewayCertificatesNode,
  listenerTlsUses,
  type GatewayCertificatesFacts,
} from '../../src/checks/gateway/certificates.js';
import { readGateway } from '../../src/checks/gateway/model.js';
import type { KubeObject } from '../../src/gateways/types.js';
import type { ResultNode } from '../../src/checks/result.js';
import type { CertInfo } from '../../src/checks/ingress/x509.js';
import { createCertificateAuthority } from '../../src/sandbox/certs.js';
import { aGatherContext } from '../fakes/scope.js';
import { kubeFrom, loadFixture } from '../fixtures/ingress-builders.js';
import { showing } from '../support/shown.js';

const evaluateCertificates = showing(evaluateCertificatesNode);

const NOW = new Date('2026-03-01T00:00:00Z');

const STORED: CertInfo = {
  subjectCn: 'stg.cocdev.co.kr',
  issuer: 'R11',
  dnsNames: ['stg.cocdev.co.kr', 'llm.cocdev.co.kr'],
  ipAddresses: [],
  notBefore: '2026-01-31T00:00:00.000Z',
  notAfter: '2026-05-01T00:00:00.000Z',
  isIngressFake: false,
};

const READY = {
  status: 'True',
  reason: 'Ready',
  message: 'Certificate is up to date and has not expired',
} as const;
const NOT_READY = {
  status: 'False',
  reason: 'DoesNotExist',
  message: 'Issuing certificate as Secret does not exist',
} as const;

function aCert(overrides: Partial<CertificateFact> = {}): CertificateFact {
  return {
    namespace: 'plate-stg',
    name: 'stg-tls',
    secretName: 'stg-tls',
    dnsNames: ['stg.cocdev.co.kr', 'llm.cocdev.co.kr'],
    issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt-prod' },
    ready: READY,
    issuing: null,
    notAfter: '2026-05-01T00:00:00Z',
    renewalTime: '2026-04-01T00:00:00Z',
    failedIssuanceAttempts: null,
    lastFailureTime: null,
    chain: null,
    gateway: null,
    ...overrides,
  };
}

/** What cert-manager's own approver leaves on a request moments after it is created. */
const APPROVED_REQUEST = {
  approved: {
    status: 'True',
    reason: 'cert-manager.io',
    message: 'Certificate request has been approved by cert-manager.io',
  },
  denied: null,
  createdAt: '2026-02-28T23:00:00Z',
} as const;

function aChain(overrides: Partial<IssuanceChain> = {}): IssuanceChain {
  return { request: null, order: null, challenges: [], ...overrides };
}

function facts(cert: CertificateFact, overrides: Partial<CertificatesFacts> = {}): CertificatesFacts {
  return {
    certificates: { kind: 'items', items: [cert] },
    issuers: { kind: 'items', items: [] },
    clusterIssuers: {
      kind: 'items',
      items: [
        {
          kind: 'ClusterIssuer',
          namespace: null,
          name: 'letsencrypt-prod',
          ready: { status: 'True', reason: 'ACMEAccountRegistered', message: null },
        },
      ],
    },
    secrets: {
      kind: 'items',
      items: [{ namespace: 'plate-stg', name: 'stg-tls', type: 'kubernetes.io/tls', cert: STORED }],
    },
    listenerTls: { kind: 'items', items: [] },
    ingressTls: {
      kind: 'items',
      items: [
        {
          ingress: 'plate-stg/plate-ingress',
          namespace: 'plate-stg',
          secretName: 'stg-tls',
          hosts: ['stg.cocdev.co.kr', 'llm.cocdev.co.kr'],
          issuer: { kind: 'ClusterIssuer', name: 'letsencrypt-prod' },
        },
      ],
    },
    ingressHosts: { kind: 'items', items: [] },
    chainFailure: null,
    warnings: {},
    ...overrides,
  };
}

const COMMANDS = [
  'kubectl describe certificate -n plate-stg stg-tls',
  'kubectl get certificaterequests,orders,challenges -n plate-stg',
  'cmctl status certificate -n plate-stg stg-tls',
];

function certLeaf(node: ResultNode, key = 'plate-stg/stg-tls'): ResultNode {
  const found = node.children?.find((c) => c.id === `ingress.certificates:${key}`);
  if (!found) throw new Error(`no leaf for ${key}: ${node.children?.map((c) => c.id).join(', ')}`);
  return found;
}

const RATE_LIMIT_NEW =
  'Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after 2026-03-02 19:14:33 UTC: see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-identifiers';
const RATE_LIMIT_OLD =
  'The certificate request has failed to complete and will be retried: Failed to wait for order resource "stg-tls-1-3761388167" to become ready: order is in "errored" state: Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many failed authorizations recently: see https://letsencrypt.org/docs/rate-limits/';

describe('evaluateCertificates', () => {
  it.each([
    {
      name: 'passes a Ready Certificate with its expiry and issuer',
      cert: aCert(),
      extra: {},
      expected: {
        status: 'pass',
        subject: 'Certificate plate-stg/stg-tls',
        message: 'Ready, expires in 61 days (2026-05-01), issued by R11',
      },
    },
    {
      name: 'warns under 14 days to expiry',
      cert: aCert({ notAfter: '2026-03-10T00:00:00Z', renewalTime: '2026-02-08T00:00:00Z' }),
      extra: {
        secrets: {
          kind: 'items',
          items: [{ namespace: 'plate-stg', name: 'stg-tls', type: 'kubernetes.io/tls', cert: null }],
        },
      } as Partial<CertificatesFacts>,
      expected: {
        status: 'warn',
        message: 'expires in 9 days (2026-03-10)',
        hint: 'Find out why cert-manager has not renewed Certificate plate-stg/stg-tls; it renews ahead of expiry unless issuance fails.',
        commands: COMMANDS,
      },
    },
    {
      name: 'warns when the renewal time has passed',
      cert: aCert({ notAfter: '2026-03-25T00:00:00Z', renewalTime: '2026-02-20T00:00:00Z' }),
      extra: {},
      expected: {
        status: 'warn',
        message: 'renewal overdue since 2026-02-20, expires in 24 days (2026-03-25)',
        commands: COMMANDS,
      },
    },
    {
      name: 'fails when dnsNames miss an Ingress host',
      cert: aCert({ dnsNames: ['stg.cocdev.co.kr'] }),
      extra: {},
      expected: {
        status: 'fail',
        message: 'dnsNames do not cover llm.cocdev.co.kr (used by Ingress plate-stg/plate-ingress)',
        hint: 'Add llm.cocdev.co.kr to spec.dnsNames of Certificate plate-stg/stg-tls.',
        commands: ['kubectl get certificate -n plate-stg stg-tls -o yaml'],
      },
    },
    {
      name: 'fails when Ready but the stored certificate expired',
      cert: aCert(),
      extra: {
        secrets: {
          kind: 'items',
          items: [
            {
              namespace: 'plate-stg',
              name: 'stg-tls',
              type: 'kubernetes.io/tls',
              cert: { ...STORED, notAfter: '2026-02-01T00:00:00.000Z' },
            },
          ],
        },
      } as Partial<CertificatesFacts>,
      expected: {
        status: 'fail',
        message: 'status says Ready but the stored certificate expired on 2026-02-01',
        hint: 'Make cert-manager reissue Certificate plate-stg/stg-tls; Secret stg-tls does not hold what its status claims.',
        commands: ['kubectl get secret -n plate-stg stg-tls', ...COMMANDS],
      },
    },
    {
      name: 'fails when Ready but the stored certificate does not cover a host',
      cert: aCert(),
      extra: {
        secrets: {
          kind: 'items',
          items: [
            {
              namespace: 'plate-stg',
              name: 'stg-tls',
              type: 'kubernetes.io/tls',
              cert: { ...STORED, dnsNames: ['stg.cocdev.co.kr'] },
            },
          ],
        },
      } as Partial<CertificatesFacts>,
      expected: {
        status: 'fail',
        message: 'status says Ready but the stored certificate does not cover llm.cocdev.co.kr',
      },
    },
    {
      name: 'fails when Ready but the Secret is gone',
      cert: aCert(),
      extra: { secrets: { kind: 'items', items: [] } } as Partial<CertificatesFacts>,
      expected: { status: 'fail', message: 'status says Ready but Secret plate-stg/stg-tls does not exist' },
    },
    {
      name: 'names the current rate limit wording and when to retry',
      cert: aCert({
        ready: NOT_READY,
        chain: aChain({ order: { name: 'stg-tls-1-3761388167', state: 'errored', reason: RATE_LIMIT_NEW } }),
      }),
      extra: {},
      expected: {
        status: 'fail',
        message:
          'not Ready: ACME rate limit (429 rateLimited) on Order plate-stg/stg-tls-1-3761388167: too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after 2026-03-02 19:14:33 UTC',
        hint: 'Wait until 2026-03-02 19:14:33 UTC before cert-manager retries Certificate plate-stg/stg-tls; fix what made earlier attempts fail first.',
        commands: COMMANDS,
      },
    },
    {
      name: 'names the old rate limit wording from the Issuing condition',
      cert: aCert({
        ready: NOT_READY,
        issuing: { status: 'False', reason: 'Failed', message: RATE_LIMIT_OLD },
        chain: aChain(),
      }),
      extra: {},
      expected: {
        status: 'fail',
        message:
          'not Ready: ACME rate limit (429 rateLimited) on Certificate plate-stg/stg-tls: too many failed authorizations recently',
        hint: "Wait for Let's Encrypt's rate limit window to pass (https://letsencrypt.org/docs/rate-limits/); fix what made earlier attempts of Certificate plate-stg/stg-tls fail first.",
      },
    },
    {
      name: 'names the failing HTTP-01 self check of the Challenge',
      cert: aCert({
        ready: NOT_READY,
        chain: aChain({
          request: {
            ...APPROVED_REQUEST,
            name: 'stg-tls-2',
            ready: {
              status: 'False',
              reason: 'Pending',
              message: 'Waiting on certificate issuance from order plate-stg/stg-tls-2-1: "pending"',
            },
          },
          order: { name: 'stg-tls-2-1', state: 'pending', reason: null },
          challenges: [
            {
              name: 'stg-tls-2-1-1',
              type: 'HTTP-01',
              dnsName: 'llm.cocdev.co.kr',
              state: 'valid',
              reason: 'Successfully authorized domain',
            },
            {
              name: 'stg-tls-2-1-2',
              type: 'HTTP-01',
              dnsName: 'stg.cocdev.co.kr',
              state: 'pending',
              reason: "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'",
            },
          ],
        }),
      }),
      extra: {},
      expected: {
        status: 'fail',
        message:
          "not Ready: HTTP-01 self check for stg.cocdev.co.kr fails on Challenge plate-stg/stg-tls-2-1-2: wrong status code '404', expected '200'",
        hint: "Make http://stg.cocdev.co.kr/.well-known/acme-challenge/ reach cert-manager's solver: DNS must point at the load balancer and port 80 must not be blocked or redirected for that path.",
        commands: [...COMMANDS, 'curl -sI http://stg.cocdev.co.kr/.well-known/acme-challenge/doctor-probe'],
      },
    },
    {
      name: 'reads the old lower-case http-01 form',
      cert: aCert({
        ready: NOT_READY,
        chain: aChain({
          order: { name: 'o', state: 'pending', reason: null },
          challenges: [
            {
              name: 'c',
              type: 'http-01',
              dnsName: 'stg.cocdev.co.kr',
              state: 'pending',
              reason: "Waiting for http-01 challenge propagation: wrong status code '403', expected '200'",
            },
          ],
        }),
      }),
      extra: {},
      expected: {
        status: 'fail',
        message:
          "not Ready: HTTP-01 self check for stg.cocdev.co.kr fails on Challenge plate-stg/c: wrong status code '403', expected '200'",
      },
    },
    {
      name: 'names a DNS-01 propagation failure',
      cert: aCert({
        ready: NOT_READY,
        chain: aChain({
          challenges: [
            {
              name: 'c',
              type: 'DNS-01',
              dnsName: 'stg.cocdev.co.kr',
              state: 'pending',
              reason:
                'Waiting for DNS-01 challenge propagation: DNS record for "stg.cocdev.co.kr" not yet propagated',
            },
          ],
        }),
      }),
      extra: {},
      expected: {
        status: 'fail',
        message:
          'not Ready: DNS-01 propagation for stg.cocdev.co.kr fails on Challenge plate-stg/c: DNS record for "stg.cocdev.co.kr" not yet propagated',
        hint: "Check the _acme-challenge TXT record of stg.cocdev.co.kr at the DNS provider and the issuer's DNS-01 credentials.",
        commands: [...COMMANDS, 'dig +short TXT _acme-challenge.stg.cocdev.co.kr'],
      },
    },
    {
      name: 'names a missing ClusterIssuer',
      cert: aCert({
        ready: NOT_READY,
        issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt-staging' },
        chain: aChain(),
      }),
      extra: {},
      expected: {
        status: 'fail',
        message: 'not Ready: ClusterIssuer letsencrypt-staging does not exist',
        hint: 'Create ClusterIssuer letsencrypt-staging or fix spec.issuerRef of Certificate plate-stg/stg-tls.',
        commands: ['kubectl get clusterissuers', ...COMMANDS],
      },
    },
    {
      name: 'names a missing issuer reported by the CertificateRequest when issuers cannot be listed',
      cert: aCert({
        ready: NOT_READY,
        chain: aChain({
          request: {
            ...APPROVED_REQUEST,
            name: 'stg-tls-1',
            ready: {
              status: 'False',
              reason: 'Pending',
              message:
                'Referenced "ClusterIssuer" not found: clusterissuer.cert-manager.io "letsencrypt-prod" not found',
            },
          },
        }),
      }),
      extra: {
        clusterIssuers: { kind: 'not-served', resource: 'clusterissuers.cert-manager.io' },
      } as Partial<CertificatesFacts>,
      expected: { status: 'fail', message: 'not Ready: ClusterIssuer letsencrypt-prod does not exist' },
    },
    {
      name: 'names an issuer that is not Ready',
      cert: aCert({ ready: NOT_READY, chain: aChain() }),
      extra: {
        clusterIssuers: {
          kind: 'items',
          items: [
            {
              kind: 'ClusterIssuer',
              namespace: null,
              name: 'letsencrypt-prod',
              ready: {
                status: 'False',
                reason: 'ErrRegisterACMEAccount',
                message: 'Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidContact',
              },
            },
          ],
        },
      } as Partial<CertificatesFacts>,
      expected: {
        status: 'fail',
        message:
          'not Ready: ClusterIssuer letsencrypt-prod is not Ready (ErrRegisterACMEAccount: Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidContact)',
        hint: 'Fix ClusterIssuer letsencrypt-prod; certificates it issues stay pending until it is Ready.',
        commands: ['kubectl describe clusterissuer letsencrypt-prod'],
      },
    },
    {
      name: 'falls back to the CertificateRequest message',
      cert: aCert({
        ready: NOT_READY,
        chain: aChain({
          request: {
            ...APPROVED_REQUEST,
            name: 'stg-tls-1',
            ready: {
              status: 'False',
              reason: 'Denied',
              message: 'The CertificateRequest was denied by an approval controller',
            },
          },
        }),
      }),
      extra: {},
      expected: {
        status: 'fail',
        message:
          'not Ready: CertificateRequest plate-stg/stg-tls-1: The CertificateRequest was denied by an approval controller',
        hint: 'Follow the issuance of Certificate plate-stg/stg-tls down to the failing CertificateRequest, Order or Challenge.',
        commands: COMMANDS,
      },
    },
    {
      name: 'shows the Ready condition when nothing deeper explains it',
      cert: aCert({
        ready: {
          status: 'False',
          reason: 'Expired',
          message: 'Certificate expired on Sun, 01 Feb 2026 00:00:00 UTC',
        },
        chain: aChain(),
      }),
      extra: {},
      expected: {
        status: 'fail',
        message: 'not Ready (Expired: Certificate expired on Sun, 01 Feb 2026 00:00:00 UTC)',
        commands: COMMANDS,
      },
    },
    {
      name: 'reports a forbidden issuance chain as an error',
      cert: aCert({ ready: NOT_READY, chain: aChain() }),
      extra: {
        chainFailure: {
          listed: 'orders',
          namespace: 'plate-stg',
          failure: {
            kind: 'forbidden',
            message: 'forbidden',
            permission: 'list orders.acme.cert-manager.io in plate-stg',
          },
        },
      } as Partial<CertificatesFacts>,
      expected: {
        status: 'error',
        message: 'not allowed to list orders.acme.cert-manager.io in plate-stg',
        commands: ['kubectl auth can-i list orders.acme.cert-manager.io -n plate-stg'],
      },
    },
  ])('$name', ({ cert, extra, expected }) => {
    expect(certLeaf(evaluateCertificates(facts(cert, extra), { now: NOW }))).toMatchObject(expected);
  });

  it('stops telling the engineer to wait once the rate limit has lifted', () => {
    const cert = aCert({
      ready: NOT_READY,
      chain: aChain({ order: { name: 'stg-tls-1-3761388167', state: 'errored', reason: RATE_LIMIT_NEW } }),
    });
    const later = new Date('2026-03-03T00:00:00Z');
    expect(certLeaf(evaluateCertificates(facts(cert, {}), { now: later })).hint).toBe(
      'The rate limit lifted at 2026-03-02 19:14:33 UTC, but cert-manager backs off between failed attempts: fix what made earlier attempts of Certificate plate-stg/stg-tls fail, then let it retry.',
    );
  });

  it('adds a leaf for each referenced issuer, failing one that is not Ready', () => {
    const node = evaluateCertificates(
      facts(aCert(), {
        clusterIssuers: {
          kind: 'items',
          items: [
            { kind: 'ClusterIssuer', namespace: null, name: 'letsencrypt-prod', ready: null },
            { kind: 'ClusterIssuer', namespace: null, name: 'unused', ready: null },
          ],
        },
      }),
      { now: NOW },
    );
    expect(node.children!.filter((c) => c.id.includes('clusterissuer'))).toEqual([
      {
        id: 'ingress.certificates:clusterissuer/letsencrypt-prod',
        title: 'ClusterIssuer letsencrypt-prod',
        subject: 'ClusterIssuer letsencrypt-prod',
        status: 'fail',
        code: 'ISSUER_NOT_READY',
        message: 'not Ready (no Ready condition)',
        hint: 'Fix ClusterIssuer letsencrypt-prod; certificates it issues stay pending until it is Ready.',
        commands: ['kubectl describe clusterissuer letsencrypt-prod'],
      },
    ]);
  });

  it.each([
    [
      { ...STORED, notAfter: '2026-02-01T00:00:00.000Z' },
      'fail',
      'MANUAL_CERT_EXPIRED',
      'certificate expired on 2026-02-01',
    ],
    [
      { ...STORED, notAfter: '2026-03-05T00:00:00.000Z' },
      'warn',
      'MANUAL_CERT_EXPIRING',
      'certificate expires in 4 days (2026-03-05), issued by R11',
    ],
    [
      STORED,
      'pass',
      undefined,
      'not managed by cert-manager; certificate expires in 61 days (2026-05-01), issued by R11',
    ],
  ] as const)(
    'judges an Ingress TLS Secret no Certificate manages by its stored certificate (%#)',
    (stored, status, code, message) => {
      const node = evaluateCertificates(
        facts(aCert(), {
          certificates: { kind: 'items', items: [] },
          secrets: {
            kind: 'items',
            items: stored
              ? [{ namespace: 'plate-stg', name: 'stg-tls', type: 'kubernetes.io/tls', cert: stored }]
              : [],
          },
        }),
        { now: NOW },
      );
      expect(node.children).toEqual([
        {
          id: 'ingress.certificates:secret/plate-stg/stg-tls',
          title: 'Secret plate-stg/stg-tls',
          subject: 'Secret plate-stg/stg-tls',
          status,
          message,
          ...(status === 'pass'
            ? {}
            : {
                covers: ['Secret plate-stg/stg-tls'],
                code,
                hint: 'Replace the certificate in Secret plate-stg/stg-tls, or let cert-manager manage it with a Certificate.',
                commands: ['kubectl get secret -n plate-stg stg-tls'],
              }),
        },
      ]);
    },
  );

  it('tells how to get a missing TLS Secret no Certificate issues: the annotation its siblings carry', () => {
    const use = (ingress: string, secretName: string, issuer: IngressTlsUse['issuer']): IngressTlsUse => ({
      ingress,
      namespace: ingress.split('/')[0]!,
      secretName,
      hosts: [`${secretName}.cocdev.co.kr`],
      issuer,
    });
    const LE = { kind: 'ClusterIssuer', name: 'letsencrypt-prod' } as const;
    const missing = (uses: IngressTlsUse[]) =>
      evaluateCertificates(
        facts(aCert(), {
          certificates: { kind: 'items', items: [] },
          secrets: { kind: 'items', items: [] },
          ingressTls: { kind: 'items', items: uses },
        }),
        { now: NOW },
      ).children!.find((c) => c.id === 'ingress.certificates:secret/plate-stg/docs')!;
    expect(missing([use('plate-stg/docs', 'docs', null), use('plate-stg/plate-ingress', 'stg', LE)])).toEqual(
      {
        id: 'ingress.certificates:secret/plate-stg/docs',
        title: 'Secret plate-stg/docs',
        subject: 'Secret plate-stg/docs',
        covers: ['Secret plate-stg/docs'],
        status: 'fail',
        code: 'MANUAL_CERT_MISSING',
        message: 'does not exist and no Certificate issues it (TLS Secret of Ingress plate-stg/docs)',
        hint: 'Annotate Ingress plate-stg/docs with cert-manager.io/cluster-issuer: letsencrypt-prod, as Ingress plate-stg/plate-ingress is, so cert-manager issues Secret plate-stg/docs; or create that Secret yourself.',
        commands: ['kubectl describe ingress -n plate-stg docs', 'kubectl get certificates -n plate-stg'],
      },
    );
    expect(missing([use('plate-stg/docs', 'docs', LE)]).hint).toBe(
      "Find out why cert-manager made no Certificate for Secret plate-stg/docs: Ingress plate-stg/docs asks for one (cert-manager.io/cluster-issuer: letsencrypt-prod), and ingress-shim reports what it rejects in the Ingress's events.",
    );
    expect(missing([use('plate-stg/docs', 'docs', null)]).hint).toBe(
      'Create kubernetes.io/tls Secret plate-stg/docs, or let cert-manager issue it (a cert-manager.io/cluster-issuer annotation on Ingress plate-stg/docs).',
    );
  });

  it('fails a routed host that no tls entry names, saying whether a Certificate covers it', () => {
    const ingressHosts = {
      kind: 'items' as const,
      items: [
        {
          ingress: 'plate-stg/plate-ingress',
          namespace: 'plate-stg',
          ruleHosts: ['docs.cocdev.co.kr', 'llm.cocdev.co.kr', 'stg.cocdev.co.kr'],
          tlsHosts: ['stg.cocdev.co.kr'],
        },
      ],
    };
    const children = evaluateCertificates(facts(aCert(), { ingressHosts }), { now: NOW }).children!;
    expect(children.filter((c) => c.code === 'HOST_NOT_IN_TLS')).toEqual([
      {
        id: 'ingress.certificates:tls/docs.cocdev.co.kr',
        title: 'docs.cocdev.co.kr',
        subject: 'TLS for host docs.cocdev.co.kr',
        status: 'fail',
        code: 'HOST_NOT_IN_TLS',
        message: 'routed by Ingress plate-stg/plate-ingress but in no tls entry and no Certificate covers it',
        hint: "Add docs.cocdev.co.kr to a tls entry of Ingress plate-stg/plate-ingress with a secretName, in the ingress chart's values.",
        commands: ['kubectl get ingress -n plate-stg plate-ingress -o yaml'],
      },
      {
        id: 'ingress.certificates:tls/llm.cocdev.co.kr',
        title: 'llm.cocdev.co.kr',
        subject: 'TLS for host llm.cocdev.co.kr',
        status: 'fail',
        code: 'HOST_NOT_IN_TLS',
        message:
          'routed by Ingress plate-stg/plate-ingress but in no tls entry; Certificate plate-stg/stg-tls covers it, but no Ingress serves its Secret for the host',
        hint: "Add llm.cocdev.co.kr to a tls entry of Ingress plate-stg/plate-ingress (its Certificate writes Secret stg-tls), in the ingress chart's values.",
        commands: ['kubectl get ingress -n plate-stg plate-ingress -o yaml'],
      },
    ]);
  });

  it('skips, rather than fails, when cert-manager is not installed and no Ingress uses TLS', () => {
    const node = evaluateCertificates(
      facts(aCert(), {
        certificates: { kind: 'not-served', resource: 'certificates.cert-manager.io' },
        ingressTls: { kind: 'items', items: [] },
      }),
      { now: NOW },
    );
    expect(node.status).toBe('skip');
    expect(node.children![0]).toMatchObject({
      message: 'cert-manager is not installed: certificates.cert-manager.io is not served',
    });
  });
});

describe('evaluateCertificates: renewal and approval', () => {
  // cert-manager's issuing controller after a failed renewal (issuing_controller.go failIssueCertificate):
  // Ready stays True, Issuing turns False with the CertificateRequest's reason, attempts count up.
  const ORDER_INVALID =
    'Failed to wait for order resource "stg-tls-3-2961520731" to become ready: order is in "invalid" state: ';
  const AUTHORIZATION =
    'Error accepting authorization: acme: authorization error for stg.cocdev.co.kr: 400 urn:ietf:params:acme:error:connection: 127.0.10.10: Fetching http://stg.cocdev.co.kr/.well-known/acme-challenge/pTuOl9IU-pPK-fzz7EMa7AQIuj8qvq1NqScnrukREsk: Timeout during connect (likely firewall problem)';
  const failingRenewal = (notAfter: string) =>
    aCert({
      notAfter,
      renewalTime: '2026-02-01T00:00:00Z',
      issuing: {
        status: 'False',
        reason: 'Failed',
        message: `The certificate request has failed to complete and will be retried: ${ORDER_INVALID}`,
      },
      failedIssuanceAttempts: 3,
      lastFailureTime: '2026-02-28T23:48:00Z',
      chain: aChain({
        request: {
          ...APPROVED_REQUEST,
          name: 'stg-tls-3',
          ready: { status: 'False', reason: 'Failed', message: ORDER_INVALID },
        },
        order: { name: 'stg-tls-3-2961520731', state: 'invalid', reason: null },
        challenges: [
          {
            name: 'stg-tls-3-2961520731-1208554888',
            type: 'HTTP-01',
            dnsName: 'stg.cocdev.co.kr',
            state: 'invalid',
            reason: AUTHORIZATION,
          },
        ],
      }),
    });
  const stored = (notAfter: string) => ({
    secrets: {
      kind: 'items' as const,
      items: [
        {
          namespace: 'plate-stg',
          name: 'stg-tls',
          type: 'kubernetes.io/tls',
          cert: { ...STORED, notAfter },
        },
      ],
    },
  });

  it('fails a Ready certificate whose renewal keeps failing once it expires within 7 days, naming the Challenge', () => {
    const cert = failingRenewal('2026-03-05T00:00:00Z');
    const [leaf] = evaluateCertificates(facts(cert, stored('2026-03-05T00:00:00.000Z')), {
      now: NOW,
    }).children!;
    expect(leaf).toEqual({
      id: 'ingress.certificates:plate-stg/stg-tls',
      title: 'Certificate plate-stg/stg-tls',
      subject: 'Certificate plate-stg/stg-tls',
      dependsOn: ['ClusterIssuer letsencrypt-prod'],
      covers: [
        'Secret plate-stg/stg-tls',
        'CertificateRequest plate-stg/stg-tls-3',
        'Order plate-stg/stg-tls-3-2961520731',
        'Challenge plate-stg/stg-tls-3-2961520731-1208554888',
      ],
      status: 'fail',
      code: 'CERT_RENEWAL_FAILING',
      message: `Ready, but renewal keeps failing (3 failed attempts, last 12m ago): HTTP-01 self check for stg.cocdev.co.kr fails on Challenge plate-stg/stg-tls-3-2961520731-1208554888: ${AUTHORIZATION.replace('Error accepting authorization: ', '')}; expires in 4 days (2026-03-05)`,
      hint: "Make http://stg.cocdev.co.kr/.well-known/acme-challenge/ reach cert-manager's solver: DNS must point at the load balancer and port 80 must not be blocked or redirected for that path.",
      commands: [
        'kubectl describe certificate -n plate-stg stg-tls',
        'kubectl get certificaterequests,orders,challenges -n plate-stg',
        'cmctl status certificate -n plate-stg stg-tls',
        'curl -sI http://stg.cocdev.co.kr/.well-known/acme-challenge/doctor-probe',
      ],
    });
  });

  it('warns, with the same cause, while more than 7 days are left', () => {
    const cert = failingRenewal('2026-03-20T00:00:00Z');
    const [leaf] = evaluateCertificates(facts(cert, stored('2026-03-20T00:00:00.000Z')), {
      now: NOW,
    }).children!;
    expect(leaf).toMatchObject({ status: 'warn', code: 'CERT_RENEWAL_FAILING' });
    expect(leaf!.message).toMatch(
      /^Ready, but renewal keeps failing \(3 failed attempts, last 12m ago\): HTTP-01 /,
    );
    expect(leaf!.message).toMatch(/; expires in 19 days \(2026-03-20\)$/);
  });

  it('says why an expired certificate was not renewed', () => {
    const cert = failingRenewal('2026-02-27T00:00:00Z');
    const [leaf] = evaluateCertificates(facts(cert, { secrets: { kind: 'items', items: [] } }), {
      now: NOW,
    }).children!;
    expect(leaf).toMatchObject({ status: 'fail', code: 'CERT_SECRET_STALE' });
    const kept = evaluateCertificates(facts(cert, { secrets: { kind: 'not-read' } }), { now: NOW })
      .children![0]!;
    expect(kept).toMatchObject({ status: 'fail', code: 'CERT_EXPIRED' });
    expect(kept.message).toMatch(
      /^expired on 2026-02-27; renewal keeps failing \(3 failed attempts, last 12m ago\): HTTP-01 /,
    );
  });

  it('calls a renewal under way stuck only when one of its objects says it fails', () => {
    const renewing = {
      status: 'True',
      reason: 'Renewing',
      message: 'Renewing certificate as renewal was scheduled at 2026-02-28 23:00:00 +0000 UTC',
    };
    const waiting = aChain({
      request: {
        ...APPROVED_REQUEST,
        name: 'stg-tls-3',
        ready: {
          status: 'False',
          reason: 'Pending',
          message: 'Waiting on certificate issuance from order plate-stg/stg-tls-3-1: "pending"',
        },
      },
      order: { name: 'stg-tls-3-1', state: 'pending', reason: null },
      challenges: [
        {
          name: 'stg-tls-3-1-1',
          type: 'HTTP-01',
          dnsName: 'stg.cocdev.co.kr',
          state: 'pending',
          reason: null,
        },
      ],
    });
    const fine = evaluateCertificates(facts(aCert({ issuing: renewing, chain: waiting })), { now: NOW })
      .children![0]!;
    expect(fine).toMatchObject({
      status: 'pass',
      message: 'Ready, expires in 61 days (2026-05-01), issued by R11',
    });
    const stuck = aChain({
      ...waiting,
      challenges: [
        {
          ...waiting.challenges[0]!,
          reason: "Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'",
        },
      ],
    });
    const leaf = evaluateCertificates(facts(aCert({ issuing: renewing, chain: stuck })), { now: NOW })
      .children![0]!;
    expect(leaf).toMatchObject({
      status: 'warn',
      code: 'CERT_RENEWAL_FAILING',
      message:
        "Ready, but renewal is stuck: HTTP-01 self check for stg.cocdev.co.kr fails on Challenge plate-stg/stg-tls-3-1-1: wrong status code '404', expected '200'; expires in 61 days (2026-05-01)",
    });
  });

  it('names an approver that denied the CertificateRequest', () => {
    const denied = {
      status: 'True',
      reason: 'policy.cert-manager.io',
      message:
        'No policy approved this request: [plate-stg-policy: spec.allowed.dnsNames.values: Invalid value: []string{"llm.cocdev.co.kr"}: llm.cocdev.co.kr]',
    };
    const cert = aCert({
      ready: NOT_READY,
      chain: aChain({
        request: {
          name: 'stg-tls-1',
          ready: {
            status: 'False',
            reason: 'Denied',
            message: 'The CertificateRequest was denied by an approval controller',
          },
          approved: null,
          denied,
          createdAt: '2026-02-28T23:00:00Z',
        },
      }),
    });
    const [leaf] = evaluateCertificates(facts(cert), { now: NOW }).children!;
    expect(leaf).toMatchObject({
      status: 'fail',
      code: 'CERT_REQUEST_DENIED',
      message: `not Ready: CertificateRequest plate-stg/stg-tls-1 was denied (policy.cert-manager.io: ${denied.message})`,
      hint: 'Read why CertificateRequest plate-stg/stg-tls-1 was denied (its Denied condition) and change Certificate plate-stg/stg-tls or the approval policy; cert-manager never signs a denied request.',
    });
  });

  it('names a CertificateRequest no approver has answered for five minutes, and not before', () => {
    const unanswered = (createdAt: string) =>
      aCert({
        ready: NOT_READY,
        chain: aChain({
          request: { name: 'stg-tls-1', ready: null, approved: null, denied: null, createdAt },
        }),
      });
    const [late] = evaluateCertificates(facts(unanswered('2026-02-28T23:50:00Z')), { now: NOW }).children!;
    expect(late).toMatchObject({
      status: 'fail',
      code: 'CERT_REQUEST_UNAPPROVED',
      message:
        'not Ready: CertificateRequest plate-stg/stg-tls-1 has been neither approved nor denied for over 5 minutes',
    });
    const [early] = evaluateCertificates(facts(unanswered('2026-02-28T23:58:00Z')), { now: NOW }).children!;
    expect(early).toMatchObject({ code: 'CERT_NOT_READY' });
  });
});

describe('gatherCertificates', () => {
  let stgPem = '';
  beforeAll(async () => {
    const ca = await createCertificateAuthority('R11', new Date('2026-01-31T00:00:00Z'));
    stgPem = (
      await ca.issue({
        commonName: 'stg.cocdev.co.kr',
        dnsNames: ['stg.cocdev.co.kr', 'llm.cocdev.co.kr'],
        notBefore: new Date('2026-01-31T00:00:00Z'),
        notAfter: new Date('2026-05-01T00:00:00Z'),
      })
    ).certPem;
  });

  it('walks each stuck Certificate to its deepest failure from real YAML', async () => {
    const objects = [
      ...loadFixture('cert-manager.yaml'),
      ...loadFixture('plate-stg.yaml'),
      ...loadFixture('cluster.yaml'),
    ];
    const ctx = aGatherContext({ kube: kubeFrom(objects, { tlsCrt: { 'plate-stg/stg-tls': stgPem } }) });
    const node = evaluateCertificates(await gatherCertificates(ctx), { now: NOW });
    expect(node.children!.map((c) => [c.id, c.status, c.message])).toEqual([
      [
        'ingress.certificates:plate-dev/dev-tls',
        'fail',
        "not Ready: HTTP-01 self check for dev.cocdev.co.kr fails on Challenge plate-dev/dev-tls-2-2930846-1780043470: wrong status code '404', expected '200'",
      ],
      [
        'ingress.certificates:plate-prod/prod-tls',
        'fail',
        'not Ready: ACME rate limit (429 rateLimited) on Order plate-prod/prod-tls-1-3761388167: too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after 2026-03-02 19:14:33 UTC',
      ],
      [
        'ingress.certificates:plate-qa/qa-tls',
        'fail',
        'not Ready: ClusterIssuer letsencrypt-staging does not exist',
      ],
      [
        'ingress.certificates:plate-stg/stg-tls',
        'pass',
        'Ready, expires in 61 days (2026-05-01), issued by R11',
      ],
      ['ingress.certificates:clusterissuer/letsencrypt-prod', 'pass', 'Ready (ACMEAccountRegistered)'],
    ]);
  });

  it("adds the issuer's own Warning event, recorded in default for a ClusterIssuer, when it says more than its status", async () => {
    const objects = [...loadFixture('cert-manager.yaml'), ...loadFixture('cluster.yaml')]
      .filter((o) => o.kind !== 'Certificate' || o.metadata.name === 'stg-tls')
      .map((o) =>
        o.kind === 'ClusterIssuer'
          ? {
              ...o,
              status: {
                conditions: [
                  {
                    type: 'Ready',
                    status: 'False',
                    reason: 'ErrRegisterACMEAccount',
                    message:
                      'Failed to register ACME account: Get "https://acme-v02.api.letsencrypt.org/directory": dial tcp: lookup acme-v02.api.letsencrypt.org: i/o timeout',
                  },
                ],
              },
            }
          : o,
      );
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'letsencrypt-prod.18a1', namespace: 'default' },
      involvedObject: { kind: 'ClusterIssuer', name: 'letsencrypt-prod' },
      type: 'Warning',
      reason: 'ErrVerifyACMEAccount',
      message: 'Failed to verify ACME account: context deadline exceeded',
      count: 3,
      lastTimestamp: '2026-02-28T23:00:00Z',
    } as KubeObject;
    const ctx = aGatherContext({
      kube: kubeFrom([...objects, event], { tlsCrt: { 'plate-stg/stg-tls': stgPem } }),
    });
    const issuer = evaluateCertificates(await gatherCertificates(ctx), { now: NOW }).children!.find(
      (c) => c.id === 'ingress.certificates:clusterissuer/letsencrypt-prod',
    );
    expect(issuer?.message).toBe(
      'not Ready (ErrRegisterACMEAccount: Failed to register ACME account: Get "https://acme-v02.api.letsencrypt.org/directory": dial tcp: lookup acme-v02.api.letsencrypt.org: i/o timeout)' +
        '; event ErrVerifyACMEAccount (×3): Failed to verify ACME account: context deadline exceeded',
    );
  });

  it('does not list CertificateRequests, Orders or Challenges while every Certificate is Ready', async () => {
    const calls: string[] = [];
    const objects = [...loadFixture('cert-manager.yaml'), ...loadFixture('cluster.yaml')].filter(
      (o) => o.kind !== 'Certificate' || o.metadata.name === 'stg-tls',
    );
    await gatherCertificates(
      aGatherContext({ kube: kubeFrom(objects, { calls }) }, { namespaces: ['plate-stg'] }),
    );
    expect([...calls].sort()).toEqual([
      'certificates plate-stg',
      'clusterissuers *',
      'ingresses plate-stg',
      'issuers plate-stg',
      'secrets plate-stg',
    ]);
  });

  it('keeps a forbidden Certificate list as an error leaf', async () => {
    const ctx = aGatherContext(
      {
        kube: kubeFrom(loadFixture('cluster.yaml'), {
          forbidden: [{ kind: 'certificates', namespace: 'plate-stg' }],
        }),
      },
      { namespaces: ['plate-stg'] },
    );
    const node = evaluateCertificates(await gatherCertificates(ctx), { now: NOW });
    expect(node.children).toEqual([
      {
        id: 'ingress.certificates:list:Certificates in plate-stg',
        title: 'Certificates in plate-stg',
        subject: 'Certificates in plate-stg',
        status: 'error',
        code: 'CHECK_FORBIDDEN',
        message: 'not allowed to list certificates.cert-manager.io in plate-stg',
        hint: 'Grant "list certificates.cert-manager.io in plate-stg" to the identity running the doctor, or run it with a kubeconfig that has it.',
        commands: ['kubectl auth can-i list certificates.cert-manager.io -n plate-stg'],
      },
    ]);
  });
});

describe("Certificates of cert-manager's gateway-shim", () => {
  const shimCert = aCert({
    namespace: 'plate-prod',
    name: 'beta-tls',
    secretName: 'beta-tls',
    dnsNames: ['beta.cocdev.co.kr'],
    gateway: 'plate-prod/plate-gateway',
  });
  const listenerFacts = (hostname: string): GatewayCertificatesFacts => ({
    ...facts(shimCert, {
      secrets: {
        kind: 'items',
        items: [{ namespace: 'plate-prod', name: 'beta-tls', type: 'kubernetes.io/tls', cert: null }],
      },
      ingressTls: { kind: 'items', items: [] },
      listenerTls: {
        kind: 'items',
        items: [
          {
            listener: 'listener https of Gateway plate-prod/plate-gateway',
            namespace: 'plate-prod',
            secretName: 'beta-tls',
            hosts: [hostname],
          },
        ],
      },
    }),
    isServed: true,
  });
  const evaluateGatewayCertificates = showing(evaluateGatewayCertificatesNode);

  it('are judged by gateway.certificates, not ingress.certificates', () => {
    const ingressNode = evaluateCertificates(listenerFacts('beta.cocdev.co.kr'), { now: NOW });
    expect(ingressNode).toMatchObject({ message: 'no Certificates or TLS Secrets in scope' });
    expect(ingressNode).not.toHaveProperty('children');
    const gatewayNode = evaluateGatewayCertificates(listenerFacts('beta.cocdev.co.kr'), { now: NOW });
    expect(gatewayNode.children?.map((c) => [c.id, c.status])).toEqual([
      ['gateway.certificates:plate-prod/beta-tls', 'pass'],
      ['gateway.certificates:clusterissuer/letsencrypt-prod', 'pass'],
    ]);
  });

  it('must cover the hostname of the listener that serves their Secret, and say which listener that is', () => {
    const node = evaluateGatewayCertificates(listenerFacts('api.cocdev.co.kr'), { now: NOW });
    expect(node.children![0]).toMatchObject({
      status: 'fail',
      code: 'CERT_NAMES_MISSING',
      message:
        'dnsNames do not cover api.cocdev.co.kr (used by listener https of Gateway plate-prod/plate-gateway)',
    });
  });

  it('read the listeners that name a Secret, in the Secret namespace the ref resolves to', () => {
    const gw = readGateway({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'plate-gateway', namespace: 'plate-prod' },
      spec: {
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP', hostname: 'beta.cocdev.co.kr' },
          {
            name: 'https',
            port: 443,
            protocol: 'HTTPS',
            hostname: 'beta.cocdev.co.kr',
            tls: { certificateRefs: [{ name: 'beta-tls' }, { name: 'shared', namespace: 'certs' }] },
          },
        ],
      },
    } as KubeObject);
    expect(listenerTlsUses([gw])).toEqual([
      {
        listener: 'listener https of Gateway plate-prod/plate-gateway',
        namespace: 'plate-prod',
        secretName: 'beta-tls',
        hosts: ['beta.cocdev.co.kr'],
      },
      {
        listener: 'listener https of Gateway plate-prod/plate-gateway',
        namespace: 'certs',
        secretName: 'shared',
        hosts: ['beta.cocdev.co.kr'],
      },
    ]);
  });
});
