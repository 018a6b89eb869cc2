import { createServer as createHttpsServer } from 'node:https';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/gateways/errors.js';
import { createOpenBaoGateway } from '../../src/gateways/openbao.js';
import { Sensitive } from '../../src/gateways/sensitive.js';
import type { BaoEndpoint } from '../../src/gateways/types.js';
import { createCertificateAuthority } from '../../src/sandbox/certs.js';
import { startOpenBao } from '../../src/sandbox/openbao.js';
import { scenarioSchema } from '../../src/sandbox/scenario.js';
import { freePort } from '../support/daemon.js';

const READER = 'hvs.reader-canary-token-7f3a';
const ROOT = 'hvs.root-canary-token-91c2';
const EXPIRED = 'hvs.expired-canary-token-55d0';
const VALUE = 'value-canary-0b9e';

const healthy = {
  tokens: [
    {
      token: READER,
      policies: ['default', 'plate-stg-read'],
      ttlSeconds: 3600,
      capabilities: {
        'server/data/staging': ['read'],
        'server/data/gone': ['read'],
        'server/data/never': ['read'],
      },
    },
    { token: ROOT, policies: ['root'], ttlSeconds: 0 },
    { token: EXPIRED, ttlSeconds: -5 },
  ],
  kv: { 'server/staging': { DB_PASSWORD: VALUE, API_KEY: VALUE }, 'server/gone': null },
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function sandbox(spec: object = healthy): Promise<BaoEndpoint> {
  const server = await startOpenBao(scenarioSchema.shape.openbao.parse(spec));
  closers.push(() => server.close());
  return { address: server.address, label: server.address, via: 'direct' };
}

/** A tiny HTTP server for answers the sandbox cannot give; it records each request's path and headers. */
async function tiny(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: { path: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  const address = await listen(server);
  return { endpoint: { address, label: address, via: 'direct' } as BaoEndpoint, seen };
}

async function listen(server: Server, scheme: 'http' | 'https' = 'http'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `${scheme}://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

const signal = () => AbortSignal.timeout(10_000);
const token = (value: string) => new Sensitive(value);

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('readHealth', () => {
  it('reads an active, unsealed server as healthy', async () => {
    const health = await createOpenBaoGateway().readHealth(await sandbox(), signal());
    expect(health).toEqual({
      httpStatus: 200,
      initialized: true,
      sealed: false,
      standby: false,
      version: '2.6.2',
      clusterName: expect.stringMatching(/^openbao-cluster-[0-9a-f]{8}$/),
    });
  });

  it.each([
    ['standby', { standby: true }, { httpStatus: 429, initialized: true, sealed: false, standby: true }],
    ['sealed', { sealed: true }, { httpStatus: 503, initialized: true, sealed: true, clusterName: null }],
    ['not initialized', { initialized: false }, { httpStatus: 501, initialized: false, sealed: true }],
  ])('takes the %s status code as an answer', async (_, spec, expected) => {
    expect(await createOpenBaoGateway().readHealth(await sandbox(spec), signal())).toMatchObject(expected);
  });

  it('reports a body that is not a health status as a protocol error', async () => {
    const { endpoint } = await tiny((_req, res) => res.end('<html>hello</html>'));
    const error = await failure(createOpenBaoGateway().readHealth(endpoint, signal()));
    expect(error).toMatchObject({ kind: 'protocol', httpStatus: 200 });
    expect(error.message).toBe(
      `OpenBao at ${endpoint.label} answered sys/health with HTTP 200 and a body it does not send`,
    );
  });

  it('asks once per endpoint until forget() is called, and traces each request', async () => {
    const lines: string[] = [];
    const { endpoint, seen } = await tiny(json(200, { initialized: true, sealed: false, standby: false }));
    const bao = createOpenBaoGateway({ trace: (line) => lines.push(line) });
    await Promise.all([bao.readHealth(endpoint, signal()), bao.readHealth({ ...endpoint }, signal())]);
    bao.forget();
    await bao.readHealth(endpoint, signal());
    expect(seen.map((r) => r.path)).toEqual(['/v1/sys/health', '/v1/sys/health']);
    expect(lines).toEqual([
      `GET ${endpoint.address}/v1/sys/health → 200`,
      `GET ${endpoint.address}/v1/sys/health → 200`,
    ]);
  });

  it('sends the endpoint headers and no token of its own', async () => {
    const { endpoint, seen } = await tiny(json(200, { initialized: true, sealed: false }));
    const withHeaders = { ...endpoint, headers: { Authorization: new Sensitive('Bearer kube-canary') } };
    await createOpenBaoGateway().readHealth(withHeaders, signal());
    expect(seen[0]?.headers['authorization']).toBe('Bearer kube-canary');
    expect(seen[0]?.headers['x-vault-token']).toBeUndefined();
  });
});

describe('lookupToken', () => {
  it('returns the lifetime and policies of a valid token, without its id or accessor', async () => {
    const lookup = await createOpenBaoGateway().lookupToken(await sandbox(), token(READER), signal());
    expect(lookup).toEqual({
      kind: 'valid',
      ttlSeconds: expect.any(Number),
      expireTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      policies: ['default', 'plate-stg-read'],
      renewable: true,
      tokenType: 'service',
    });
    expect(lookup.kind === 'valid' && lookup.ttlSeconds).toBeGreaterThan(3590);
  });

  it('reads a root token as never expiring', async () => {
    expect(await createOpenBaoGateway().lookupToken(await sandbox(), token(ROOT), signal())).toEqual({
      kind: 'valid',
      ttlSeconds: 0,
      expireTime: null,
      policies: ['root'],
      renewable: false,
      tokenType: 'service',
    });
  });

  it.each([
    ['multierror', ['1 error occurred:\n\t* permission denied\n\n']],
    ['plain', ['permission denied']],
  ])('returns a 403 in the %s style as denied, errors as written', async (deniedStyle, errors) => {
    const endpoint = await sandbox({ ...healthy, deniedStyle });
    const bao = createOpenBaoGateway();
    expect(await bao.lookupToken(endpoint, token(EXPIRED), signal())).toEqual({ kind: 'denied', errors });
    expect(await bao.lookupToken(endpoint, token('hvs.unknown-canary'), signal())).toEqual({
      kind: 'denied',
      errors,
    });
  });

  it('rejects as unavailable when the server is sealed', async () => {
    const endpoint = await sandbox({ ...healthy, sealed: true });
    const error = await failure(createOpenBaoGateway().lookupToken(endpoint, token(READER), signal()));
    expect(error).toMatchObject({ system: 'openbao', kind: 'unavailable', httpStatus: 503 });
    expect(error.message).toBe(`OpenBao at ${endpoint.label} is sealed`);
  });

  it('blames the API server, not the token, for a 403 of its service proxy', async () => {
    const { endpoint } = await tiny(
      json(403, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message:
          'services "openbao:8200" is forbidden: User "doctor" cannot get resource "services/proxy" in API group "" in the namespace "openbao"',
        reason: 'Forbidden',
        code: 403,
      }),
    );
    const proxied: BaoEndpoint = {
      address: `${endpoint.address}/api/v1/namespaces/openbao/services/openbao:8200/proxy`,
      label: 'openbao/openbao:8200 via the API server proxy',
      via: 'service-proxy',
    };
    const error = await failure(createOpenBaoGateway().lookupToken(proxied, token(READER), signal()));
    expect(error).toMatchObject({
      kind: 'forbidden',
      permission: 'get services/proxy in openbao',
      httpStatus: 403,
    });
    expect(error.message).toBe(
      'the API server answered auth/token/lookup-self for OpenBao at openbao/openbao:8200 via the API server proxy with HTTP 403: services "openbao:8200" is forbidden: User "doctor" cannot get resource "services/proxy" in API group "" in the namespace "openbao"',
    );
  });

  it('reports an unexpected status with the server errors unwrapped onto one line', async () => {
    const { endpoint } = await tiny(
      json(500, { errors: ['2 errors occurred:\n\t* storage failure\n\t* try again\n\n'] }),
    );
    const error = await failure(createOpenBaoGateway().lookupToken(endpoint, token(READER), signal()));
    expect(error).toMatchObject({ kind: 'protocol', httpStatus: 500 });
    expect(error.message).toBe(
      `OpenBao at ${endpoint.label} answered auth/token/lookup-self with HTTP 500: storage failure; try again`,
    );
  });
});

describe('readCapabilities', () => {
  it('returns capabilities per path, deny for paths without a policy', async () => {
    const caps = await createOpenBaoGateway().readCapabilities(
      await sandbox(),
      token(READER),
      ['server/data/staging', 'server/metadata/staging'],
      signal(),
    );
    expect(caps).toEqual({ 'server/data/staging': ['read'], 'server/metadata/staging': ['deny'] });
  });

  it('reads the top-level form when the server sends no data object', async () => {
    const { endpoint } = await tiny(json(200, { 'server/data/staging': ['read', 'list'] }));
    expect(
      await createOpenBaoGateway().readCapabilities(
        endpoint,
        token(READER),
        ['server/data/staging'],
        signal(),
      ),
    ).toEqual({ 'server/data/staging': ['read', 'list'] });
  });

  it('rejects as forbidden when the token is refused', async () => {
    const endpoint = await sandbox();
    const error = await failure(
      createOpenBaoGateway().readCapabilities(endpoint, token(EXPIRED), ['server/data/staging'], signal()),
    );
    expect(error).toMatchObject({
      kind: 'forbidden',
      permission: 'update sys/capabilities-self',
      httpStatus: 403,
    });
    expect(error.message).toBe(
      `OpenBao at ${endpoint.label} answered sys/capabilities-self with HTTP 403: permission denied`,
    );
  });
});

describe('readKvKeyNames', () => {
  it.each([
    ['staging', { kind: 'found', keys: ['API_KEY', 'DB_PASSWORD'], nestedKeys: [], version: 1 }],
    ['never', { kind: 'absent' }],
    ['gone', { kind: 'deleted' }],
    ['production', { kind: 'denied', errors: ['1 error occurred:\n\t* permission denied\n\n'] }],
  ])('reads server/%s as %j', async (path, expected) => {
    const read = await createOpenBaoGateway().readKvKeyNames(
      await sandbox(),
      token(READER),
      'server',
      path,
      signal(),
    );
    expect(read).toEqual(expected);
    expect(JSON.stringify(read)).not.toContain(VALUE);
  });

  it('keeps the paths into nested values, as remoteRef.property names them, and never a value', async () => {
    const { endpoint } = await tiny(
      json(200, {
        data: {
          data: { db: { password: VALUE, replicas: [{ host: VALUE }] }, 'plain.key': VALUE },
          metadata: { version: 2 },
        },
      }),
    );
    const read = await createOpenBaoGateway().readKvKeyNames(
      endpoint,
      token(READER),
      'server',
      'app',
      signal(),
    );
    expect(read).toEqual({
      kind: 'found',
      keys: ['db', 'plain.key'],
      nestedKeys: ['db.password', 'db.replicas', 'db.replicas.0', 'db.replicas.0.host'],
      version: 2,
    });
    expect(JSON.stringify(read)).not.toContain(VALUE);
  });

  it('takes a 404 from the API server proxy as unreachable, never as an absent secret', async () => {
    const { endpoint } = await tiny(
      json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'services "openbao" not found',
        code: 404,
      }),
    );
    const error = await failure(
      createOpenBaoGateway().readKvKeyNames(endpoint, token(READER), 'server', 'staging', signal()),
    );
    expect(error).toMatchObject({ kind: 'unreachable', httpStatus: 404 });
  });
});

describe('connection failures', () => {
  it('reports a refused connection as unreachable', async () => {
    const address = `http://127.0.0.1:${await freePort()}`;
    const error = await failure(
      createOpenBaoGateway().readHealth({ address, label: address, via: 'direct' }, signal()),
    );
    expect(error).toMatchObject({ system: 'openbao', kind: 'unreachable' });
    expect(error.message).toBe(`cannot reach OpenBao at ${address}: connection refused`);
  });

  it('gives up on a server that never answers', async () => {
    const { endpoint } = await tiny(() => {});
    const error = await failure(
      createOpenBaoGateway({ timeoutMs: 300 }).lookupToken(endpoint, token(READER), signal()),
    );
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(error.message).toBe(`OpenBao at ${endpoint.label} did not answer within 0.3s`);
  });

  it('reports an untrusted certificate as a TLS failure, and trusts the configured CA', async () => {
    const ca = await createCertificateAuthority('Bao Test CA');
    const leaf = await ca.issue({ commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'] });
    const server = createHttpsServer(
      { cert: leaf.certPem, key: leaf.keyPem },
      json(200, { initialized: true, sealed: false }),
    );
    const address = await listen(server, 'https');
    const endpoint: BaoEndpoint = { address, label: address, via: 'direct' };
    const error = await failure(createOpenBaoGateway().readHealth(endpoint, signal()));
    expect(error).toMatchObject({ kind: 'tls' });
    expect(error.message).toBe(
      `TLS with OpenBao at ${address} failed: unable to verify the first certificate`,
    );
    const trusted = await createOpenBaoGateway().readHealth(
      { ...endpoint, tls: { caPem: ca.certPem } },
      signal(),
    );
    expect(trusted).toMatchObject({ httpStatus: 200, sealed: false });
  });
});

describe('secrets never leave the gateway', () => {
  it('keeps the token out of every value, message, inspection and trace line', async () => {
    const canary = 'hvs.CANARY-never-print-me-4e1d';
    const lines: string[] = [];
    const bao = createOpenBaoGateway({ timeoutMs: 300, trace: (line) => lines.push(line) });
    const secret = token(canary);
    const headers = { Authorization: new Sensitive(`Bearer ${canary}`) };
    const sealed = await sandbox({ ...healthy, sealed: true });
    const live = await sandbox({ ...healthy, tokens: [...healthy.tokens, { token: canary }] });
    const silent = (await tiny(() => {})).endpoint;
    const refused = `http://127.0.0.1:${await freePort()}`;
    const targets: BaoEndpoint[] = [
      live,
      sealed,
      silent,
      { address: refused, label: refused, via: 'direct' as const },
    ].map((endpoint) => ({ ...endpoint, headers }));

    const outcomes = await Promise.allSettled(
      targets.flatMap((endpoint) => [
        bao.readHealth(endpoint, signal()),
        bao.lookupToken(endpoint, secret, signal()),
        bao.readCapabilities(endpoint, secret, ['server/data/staging'], signal()),
        bao.readKvKeyNames(endpoint, secret, 'server', 'staging', signal()),
      ]),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      ...['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
      ...['fulfilled', 'rejected', 'rejected', 'rejected'],
      ...['rejected', 'rejected', 'rejected', 'rejected'],
      ...['rejected', 'rejected', 'rejected', 'rejected'],
    ]);
    const texts = outcomes.flatMap((outcome) =>
      outcome.status === 'fulfilled'
        ? [JSON.stringify(outcome.value), inspect(outcome.value, { depth: null })]
        : [
            (outcome.reason as Error).message,
            String(outcome.reason),
            inspect(outcome.reason, { depth: null, showHidden: true }),
            JSON.stringify(outcome.reason),
          ],
    );
    expect(lines).toHaveLength(16);
    for (const text of [...texts, ...lines]) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(VALUE);
    }
  });
});

describe('a hostile OpenBao', () => {
  it.each([400, 403, 500, 502])(
    'never quotes the token back when a %i body echoes X-Vault-Token',
    async (status) => {
      const planted = 'canary-echo-token-3c1f9e';
      const { endpoint } = await tiny((req, res) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [`bad token ${String(req.headers['x-vault-token'])}, try again`] }));
      });
      const answer = await createOpenBaoGateway()
        .lookupToken(endpoint, token(planted), signal())
        .catch((error: unknown) => error);
      // 403 is an answer (a denied token), the others GatewayErrors: neither may carry the token.
      const text = answer instanceof GatewayError ? answer.message : JSON.stringify(answer);
      expect(text).not.toContain(planted);
      expect(text).toContain('[redacted]');
    },
  );

  it.each([
    [
      'GET sys/health',
      (bao: ReturnType<typeof createOpenBaoGateway>, e: BaoEndpoint) => bao.readHealth(e, signal()),
    ],
    [
      'GET auth/token/lookup-self',
      (bao: ReturnType<typeof createOpenBaoGateway>, e: BaoEndpoint) =>
        bao.lookupToken(e, token('canary-redirect-token-77a1'), signal()),
    ],
    [
      'POST sys/capabilities-self',
      (bao: ReturnType<typeof createOpenBaoGateway>, e: BaoEndpoint) =>
        bao.readCapabilities(e, token('canary-redirect-token-77a1'), ['server/data/x'], signal()),
    ],
  ])('does not follow a 307 on %s, and names where it pointed', async (_, call) => {
    const collector = await tiny(json(200, { initialized: true, sealed: false }));
    const { endpoint } = await tiny((req, res) => {
      res.writeHead(307, { Location: `${collector.endpoint.address}${req.url}` });
      res.end();
    });
    const error = await failure(call(createOpenBaoGateway(), endpoint));
    expect(collector.seen).toEqual([]);
    expect(error.kind).toBe('protocol');
    expect(error.message).toMatch(
      new RegExp(
        `^OpenBao at ${endpoint.label} redirected \\S+ to ${collector.endpoint.address}/v1/\\S+ \\(HTTP 307\\); not followed`,
      ),
    );
  });

  it('gives up on a server that sends headers and then dribbles, within its timeout', async () => {
    const { endpoint } = await tiny((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const error = await failure(createOpenBaoGateway({ timeoutMs: 500 }).readHealth(endpoint, signal()));
    expect(Date.now() - started).toBeLessThan(1500);
    expect([error.kind, error.message]).toEqual([
      'timeout',
      `OpenBao at ${endpoint.label} did not answer within 0.5s`,
    ]);
  });

  it('stops reading a body of several megabytes and says so in one bounded line', async () => {
    const { endpoint } = await tiny((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(5 << 20));
    });
    const error = await failure(createOpenBaoGateway().readHealth(endpoint, signal()));
    expect([error.kind, error.message]).toEqual([
      'protocol',
      `OpenBao at ${endpoint.label} sent more than 1 MB for sys/health`,
    ]);
  });

  it('closes its connections on close(), so nothing keeps the process alive', async () => {
    const { endpoint } = await tiny(json(200, { initialized: true, sealed: false }));
    const bao = createOpenBaoGateway();
    await bao.readHealth(endpoint, signal());
    await bao.close();
    await expect(bao.readHealth(endpoint, signal())).resolves.toMatchObject({ sealed: false });
    await bao.close();
  });
});
