import { afterEach, describe, expect, it } from 'vitest';
import { startOpenBao, type OpenBaoServer } from '../../src/sandbox/openbao.js';
import { scenarioSchema } from '../../src/sandbox/scenario.js';

const START = new Date('2026-03-01T12:00:00.000Z');
const READER = 'hvs.reader-canary-token';
const ROOT = 'hvs.root-canary-token';
const MULTIERROR = { errors: ['1 error occurred:\n\t* permission denied\n\n'] };

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
    { token: 'hvs.expired-canary', ttlSeconds: -5 },
    { token: 'hvs.revoked-canary', revoked: true },
  ],
  kv: { 'server/staging': { DB_PASSWORD: 'value-canary' }, 'server/gone': null },
};

let clock = START;
let server: OpenBaoServer | undefined;

async function start(spec: object = healthy): Promise<OpenBaoServer> {
  clock = START;
  server = await startOpenBao(scenarioSchema.shape.openbao.parse(spec), { now: () => clock });
  return server;
}

async function call(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('X-Vault-Token', init.token);
  const res = await fetch(`${server!.address}${path}`, {
    ...init,
    headers,
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text ? (JSON.parse(text) as Record<string, any>) : null,
  };
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('sys/health', () => {
  it.each([
    ['active', {}, '', 200],
    ['standby', { standby: true }, '', 429],
    ['standby with standbyok', { standby: true }, '?standbyok=true', 200],
    ['not initialized', { initialized: false }, '', 501],
    ['sealed', { sealed: true }, '', 503],
    ['sealed with sealedcode', { sealed: true }, '?sealedcode=299', 299],
    ['not initialized with uninitcode', { initialized: false }, '?uninitcode=200', 200],
    ['standby with standbycode', { standby: true }, '?standbycode=473', 473],
    ['active with activecode', {}, '?activecode=204', 204],
  ])('answers %s with the status OpenBao uses', async (_name, spec, query, status) => {
    await start(spec);
    expect((await call(`/v1/sys/health${query}`)).status).toBe(status);
  });

  it('reports an active server with its cluster name and version', async () => {
    await start({ version: '2.6.2' });
    const { body, headers } = await call('/v1/sys/health');
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({
      initialized: true,
      sealed: false,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: START.getTime() / 1000,
      version: '2.6.2',
      cluster_name: expect.stringMatching(/^openbao-cluster-[0-9a-f]{8}$/),
      cluster_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('omits cluster_name and cluster_id while sealed', async () => {
    await start({ sealed: true });
    const { body } = await call('/v1/sys/health');
    expect(body).not.toHaveProperty('cluster_name');
    expect(body).not.toHaveProperty('cluster_id');
    expect(body).toMatchObject({ initialized: true, sealed: true, standby: false });
  });

  it('reports a server that was never initialized as sealed too', async () => {
    await start({ initialized: false });
    expect((await call('/v1/sys/health')).body).toMatchObject({ initialized: false, sealed: true });
  });

  it('rejects a bad query parameter with 400 and an empty error list', async () => {
    await start();
    expect(await call('/v1/sys/health?standbyok=maybe')).toMatchObject({ status: 400, body: { errors: [] } });
    expect(await call('/v1/sys/health?sealedcode=abc')).toMatchObject({ status: 400, body: { errors: [] } });
  });

  it('answers HEAD with the status and no body', async () => {
    await start({ sealed: true });
    const { status, text } = await call('/v1/sys/health', { method: 'HEAD' });
    expect(status).toBe(503);
    expect(text).toBe('');
  });
});

describe('sys/seal-status', () => {
  it('names the commit date commit_date from OpenBao 2.6 on', async () => {
    await start({ sealed: true, version: '2.6.2' });
    expect((await call('/v1/sys/seal-status')).body).toEqual({
      type: 'shamir',
      initialized: true,
      sealed: true,
      t: 3,
      n: 5,
      progress: 0,
      nonce: '',
      version: '2.6.2',
      commit_date: '2026-08-18T00:00:00Z',
      migration: false,
      recovery_seal: false,
      storage_type: 'raft',
    });
  });

  it('keeps build_date for older servers and adds the cluster once unsealed', async () => {
    await start({ version: '2.5.1' });
    const { body } = await call('/v1/sys/seal-status');
    expect(body).toHaveProperty('build_date');
    expect(body).not.toHaveProperty('commit_date');
    expect(body!.cluster_name).toMatch(/^openbao-cluster-/);
  });
});

describe('auth/token/lookup-self', () => {
  it('returns the full envelope for a valid token, including the token itself as data.id', async () => {
    await start();
    const { status, body } = await call('/v1/auth/token/lookup-self', { token: READER });
    expect(status).toBe(200);
    expect(body).toEqual({
      request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: {
        accessor: expect.stringMatching(/^[0-9a-f-]{36}$/),
        creation_time: START.getTime() / 1000,
        creation_ttl: 3600,
        display_name: 'token',
        entity_id: '',
        expire_time: '2026-03-01T13:00:00.000Z',
        explicit_max_ttl: 0,
        id: READER,
        issue_time: '2026-03-01T12:00:00.000Z',
        meta: null,
        num_uses: 0,
        orphan: false,
        path: 'auth/token/create',
        policies: ['default', 'plate-stg-read'],
        renewable: true,
        ttl: 3600,
        type: 'service',
      },
      wrap_info: null,
      warnings: null,
      auth: null,
      mount_type: 'token',
    });
  });

  it('counts the TTL down with the clock and denies the token once it has run out', async () => {
    await start();
    clock = new Date(START.getTime() + 3_000_000);
    expect((await call('/v1/auth/token/lookup-self', { token: READER })).body!.data.ttl).toBe(600);
    clock = new Date(START.getTime() + 3_601_000);
    expect(await call('/v1/auth/token/lookup-self', { token: READER })).toMatchObject({
      status: 403,
      body: MULTIERROR,
    });
  });

  it('gives a non-expiring root token a null expire_time and no lease fields', async () => {
    await start();
    const { data } = (await call('/v1/auth/token/lookup-self', { token: ROOT })).body!;
    expect(data).toMatchObject({ ttl: 0, expire_time: null, policies: ['root'], path: 'auth/token/root' });
    expect(data).not.toHaveProperty('renewable');
    expect(data).not.toHaveProperty('issue_time');
  });

  it('accepts the token as a Bearer authorization and through the POST form', async () => {
    await start();
    const bearer = await call('/v1/auth/token/lookup-self', {
      headers: { Authorization: `Bearer ${READER}` },
    });
    expect(bearer.status).toBe(200);
    const posted = await call('/v1/auth/token/lookup-self', { method: 'POST', token: READER });
    expect(posted.status).toBe(200);
    expect(server!.stats.writes).toEqual([]);
  });

  it.each([
    ['an unknown token', 'hvs.nobody'],
    ['an expired token', 'hvs.expired-canary'],
    ['a revoked token', 'hvs.revoked-canary'],
    ['no token', undefined],
  ])('denies %s with the multierror body by default', async (_name, token) => {
    await start();
    expect(await call('/v1/auth/token/lookup-self', { token })).toMatchObject({
      status: 403,
      body: MULTIERROR,
    });
  });

  it.each([
    ['an unknown token', 'hvs.nobody'],
    ['an expired token', 'hvs.expired-canary'],
    ['a revoked token', 'hvs.revoked-canary'],
  ])('denies %s with the plain body when the scenario uses the older style', async (_name, token) => {
    await start({ ...healthy, deniedStyle: 'plain' });
    const { status, text } = await call('/v1/auth/token/lookup-self', { token });
    expect(status).toBe(403);
    expect(text).toBe('{"errors":["permission denied"]}\n');
  });
});

describe('sys/capabilities-self', () => {
  it('answers each path at the top level and under data, with the single-path capabilities key', async () => {
    await start();
    const { status, body } = await call('/v1/sys/capabilities-self', {
      method: 'POST',
      token: READER,
      body: JSON.stringify({ paths: ['server/data/staging'] }),
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      capabilities: ['read'],
      'server/data/staging': ['read'],
      data: { capabilities: ['read'], 'server/data/staging': ['read'] },
      mount_type: 'system',
    });
  });

  it('answers deny for unlisted paths and leaves out the single-path key when several are asked', async () => {
    await start();
    const { body } = await call('/v1/sys/capabilities-self', {
      method: 'POST',
      token: READER,
      body: JSON.stringify({ paths: ['server/data/staging', 'server/metadata/staging'] }),
    });
    expect(body!.data).toEqual({ 'server/data/staging': ['read'], 'server/metadata/staging': ['deny'] });
    expect(body).not.toHaveProperty('capabilities');
  });

  it('answers root for every path of a root token', async () => {
    await start();
    const { body } = await call('/v1/sys/capabilities-self', {
      method: 'POST',
      token: ROOT,
      body: JSON.stringify({ paths: ['anything/at/all'] }),
    });
    expect(body!.data).toEqual({ capabilities: ['root'], 'anything/at/all': ['root'] });
  });

  it('denies an invalid token', async () => {
    await start();
    const reply = await call('/v1/sys/capabilities-self', {
      method: 'POST',
      token: 'hvs.revoked-canary',
      body: JSON.stringify({ paths: ['server/data/staging'] }),
    });
    expect(reply).toMatchObject({ status: 403, body: MULTIERROR });
  });
});

describe('KV v2', () => {
  it('returns the data and metadata envelope for a stored secret', async () => {
    await start();
    const { status, body } = await call('/v1/server/data/staging', { token: READER });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      lease_id: '',
      mount_type: 'kv',
      data: {
        data: { DB_PASSWORD: 'value-canary' },
        metadata: {
          created_time: '2026-02-27T12:00:00.000Z',
          custom_metadata: null,
          deletion_time: '',
          destroyed: false,
          version: 1,
        },
      },
    });
  });

  it('answers 404 with an empty error list for a path never written', async () => {
    await start();
    const { status, text } = await call('/v1/server/data/never', { token: READER });
    expect(status).toBe(404);
    expect(text).toBe('{"errors":[]}\n');
  });

  it('answers 404 with null data and a deletion time when the latest version was deleted', async () => {
    await start();
    const { status, body } = await call('/v1/server/data/gone', { token: READER });
    expect(status).toBe(404);
    expect(body).not.toHaveProperty('errors');
    expect(body!.data).toEqual({
      data: null,
      metadata: {
        created_time: '2026-02-27T12:00:00.000Z',
        custom_metadata: null,
        deletion_time: '2026-02-28T12:00:00.000Z',
        destroyed: false,
        version: 1,
      },
    });
  });

  it('denies a read without the read capability, even where the secret exists', async () => {
    await start();
    expect(await call('/v1/server/metadata/staging', { token: READER })).toMatchObject({
      status: 403,
      body: MULTIERROR,
    });
    expect(await call('/v1/server/data/staging', { token: 'hvs.revoked-canary' })).toMatchObject({
      status: 403,
    });
  });

  it('serves metadata to a token that may read it', async () => {
    await start();
    const { status, body } = await call('/v1/server/metadata/staging', { token: ROOT });
    expect(status).toBe(200);
    expect(body!.data).toMatchObject({ current_version: 1, versions: { '1': { deletion_time: '' } } });
  });

  it('answers 404 with an empty error list for a path no mount serves', async () => {
    await start();
    expect(await call('/v1/elsewhere/data/staging', { token: ROOT })).toMatchObject({
      status: 404,
      body: { errors: [] },
    });
  });
});

describe('a sealed server', () => {
  it.each(['/v1/auth/token/lookup-self', '/v1/server/data/staging', '/v1/sys/mounts'])(
    'answers %s with 503 Vault is sealed',
    async (path) => {
      await start({ ...healthy, sealed: true });
      expect(await call(path, { token: ROOT })).toMatchObject({
        status: 503,
        body: { errors: ['Vault is sealed'] },
      });
    },
  );
});

describe('writes', () => {
  it('refuses every write with 405 and records it for the test to assert on', async () => {
    await start();
    const put = await call('/v1/server/data/staging', { method: 'PUT', token: ROOT, body: '{"data":{}}' });
    const del = await call('/v1/server/metadata/staging', { method: 'DELETE', token: ROOT });
    const renew = await call('/v1/auth/token/renew-self', { method: 'POST', token: ROOT });
    expect([put.status, del.status, renew.status]).toEqual([405, 405, 405]);
    expect(server!.stats.writes).toEqual([
      'PUT /v1/server/data/staging',
      'DELETE /v1/server/metadata/staging',
      'POST /v1/auth/token/renew-self',
    ]);
  });
});

describe('close', () => {
  it('frees the port: a new connection is refused', async () => {
    const { address } = await start();
    await server!.close();
    server = undefined;
    const error = await fetch(`${address}/v1/sys/health`, { signal: AbortSignal.timeout(2_000) }).catch(
      (e) => e,
    );
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });
});
