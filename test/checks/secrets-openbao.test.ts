import { describe, expect, it } from 'vitest';
import {
  evaluateOpenBao as evaluateOpenBaoNode,
  gatherOpenBao,
  type OpenBaoFacts,
  type PathFacts,
  type ServerFacts,
  type StoreBaoFacts,
} from '../../src/checks/secrets/openbao.js';
import { readStore } from '../../src/checks/secrets/model.js';
import type { TokenState } from '../../src/checks/secrets/bao.js';
import type { ResultNode } from '../../src/checks/result.js';
import { Sensitive } from '../../src/gateways/sensitive.js';
import type { KvRead } from '../../src/gateways/types.js';
import { aGatherContext } from '../fakes/scope.js';
import { HEALTHY, SEALED, VALID_TOKEN, baoOf, kubeOf, loadObjects, noDns } from './secrets-fixtures.js';
import { showing, shown } from '../support/shown.js';

const evaluateOpenBao = showing(evaluateOpenBaoNode);

const STORES = loadObjects('secrets/stores.yaml');
const stg = readStore(STORES[0]!, 'SecretStore');
const legacy = readStore(STORES[2]!, 'SecretStore');
const ALL = [
  ...STORES,
  ...loadObjects('secrets/cluster-stores.yaml'),
  ...loadObjects('secrets/externalsecrets.yaml'),
  ...loadObjects('secrets/secrets.yaml'),
];
const PROXY = 'https://127.0.0.1:6443/api/v1/namespaces/openbao/services/openbao:8200/proxy';
const SERVICE = { namespace: 'openbao', name: 'openbao' };

const server = (over: Partial<ServerFacts> = {}): ServerFacts => ({
  label: 'openbao/openbao:8200',
  address: 'http://openbao.openbao.svc:8200',
  service: SERVICE,
  note: null,
  health: { ok: true, value: HEALTHY },
  stores: [],
  envToken: null,
  ...over,
});
const facts = (servers: ServerFacts[], over: Partial<OpenBaoFacts> = {}): OpenBaoFacts => ({
  readSecrets: true,
  listFailures: [],
  unusable: [],
  servers,
  ...over,
});
const path = (over: Partial<PathFacts> = {}): PathFacts => ({
  mount: 'server',
  path: 'staging',
  aclPath: 'server/data/staging',
  wanted: [{ externalSecret: 'plate-stg/plate-api-stg-env', properties: ['DB_PASSWORD', 'DB_USER'] }],
  kv: { ok: true, value: { kind: 'found', keys: ['DB_PASSWORD', 'DB_USER'], version: 3 } },
  ...over,
});
const storeFacts = (over: Partial<StoreBaoFacts> = {}): StoreBaoFacts => ({
  store: stg,
  externalSecrets: [{ namespace: 'plate-stg', name: 'plate-api-stg-env' }],
  token: { kind: 'lookup', source: 'store', lookup: VALID_TOKEN },
  capabilities: { ok: true, value: { 'server/data/staging': ['read'] } },
  paths: [path()],
  ...over,
});
const find = (node: ResultNode, id: string): ResultNode | undefined =>
  node.id === id ? node : node.children?.map((c) => find(c, id)).find(Boolean);

describe('secrets.openbao evaluate: server health', () => {
  it.each([
    ['active', HEALTHY, 'pass', 'unsealed, active, version 2.2.0'],
    [
      'a standby (429 is healthy)',
      { ...HEALTHY, httpStatus: 429, standby: true },
      'pass',
      'unsealed, standby, version 2.2.0',
    ],
    ['sealed', SEALED, 'fail', 'sealed (HTTP 503, version 2.2.0)'],
    [
      'not initialized',
      { ...HEALTHY, httpStatus: 501, initialized: false, version: null },
      'fail',
      'not initialized (HTTP 501)',
    ],
  ])('reports %s', (_name, health, status, message) => {
    const node = evaluateOpenBao(facts([server({ health: { ok: true, value: health } })]));
    expect(find(node, 'secrets.openbao:openbao/openbao:8200:health')).toMatchObject({
      subject: 'OpenBao openbao/openbao:8200',
      status,
      message,
    });
  });

  it('gives the unseal hint with a read-only status command for a sealed in-cluster server', () => {
    const node = shown(evaluateOpenBaoNode(facts([server({ health: { ok: true, value: SEALED } })])), {
      flags: ['--context', 'stg'],
    });
    expect(find(node, 'secrets.openbao:openbao/openbao:8200:health')).toMatchObject({
      hint: 'Unseal OpenBao openbao/openbao:8200 with the unseal keys (bao operator unseal); nothing can read secrets while it is sealed.',
      commands: ['kubectl --context stg exec -n openbao svc/openbao -- bao status'],
    });
  });

  it('says the server was reached through the API server proxy and why', () => {
    const node = evaluateOpenBao(
      facts([
        server({
          note: 'openbao.openbao.svc is not resolvable from here; reached through the API server proxy',
        }),
      ]),
    );
    expect(find(node, 'secrets.openbao:openbao/openbao:8200:health')!.message).toBe(
      'unsealed, active, version 2.2.0; openbao.openbao.svc is not resolvable from here; reached through the API server proxy',
    );
  });

  it.each([
    [
      'refused',
      { kind: 'unreachable' as const, message: 'connect ECONNREFUSED 203.0.113.7:8200', permission: null },
      'fail',
      'not reachable: connect ECONNREFUSED 203.0.113.7:8200',
      'Bring OpenBao bao.example.test:8200 back: check its pods, Service and network path.',
      ['BAO_ADDR=https://bao.example.test:8200 bao status'],
    ],
    [
      'a proxy we may not use',
      {
        kind: 'forbidden' as const,
        message: 'services "openbao" is forbidden',
        permission: 'get services/proxy in openbao',
      },
      'error',
      'could not check: services "openbao" is forbidden',
      'Grant "get services/proxy in openbao" to the identity running the doctor, or run it with a kubeconfig that has it.',
      ['kubectl auth can-i get services --subresource=proxy -n openbao'],
    ],
    [
      'a timeout',
      { kind: 'timeout' as const, message: 'no answer within 5s', permission: null },
      'error',
      'could not check: no answer within 5s',
      'Retry with a longer --timeout; OpenBao bao.example.test:8200 did not answer in time.',
      [],
    ],
  ])('judges %s', (_name, failure, status, message, hint, commands) => {
    const node = evaluateOpenBao(
      facts([
        server({
          label: 'bao.example.test:8200',
          address: 'https://bao.example.test:8200',
          service: null,
          health: { ok: false, failure },
        }),
      ]),
    );
    expect(find(node, 'secrets.openbao:bao.example.test:8200:health')).toMatchObject({
      status,
      message,
      hint,
      commands,
    });
  });

  it('skips the token of a store whose server is not serving instead of failing it twice', () => {
    const node = evaluateOpenBao(
      facts([
        server({
          health: { ok: true, value: SEALED },
          stores: [storeFacts({ token: null, capabilities: null })],
        }),
      ]),
    );
    expect(find(node, 'secrets.openbao:plate-stg/openbao:token')).toEqual({
      id: 'secrets.openbao:plate-stg/openbao:token',
      title: 'OpenBao token of SecretStore plate-stg/openbao',
      subject: 'OpenBao token of SecretStore plate-stg/openbao',
      status: 'skip',
      code: 'OPENBAO_TOKEN_NOT_CHECKED',
      message: 'not checked: OpenBao openbao/openbao:8200 is not serving',
      hint: 'Fix OpenBao openbao/openbao:8200 first (see its health above).',
    });
    expect(find(node, 'secrets.openbao:plate-stg/openbao:server/data/staging')).toBeUndefined();
  });
});

describe('secrets.openbao evaluate: store tokens', () => {
  const RENEW =
    'Recreate the OpenBao token of SecretStore plate-stg/openbao with scripts/openbao/create-token.sh, then force a resync (this writes): kubectl annotate externalsecret -n plate-stg plate-api-stg-env force-sync=$(date +%s) --overwrite';
  it.each<[string, TokenState, string, string, string | undefined]>([
    [
      'valid for a month',
      { kind: 'lookup', source: 'store', lookup: VALID_TOKEN },
      'pass',
      'valid for 31d; policies default, plate-stg-read',
      undefined,
    ],
    [
      'a root token that never expires',
      {
        kind: 'lookup',
        source: 'store',
        lookup: { ...VALID_TOKEN, ttlSeconds: 0, expireTime: null, policies: ['root'] },
      },
      'pass',
      'valid, never expires; policies root',
      undefined,
    ],
    [
      'expiring within 7 days',
      {
        kind: 'lookup',
        source: 'store',
        lookup: { ...VALID_TOKEN, ttlSeconds: 3 * 86_400 + 60, expireTime: '2025-03-04T10:01:00Z' },
      },
      'warn',
      'expires in 3d (2025-03-04T10:01:00Z), renewable (bao token renew extends it up to its max TTL); policies default, plate-stg-read',
      RENEW,
    ],
    [
      'expiring within 7 days and not renewable',
      {
        kind: 'lookup',
        source: 'store',
        lookup: {
          ...VALID_TOKEN,
          ttlSeconds: 3 * 86_400 + 60,
          expireTime: '2025-03-04T10:01:00Z',
          renewable: false,
        },
      },
      'warn',
      'expires in 3d (2025-03-04T10:01:00Z), not renewable: it must be recreated before then; policies default, plate-stg-read',
      RENEW,
    ],
    [
      'expired (ESO treats under a minute as expired)',
      {
        kind: 'lookup',
        source: 'store',
        lookup: { ...VALID_TOKEN, ttlSeconds: 20, expireTime: '2025-03-01T10:00:20Z' },
      },
      'fail',
      'expired (20s left, expire time 2025-03-01T10:00:20Z); policies default, plate-stg-read',
      RENEW,
    ],
    [
      'revoked (OpenBao 2.x multierror body)',
      {
        kind: 'lookup',
        source: 'store',
        lookup: { kind: 'denied', errors: ['1 error occurred:\n\t* permission denied\n\n'] },
      },
      'fail',
      'expired or revoked (lookup-self: permission denied)',
      RENEW,
    ],
    [
      'BAO_TOKEN used under --no-read-secrets',
      { kind: 'lookup', source: 'env', lookup: VALID_TOKEN },
      'pass',
      "BAO_TOKEN checked instead of the store's own token (--no-read-secrets); valid for 31d; policies default, plate-stg-read",
      undefined,
    ],
  ])('judges a token %s', (_name, token, status, message, hint) => {
    const node = evaluateOpenBao(facts([server({ stores: [storeFacts({ token })] })]));
    const leaf = find(node, 'secrets.openbao:plate-stg/openbao:token')!;
    expect(leaf).toMatchObject({ status, message });
    expect(leaf.hint).toBe(hint);
  });

  it('lists read-only lookups as commands, and never the resync that writes', () => {
    const token: TokenState = {
      kind: 'lookup',
      source: 'store',
      lookup: { kind: 'denied', errors: ['permission denied'] },
    };
    const leaf = find(
      evaluateOpenBao(facts([server({ stores: [storeFacts({ token })] })])),
      'secrets.openbao:plate-stg/openbao:token',
    )!;
    expect(leaf.commands).toEqual(['kubectl exec -n openbao svc/openbao -- bao token lookup']);
  });

  it('skips, with the reason, when --no-read-secrets leaves no token', () => {
    const token: TokenState = {
      kind: 'unavailable',
      reason: '--no-read-secrets is set and no BAO_TOKEN was given',
    };
    const node = evaluateOpenBao(
      facts([server({ stores: [storeFacts({ token, capabilities: null })] })], { readSecrets: false }),
    );
    expect(find(node, 'secrets.openbao:plate-stg/openbao:token')).toMatchObject({
      status: 'skip',
      message: 'not checked: --no-read-secrets is set and no BAO_TOKEN was given',
      hint: 'Run without --no-read-secrets, or set BAO_TOKEN, to check OpenBao access for SecretStore plate-stg/openbao.',
    });
  });
});

const PROXY_FORBIDDEN = {
  kind: 'forbidden' as const,
  message: 'the API server refused: create services/proxy in openbao',
  permission: 'create services/proxy in openbao',
};

describe('secrets.openbao evaluate: mapped paths', () => {
  const metadata = 'kubectl exec -n openbao svc/openbao -- bao kv metadata get -mount=server staging';
  it.each<[string, Partial<StoreBaoFacts>, string, string, string | undefined, string[] | undefined]>([
    [
      'a readable path with every key',
      {},
      'pass',
      'readable; has DB_PASSWORD, DB_USER',
      undefined,
      undefined,
    ],
    [
      'a policy that denies read',
      { capabilities: { ok: true, value: { 'server/data/staging': ['deny'] } }, paths: [path({ kv: null })] },
      'fail',
      'token may not read server/data/staging (capabilities: deny); needed by ExternalSecret plate-stg/plate-api-stg-env',
      'Allow read on server/data/staging in a policy of the token of SecretStore plate-stg/openbao (policies: default, plate-stg-read).',
      [
        'kubectl exec -n openbao svc/openbao -- bao policy read default',
        'kubectl exec -n openbao svc/openbao -- bao policy read plate-stg-read',
      ],
    ],
    [
      'a proxy that forbids capabilities-self, while the key read proves access',
      { capabilities: { ok: false, failure: PROXY_FORBIDDEN } },
      'pass',
      'readable; has DB_PASSWORD, DB_USER (capabilities not checked: the API server refused: create services/proxy in openbao)',
      undefined,
      undefined,
    ],
    [
      'a proxy that forbids capabilities-self when the key could not be read either',
      {
        capabilities: { ok: false, failure: PROXY_FORBIDDEN },
        paths: [path({ kv: { ok: false, failure: PROXY_FORBIDDEN } })],
      },
      'error',
      'could not read capabilities: the API server refused: create services/proxy in openbao',
      'Grant "create services/proxy in openbao" to the identity running the doctor, or run it with a kubeconfig that has it.',
      ['kubectl auth can-i create services --subresource=proxy -n openbao'],
    ],
    [
      'a path never written',
      { paths: [path({ kv: { ok: true, value: { kind: 'absent' } } })] },
      'fail',
      'does not exist; needed by ExternalSecret plate-stg/plate-api-stg-env',
      'Write the secret server/staging in OpenBao, or fix remoteRef.key in ExternalSecret plate-stg/plate-api-stg-env.',
      [metadata],
    ],
    [
      'a deleted latest version',
      { paths: [path({ kv: { ok: true, value: { kind: 'deleted' } } })] },
      'fail',
      'latest version is deleted; needed by ExternalSecret plate-stg/plate-api-stg-env',
      'Restore the latest version of server/staging (bao kv undelete or rollback), or write it again.',
      [metadata],
    ],
    [
      'a missing property',
      { paths: [path({ kv: { ok: true, value: { kind: 'found', keys: ['DB_USER'], version: 2 } } })] },
      'fail',
      'lacks DB_PASSWORD (has DB_USER); needed by ExternalSecret plate-stg/plate-api-stg-env',
      'Add the missing keys to server/staging in OpenBao, or fix remoteRef.property in ExternalSecret plate-stg/plate-api-stg-env.',
      [metadata],
    ],
    [
      'a KV v2 secret behind a store declared v1',
      {
        store: legacy,
        capabilities: { ok: true, value: { 'kv/app': ['read'] } },
        paths: [
          path({
            mount: 'kv',
            path: 'app',
            aclPath: 'kv/app',
            kv: { ok: true, value: { kind: 'found', keys: ['A'], version: 1 } },
          }),
        ],
      },
      'fail',
      'is a KV v2 secret, but SecretStore plate-dev/legacy says version v1 (ESO reads kv/app and finds nothing)',
      'Set spec.provider.vault.version to v2 in SecretStore plate-dev/legacy; kv is a KV v2 mount.',
      ['kubectl exec -n openbao svc/openbao -- bao secrets list -detailed'],
    ],
  ])('judges %s', (_name, over, status, message, hint, commands) => {
    const s = storeFacts(over);
    const node = evaluateOpenBao(facts([server({ stores: [s] })]));
    const leafId = `secrets.openbao:${s.store.key}:${s.paths[0]!.aclPath}`;
    const leaf = find(node, leafId)!;
    expect(leaf).toMatchObject({ status, message });
    expect(leaf.hint).toBe(hint);
    expect(leaf.commands).toEqual(commands);
  });

  it.each<[string, Extract<KvRead, { kind: 'found' }>, string, string]>([
    [
      'a nested key the path names',
      { kind: 'found', keys: ['db'], nestedKeys: ['db.password', 'db.user'], version: 2 },
      'pass',
      'readable; has db',
    ],
    [
      'a nested key the path names that is not there',
      { kind: 'found', keys: ['db'], nestedKeys: ['db.user'], version: 2 },
      'fail',
      'lacks db.password (has db); needed by ExternalSecret plate-stg/plate-api-stg-env',
    ],
    [
      'a top-level key with a dot in its name, which ESO reads first',
      { kind: 'found', keys: ['db.password'], nestedKeys: [], version: 2 },
      'pass',
      'readable; has db.password',
    ],
    [
      'a snapshot from before nested keys were read: the first key of the path',
      { kind: 'found', keys: ['db'], version: 2 },
      'pass',
      'readable; has db',
    ],
  ])('judges a remoteRef.property path: %s', (_name, kv, status, message) => {
    const wanted = [{ externalSecret: 'plate-stg/plate-api-stg-env', properties: ['db.password'] }];
    const s = storeFacts({ paths: [path({ wanted, kv: { ok: true, value: kv } })] });
    const node = evaluateOpenBao(facts([server({ stores: [s] })]));
    expect(find(node, `secrets.openbao:${s.store.key}:server/data/staging`)).toMatchObject({
      status,
      message,
    });
  });

  it('skips when no store uses the vault provider and no address was given', () => {
    expect(evaluateOpenBao(facts([]))).toEqual({
      id: 'secrets.openbao',
      title: 'OpenBao is unsealed and each store token can read its mapped secrets',
      status: 'skip',
      code: 'OPENBAO_NOT_USED',
      message: 'no SecretStore uses the vault provider and no OpenBao address was given',
      hint: 'Pass --openbao-addr (or set BAO_ADDR) to check an OpenBao server directly.',
    });
  });
});

describe('gatherOpenBao', () => {
  const tokens = {
    's1.CANARY-TOKEN-STAGING': VALID_TOKEN,
    's1.CANARY-TOKEN-SHARED': { ...VALID_TOKEN, ttlSeconds: 3 * 86_400, policies: ['shared-read'] },
  };
  const setup = {
    tokens,
    capabilities: {
      'server/data/staging': ['read'],
      'server/data/staging-llm': ['read'],
      'server/data/staging-web': ['deny'],
      'shared/data/common': ['read'],
    },
    kv: { 'server/staging': ['DB_PASSWORD'], 'shared/common': ['FLAG'] },
  };

  it('groups stores per server, sends each store token only to its own server, and reads key names', async () => {
    const kube = kubeOf({ objects: ALL });
    const openbao = baoOf(setup);
    const result = await gatherOpenBao(aGatherContext({ kube, openbao, dns: noDns() }));
    expect(result.servers.map((s) => [s.label, s.note, s.stores.map((x) => x.store.subject)])).toEqual([
      [
        'openbao/openbao:8200',
        'openbao.openbao.svc is not resolvable from here; reached through the API server proxy',
        [
          'ClusterSecretStore no-namespace',
          'ClusterSecretStore openbao-shared',
          'SecretStore plate-dev/k8s-auth',
          'SecretStore plate-prod/openbao',
          'SecretStore plate-stg/openbao',
        ],
      ],
      ['bao.example.test:8200', null, ['SecretStore plate-dev/legacy']],
    ]);
    expect(openbao.calls.filter((c) => c.includes('CANARY')).every((c) => c.startsWith(PROXY))).toBe(true);
    expect(openbao.calls.filter((c) => c.includes('CANARY-TOKEN-STAGING'))).toEqual([
      `${PROXY} s1.CANARY-TOKEN-STAGING lookup`,
      `${PROXY} s1.CANARY-TOKEN-STAGING capabilities server/data/staging,server/data/staging-llm,server/data/staging-web`,
      `${PROXY} s1.CANARY-TOKEN-STAGING kv server/staging`,
      `${PROXY} s1.CANARY-TOKEN-STAGING kv server/staging-llm`,
    ]);

    const node = evaluateOpenBao(result);
    expect(
      [
        'secrets.openbao:plate-stg/openbao:server/data/staging',
        'secrets.openbao:plate-stg/openbao:server/data/staging-llm',
        'secrets.openbao:plate-stg/openbao:server/data/staging-web',
        'secrets.openbao:openbao-shared:token',
        'secrets.openbao:openbao-shared:shared/data/common',
        'secrets.openbao:plate-prod/openbao:token',
        'secrets.openbao:plate-dev/k8s-auth:token',
        'secrets.openbao:bao.example.test:8200:health',
      ].map((leafId) => [leafId, find(node, leafId)?.status, find(node, leafId)?.message]),
    ).toEqual([
      [
        'secrets.openbao:plate-stg/openbao:server/data/staging',
        'fail',
        'lacks DB_USER (has DB_PASSWORD); needed by ExternalSecret plate-stg/plate-api-stg-env',
      ],
      [
        'secrets.openbao:plate-stg/openbao:server/data/staging-llm',
        'fail',
        'does not exist; needed by ExternalSecret plate-stg/plate-llm-stg-env',
      ],
      [
        'secrets.openbao:plate-stg/openbao:server/data/staging-web',
        'fail',
        'token may not read server/data/staging-web (capabilities: deny); needed by ExternalSecret plate-stg/plate-web-stg-env',
      ],
      [
        'secrets.openbao:openbao-shared:token',
        'warn',
        'expires in 3d (2025-04-01T10:00:00Z), renewable (bao token renew extends it up to its max TTL); policies shared-read',
      ],
      ['secrets.openbao:openbao-shared:shared/data/common', 'pass', 'readable; has FLAG'],
      [
        'secrets.openbao:plate-prod/openbao:token',
        'skip',
        'not checked: token Secret plate-prod/openbao-token has no key token (see secrets.stores)',
      ],
      [
        'secrets.openbao:plate-dev/k8s-auth:token',
        'skip',
        'not checked: auth is kubernetes, not a token; set BAO_TOKEN to check access',
      ],
      ['secrets.openbao:bao.example.test:8200:health', 'pass', 'unsealed, active, version 2.2.0'],
    ]);
  });

  it('uses BAO_TOKEN under --no-read-secrets, reads no Secret data, and skips capabilities (another identity)', async () => {
    const kube = kubeOf({ objects: ALL });
    const openbao = baoOf({ ...setup, tokens: { 's.HUMAN-CANARY': VALID_TOKEN } });
    const result = await gatherOpenBao(
      aGatherContext(
        { kube, openbao, dns: noDns() },
        { readSecrets: false, openbaoToken: new Sensitive('s.HUMAN-CANARY'), namespaces: ['plate-stg'] },
      ),
    );
    expect(kube.calls.some((c) => c.startsWith('read '))).toBe(false);
    expect(openbao.calls.some((c) => c.includes('capabilities'))).toBe(false);
    const stgStore = result.servers[0]!.stores.find((s) => s.store.key === 'plate-stg/openbao')!;
    expect(stgStore.token).toEqual({ kind: 'lookup', source: 'env', lookup: VALID_TOKEN });
    expect(stgStore.capabilities).toBeNull();
    expect(JSON.stringify(result)).not.toContain('HUMAN-CANARY');
  });

  it('checks an --openbao-addr server directly, with BAO_TOKEN, when no store is in scope', async () => {
    const kube = kubeOf({
      objects: [],
      missingKinds: ['secretstores', 'clustersecretstores', 'externalsecrets'],
    });
    const openbao = baoOf({ health: SEALED });
    const result = await gatherOpenBao(
      aGatherContext(
        { kube, openbao },
        { openbaoAddress: 'https://bao.example.test:8200', openbaoToken: new Sensitive('s.X') },
      ),
    );
    expect(openbao.calls).toEqual(['https://bao.example.test:8200 health']);
    const node = evaluateOpenBao(result);
    expect(find(node, 'secrets.openbao:bao.example.test:8200:health')).toMatchObject({
      status: 'fail',
      message: 'sealed (HTTP 503, version 2.2.0)',
      commands: ['BAO_ADDR=https://bao.example.test:8200 bao status'],
    });
  });
});
