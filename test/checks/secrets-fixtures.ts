/**
 * Shared by the secrets and gitops step tests: real YAML fixtures served by strict fake gateways that
 * behave like the real ones (404 → null, Secret values stripped, memo-free but call-recording).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { GatewayError } from '../../src/gateways/errors.js';
import { KINDS, type KindName } from '../../src/gateways/kinds.js';
import { Sensitive } from '../../src/gateways/sensitive.js';
import type {
  BaoEndpoint,
  BaoHealth,
  KubeGateway,
  KubeObject,
  KvRead,
  OpenBaoGateway,
  SecretSummary,
  TokenLookup,
} from '../../src/gateways/types.js';
import { fakeDns, fakeKube, fakeOpenBao } from '../fakes/gateways.js';

/** Every document of `test/fixtures/<path>`. */
export function loadObjects(path: string): KubeObject[] {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
}

/** The canaries planted in the fixtures; no node may ever contain them. */
export const CANARIES = [
  's1.CANARY-TOKEN-STAGING',
  's1.CANARY-TOKEN-PROD',
  's1.CANARY-TOKEN-SHARED',
  'CANARY-SECRET-VALUE',
  'czEuQ0FOQVJZ',
  'Q0FOQVJZLVNFQ1JFVC1WQUxVRQ',
];

export const NOW = new Date('2025-03-01T10:00:00Z');

export interface KubeSetup {
  objects: KubeObject[];
  /** Kinds whose CRD is not installed: `list` answers null. */
  missingKinds?: KindName[];
  /** `kind` or `kind@namespace` lists that answer 403. */
  forbidden?: string[];
}

/** A list-serving fake Kubernetes API over fixture objects, recording every list it answers. */
export function kubeOf(setup: KubeSetup): KubeGateway & { calls: string[] } {
  const calls: string[] = [];
  const byKind = (kind: KindName, namespace: string | undefined) =>
    setup.objects.filter(
      (o) => o.kind === KINDS[kind].kind && (namespace === undefined || o.metadata.namespace === namespace),
    );
  const check = (kind: KindName, namespace: string | undefined) => {
    calls.push(`${kind}@${namespace ?? '*'}`);
    if (setup.forbidden?.some((f) => f === kind || f === `${kind}@${namespace}`)) {
      throw new GatewayError('kubernetes', 'forbidden', `${kind} is forbidden`, {
        permission: `list ${kind}${namespace ? ` in ${namespace}` : ''}`,
        httpStatus: 403,
      });
    }
  };
  const kube = fakeKube({
    list: async (kind, options) => {
      check(kind, options.namespace);
      if (setup.missingKinds?.includes(kind)) return null;
      return byKind(kind, options.namespace);
    },
    listSecrets: async (options) => {
      check('secrets', options.namespace);
      return byKind('secrets', options.namespace).map((o): SecretSummary => ({
        metadata: o.metadata,
        type: String((o as unknown as { type?: string }).type ?? 'Opaque'),
        keys: Object.keys((o as unknown as { data?: object }).data ?? {}).sort(),
      }));
    },
    readSecretValue: async (namespace, name, key) => {
      calls.push(`read ${namespace}/${name}/${key}`);
      const secret = byKind('secrets', namespace).find((o) => o.metadata.name === name);
      const data = (secret as unknown as { data?: Record<string, string> } | undefined)?.data ?? {};
      return data[key] ? new Sensitive(Buffer.from(data[key], 'base64').toString('utf8')) : null;
    },
    serviceProxy: (namespace, service, port): BaoEndpoint => ({
      address: `https://127.0.0.1:6443/api/v1/namespaces/${namespace}/services/${service}:${port}/proxy`,
      label: `${namespace}/${service}:${port} via the API server proxy`,
      via: 'service-proxy',
    }),
  });
  return Object.assign(kube, { calls });
}

export const HEALTHY: BaoHealth = {
  httpStatus: 200,
  initialized: true,
  sealed: false,
  standby: false,
  version: '2.2.0',
  clusterName: 'openbao-cluster-6fc973c2',
};

export const SEALED: BaoHealth = { ...HEALTHY, httpStatus: 503, sealed: true, clusterName: null };

export interface BaoSetup {
  health?: BaoHealth | GatewayError;
  /** Token value → lookup answer; a token not listed is denied. */
  tokens?: Record<string, TokenLookup>;
  /** ACL path → capabilities; unlisted paths get ["deny"]. */
  capabilities?: Record<string, string[]>;
  /** `mount/path` → key names, or 'deleted'; unlisted paths are absent. */
  kv?: Record<string, string[] | 'deleted'>;
}

/** One fake OpenBao server; records `address token-value method` so tests can see where each token went. */
export function baoOf(setup: BaoSetup): OpenBaoGateway & { calls: string[] } {
  const calls: string[] = [];
  const bao = fakeOpenBao({
    readHealth: async (endpoint) => {
      calls.push(`${endpoint.address} health`);
      const health = setup.health ?? HEALTHY;
      if (health instanceof GatewayError) throw health;
      return health;
    },
    lookupToken: async (endpoint, token) => {
      calls.push(`${endpoint.address} ${token.reveal()} lookup`);
      return (
        setup.tokens?.[token.reveal()] ?? {
          kind: 'denied',
          errors: ['1 error occurred:\n\t* permission denied\n\n'],
        }
      );
    },
    readCapabilities: async (endpoint, token, paths) => {
      calls.push(`${endpoint.address} ${token.reveal()} capabilities ${paths.join(',')}`);
      return Object.fromEntries(paths.map((p) => [p, setup.capabilities?.[p] ?? ['deny']]));
    },
    readKvKeyNames: async (endpoint, token, mount, path): Promise<KvRead> => {
      calls.push(`${endpoint.address} ${token.reveal()} kv ${mount}/${path}`);
      const entry = setup.kv?.[`${mount}/${path}`];
      if (entry === undefined) return { kind: 'absent' };
      if (entry === 'deleted') return { kind: 'deleted' };
      return { kind: 'found', keys: entry, version: 3 };
    },
  });
  return Object.assign(bao, { calls });
}

/** A DNS gateway that resolves nothing: cluster Service names are then reached through the API server proxy. */
export function noDns() {
  return fakeDns({
    resolve: async () => [{ resolver: '127.0.0.53:53', answer: { kind: 'nxdomain' } }],
  });
}

export const VALID_TOKEN: Extract<TokenLookup, { kind: 'valid' }> = {
  kind: 'valid',
  ttlSeconds: 31 * 86_400,
  expireTime: '2025-04-01T10:00:00Z',
  policies: ['default', 'plate-stg-read'],
  renewable: true,
  tokenType: 'service',
};
