import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../src/gateways/errors.js';
import { createKubeGateway, type KubeGatewayOptions } from '../../src/gateways/kube.js';
import type { KubeGateway } from '../../src/gateways/types.js';
import {
  kubeconfigFor,
  startFakeApiServer,
  statusBody,
  type FakeApiServer,
} from '../support/fake-apiserver.js';

const TOKEN = 'token-canary-7f3e9a';
const SECRET_CANARY = 'secret-value-canary-91bd';
const b64 = (text: string) => Buffer.from(text).toString('base64');

let server: FakeApiServer;
let dir: string;
let traces: string[];

beforeAll(async () => {
  server = await startFakeApiServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-gw-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
  traces = [];
});
// Each gateway keeps its connections alive for the run; a test's sockets must not count in the next test.
const opened: KubeGateway[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((g) => g.close()));
});

let configs = 0;
function gateway(
  options: Partial<KubeGatewayOptions> & {
    url?: string;
    caPem?: string | null;
    client?: { certPem: string; keyPem: string };
  } = {},
): KubeGateway {
  const { url, caPem, client, ...rest } = options;
  const file = path.join(dir, `config-${(configs += 1)}`);
  const config = kubeconfigFor({
    server: url ?? server.url,
    caPem: caPem === null ? undefined : (caPem ?? server.ca.certPem),
    ...(client ? { client } : { token: TOKEN }),
  });
  fs.writeFileSync(file, JSON.stringify(config));
  const kube = createKubeGateway({
    kubeconfigPath: file,
    env: {},
    trace: (line) => traces.push(line),
    ...rest,
  });
  opened.push(kube);
  return kube;
}

async function rejection(work: Promise<unknown>): Promise<GatewayError> {
  const error = await work.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

const signal = () => AbortSignal.timeout(10_000);
const cert = (name: string) => ({
  metadata: { name, namespace: 'plate-stg' },
  spec: { secretName: `${name}-tls` },
});

describe('list', () => {
  const CERTS = '/apis/cert-manager.io/v1/namespaces/plate-stg/certificates';

  describe('when every namespace is in scope (preferClusterWideLists)', () => {
    const ALL = '/apis/cert-manager.io/v1/certificates';
    const inNamespace = (name: string, namespace: string) => ({
      ...cert(name),
      metadata: { name, namespace },
    });

    it('answers namespaced lists from one cluster-wide list', async () => {
      server.on('GET', ALL, {
        status: 200,
        json: { items: [inNamespace('a', 'plate-stg'), inNamespace('b', 'plate-prod')] },
      });
      const kube = gateway({ preferClusterWideLists: true });
      const [stg, prod] = await Promise.all([
        kube.list('certificates', { namespace: 'plate-stg' }, signal()),
        kube.list('certificates', { namespace: 'plate-prod' }, signal()),
      ]);
      expect(stg!.map((c) => c.metadata.name)).toEqual(['a']);
      expect(prod!.map((c) => c.metadata.name)).toEqual(['b']);
      expect(server.requests.map((r) => r.path)).toEqual([ALL]);
    });

    it('falls back to the namespace when the cluster-wide list is forbidden, and asks the cluster once', async () => {
      server.on('GET', ALL, {
        status: 403,
        json: statusBody(403, 'Forbidden', 'forbidden at the cluster scope'),
      });
      server.on('GET', CERTS, { status: 200, json: { items: [cert('a')] } });
      const kube = gateway({ preferClusterWideLists: true });
      expect((await kube.list('certificates', { namespace: 'plate-stg' }, signal()))!).toHaveLength(1);
      await kube.list('certificates', { namespace: 'plate-stg' }, signal());
      expect(server.requests.map((r) => r.path)).toEqual([ALL, CERTS]);
    });

    it('keeps selector lists namespaced: the server filters them', async () => {
      server.on('GET', CERTS, { status: 200, json: { items: [cert('a')] } });
      await gateway({ preferClusterWideLists: true }).list(
        'certificates',
        { namespace: 'plate-stg', labelSelector: 'app=x' },
        signal(),
      );
      expect(server.requests.map((r) => r.path)).toEqual([CERTS]);
    });
  });

  it("keeps no object's kubectl last-applied annotation: no check reads it, and it doubles the object", async () => {
    const applied = {
      ...cert('a'),
      metadata: {
        name: 'a',
        namespace: 'plate-stg',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}', owner: 'team' },
      },
    };
    server.on('GET', CERTS, { status: 200, json: { items: [applied] } });
    const [item] = (await gateway().list('certificates', { namespace: 'plate-stg' }, signal()))!;
    expect(item!.metadata.annotations).toEqual({ owner: 'team' });
  });

  it('follows continue tokens across three pages and types each item', async () => {
    server.on('GET', CERTS, (req) => {
      const page = req.query.get('continue');
      if (page === null) return { status: 200, json: { items: [cert('a')], metadata: { continue: 'p2' } } };
      if (page === 'p2') return { status: 200, json: { items: [cert('b')], metadata: { continue: 'p3' } } };
      return { status: 200, json: { items: [cert('c')], metadata: { continue: '' } } };
    });
    const items = await gateway().list(
      'certificates',
      { namespace: 'plate-stg', labelSelector: 'app=web' },
      signal(),
    );
    expect(items!.map((i) => [i.apiVersion, i.kind, i.metadata.name])).toEqual([
      ['cert-manager.io/v1', 'Certificate', 'a'],
      ['cert-manager.io/v1', 'Certificate', 'b'],
      ['cert-manager.io/v1', 'Certificate', 'c'],
    ]);
    expect(server.requests.map((r) => r.query.toString())).toEqual([
      'limit=5000&labelSelector=app%3Dweb',
      'limit=5000&labelSelector=app%3Dweb&continue=p2',
      'limit=5000&labelSelector=app%3Dweb&continue=p3',
    ]);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('lists across all namespaces at the cluster-wide path when no namespace is given', async () => {
    server.on('GET', '/apis/networking.k8s.io/v1/ingresses', { status: 200, json: { items: [] } });
    await expect(gateway().list('ingresses', {}, signal())).resolves.toEqual([]);
    expect(server.requests.map((r) => r.path)).toEqual(['/apis/networking.k8s.io/v1/ingresses']);
  });

  it('makes one request chain for two concurrent identical lists, and a new one after forget()', async () => {
    server.on('GET', '/api/v1/namespaces/plate-stg/pods', {
      status: 200,
      json: { items: [{ metadata: { name: 'p' } }] },
    });
    const kube = gateway();
    const [first, second] = await Promise.all([
      kube.list('pods', { namespace: 'plate-stg' }, signal()),
      kube.list('pods', { namespace: 'plate-stg' }, signal()),
    ]);
    await kube.list('pods', { namespace: 'plate-stg' }, signal());
    expect(first).toEqual(second);
    expect(server.requests).toHaveLength(1);
    kube.forget();
    await kube.list('pods', { namespace: 'plate-stg' }, signal());
    expect(server.requests).toHaveLength(2);
  });

  it('ignores the namespace of a cluster-scoped kind, so both calls share one request', async () => {
    server.on('GET', '/apis/cert-manager.io/v1/clusterissuers', { status: 200, json: { items: [] } });
    const kube = gateway();
    await kube.list('clusterissuers', {}, signal());
    await kube.list('clusterissuers', { namespace: 'plate-stg' }, signal());
    expect(server.requests.map((r) => r.path)).toEqual(['/apis/cert-manager.io/v1/clusterissuers']);
  });

  it('keeps serving a shared list to one caller when the other caller aborts', async () => {
    let answer: (() => void) | undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    server.on('GET', '/api/v1/namespaces/slow/services', () => {
      answer!();
      return { status: 200, json: { items: [{ metadata: { name: 's' } }] } };
    });
    const kube = gateway();
    const quitter = new AbortController();
    const abandoned = kube.list('services', { namespace: 'slow' }, quitter.signal);
    const kept = kube.list('services', { namespace: 'slow' }, signal());
    quitter.abort(new Error('step gave up'));
    await expect(abandoned).rejects.toThrow('step gave up');
    await answered;
    await expect(kept).resolves.toMatchObject([{ metadata: { name: 's' } }]);
    expect(server.requests).toHaveLength(1);
  });

  it('falls back from external-secrets.io v1 to v1beta1 when v1 is not served', async () => {
    server.on('GET', '/apis/external-secrets.io/v1beta1/namespaces/plate-stg/externalsecrets', {
      status: 200,
      json: { items: [{ metadata: { name: 'app-secrets' } }] },
    });
    const items = await gateway().list('externalsecrets', { namespace: 'plate-stg' }, signal());
    expect(items).toEqual([
      {
        apiVersion: 'external-secrets.io/v1beta1',
        kind: 'ExternalSecret',
        metadata: { name: 'app-secrets' },
      },
    ]);
    expect(server.requests.map((r) => r.path)).toEqual([
      '/apis/external-secrets.io/v1/namespaces/plate-stg/externalsecrets',
      '/apis/external-secrets.io/v1beta1/namespaces/plate-stg/externalsecrets',
    ]);
  });

  it('resolves null when no version of the kind is served (CRD not installed)', async () => {
    await expect(gateway().list('clustersecretstores', {}, signal())).resolves.toBeNull();
    expect(server.requests.map((r) => r.path)).toEqual([
      '/apis/external-secrets.io/v1/clustersecretstores',
      '/apis/external-secrets.io/v1beta1/clustersecretstores',
    ]);
  });

  it('treats a 404 on a core collection as a protocol error, not as an unserved kind', async () => {
    const error = await rejection(gateway().list('endpoints', { namespace: 'plate-stg' }, signal()));
    expect([error.kind, error.message]).toEqual([
      'protocol',
      'the API server answered 404 Not Found to GET /api/v1/namespaces/plate-stg/endpoints',
    ]);
  });

  it('reports 401 as unauthorized without echoing the token', async () => {
    server.on('GET', '/api/v1/namespaces', {
      status: 401,
      json: statusBody(401, 'Unauthorized', 'Unauthorized'),
    });
    const error = await rejection(gateway().list('namespaces', {}, signal()));
    expect([error.kind, error.message, error.httpStatus]).toEqual([
      'unauthorized',
      'the API server rejected our credentials (401 Unauthorized)',
      401,
    ]);
  });

  it('reports 403 as forbidden with the permission as RBAC names it and the server message', async () => {
    const message =
      'certificates.cert-manager.io is forbidden: User "system:serviceaccount:ci:doctor" cannot list resource "certificates" in API group "cert-manager.io" in the namespace "plate-stg"';
    server.on('GET', CERTS, { status: 403, json: statusBody(403, 'Forbidden', message) });
    const error = await rejection(gateway().list('certificates', { namespace: 'plate-stg' }, signal()));
    expect([error.kind, error.permission, error.message]).toEqual([
      'forbidden',
      'list certificates.cert-manager.io in plate-stg',
      message,
    ]);
  });

  it('reports 503 as unavailable and other statuses as protocol errors with the Status message', async () => {
    server.on('GET', '/api/v1/namespaces/a/events', {
      status: 503,
      json: statusBody(503, 'ServiceUnavailable', 'etcd is down'),
    });
    server.on('GET', '/api/v1/namespaces/b/events', {
      status: 500,
      json: statusBody(500, 'InternalError', 'boom\nstack'),
    });
    const kube = gateway();
    const unavailable = await rejection(kube.list('events', { namespace: 'a' }, signal()));
    const broken = await rejection(kube.list('events', { namespace: 'b' }, signal()));
    expect([unavailable.kind, unavailable.message]).toEqual([
      'unavailable',
      'the API server cannot serve GET /api/v1/namespaces/a/events now (503 Service Unavailable): etcd is down',
    ]);
    expect([broken.kind, broken.message]).toEqual([
      'protocol',
      'the API server answered 500 Internal Server Error to GET /api/v1/namespaces/b/events: boom',
    ]);
  });

  it('reports a 200 whose body is not JSON as a protocol error that does not quote the body', async () => {
    server.on('GET', '/api/v1/namespaces/html/pods', { status: 200, text: `<html>${SECRET_CANARY}</html>` });
    const error = await rejection(gateway().list('pods', { namespace: 'html' }, signal()));
    expect([error.kind, error.message]).toEqual([
      'protocol',
      'the API server sent a body that is not JSON for GET /api/v1/namespaces/html/pods',
    ]);
  });
});

describe('secrets', () => {
  const lastApplied = JSON.stringify({ data: { password: b64(SECRET_CANARY) } });
  const secrets = [
    {
      metadata: {
        name: 'app-env',
        namespace: 'plate-stg',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied, owner: 'team' },
        managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': { 'f:password': {} } } }],
      },
      type: 'Opaque',
      data: { password: b64(SECRET_CANARY), DATABASE_URL: b64(`postgres://u:${SECRET_CANARY}@db`) },
    },
    {
      metadata: { name: 'web-tls', namespace: 'plate-stg' },
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
        'tls.key': b64(SECRET_CANARY),
      },
    },
  ];

  it('summarizes Secrets as key names and the public tls.crt, with no value anywhere', async () => {
    server.on('GET', '/api/v1/namespaces/plate-stg/secrets', { status: 200, json: { items: secrets } });
    const summaries = await gateway().listSecrets({ namespace: 'plate-stg' }, signal());
    expect(summaries).toEqual([
      {
        metadata: { name: 'app-env', namespace: 'plate-stg', annotations: { owner: 'team' } },
        type: 'Opaque',
        keys: ['DATABASE_URL', 'password'],
      },
      {
        metadata: { name: 'web-tls', namespace: 'plate-stg' },
        type: 'kubernetes.io/tls',
        keys: ['tls.crt', 'tls.key'],
        tlsCrtPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      },
    ]);
    const text = JSON.stringify(summaries) + traces.join('\n');
    expect(text).not.toContain(SECRET_CANARY);
    expect(text).not.toContain(b64(SECRET_CANARY));
  });

  it('names the cluster-scope permission when listing secrets in all namespaces is forbidden', async () => {
    server.on('GET', '/api/v1/secrets', { status: 403, text: 'forbidden' });
    const error = await rejection(gateway().listSecrets({}, signal()));
    expect([error.kind, error.permission, error.message]).toEqual([
      'forbidden',
      'list secrets at cluster scope',
      'the API server does not allow us to list secrets at cluster scope',
    ]);
  });

  it('reads one key of one Secret as a Sensitive that prints redacted', async () => {
    server.on('GET', '/api/v1/namespaces/plate-stg/secrets/app-env', { status: 200, json: secrets[0] });
    const value = await gateway().readSecretValue('plate-stg', 'app-env', 'password', signal());
    expect(value!.reveal()).toBe(SECRET_CANARY);
    expect([String(value), JSON.stringify({ value })]).toEqual(['[redacted]', '{"value":"[redacted]"}']);
    expect(traces.join('\n')).not.toContain(SECRET_CANARY);
  });

  it('resolves null for a missing key and for a missing Secret', async () => {
    server.on('GET', '/api/v1/namespaces/plate-stg/secrets/app-env', { status: 200, json: secrets[0] });
    const kube = gateway();
    await expect(kube.readSecretValue('plate-stg', 'app-env', 'token', signal())).resolves.toBeNull();
    await expect(kube.readSecretValue('plate-stg', 'gone', 'token', signal())).resolves.toBeNull();
  });

  it('reports a forbidden Secret read as `get secrets in` its namespace', async () => {
    server.on('GET', '/api/v1/namespaces/plate-prod/secrets/openbao-token', {
      status: 403,
      json: statusBody(403, 'Forbidden', 'secrets "openbao-token" is forbidden'),
    });
    const error = await rejection(
      gateway().readSecretValue('plate-prod', 'openbao-token', 'token', signal()),
    );
    expect([error.kind, error.permission, error.message]).toEqual([
      'forbidden',
      'get secrets in plate-prod',
      'secrets "openbao-token" is forbidden',
    ]);
  });
});

describe('pod logs, version and access reviews', () => {
  const LOG = '/api/v1/namespaces/cert-manager/pods/cm-0/log';

  it('reads logs with container, tailLines, sinceSeconds and timestamps', async () => {
    server.on('GET', LOG, { status: 200, text: 'I0101 line one\nI0101 line two\n' });
    const text = await gateway().readPodLogs(
      'cert-manager',
      'cm-0',
      { container: 'controller', tailLines: 200, sinceSeconds: 3600, timestamps: true },
      signal(),
    );
    expect(text).toBe('I0101 line one\nI0101 line two\n');
    expect(server.requests[0]!.query.toString()).toBe(
      'tailLines=200&container=controller&sinceSeconds=3600&timestamps=true',
    );
  });

  it('resolves an empty string when the pod is gone', async () => {
    await expect(gateway().readPodLogs('cert-manager', 'gone-0', { tailLines: 10 }, signal())).resolves.toBe(
      '',
    );
  });

  it('names `get pods/log` when reading logs is forbidden', async () => {
    server.on('GET', LOG, { status: 403, text: '' });
    const error = await rejection(gateway().readPodLogs('cert-manager', 'cm-0', { tailLines: 10 }, signal()));
    expect(error.permission).toBe('get pods/log in cert-manager');
  });

  it('reads the server version', async () => {
    server.on('GET', '/version', { status: 200, json: { major: '1', minor: '31', gitVersion: 'v1.31.2' } });
    await expect(gateway().readVersion(signal())).resolves.toBe('v1.31.2');
  });

  it('asks a SelfSubjectAccessReview and reads its answer', async () => {
    server.on('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', (req) => ({
      status: 201,
      json: { status: { allowed: JSON.parse(req.body).spec.resourceAttributes.resource === 'pods' } },
    }));
    const kube = gateway();
    await expect(
      kube.canI('list', { group: '', resource: 'pods', namespace: 'plate-stg' }, signal()),
    ).resolves.toBe(true);
    await expect(
      kube.canI('get', { group: '', resource: 'secrets', namespace: 'plate-stg' }, signal()),
    ).resolves.toBe(false);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'list', group: '', resource: 'pods', namespace: 'plate-stg' } },
    });
  });
});

describe('transport failures', () => {
  it('reports a refused connection as unreachable, quickly', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const started = Date.now();
    const error = await rejection(gateway({ url: `https://127.0.0.1:${port}` }).readVersion(signal()));
    expect([error.kind, error.message]).toEqual([
      'unreachable',
      `cannot reach the API server at https://127.0.0.1:${port}: connection refused`,
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(traces).toEqual([expect.stringMatching(/^GET \/version ECONNREFUSED \d+ms$/)]);
  });

  it('gives up on a server that never answers within the configured timeout and closes the socket', async () => {
    server.on('GET', '/version', 'hang');
    const started = Date.now();
    const error = await rejection(gateway({ requestTimeoutMs: 300 }).readVersion(signal()));
    const elapsed = Date.now() - started;
    expect([error.kind, error.message]).toEqual([
      'timeout',
      `the API server at ${server.url} did not answer within 0.3s`,
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    await server.socketsClosed(1000);
    expect(traces).toEqual([expect.stringMatching(/^GET \/version timeout \d+ms$/)]);
  });

  it("rejects with the caller's abort reason and closes the socket", async () => {
    server.on('GET', '/version', 'hang');
    const controller = new AbortController();
    const pending = gateway().readVersion(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.openSockets()).toBe(1);
    const reason = new Error('run deadline');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await server.socketsClosed(1000);
  });

  it('makes no request when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(gateway().readVersion(controller.signal)).rejects.toThrow('too late');
    expect(server.requests).toHaveLength(0);
  });

  it('reports an untrusted server certificate as a TLS error', async () => {
    const error = await rejection(gateway({ caPem: null }).readVersion(signal()));
    expect([error.kind, error.message]).toEqual([
      'tls',
      `TLS with the API server at ${server.url} failed: self-signed certificate in certificate chain`,
    ]);
  });
});

describe('traces', () => {
  it('writes method, path with query, status and duration, never the token', async () => {
    server.on('GET', '/api/v1/namespaces/plate-stg/services', { status: 200, json: { items: [] } });
    server.on('GET', '/version', { status: 401, json: statusBody(401, 'Unauthorized', 'Unauthorized') });
    const kube = gateway();
    await kube.list('services', { namespace: 'plate-stg' }, signal());
    await rejection(kube.readVersion(signal()));
    expect(traces).toEqual([
      expect.stringMatching(/^GET \/api\/v1\/namespaces\/plate-stg\/services\?limit=5000 200 \d+ms$/),
      expect.stringMatching(/^GET \/version 401 \d+ms$/),
    ]);
    expect(traces.join('\n')).not.toContain(TOKEN);
  });
});

describe('serviceProxy', () => {
  it('gives the proxy address with the API server CA and the bearer token as Sensitive values', () => {
    const endpoint = gateway().serviceProxy('openbao', 'openbao', 8200);
    expect(endpoint).toMatchObject({
      address: `${server.url}/api/v1/namespaces/openbao/services/openbao:8200/proxy`,
      label: 'openbao/openbao:8200 via the API server proxy',
      via: 'service-proxy',
      tls: { caPem: server.ca.certPem },
    });
    expect(endpoint.headers!.Authorization!.reveal()).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(endpoint)).not.toContain(TOKEN);
  });

  it('names the https: scheme for a Service that speaks TLS, as the API server expects', () => {
    expect(gateway().serviceProxy('openbao', 'openbao', 8200, 'https').address).toBe(
      `${server.url}/api/v1/namespaces/openbao/services/https:openbao:8200/proxy`,
    );
  });

  describe('with client-certificate auth', () => {
    let client: { certPem: string; keyPem: string };
    beforeAll(async () => {
      client = await server.ca.issue({ commonName: 'doctor', client: true });
    });

    it('presents the client certificate and hands it on to the proxy endpoint, key redacted', async () => {
      server.on('GET', '/version', { status: 200, json: { gitVersion: 'v1.31.2' } });
      const kube = gateway({ client });
      await kube.readVersion(signal());
      expect(server.requests[0]!.clientCommonName).toBe('doctor');
      const endpoint = kube.serviceProxy('openbao', 'openbao', '8200');
      expect(endpoint.tls!.certPem).toBe(client.certPem);
      expect(endpoint.tls!.keyPem!.reveal()).toBe(client.keyPem);
      expect(endpoint.headers).toBeUndefined();
      expect(JSON.stringify(endpoint)).not.toContain(client.keyPem.split('\n')[1]!);
    });
  });
});

describe('exec credential plugins', () => {
  function execGateway(user: string, script: string): KubeGateway {
    const scriptFile = path.join(dir, `${user}.cjs`);
    fs.writeFileSync(scriptFile, script);
    const config = kubeconfigFor({ server: server.url, caPem: server.ca.certPem, user });
    (config.users as unknown[])[0] = {
      name: user,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [scriptFile],
        },
      },
    };
    const file = path.join(dir, `${user}.kubeconfig`);
    fs.writeFileSync(file, JSON.stringify(config));
    const kube = createKubeGateway({ kubeconfigPath: file, env: {}, trace: (line) => traces.push(line) });
    opened.push(kube);
    return kube;
  }

  it('sends the token the plugin prints and hands it to the proxy endpoint after a request', async () => {
    server.on('GET', '/version', { status: 200, json: { gitVersion: 'v1.31.2' } });
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: TOKEN },
    };
    const kube = execGateway(
      'exec-ok',
      `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});`,
    );
    expect(kube.serviceProxy('openbao', 'openbao', 8200).headers).toBeUndefined();
    await kube.readVersion(signal());
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(kube.serviceProxy('openbao', 'openbao', 8200).headers!.Authorization!.reveal()).toBe(
      `Bearer ${TOKEN}`,
    );
    expect(traces.join('\n')).not.toContain(TOKEN);
  });

  it('reports a failing plugin as unauthorized without quoting what it printed, which may hold a token', async () => {
    const kube = execGateway(
      'exec-fail',
      `process.stderr.write('error: token ${TOKEN} expired\\n'); process.exit(1);`,
    );
    const error = await rejection(kube.readVersion(signal()));
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toMatch(/^the credential plugin \S+ exited with code 1; run it by hand to see why/);
    expect(error.message).not.toContain(TOKEN);
    expect(server.requests).toHaveLength(0);
  });

  it('never quotes stdout that is not an ExecCredential', async () => {
    const kube = execGateway('exec-garbage', `process.stdout.write('token=${TOKEN}');`);
    const error = await rejection(kube.readVersion(signal()));
    expect([error.kind, error.message]).toEqual([
      'unauthorized',
      `the credential plugin ${process.execPath} printed something that is not an ExecCredential (${`token=${TOKEN}`.length} bytes)`,
    ]);
  });

  it('kills a plugin that hangs when the caller gives up, so nothing outlives the deadline', async () => {
    const pidFile = path.join(dir, 'hang.pid');
    const kube = execGateway(
      'exec-hang',
      `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`,
    );
    const controller = new AbortController();
    const pending = kube.readVersion(controller.signal).catch((error: unknown) => error);
    await vi.waitFor(() => expect(fs.existsSync(pidFile)).toBe(true), { timeout: 5000 });
    controller.abort(new Error('deadline'));
    expect(await pending).toEqual(new Error('deadline'));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 2000 });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
