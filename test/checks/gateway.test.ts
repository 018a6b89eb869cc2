import { describe, expect, it } from 'vitest';
import {
  evaluateGateways as evaluateGatewaysNode,
  type GatewaysFacts,
} from '../../src/checks/gateway/gateways.js';
import {
  hostnameMatches,
  readGateway,
  readGatewayClass,
  readReferenceGrant,
  readRoute,
} from '../../src/checks/gateway/model.js';
import { evaluateRoutes as evaluateRoutesNode, type RoutesFacts } from '../../src/checks/gateway/routes.js';
import {
  evaluateGatewayHttps,
  httpsHosts,
  type GatewayHost,
  type GatewayHttpsFacts,
} from '../../src/checks/gateway/https.js';
import type { KubeObject } from '../../src/gateways/types.js';
import { showing } from '../support/shown.js';

const evaluateGateways = showing(evaluateGatewaysNode);
const evaluateRoutes = showing(evaluateRoutesNode);

const condition = (type: string, status: string, reason: string, message = '') => ({
  type,
  status,
  reason,
  message,
});
const obj = (kind: string, name: string, namespace: string | null, body: object): KubeObject =>
  ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    ...body,
  }) as KubeObject;

const acceptedClass = obj('GatewayClass', 'eg', null, {
  spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
  status: { conditions: [condition('Accepted', 'True', 'Accepted', 'Valid GatewayClass')] },
});
const LISTENER_OK = [
  condition('Accepted', 'True', 'Accepted'),
  condition('ResolvedRefs', 'True', 'ResolvedRefs'),
  condition('Programmed', 'True', 'Programmed'),
];
const gateway = (over: { spec?: object; status?: object; annotations?: Record<string, string> } = {}) =>
  readGateway({
    ...obj('Gateway', 'web', 'shop', {
      spec: {
        gatewayClassName: 'eg',
        listeners: [
          {
            name: 'https',
            hostname: '*.example.test',
            port: 443,
            protocol: 'HTTPS',
            tls: { certificateRefs: [{ name: 'web-tls' }] },
          },
        ],
        ...over.spec,
      },
      status: {
        addresses: [{ type: 'IPAddress', value: '203.0.113.20' }],
        conditions: [
          condition('Accepted', 'True', 'Accepted'),
          condition('Programmed', 'True', 'Programmed'),
        ],
        listeners: [{ name: 'https', attachedRoutes: 1, conditions: LISTENER_OK }],
        ...over.status,
      },
    }),
    metadata: { name: 'web', namespace: 'shop', annotations: over.annotations ?? {} },
  });
const TLS_SECRET = {
  namespace: 'shop',
  name: 'web-tls',
  type: 'kubernetes.io/tls',
  keys: ['tls.crt', 'tls.key'],
};
const gatewaysFacts = (over: Partial<GatewaysFacts> = {}): GatewaysFacts => ({
  classes: { kind: 'items', items: [readGatewayClass(acceptedClass)] },
  gateways: { kind: 'items', items: [gateway()] },
  secrets: { kind: 'items', items: [TLS_SECRET] },
  grants: { kind: 'items', items: [] },
  ...over,
});

describe('Gateway API readers', () => {
  it('apply the API defaults: TLS mode Terminate, Secret refs in the Gateway namespace, routes from Same', () => {
    const [listener] = gateway().listeners;
    expect(listener).toMatchObject({
      tlsMode: 'Terminate',
      allowedFrom: 'Same',
      certificateRefs: [{ namespace: 'shop', name: 'web-tls', kind: 'Secret', group: '' }],
      attachedRoutes: 1,
    });
  });

  it('read a route: parentRefs default to a Gateway in its namespace, a rule without matches matches /', () => {
    const route = readRoute(
      obj('HTTPRoute', 'web', 'shop', {
        spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] },
      }),
    );
    expect(route.parentRefs).toEqual([
      { kind: 'Gateway', namespace: 'shop', name: 'web', sectionName: null, port: null },
    ]);
    expect(route.rules).toEqual([
      {
        paths: [{ type: 'PathPrefix', value: '/' }],
        backendRefs: [{ kind: 'Service', namespace: 'shop', name: 'web', port: 8080 }],
        redirectsToHttps: false,
      },
    ]);
  });

  it('match listener hostnames as the Gateway API does: a wildcard is a suffix of one or more labels', () => {
    expect(hostnameMatches('*.example.test', 'a.example.test')).toBe(true);
    expect(hostnameMatches('*.example.test', 'b.a.example.test')).toBe(true);
    expect(hostnameMatches('*.example.test', 'example.test')).toBe(false);
    expect(hostnameMatches('a.example.test', 'b.example.test')).toBe(false);
    expect(hostnameMatches(null, 'anything.test')).toBe(true);
  });
});

describe('gateway.gateways evaluate', () => {
  it('skips, not fails, when the Gateway API is not installed', () => {
    expect(
      evaluateGateways(
        gatewaysFacts({ gateways: { kind: 'not-served', resource: 'gateways.gateway.networking.k8s.io' } }),
      ),
    ).toMatchObject({ status: 'skip', message: 'the Gateway API is not installed' });
  });

  it('passes an accepted class, a programmed Gateway with an address, its listener and its TLS Secret', () => {
    const node = evaluateGateways(gatewaysFacts());
    expect(node.children![0]!.children!.map((c) => [c.subject, c.status, c.message])).toEqual([
      ['GatewayClass eg', 'pass', 'accepted by gateway.envoyproxy.io/gatewayclass-controller'],
      ['Gateway shop/web', 'pass', 'programmed at 203.0.113.20'],
      ['listener https of Gateway shop/web', 'pass', 'HTTPS/443 for *.example.test, 1 attached route'],
      ['Secret shop/web-tls', 'pass', 'kubernetes.io/tls Secret with tls.crt and tls.key'],
    ]);
  });

  it('fails a class no controller has accepted, and says to check the controller', () => {
    const pending = obj('GatewayClass', 'eg', null, {
      spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
      status: { conditions: [condition('Accepted', 'Unknown', 'Pending', 'Waiting for controller')] },
    });
    const [classLeaf] = evaluateGateways(
      gatewaysFacts({ classes: { kind: 'items', items: [readGatewayClass(pending)] } }),
    ).children![0]!.children!;
    expect(classLeaf).toMatchObject({
      status: 'fail',
      message:
        'not accepted: Accepted Unknown (Pending: Waiting for controller); controller gateway.envoyproxy.io/gatewayclass-controller',
      hint: 'Check that the controller gateway.envoyproxy.io/gatewayclass-controller is running: no controller has accepted GatewayClass eg.',
    });
  });

  it("fails a Gateway its controller could not give an address, in Envoy Gateway's words", () => {
    const gw = gateway({
      status: {
        addresses: [],
        conditions: [
          condition('Accepted', 'True', 'Accepted', 'The Gateway has been scheduled by Envoy Gateway'),
          condition(
            'Programmed',
            'False',
            'AddressNotAssigned',
            'No addresses have been assigned to the Gateway',
          ),
        ],
      },
    });
    const status = evaluateGateways(gatewaysFacts({ gateways: { kind: 'items', items: [gw] } })).children![0]!
      .children![1];
    expect(status).toMatchObject({
      status: 'fail',
      message: 'Programmed False (AddressNotAssigned: No addresses have been assigned to the Gateway)',
      // A class that is not accepted would explain it.
      dependsOn: ['GatewayClass eg'],
      hint: "Find out why no address was assigned to Gateway shop/web: its controller's Service or load balancer has none.",
    });
  });

  it('fails a listener whose certificate Secret is in another namespace without a ReferenceGrant', () => {
    const gw = gateway({
      spec: {
        listeners: [
          {
            name: 'https',
            port: 443,
            protocol: 'HTTPS',
            tls: { certificateRefs: [{ name: 'wildcard-tls', namespace: 'certs' }] },
          },
        ],
      },
    });
    const facts = gatewaysFacts({ gateways: { kind: 'items', items: [gw] } });
    const secret = evaluateGateways(facts).children![0]!.children![3];
    expect(secret).toMatchObject({
      subject: 'Secret certs/wildcard-tls',
      status: 'fail',
      message:
        'in another namespace and no ReferenceGrant in certs lets Gateways from shop use it (listener https of Gateway shop/web)',
    });
    const grant = readReferenceGrant(
      obj('ReferenceGrant', 'shop-gateways', 'certs', {
        spec: {
          from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'shop' }],
          to: [{ group: '', kind: 'Secret' }],
        },
      }),
    );
    const granted = evaluateGateways({ ...facts, grants: { kind: 'items', items: [grant] } }).children![0]!
      .children![3];
    expect(granted).toMatchObject({
      status: 'fail',
      message: 'does not exist (TLS Secret of listener https of Gateway shop/web)',
    });
  });
});

describe('gateway.routes evaluate', () => {
  const route = (spec: object, parents: object[] = []) =>
    readRoute(obj('HTTPRoute', 'web', 'shop', { spec, status: { parents } }));
  const routesFacts = (over: Partial<RoutesFacts>): RoutesFacts => ({
    routes: { kind: 'items', items: [] },
    gateways: { kind: 'items', items: [gateway()] },
    services: { kind: 'items', items: [] },
    endpoints: { kind: 'items', items: [] },
    grants: { kind: 'items', items: [] },
    ...over,
  });

  it('fails a route whose parent Gateway does not exist', () => {
    const r = route({ parentRefs: [{ name: 'missing' }], hostnames: ['a.example.test'] });
    const [parent] = evaluateRoutes(routesFacts({ routes: { kind: 'items', items: [r] } })).children![0]!
      .children!;
    expect(parent).toMatchObject({
      subject: 'HTTPRoute shop/web',
      status: 'fail',
      message: 'Gateway shop/missing does not exist',
    });
  });

  it('fails a route whose hostnames no listener admits, before any controller says so', () => {
    const r = route({ parentRefs: [{ name: 'web' }], hostnames: ['example.test'] });
    const [parent] = evaluateRoutes(routesFacts({ routes: { kind: 'items', items: [r] } })).children![0]!
      .children!;
    expect(parent).toMatchObject({
      status: 'fail',
      message: 'no listener of Gateway shop/web admits example.test',
    });
  });

  it("fails a route the Gateway's listeners do not allow, with the controller's reason and message", () => {
    const ref = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web', namespace: 'shop' };
    const r = route({ parentRefs: [{ name: 'web' }], hostnames: ['a.example.test'] }, [
      {
        parentRef: ref,
        controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
        conditions: [
          condition(
            'Accepted',
            'False',
            'NotAllowedByListeners',
            'No listeners included by this parent ref allowed this attachment.',
          ),
        ],
      },
    ]);
    const [parent] = evaluateRoutes(routesFacts({ routes: { kind: 'items', items: [r] } })).children![0]!
      .children!;
    expect(parent).toMatchObject({
      status: 'fail',
      message:
        'Accepted False (NotAllowedByListeners: No listeners included by this parent ref allowed this attachment.)',
      hint: 'Allow routes from shop in the listeners of Gateway shop/web (allowedRoutes.namespaces), or move HTTPRoute web.',
    });
  });

  it('warns while no controller has reported on a parent that could attach', () => {
    const r = route({ parentRefs: [{ name: 'web' }], hostnames: ['a.example.test'] });
    const [parent] = evaluateRoutes(routesFacts({ routes: { kind: 'items', items: [r] } })).children![0]!
      .children!;
    expect(parent).toMatchObject({
      status: 'warn',
      message: 'no controller has reported on this parent yet',
    });
  });

  it('fails a backend in another namespace that no ReferenceGrant allows', () => {
    const r = route({
      parentRefs: [{ name: 'web' }],
      rules: [{ backendRefs: [{ name: 'api', namespace: 'backend', port: 80 }] }],
    });
    const backend = evaluateRoutes(routesFacts({ routes: { kind: 'items', items: [r] } })).children![0]!
      .children![1];
    expect(backend).toMatchObject({
      subject: 'Service backend/api',
      status: 'fail',
      message: 'in another namespace and no ReferenceGrant in backend lets HTTPRoutes from shop use it',
      hint: 'Add a ReferenceGrant in backend that allows HTTPRoutes from shop to reference Service api.',
    });
  });
});

describe('gateway.https', () => {
  const twoListeners = (httpsConditions = LISTENER_OK) =>
    gateway({
      spec: {
        listeners: [
          { name: 'http', hostname: '*.example.test', port: 80, protocol: 'HTTP' },
          {
            name: 'https',
            hostname: '*.example.test',
            port: 443,
            protocol: 'HTTPS',
            tls: { certificateRefs: [{ name: 'web-tls' }] },
          },
        ],
      },
      status: {
        listeners: [
          { name: 'http', attachedRoutes: 1, conditions: LISTENER_OK },
          { name: 'https', attachedRoutes: 1, conditions: httpsConditions },
        ],
      },
    });
  const routeNamed = (name: string, spec: object) =>
    readRoute(obj('HTTPRoute', name, 'shop', { spec, status: { parents: [] } }));
  const app = routeNamed('app', {
    parentRefs: [{ name: 'web', sectionName: 'https' }],
    hostnames: ['a.example.test'],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backendRefs: [{ name: 'api', port: 80 }],
      },
      {
        matches: [{ path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } }],
        backendRefs: [{ name: 'api', port: 80 }],
      },
    ],
  });
  const redirect = routeNamed('to-https', {
    parentRefs: [{ name: 'web', sectionName: 'http' }],
    hostnames: ['a.example.test'],
    rules: [
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
    ],
  });
  const plainOnly = routeNamed('plain', {
    parentRefs: [{ name: 'web', sectionName: 'http' }],
    hostnames: ['plain.example.test'],
  });

  it('plans one host per Gateway and hostname: its HTTPS listeners, the redirect a route asks for, literal paths', () => {
    const [host, ...rest] = httpsHosts([app, redirect, plainOnly], [twoListeners()]);
    expect(rest).toEqual([]); // plain.example.test is only on the HTTP listener: plain HTTP by design
    expect(host).toMatchObject({
      host: 'a.example.test',
      gateway: { namespace: 'shop', name: 'web' },
      address: '203.0.113.20',
      listeners: [{ name: 'https', isValid: true, secrets: ['Secret shop/web-tls'] }],
      expectsRedirect: true,
    });
    expect(host!.paths.map((p) => [p.path, p.isPattern, p.service?.name])).toEqual([
      ['/api', false, 'api'],
      ['/v[0-9]+/.*', true, 'api'],
    ]);
  });

  it("probes a route without hostnames under its listener's wildcard, as one name the wildcard covers", () => {
    const anyHost = routeNamed('any', { parentRefs: [{ name: 'web', sectionName: 'https' }] });
    expect(httpsHosts([anyHost], [twoListeners()])).toMatchObject([
      { host: '*.example.test', name: 'platform-doctor-probe.example.test', listeners: [{ name: 'https' }] },
    ]);
  });

  const fakeCert = {
    subjectCn: 'Kubernetes Ingress Controller Fake Certificate',
    issuer: 'Kubernetes Ingress Controller Fake Certificate',
    dnsNames: ['ingress.local'],
    ipAddresses: [],
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2027-01-01T00:00:00Z',
    isIngressFake: true,
  };
  const httpsFacts = (gw: ReturnType<typeof gateway>, probe: GatewayHost['probe']): GatewayHttpsFacts => ({
    isServed: true,
    listFailure: null,
    ports: { http: 80, https: 443 },
    hosts: httpsHosts([app], [gw]).map((h) => ({ ...h, probe })),
  });
  const evaluateHttps = showing(evaluateGatewayHttps);
  const NOW = { now: new Date('2026-12-01T00:00:00Z') };

  it("blames the invalid listener when the data plane serves its default certificate, and names the listener's Secret", () => {
    const invalid = [condition('ResolvedRefs', 'False', 'InvalidCertificateRef'), ...LISTENER_OK.slice(2)];
    const tls = {
      kind: 'handshake' as const,
      chainPem: [],
      isTrusted: false,
      verifyError: 'self-signed certificate',
    };
    const node = evaluateHttps(
      httpsFacts(twoListeners(invalid), { tls, cert: fakeCert, redirect: null }),
      NOW,
    );
    const [certificate, api, pattern] = node.children![0]!.children!;
    expect(certificate).toMatchObject({
      id: 'gateway.https:shop/web/a.example.test#certificate',
      status: 'fail',
      code: 'HTTPS_DEFAULT_CERT',
      message:
        'the controller serves its default certificate: listener https of Gateway shop/web is not valid (see gateway.gateways)',
    });
    expect(certificate!.dependsOn).toEqual([
      'Gateway shop/web',
      'listener https of Gateway shop/web',
      'Secret shop/web-tls',
    ]);
    expect(certificate!.hint).toContain('Secret shop/web-tls');
    expect(api).toMatchObject({
      status: 'skip',
      code: 'PATH_NOT_PROBED',
      message: 'not probed: the TLS handshake failed',
    });
    expect(pattern).toMatchObject({ status: 'skip', message: 'not probed: path /v[0-9]+/.* is a pattern' });
  });

  it('skips, not fails, a host whose Gateway has no address: gateway.gateways reports that once', () => {
    const noAddress = gateway({ status: { addresses: [] } });
    const node = evaluateHttps(httpsFacts(noAddress, { tls: null, cert: null, redirect: null }), NOW);
    expect(node.children![0]).toMatchObject({
      status: 'skip',
      code: 'SKIPPED_NO_LB_ADDRESS',
      message: 'Gateway shop/web has no address yet',
    });
  });
});
