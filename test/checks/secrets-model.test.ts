import { describe, expect, it } from 'vitest';
import { locateServer, rootCauseOf, type BaoProbe } from '../../src/checks/secrets/bao.js';
import { latestWarning } from '../../src/checks/kube-object.js';
import { kvLocation, readExternalSecret, readStore } from '../../src/checks/secrets/model.js';
import { HEALTHY, SEALED, VALID_TOKEN, loadObjects } from './secrets-fixtures.js';
import { pathsOf } from '../../src/checks/secrets/openbao.js';

describe('kvLocation', () => {
  it.each([
    [
      { mount: 'server', kvVersion: 'v2' },
      'staging',
      { mount: 'server', path: 'staging', aclPath: 'server/data/staging' },
    ],
    [
      { mount: 'server', kvVersion: 'v2' },
      'server/data/staging-web',
      { mount: 'server', path: 'staging-web', aclPath: 'server/data/staging-web' },
    ],
    [
      { mount: 'server', kvVersion: 'v2' },
      'data/x',
      { mount: 'server', path: 'data/x', aclPath: 'server/data/data/x' },
    ],
    [
      { mount: null, kvVersion: 'v2' },
      'secret/app/db',
      { mount: 'secret', path: 'app/db', aclPath: 'secret/data/app/db' },
    ],
    [
      { mount: null, kvVersion: 'v2' },
      'secret/data/app',
      { mount: 'secret', path: 'app', aclPath: 'secret/data/app' },
    ],
    [{ mount: 'kv', kvVersion: 'v1' }, 'app', { mount: 'kv', path: 'app', aclPath: 'kv/app' }],
  ])('maps store %j and key %s the way ESO builds the path', (store, key, expected) => {
    expect(kvLocation(store, key)).toEqual(expected);
  });
});

describe('locateServer', () => {
  it.each([
    [
      'http://openbao.openbao.svc:8200',
      'plate-stg',
      { namespace: 'openbao', name: 'openbao' },
      'openbao/openbao:8200',
    ],
    [
      'https://openbao.vault.svc.cluster.local',
      'plate-stg',
      { namespace: 'vault', name: 'openbao' },
      'vault/openbao:443',
    ],
    [
      'http://openbao:8200',
      'plate-stg',
      { namespace: 'plate-stg', name: 'openbao' },
      'plate-stg/openbao:8200',
    ],
    ['https://bao.example.test:8200', 'plate-stg', null, 'bao.example.test:8200'],
    ['http://localhost:8200', 'plate-stg', null, 'localhost:8200'],
  ])('locates %s', (address, ns, service, label) => {
    expect(locateServer(address, ns)).toMatchObject({ service, label });
  });

  it('returns null for a server that is not a URL', () => {
    expect(locateServer('openbao:8200/x y', 'ns')).toBeNull();
  });
});

describe('readStore and readExternalSecret', () => {
  it('applies ESO defaults: KV v2, target name = ExternalSecret name, creationPolicy Owner, SecretStore kind', () => {
    const [, web] = loadObjects('secrets/externalsecrets.yaml');
    expect(readExternalSecret(web!)).toMatchObject({
      key: 'plate-stg/plate-web-stg-env',
      storeRef: { kind: 'SecretStore', key: 'plate-stg/openbao', subject: 'SecretStore plate-stg/openbao' },
      refreshInterval: null,
      target: { name: 'plate-web-stg-env', creationPolicy: 'Owner', expectedKeys: ['SESSION_KEY'] },
      remoteRefs: [{ key: 'server/data/staging-web', properties: ['SESSION_KEY'] }],
    });
    const [, , , k8sAuth] = loadObjects('secrets/stores.yaml');
    expect(readStore(k8sAuth!, 'SecretStore')).toMatchObject({
      kvVersion: 'v2',
      auth: 'kubernetes',
      tokenRef: null,
      ready: null,
    });
  });

  it('expects template keys, not mapped keys, when a template renders the Secret', () => {
    const llm = loadObjects('secrets/externalsecrets.yaml')[4]!;
    expect(readExternalSecret(llm).target.expectedKeys).toEqual(['DATABASE_URL']);
  });

  it('leaves the keys of a dataFrom ExternalSecret open and needs the whole remote secret', () => {
    const shared = loadObjects('secrets/externalsecrets.yaml')[3]!;
    expect(readExternalSecret(shared)).toMatchObject({
      storeRef: { kind: 'ClusterSecretStore', key: 'openbao-shared' },
      target: { name: 'plate-shared', creationPolicy: 'Merge', expectedKeys: null },
      remoteRefs: [{ key: 'common', properties: [] }],
    });
  });

  it('keeps a ClusterSecretStore token ref without namespace as null, and a SecretStore ref in its own namespace', () => {
    const [, noNs] = loadObjects('secrets/cluster-stores.yaml');
    expect(readStore(noNs!, 'ClusterSecretStore').tokenRef).toEqual({
      namespace: null,
      name: 'openbao-shared-token',
      key: 'token',
    });
    const [stg] = loadObjects('secrets/stores.yaml');
    expect(readStore(stg!, 'SecretStore').tokenRef).toEqual({
      namespace: 'plate-stg',
      name: 'openbao-token',
      key: 'token',
    });
  });
});

describe('latestWarning', () => {
  it('picks the newest Warning about the object and puts its multi-line message on one line', () => {
    const events = loadObjects('secrets/events.yaml');
    expect(latestWarning(events, { kind: 'SecretStore', name: 'openbao', namespace: 'plate-prod' })).toEqual({
      reason: 'InvalidProviderConfig',
      message:
        'invalid vault credentials: Error making API request. URL: GET http://openbao.openbao.svc.cluster.local:8200/v1/auth/token/lookup-self Code: 403. Errors: * 1 error occurred: * permission denied',
      at: '2025-03-01T09:05:00Z',
      count: 7,
    });
    expect(
      latestWarning(
        events,
        { kind: 'ExternalSecret', name: 'plate-api-prod-env', namespace: 'plate-prod' },
        'UpdateFailed',
      )?.at,
    ).toBe('2025-03-01T09:06:00.000000Z');
    expect(
      latestWarning(events, { kind: 'SecretStore', name: 'openbao', namespace: 'plate-stg' }),
    ).toBeNull();
  });
});

describe('rootCauseOf', () => {
  const probe = (over: Partial<BaoProbe>): BaoProbe => ({
    store: 'SecretStore plate-stg/openbao',
    server: 'openbao/openbao:8200',
    address: 'http://openbao.openbao.svc:8200',
    service: { namespace: 'openbao', name: 'openbao' },
    health: { ok: true, value: HEALTHY },
    token: { kind: 'lookup', source: 'store', lookup: VALID_TOKEN },
    ...over,
  });

  it.each([
    ['sealed', probe({ health: { ok: true, value: SEALED }, token: null }), 'OpenBao sealed'],
    [
      'not initialized',
      probe({
        health: { ok: true, value: { ...HEALTHY, initialized: false, httpStatus: 501 } },
        token: null,
      }),
      'OpenBao not initialized',
    ],
    [
      'unreachable',
      probe({
        health: {
          ok: false,
          failure: { kind: 'unreachable', message: 'connect ECONNREFUSED 10.0.0.5:8200', permission: null },
        },
        token: null,
      }),
      'OpenBao unreachable (connect ECONNREFUSED 10.0.0.5:8200)',
    ],
    [
      'a denied token',
      probe({
        token: { kind: 'lookup', source: 'store', lookup: { kind: 'denied', errors: ['permission denied'] } },
      }),
      'the OpenBao token of SecretStore plate-stg/openbao is expired or revoked',
    ],
    [
      'an expiring-now token',
      probe({ token: { kind: 'lookup', source: 'store', lookup: { ...VALID_TOKEN, ttlSeconds: 30 } } }),
      'the OpenBao token of SecretStore plate-stg/openbao has expired',
    ],
  ])('names %s', (_name, p, text) => {
    expect(rootCauseOf(p)?.text).toBe(text);
  });

  it.each([
    ['a healthy server and a valid token', probe({})],
    [
      'a forbidden proxy (our access, not OpenBao)',
      probe({
        health: {
          ok: false,
          failure: { kind: 'forbidden', message: 'no', permission: 'get services/proxy in openbao' },
        },
        token: null,
      }),
    ],
    [
      'a denied BAO_TOKEN (the doctor’s token, not the store’s)',
      probe({ token: { kind: 'lookup', source: 'env', lookup: { kind: 'denied', errors: [] } } }),
    ],
  ])('names nothing for %s', (_name, p) => {
    expect(rootCauseOf(p)).toBeNull();
  });
});

describe('per-item stores (sourceRef.storeRef)', () => {
  const es = readExternalSecret({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'plate-api-stg-env', namespace: 'plate-stg' },
    spec: {
      secretStoreRef: { kind: 'SecretStore', name: 'openbao-backend' },
      data: [
        { secretKey: 'DB_PASSWORD', remoteRef: { key: 'staging', property: 'DB_PASSWORD' } },
        {
          secretKey: 'SENTRY_DSN',
          remoteRef: { key: 'common', property: 'SENTRY_DSN' },
          sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'openbao-shared' } },
        },
      ],
    },
  });

  it('reads each item from its own store, the ExternalSecret’s by default', () => {
    expect(es.remoteRefs).toEqual([
      {
        key: 'staging',
        properties: ['DB_PASSWORD'],
        store: {
          kind: 'SecretStore',
          name: 'openbao-backend',
          key: 'plate-stg/openbao-backend',
          subject: 'SecretStore plate-stg/openbao-backend',
        },
      },
      {
        key: 'common',
        properties: ['SENTRY_DSN'],
        store: {
          kind: 'ClusterSecretStore',
          name: 'openbao-shared',
          key: 'openbao-shared',
          subject: 'ClusterSecretStore openbao-shared',
        },
      },
    ]);
  });

  it('checks a path against the store that reads it, and only that one', () => {
    const store = (kind: 'SecretStore' | 'ClusterSecretStore', namespace: string | null, name: string) =>
      readStore(
        {
          metadata: { name, ...(namespace ? { namespace } : {}) },
          spec: {
            provider: { vault: { server: 'http://openbao.openbao.svc:8200', path: 'server', version: 'v2' } },
          },
        },
        kind,
      );
    expect(pathsOf(store('SecretStore', 'plate-stg', 'openbao-backend'), [es]).map((p) => p.aclPath)).toEqual(
      ['server/data/staging'],
    );
    expect(pathsOf(store('ClusterSecretStore', null, 'openbao-shared'), [es]).map((p) => p.aclPath)).toEqual([
      'server/data/common',
    ]);
  });
});
