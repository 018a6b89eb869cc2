import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, type Issued } from '../../src/sandbox/certs.js';
import { SANDBOX_USER, startKubeApi, type RunningKubeApi } from '../../src/sandbox/kube-api.js';
import { loadScenario } from '../../src/sandbox/load.js';
import type { Scenario } from '../../src/sandbox/scenario.js';

const dir = join(import.meta.dirname, '../fixtures/scenarios');
const now = new Date('2026-11-26T09:00:00Z');
const TOKEN = 'test-token-CANARY-kube';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

interface Reply {
  status: number;
  contentType: string;
  text: string;
  json: any;
}

let caPem: string;
let serverCert: Issued;

function call(
  api: RunningKubeApi,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; token?: string | null } = {},
): Promise<Reply> {
  const token = options.token === undefined ? TOKEN : options.token;
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}${path}`,
      {
        method: options.method ?? 'GET',
        ca: caPem,
        timeout: 5000,
        headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const contentType = String(res.headers['content-type'] ?? '');
          resolve({
            status: res.statusCode ?? 0,
            contentType,
            text,
            json: contentType.startsWith('application/json') ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

const names = (reply: Reply) =>
  reply.json.items.map((i: any) => `${i.metadata.namespace ?? ''}/${i.metadata.name}`);

async function start(scenario: Scenario, openbaoAddress?: string): Promise<RunningKubeApi> {
  return startKubeApi({ scenario, tls: serverCert, token: TOKEN, now, openbaoAddress });
}

beforeAll(async () => {
  const ca = await createCertificateAuthority('Test Kubernetes CA', now);
  caPem = ca.certPem;
  serverCert = await ca.issue({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'] });
});

describe('kube API on the base scenario', () => {
  let api: RunningKubeApi;
  let base: Scenario;
  beforeAll(async () => {
    base = await loadScenario('base', { dir, now });
    api = await start(base);
  });
  afterAll(() => api.close());

  it('answers 401 with the apiserver Status when the token is missing or wrong', async () => {
    const body = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    };
    for (const token of [null, 'wrong-token']) {
      const reply = await call(api, '/api/v1/namespaces', { token });
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual(body);
    }
  });

  it('serves /version and group discovery with kinds, verbs and short names', async () => {
    expect((await call(api, '/version')).json).toMatchObject({
      major: '1',
      minor: '32',
      gitVersion: 'v1.32.4',
    });
    const groups = (await call(api, '/apis')).json;
    expect(groups.kind).toBe('APIGroupList');
    expect(
      groups.groups.map((g: any) => `${g.name}=${g.versions.map((v: any) => v.version).join('|')}`),
    ).toEqual([
      'apps=v1',
      'events.k8s.io=v1',
      'discovery.k8s.io=v1',
      'networking.k8s.io=v1',
      'authorization.k8s.io=v1',
      'cert-manager.io=v1',
      'acme.cert-manager.io=v1',
      'external-secrets.io=v1',
    ]);
    const certs = (await call(api, '/apis/cert-manager.io/v1')).json;
    expect(certs.resources[0]).toEqual({
      name: 'certificates',
      singularName: 'certificate',
      namespaced: true,
      kind: 'Certificate',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['cert', 'certs'],
      categories: ['cert-manager'],
    });
    const core = (await call(api, '/api/v1')).json;
    expect(core.resources.find((r: any) => r.name === 'pods/log')).toEqual({
      name: 'pods/log',
      singularName: '',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get'],
    });
  });

  it('answers 404 for a group version the cluster does not serve', async () => {
    for (const path of [
      '/apis/external-secrets.io/v1beta1/externalsecrets',
      '/apis/argoproj.io/v1alpha1',
      '/apis/nope.io/v1',
    ]) {
      const reply = await call(api, path);
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      });
    }
  });

  it('answers 404 naming the resource and object that do not exist', async () => {
    const reply = await call(api, '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/x');
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({
      message: 'ingresses.networking.k8s.io "x" not found',
      reason: 'NotFound',
      details: { name: 'x', group: 'networking.k8s.io', kind: 'ingresses' },
      code: 404,
    });
    expect((await call(api, '/api/v1/namespaces/shop/pods/gone')).json.message).toBe('pods "gone" not found');
  });

  it('lists across namespaces and in one, as typed lists without per-item kind', async () => {
    const all = await call(api, '/apis/networking.k8s.io/v1/ingresses');
    expect(all.json).toMatchObject({ kind: 'IngressList', apiVersion: 'networking.k8s.io/v1' });
    expect(names(all)).toEqual(['backoffice/admin', 'shop/api', 'shop/web']);
    expect(all.json.items[0].kind).toBeUndefined();
    expect(names(await call(api, '/apis/networking.k8s.io/v1/namespaces/shop/ingresses'))).toEqual([
      'shop/api',
      'shop/web',
    ]);
    const crds = await call(api, '/apis/external-secrets.io/v1/externalsecrets');
    expect(crds.json.items[0]).toMatchObject({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
    });
  });

  it('pages with limit and an opaque continue token until the list is done', async () => {
    const seen: string[] = [];
    let path = '/apis/networking.k8s.io/v1/ingresses?limit=2';
    const first = await call(api, path);
    expect(first.json.metadata).toMatchObject({ remainingItemCount: 1 });
    expect(first.json.metadata.resourceVersion).toMatch(/^\d+$/);
    let reply = first;
    for (;;) {
      seen.push(...names(reply));
      if (!reply.json.metadata.continue) break;
      path = `/apis/networking.k8s.io/v1/ingresses?limit=2&continue=${encodeURIComponent(reply.json.metadata.continue)}`;
      reply = await call(api, path);
    }
    expect(seen).toEqual(['backoffice/admin', 'shop/api', 'shop/web']);
    const bad = await call(api, '/apis/networking.k8s.io/v1/ingresses?limit=2&continue=garbage');
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toBe('BadRequest');
  });

  it.each([
    ['app=web', ['shop/web']],
    ['app==web', ['shop/web']],
    ['app!=web', ['backoffice/admin', 'shop/api']],
    ['app in (web,admin)', ['backoffice/admin', 'shop/web']],
    ['app notin (web,admin)', ['shop/api']],
    ['tier', ['shop/web']],
    ['!tier', ['backoffice/admin', 'shop/api']],
    ['app,tier=front', ['shop/web']],
  ])('selects by label %s', async (selector, expected) => {
    const reply = await call(
      api,
      `/apis/networking.k8s.io/v1/ingresses?labelSelector=${encodeURIComponent(selector)}`,
    );
    expect(names(reply)).toEqual(expected);
  });

  it('selects by metadata.name and metadata.namespace, and by fields the registry supports', async () => {
    const path = '/apis/networking.k8s.io/v1/ingresses?fieldSelector=';
    expect(names(await call(api, `${path}metadata.name%3Dweb`))).toEqual(['shop/web']);
    expect(names(await call(api, `${path}metadata.namespace!%3Dshop`))).toEqual(['backoffice/admin']);
    expect(names(await call(api, '/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls'))).toEqual([
      'shop/shop-tls',
    ]);
  });

  it('refuses other field selectors with 400 in the words of the real registry', async () => {
    const ingress = await call(api, '/apis/networking.k8s.io/v1/ingresses?fieldSelector=spec.x%3D1');
    expect(ingress.status).toBe(400);
    expect(ingress.json).toMatchObject({
      message: '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
      reason: 'BadRequest',
      code: 400,
    });
    const pods = await call(api, '/api/v1/pods?fieldSelector=spec.x%3D1');
    expect(pods.json.message).toBe('field label not supported: spec.x');
  });

  it('stores Secret stringData as base64 data, as the API server does', async () => {
    const secret = (await call(api, '/api/v1/namespaces/shop/secrets/shop-env')).json;
    expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque' });
    expect(secret.data).toEqual({ DB_PASSWORD: Buffer.from('CANARY-db-password-base').toString('base64') });
    expect(secret.stringData).toBeUndefined();
  });

  it('adds the namespaces objects live in, with the built-in ones', async () => {
    const reply = await call(api, '/api/v1/namespaces');
    expect(reply.json.items.map((n: any) => n.metadata.name)).toEqual([
      'backoffice',
      'cert-manager',
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
      'openbao',
      'shop',
    ]);
    expect((await call(api, '/api/v1/namespaces/shop')).json.status).toEqual({ phase: 'Active' });
  });

  it('serves kubectl tables with the columns of the printer or CRD', async () => {
    const ingresses = (
      await call(api, '/apis/networking.k8s.io/v1/ingresses', { headers: { Accept: TABLE } })
    ).json;
    expect(ingresses.kind).toBe('Table');
    expect(ingresses.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Class',
      'Hosts',
      'Address',
      'Ports',
      'Age',
    ]);
    expect(ingresses.rows.map((r: any) => r.cells)).toEqual([
      ['admin', '<none>', 'admin.example.test,ops.example.test,a.example.test + 1 more...', '', '80', '30m'],
      ['api', 'nginx', 'api.example.test', 'a1b2c3d4e5f6....', '80', '36h'],
      ['web', 'nginx', 'shop.example.test', '127.0.10.11', '80, 443', '2d'],
    ]);
    expect(ingresses.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'admin', namespace: 'backoffice' },
    });
    const certs = (
      await call(api, '/apis/cert-manager.io/v1/namespaces/shop/certificates', { headers: { Accept: TABLE } })
    ).json;
    expect(certs.columnDefinitions.map((c: any) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Secret:0',
      'Issuer:1',
      'Status:1',
      'Age:0',
    ]);
    expect(certs.rows.map((r: any) => r.cells)).toEqual([
      [
        'api-tls',
        'False',
        'api-tls',
        'letsencrypt-prod',
        'Issuing certificate as Secret does not exist',
        '45s',
      ],
      [
        'shop-tls',
        'True',
        'shop-tls',
        'letsencrypt-prod',
        'Certificate is up to date and has not expired',
        '2d',
      ],
    ]);
    const pods = (await call(api, '/api/v1/pods', { headers: { Accept: TABLE } })).json;
    expect(pods.rows.map((r: any) => r.cells.slice(0, 5))).toEqual([
      ['cert-manager-6d9f-abcde', '1/1', 'Running', '0', '3d'],
      ['worker-0', '1/2', 'ContainerCreating', '2 (5m ago)', '60m'],
    ]);
  });

  it('refuses writes with 405 MethodNotAllowed and counts them', async () => {
    const before = api.stats.mutatingRequests;
    const reply = await call(api, '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web', {
      method: 'DELETE',
    });
    expect(reply.status).toBe(405);
    expect(reply.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'delete is not supported on resources of kind "ingresses.networking.k8s.io"',
      reason: 'MethodNotAllowed',
      details: { group: 'networking.k8s.io', kind: 'ingresses' },
      code: 405,
    });
    await call(api, '/api/v1/namespaces/shop/secrets', { method: 'POST', body: '{}' });
    await call(api, '/api/v1/namespaces/shop/secrets/shop-env', { method: 'PATCH', body: '{}' });
    expect(api.stats.mutatingRequests - before).toBe(3);
  });

  it('counts requests per path without the query', async () => {
    const path = '/apis/acme.cert-manager.io/v1/challenges';
    await call(api, `${path}?limit=1`);
    await call(api, path);
    expect(api.stats.requests[path]).toBe(2);
  });

  describe('pod logs', () => {
    const logs = (pod: string, query: string) => call(api, `/api/v1/namespaces/${pod}/log?${query}`);

    it('returns the single container lines, klog and JSON alike, honouring tailLines', async () => {
      const reply = await logs('cert-manager/pods/cert-manager-6d9f-abcde', 'tailLines=2');
      expect(reply.contentType).toBe('text/plain');
      expect(reply.text).toBe(
        `E1126 08:55:00.000000       1 sync.go:190] "propagation check failed" err="wrong status code '404', expected '200'" logger="cert-manager.challenges"\n` +
          '{"ts":1795683480000.000,"caller":"acme.go:236","msg":"certificate issued","v":0}\n',
      );
    });

    it('drops lines older than sinceSeconds, reading runtime, klog and JSON timestamps', async () => {
      expect(
        (await logs('cert-manager/pods/cert-manager-6d9f-abcde', 'sinceSeconds=600')).text.split('\n').length,
      ).toBe(3);
      expect((await logs('shop/pods/worker-0', 'container=app&sinceSeconds=900')).text).toBe(
        '{"level":"info","ts":1795683000.000000,"msg":"job done"}\nwaiting for jobs\n',
      );
    });

    it('prefixes RFC3339Nano timestamps when asked, and strips the runtime prefix otherwise', async () => {
      expect((await logs('shop/pods/worker-0', 'container=app&tailLines=1&timestamps=true')).text).toBe(
        '2026-11-26T08:59:00.000000000Z waiting for jobs\n',
      );
      expect((await logs('shop/pods/worker-0', 'container=app&tailLines=1')).text).toBe('waiting for jobs\n');
    });

    it('serves the previous container instance, and 400 when there was none', async () => {
      expect((await logs('shop/pods/worker-0', 'container=app&previous=true')).text).toBe(
        'panic: connection refused\n',
      );
      const none = await logs('cert-manager/pods/cert-manager-6d9f-abcde', 'previous=true');
      expect(none.status).toBe(400);
      expect(none.json.message).toBe(
        'previous terminated container "cert-manager-controller" in pod "cert-manager-6d9f-abcde" not found',
      );
    });

    it('requires a container for a pod with several, as the real server words it', async () => {
      const reply = await logs('shop/pods/worker-0', 'tailLines=5');
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({
        message: 'a container name must be specified for pod worker-0, choose one of: [migrate app sidecar]',
        reason: 'BadRequest',
        code: 400,
      });
      expect((await logs('shop/pods/worker-0', 'container=nope')).json.message).toBe(
        'container nope is not valid for pod worker-0',
      );
    });

    it('answers 400 for a container still waiting to start, and an empty body for one without output', async () => {
      expect((await logs('shop/pods/worker-0', 'container=sidecar')).json.message).toBe(
        'container "sidecar" in pod "worker-0" is waiting to start: ContainerCreating',
      );
      const empty = await logs('shop/pods/worker-0', 'container=migrate');
      expect(empty.status).toBe(200);
      expect(empty.text).toBe('');
    });
  });

  it('answers a SelfSubjectAccessReview as allowed when no rule forbids it', async () => {
    const reply = await call(api, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: 'list', group: '', resource: 'secrets', namespace: 'shop' } },
      }),
    });
    expect(reply.status).toBe(201);
    expect(reply.json.status.allowed).toBe(true);
  });

  it('adds faults.latencyMs to every response', async () => {
    const slow = await start({ ...base, faults: { forbid: [], latencyMs: 150 } });
    try {
      const started = performance.now();
      await call(slow, '/version');
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      await slow.close();
    }
  });
});

describe('kube API with forbid rules and the OpenBao service proxy', () => {
  let upstream: Server;
  let upstreamAddress: string;
  const received: { method?: string; url?: string; headers?: Record<string, unknown>; body?: string }[] = [];
  let base: Scenario;
  let forbidden: Scenario;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"initialized":true}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamAddress = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    base = await loadScenario('base', { dir, now });
    forbidden = await loadScenario('forbidden-certs', { dir, now });
  });
  afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  it('answers 403 for a forbidden list in the namespace and at the cluster scope', async () => {
    const api = await start(forbidden);
    try {
      const inNamespace = await call(api, '/apis/cert-manager.io/v1/namespaces/shop/certificates');
      expect(inNamespace.status).toBe(403);
      expect(inNamespace.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `certificates.cert-manager.io is forbidden: User "${SANDBOX_USER}" cannot list resource "certificates" in API group "cert-manager.io" in the namespace "shop"`,
        reason: 'Forbidden',
        details: { group: 'cert-manager.io', kind: 'certificates' },
        code: 403,
      });
      const clusterWide = await call(api, '/apis/cert-manager.io/v1/certificates');
      expect(clusterWide.json.message).toBe(
        `certificates.cert-manager.io is forbidden: User "${SANDBOX_USER}" cannot list resource "certificates" in API group "cert-manager.io" at the cluster scope`,
      );
      expect((await call(api, '/apis/cert-manager.io/v1/namespaces/shop/certificates/shop-tls')).status).toBe(
        200,
      );
      const proxied = await call(api, '/api/v1/namespaces/openbao/services/openbao:8200/proxy/v1/sys/health');
      expect(proxied.status).toBe(403);
      expect(proxied.json.message).toBe(
        `services "openbao" is forbidden: User "${SANDBOX_USER}" cannot get resource "services/proxy" in API group "" in the namespace "openbao"`,
      );
    } finally {
      await api.close();
    }
  });

  it('answers SelfSubjectAccessReviews from the forbid rules', async () => {
    const api = await start(forbidden);
    try {
      const ask = (attributes: Record<string, string>) =>
        call(api, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
          method: 'POST',
          body: JSON.stringify({ kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attributes } }),
        });
      const denied = await ask({
        verb: 'list',
        group: 'cert-manager.io',
        resource: 'certificates',
        namespace: 'shop',
      });
      expect(denied.json).toEqual({
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: {
          resourceAttributes: {
            verb: 'list',
            group: 'cert-manager.io',
            resource: 'certificates',
            namespace: 'shop',
          },
        },
        status: { allowed: false },
      });
      expect(
        (await ask({ verb: 'get', group: 'cert-manager.io', resource: 'certificates', namespace: 'shop' }))
          .json.status.allowed,
      ).toBe(true);
      expect(
        (await ask({ verb: 'list', group: 'cert-manager.io', resource: 'certificates', namespace: 'other' }))
          .json.status.allowed,
      ).toBe(true);
      expect(
        (
          await ask({
            verb: 'get',
            group: '',
            resource: 'services',
            subresource: 'proxy',
            namespace: 'openbao',
          })
        ).json.status.allowed,
      ).toBe(false);
      expect(api.stats.mutatingRequests).toBe(0);
    } finally {
      await api.close();
    }
  });

  it('forwards method, path, query, headers and body to OpenBao, without the Authorization header', async () => {
    const api = await start(base, upstreamAddress);
    try {
      received.length = 0;
      const reply = await call(
        api,
        '/api/v1/namespaces/openbao/services/https:openbao:8200/proxy/v1/sys/capabilities-self?x=1',
        {
          method: 'POST',
          headers: { 'X-Vault-Token': 's.CANARY-base-token', 'Content-Type': 'application/json' },
          body: '{"paths":["server/data/staging"]}',
        },
      );
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ initialized: true });
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        method: 'POST',
        url: '/v1/sys/capabilities-self?x=1',
        body: '{"paths":["server/data/staging"]}',
        headers: { 'x-vault-token': 's.CANARY-base-token', 'content-type': 'application/json' },
      });
      expect(received[0]!.headers!.authorization).toBeUndefined();
      for (const service of ['openbao', 'openbao:http']) {
        expect(
          (await call(api, `/api/v1/namespaces/openbao/services/${service}/proxy/v1/sys/health`)).status,
        ).toBe(200);
      }
      expect(api.stats.mutatingRequests).toBe(0);
    } finally {
      await api.close();
    }
  });

  it('answers 503 for a service without the OpenBao endpoints and 404 for a missing one', async () => {
    const api = await start(base, upstreamAddress);
    try {
      const web = await call(api, '/api/v1/namespaces/shop/services/web:80/proxy/');
      expect(web.status).toBe(503);
      expect(web.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'no endpoints available for service "web"',
        reason: 'ServiceUnavailable',
        code: 503,
      });
      const missing = await call(api, '/api/v1/namespaces/shop/services/nope:80/proxy/');
      expect(missing.status).toBe(404);
      expect(missing.json.message).toBe('services "nope" not found');
    } finally {
      await api.close();
    }
  });
});

describe('kube API served groups', () => {
  it('serves only external-secrets.io/v1beta1 when the scenario objects use it', async () => {
    const api = await start(await loadScenario('eso-v1beta1', { dir, now }));
    try {
      const group = (await call(api, '/apis/external-secrets.io')).json;
      expect(group).toMatchObject({
        kind: 'APIGroup',
        name: 'external-secrets.io',
        versions: [{ groupVersion: 'external-secrets.io/v1beta1', version: 'v1beta1' }],
      });
      expect((await call(api, '/apis/external-secrets.io/v1/externalsecrets')).status).toBe(404);
      const list = (await call(api, '/apis/external-secrets.io/v1beta1/externalsecrets')).json;
      expect(list.items.map((i: any) => i.apiVersion)).toEqual(['external-secrets.io/v1beta1']);
    } finally {
      await api.close();
    }
  });

  it('does not serve cert-manager groups when the scenario holds no cert-manager objects', async () => {
    const base = await loadScenario('base', { dir, now });
    const objects = base.kubernetes.objects.filter((o) => o.kind !== 'Certificate');
    const api = await start({ ...base, kubernetes: { ...base.kubernetes, objects } });
    try {
      const groups = (await call(api, '/apis')).json.groups.map((g: any) => g.name);
      expect(groups).not.toContain('cert-manager.io');
      expect(groups).not.toContain('acme.cert-manager.io');
      expect((await call(api, '/apis/cert-manager.io/v1/certificates')).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
