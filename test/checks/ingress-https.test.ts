import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateHttps as evaluateHttpsNode,
  gatherHttps,
  type HostHttps,
  type HttpsFacts,
} from '../../src/checks/ingress/https.js';
import type { CertInfo } from '../../src/checks/ingress/x509.js';
import type { ResultNode } from '../../src/checks/result.js';
import type { HttpReply, ProbeTarget } from '../../src/gateways/types.js';
import { createCertificateAuthority, createSelfSigned } from '../../src/sandbox/certs.js';
import { fakeHttp } from '../fakes/gateways.js';
import { aGatherContext } from '../fakes/scope.js';
import { kubeFrom, loadFixture, previewIngress } from '../fixtures/ingress-builders.js';
import { showing } from '../support/shown.js';

const evaluateHttps = showing(evaluateHttpsNode);

const NOW = new Date('2026-03-01T00:00:00Z');
const HOST = 'stg.cocdev.co.kr';

const CERT: CertInfo = {
  subjectCn: HOST,
  issuer: 'R11',
  dnsNames: [HOST],
  ipAddresses: [],
  notBefore: '2026-01-31T00:00:00.000Z',
  notAfter: '2026-05-01T00:00:00.000Z',
  isIngressFake: false,
};
const FAKE: CertInfo = {
  subjectCn: 'Kubernetes Ingress Controller Fake Certificate',
  issuer: 'Kubernetes Ingress Controller Fake Certificate',
  dnsNames: ['ingress.local'],
  ipAddresses: [],
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  isIngressFake: true,
};

const ok = (status: number, bodyStart = ''): HttpReply => ({
  kind: 'response',
  status,
  location: null,
  server: 'nginx',
  bodyStart,
});
const redirect = (status: number, location: string): HttpReply => ({
  kind: 'response',
  status,
  location,
  server: 'nginx',
  bodyStart: '',
});

function aHost(overrides: Partial<HostHttps> = {}): HostHttps {
  return {
    host: HOST,
    name: HOST,
    ingress: 'plate-stg/plate-ingress',
    ingresses: ['plate-stg/plate-ingress'],
    ingressClass: 'nginx',
    isAdmitted: true,
    tlsSecret: 'stg-tls',
    tlsSecretState: 'usable',
    address: '203.0.113.10',
    tls: { kind: 'handshake', chainPem: ['<pem>'], isTrusted: true, verifyError: null },
    cert: CERT,
    redirect: redirect(308, `https://${HOST}/`),
    paths: [
      { path: '/', pathType: 'Prefix', service: 'plate-web-stg', reply: ok(200) },
      { path: '/api', pathType: 'Prefix', service: 'plate-api-stg', reply: ok(401) },
    ],
    ...overrides,
  };
}

function facts(h: HostHttps): HttpsFacts {
  return {
    ports: { http: 80, https: 443 },
    controller: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' },
    ingressesFailure: null,
    hosts: [h],
  };
}

function node(h: HostHttps, id: string): ResultNode {
  const hostNode = evaluateHttps(facts(h), { now: NOW }).children![0]!;
  const found = [hostNode, ...(hostNode.children ?? [])].find((n) => n.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

const CERT_ID = `ingress.https:${HOST}#certificate`;
const CURL = `curl -vsI --connect-to ${HOST}:443:203.0.113.10:443 https://${HOST}/`;

describe('evaluateHttps', () => {
  it('passes a healthy host and reports each probe', () => {
    const hostNode = evaluateHttps(facts(aHost()), { now: NOW }).children![0]!;
    expect(hostNode).toMatchObject({ id: `ingress.https:${HOST}`, subject: `host ${HOST}`, status: 'pass' });
    expect(hostNode.children!.map((c) => [c.id, c.subject, c.message])).toEqual([
      [CERT_ID, `host ${HOST}`, 'trusted certificate issued by R11, expires in 61 days (2026-05-01)'],
      [`ingress.https:${HOST}#redirect`, `http://${HOST}/`, `redirects to https://${HOST}/ (308)`],
      [`ingress.https:${HOST}/`, `https://${HOST}/`, 'answers 200'],
      [`ingress.https:${HOST}/api`, `https://${HOST}/api`, 'answers 401'],
    ]);
  });

  it.each([
    {
      name: 'recognises the ingress-nginx fake certificate',
      host: aHost({
        tlsSecretState: 'missing',
        cert: FAKE,
        tls: {
          kind: 'handshake',
          chainPem: ['<pem>'],
          isTrusted: false,
          verifyError: 'self-signed certificate',
        },
      }),
      expected: {
        status: 'fail',
        message: 'the controller serves its default certificate: TLS Secret plate-stg/stg-tls does not exist',
        hint: 'Fix TLS Secret plate-stg/stg-tls of Ingress plate-stg/plate-ingress (see ingress.certificates); the controller falls back to its default certificate.',
        commands: [
          'kubectl get secret -n plate-stg stg-tls',
          'kubectl describe ingress -n plate-stg plate-ingress',
          CURL,
        ],
      },
    },
    {
      name: 'blames no controller taking the Ingress, not its TLS Secret, when the Ingress has no address',
      host: aHost({ cert: FAKE, isAdmitted: false, ingressClass: 'nginx-internal' }),
      expected: {
        status: 'fail',
        message:
          'the controller serves its default certificate: no ingress controller has taken Ingress plate-stg/plate-ingress (it has no load balancer address; see IngressClass nginx-internal)',
        hint: 'Fix the class of Ingress plate-stg/plate-ingress (nginx-internal) first (see ingress.resources): no controller has loaded it, so none serves its certificate.',
        dependsOn: [
          'Service ingress-nginx/ingress-nginx-controller',
          'Ingress plate-stg/plate-ingress',
          'IngressClass nginx-internal',
          'TLS for host stg.cocdev.co.kr',
          'Secret plate-stg/stg-tls',
        ],
      },
    },
    {
      name: 'says the TLS Secret exists when the controller still serves its fake certificate',
      host: aHost({ cert: FAKE }),
      expected: {
        status: 'fail',
        message:
          'the controller serves its default certificate: TLS Secret plate-stg/stg-tls exists, but the controller does not serve it (its log says why)',
      },
    },
    {
      name: 'explains the fake certificate of a host without TLS',
      host: aHost({ cert: FAKE, tlsSecret: null }),
      expected: {
        status: 'fail',
        message:
          'the controller serves its default certificate: Ingress plate-stg/plate-ingress has no TLS entry for this host',
        hint: `Add a tls entry for ${HOST} with a secretName to Ingress plate-stg/plate-ingress.`,
      },
    },
    {
      name: 'fails an expired certificate',
      host: aHost({ cert: { ...CERT, notAfter: '2026-02-01T00:00:00.000Z' } }),
      expected: {
        status: 'fail',
        message: 'certificate expired on 2026-02-01 (issued by R11)',
        hint: 'Renew or replace the certificate in Secret plate-stg/stg-tls of Ingress plate-stg/plate-ingress (see ingress.certificates).',
        commands: ['kubectl describe certificate -n plate-stg stg-tls', CURL],
      },
    },
    {
      name: 'fails a certificate for another name',
      host: aHost({ cert: { ...CERT, dnsNames: ['other.example.com'] } }),
      expected: { status: 'fail', message: `certificate is for other.example.com, not ${HOST}` },
    },
    {
      name: 'fails an untrusted certificate',
      host: aHost({
        cert: { ...CERT, issuer: '(STAGING) Ersatz Edamame E1' },
        tls: {
          kind: 'handshake',
          chainPem: ['<pem>'],
          isTrusted: false,
          verifyError: 'unable to get local issuer certificate',
        },
      }),
      expected: {
        status: 'fail',
        message:
          'certificate is not trusted: unable to get local issuer certificate (issued by (STAGING) Ersatz Edamame E1)',
      },
    },
    {
      name: 'warns under 14 days to expiry',
      host: aHost({ cert: { ...CERT, notAfter: '2026-03-06T00:00:00.000Z' } }),
      expected: { status: 'warn', message: 'certificate expires in 5 days (2026-03-06), issued by R11' },
    },
    {
      name: 'fails a handshake that does not complete',
      host: aHost({ tls: { kind: 'failed', reason: 'connect ECONNREFUSED 203.0.113.10:443' }, cert: null }),
      expected: {
        status: 'fail',
        message: `TLS handshake with 203.0.113.10:443 (SNI ${HOST}) failed: connect ECONNREFUSED 203.0.113.10:443`,
        hint: "Make 203.0.113.10:443 accept connections: check the load balancer's listeners and the controller pods.",
        commands: [CURL, 'kubectl get pods -n ingress-nginx'],
      },
    },
  ])('$name', ({ host, expected }) => {
    expect(node(host, CERT_ID)).toMatchObject(expected);
  });

  it.each([
    [redirect(301, `https://${HOST}/`), 'pass', `redirects to https://${HOST}/ (301)`],
    [
      redirect(302, 'http://elsewhere.example/'),
      'fail',
      `redirects to http://elsewhere.example/ (302), expected https://${HOST}/`,
    ],
    [ok(200), 'fail', `answers 200 instead of redirecting to https://${HOST}/`],
    [
      { kind: 'failed', reason: 'timeout after 5s' } as HttpReply,
      'fail',
      `http://${HOST}/ via 203.0.113.10:80 failed: timeout after 5s`,
    ],
  ] as const)('judges the HTTP answer %# as %s', (reply, status, message) => {
    const leaf = node(aHost({ redirect: reply }), `ingress.https:${HOST}#redirect`);
    expect(leaf).toMatchObject({ status, message });
    if (status === 'fail') {
      expect(leaf.hint).toBe(
        `Redirect HTTP to HTTPS for ${HOST}: give Ingress plate-stg/plate-ingress a tls entry for it and do not set nginx.ingress.kubernetes.io/ssl-redirect: "false".`,
      );
      expect(leaf.commands).toEqual([
        `curl -sI --connect-to ${HOST}:80:203.0.113.10:80 http://${HOST}/`,
        'kubectl get ingress -n plate-stg plate-ingress -o yaml',
      ]);
    }
  });

  it.each([
    [ok(502), 'fail', 'answers 502 (Service plate-stg/plate-api-stg)'],
    [
      ok(
        404,
        '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>',
      ),
      'fail',
      "answers 404 from the controller's default backend",
    ],
    [ok(404, 'default backend - 404'), 'fail', "answers 404 from the controller's default backend"],
    [
      ok(404, '{"error":"not found"}'),
      'fail',
      "answers 404: the controller's default backend, or the backend has no route for /api",
    ],
    [ok(302), 'pass', 'answers 302'],
  ] as const)('judges the path answer %# as %s', (reply, status, message) => {
    const h = aHost({ paths: [{ path: '/api', pathType: 'Prefix', service: 'plate-api-stg', reply }] });
    expect(node(h, `ingress.https:${HOST}/api`)).toMatchObject({ status, message });
  });

  it('names the pods behind a path that answers 5xx', () => {
    const h = aHost({
      paths: [{ path: '/api', pathType: 'Prefix', service: 'plate-api-stg', reply: ok(503) }],
    });
    expect(node(h, `ingress.https:${HOST}/api`)).toMatchObject({
      hint: 'Check the pods behind Service plate-stg/plate-api-stg; the controller answers 5xx when the backend is down or failing.',
      commands: [
        'kubectl get endpointslices -n plate-stg -l kubernetes.io/service-name=plate-api-stg',
        'kubectl describe ingress -n plate-stg plate-ingress',
      ],
    });
  });

  it('skips paths while the TLS handshake fails, and pattern paths it cannot probe', () => {
    const failed = aHost({
      tls: { kind: 'failed', reason: 'refused' },
      cert: null,
      paths: [{ path: '/', pathType: 'Prefix', service: 'web', reply: null }],
    });
    expect(node(failed, `ingress.https:${HOST}/`)).toMatchObject({
      status: 'skip',
      message: 'not probed: the TLS handshake failed',
    });
    const pattern = aHost({
      paths: [{ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'api', reply: null }],
    });
    expect(node(pattern, `ingress.https:${HOST}/api(/|$)(.*)`)).toMatchObject({
      status: 'skip',
      message: 'not probed: ImplementationSpecific path /api(/|$)(.*) is a pattern',
    });
  });

  it('skips, rather than fails, while the load balancer has no address', () => {
    expect(
      evaluateHttps(facts(aHost({ address: null, tls: null, cert: null, redirect: null })), { now: NOW })
        .children,
    ).toEqual([
      {
        id: `ingress.https:${HOST}`,
        title: HOST,
        subject: `host ${HOST}`,
        status: 'skip',
        code: 'SKIPPED_NO_LB_ADDRESS',
        message: 'the load balancer has no address yet',
        hint: 'Fix the load balancer address first (see ingress.resources).',
        commands: ['kubectl get ingress -A -o wide'],
      },
    ]);
  });
});

describe('gatherHttps', () => {
  let validPem = '';
  let fakePem = '';
  beforeAll(async () => {
    const ca = await createCertificateAuthority('R11', new Date('2026-01-31T00:00:00Z'));
    validPem = (
      await ca.issue({
        commonName: HOST,
        dnsNames: [HOST, 'llm.cocdev.co.kr'],
        notAfter: new Date('2026-05-01T00:00:00Z'),
      })
    ).certPem;
    fakePem = (
      await createSelfSigned({
        commonName: 'Kubernetes Ingress Controller Fake Certificate',
        dnsNames: ['ingress.local'],
      })
    ).certPem;
  });

  it('probes the load balancer address with SNI per host, on the configured ports, and every literal path', async () => {
    const seen: string[] = [];
    const http = fakeHttp({
      probeHttps: async (t: ProbeTarget, paths) => {
        seen.push(`tls ${t.address}:${t.port} ${t.host}`);
        for (const path of paths) seen.push(`https ${t.address}:${t.port} ${t.host}${path}`);
        return {
          tls: {
            kind: 'handshake',
            chainPem: [t.host === HOST ? validPem : fakePem],
            isTrusted: t.host === HOST,
            verifyError: null,
          },
          replies: paths.map(() => ok(200)),
        };
      },
      request: async (t) => {
        seen.push(`${t.scheme} ${t.address}:${t.port} ${t.host}${t.path}`);
        return redirect(308, `https://${t.host}/`);
      },
    });
    const kube = kubeFrom([...loadFixture('plate-stg.yaml'), ...loadFixture('cluster.yaml')]);
    const f = await gatherHttps(aGatherContext({ kube, http }, { ports: { http: 8080, https: 8443 } }));
    expect(seen.sort()).toEqual([
      'http 203.0.113.10:8080 llm.cocdev.co.kr/',
      'http 203.0.113.10:8080 stg.cocdev.co.kr/',
      'https 203.0.113.10:8443 llm.cocdev.co.kr/',
      'https 203.0.113.10:8443 stg.cocdev.co.kr/',
      'https 203.0.113.10:8443 stg.cocdev.co.kr/api',
      'tls 203.0.113.10:8443 llm.cocdev.co.kr',
      'tls 203.0.113.10:8443 stg.cocdev.co.kr',
    ]);
    const result = evaluateHttps(f, { now: NOW });
    expect(result.children!.map((c) => [c.id, c.status])).toEqual([
      ['ingress.https:llm.cocdev.co.kr', 'fail'],
      [`ingress.https:${HOST}`, 'pass'],
    ]);
    // The fixture's TLS Secret exists: the fallback is the controller's doing, not a missing Secret.
    expect(result.children![0]!.children![0]!.message).toBe(
      'the controller serves its default certificate: TLS Secret plate-stg/stg-tls exists, but the controller does not serve it (its log says why)',
    );
  });

  it('probes a wildcard host as one name it covers, and judges the certificate and paths for that name', async () => {
    const ca = await createCertificateAuthority('R11', new Date('2026-01-31T00:00:00Z'));
    const wildcardPem = (
      await ca.issue({
        commonName: '*.preview.cocdev.co.kr',
        dnsNames: ['*.preview.cocdev.co.kr'],
        notAfter: new Date('2026-05-01T00:00:00Z'),
      })
    ).certPem;
    const stg = [...loadFixture('plate-stg.yaml'), ...loadFixture('cluster.yaml')];
    const asked: string[] = [];
    const http = fakeHttp({
      probeHttps: async (t: ProbeTarget, paths) => {
        asked.push(`tls ${t.host}`);
        return {
          tls: { kind: 'handshake', chainPem: [wildcardPem], isTrusted: true, verifyError: null },
          replies: paths.map(() => ok(200)),
        };
      },
      request: async (t) => (asked.push(`http ${t.host}${t.path}`), redirect(308, `https://${t.host}/`)),
    });
    const f = await gatherHttps(aGatherContext({ kube: kubeFrom([...stg, previewIngress()]), http }));
    const probeName = 'platform-doctor-probe.preview.cocdev.co.kr';
    expect(asked.filter((a) => a.includes('preview')).sort()).toEqual([
      `http ${probeName}/`,
      `tls ${probeName}`,
    ]);
    const node = evaluateHttps(f, { now: NOW }).children!.find(
      (c) => c.id === 'ingress.https:*.preview.cocdev.co.kr',
    )!;
    expect(node.children!.map((c) => [c.subject, c.status, c.message])).toEqual([
      [
        'host *.preview.cocdev.co.kr',
        'pass',
        `trusted certificate issued by R11, expires in 61 days (2026-05-01) (asked as ${probeName})`,
      ],
      [`http://${probeName}/`, 'pass', `redirects to https://${probeName}/ (308)`],
      [`https://${probeName}/`, 'pass', 'answers 200'],
    ]);
  });
});
