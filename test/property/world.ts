/**
 * A generated cluster-and-network ("world") and in-memory gateways that answer from it, in the style of
 * test/fakes/gateways.ts. Lists come from the generated objects; DNS, HTTP, OpenBao and log answers are
 * arbitrary but typed, picked per request by a hash of the request so one run answers consistently.
 */
import fc from 'fast-check';
import { GatewayError } from '../../src/gateways/errors.js';
import { KINDS, resourceName, type KindName } from '../../src/gateways/kinds.js';
import { Sensitive } from '../../src/gateways/sensitive.js';
import type {
  BaoHealth,
  DnsAnswer,
  Gateways,
  HttpReply,
  KubeObject,
  KvRead,
  ListOptions,
  SecretSummary,
  TlsProbe,
  TokenLookup,
} from '../../src/gateways/types.js';
import { resolveProfile } from '../../src/config/schema.js';
import type { GatherContext, Scope } from '../../src/checks/step.js';
import { fakeDns, fakeHttp, fakeKube, fakeOpenBao } from '../fakes/gateways.js';
import {
  answer,
  baoHealth,
  capabilityList,
  dnsAnswer,
  HOSTS,
  httpReply,
  HOSTILE,
  kindArbitraries,
  PLAUSIBLE,
  kvRead,
  listAnswer,
  logText,
  anyNamespace,
  secretSummary,
  tlsProbe,
  tokenLookup,
  type Answer,
  type FailureSpec,
  type ListAnswer,
} from './arbitraries.js';

type ListedKind = Exclude<KindName, 'secrets'>;

/** Everything one property run sees. */
export interface World {
  objects: Partial<Record<ListedKind, KubeObject[]>>;
  secrets: SecretSummary[];
  lists: Partial<Record<KindName, ListAnswer>>;
  resolvers: string[];
  dns: DnsAnswer[];
  tls: TlsProbe[];
  http: HttpReply[];
  logs: Answer<string>[];
  health: Answer<BaoHealth>[];
  tokens: Answer<TokenLookup>[];
  capabilities: Answer<string[]>[];
  kv: Answer<KvRead>[];
  secretValues: Answer<string | null>[];
}

const HOSTILE_KINDS = kindArbitraries(HOSTILE);
const PLAUSIBLE_KINDS = kindArbitraries(PLAUSIBLE);

const nonEmpty = <T>(arb: fc.Arbitrary<T>, maxLength = 4) => fc.array(arb, { minLength: 1, maxLength });

/** A world holding objects of `kinds` (the kinds one step reads); other lists answer empty. */
export function world(
  kinds: readonly KindName[],
  pems: readonly string[],
  maxObjects = 5,
): fc.Arbitrary<World> {
  const listed = kinds.filter((k): k is ListedKind => k !== 'secrets');
  // Each object is hostile or plausible on its own, so broken objects sit next to healthy ones they reference.
  const object = (k: ListedKind) => fc.oneof(HOSTILE_KINDS[k], PLAUSIBLE_KINDS[k]);
  // The API server never lists two objects of a kind with one namespace and name.
  const unique = <T extends { metadata: KubeObject['metadata'] }>(arb: fc.Arbitrary<T>) =>
    fc.uniqueArray(arb, {
      maxLength: maxObjects,
      selector: (o) => `${o.metadata.namespace}/${o.metadata.name}`,
    });
  const objects = fc.record(Object.fromEntries(listed.map((k) => [k, unique(object(k))]))) as fc.Arbitrary<
    Partial<Record<ListedKind, KubeObject[]>>
  >;
  return fc.record({
    objects,
    secrets: kinds.includes('secrets') ? unique(secretSummary(pems)) : fc.constant([]),
    lists: fc.record(Object.fromEntries(kinds.map((k) => [k, listAnswer]))) as fc.Arbitrary<
      Partial<Record<KindName, ListAnswer>>
    >,
    resolvers: fc.constantFrom(['10.0.0.2:53'], ['10.0.0.2:53', '1.1.1.1:53'], []),
    dns: nonEmpty(dnsAnswer),
    tls: nonEmpty(tlsProbe(pems)),
    http: nonEmpty(httpReply),
    logs: nonEmpty(answer(logText), 3),
    health: nonEmpty(answer(baoHealth), 2),
    tokens: nonEmpty(answer(tokenLookup), 2),
    capabilities: nonEmpty(answer(capabilityList)),
    kv: nonEmpty(answer(kvRead)),
    secretValues: nonEmpty(answer(fc.option(fc.constantFrom('hvs.CAESIJ0token', ''), { nil: null }))),
  });
}

/** The scope of a run: namespaces, --no-read-secrets, OpenBao overrides and profile hosts vary. */
export const scope: fc.Arbitrary<Scope> = fc
  .record({
    namespaces: fc.option(fc.uniqueArray(anyNamespace, { minLength: 1, maxLength: 3 }), {
      nil: null,
    }),
    readSecrets: fc.boolean(),
    openbaoAddress: fc.oneof(
      { weight: 4, arbitrary: fc.constant(null) },
      {
        weight: 2,
        arbitrary: fc.constantFrom('https://bao.example.test:8200', 'http://openbao.openbao.svc:8200'),
      },
      // BAO_ADDR is not validated: a bare host:port reaches the steps as it is.
      { weight: 1, arbitrary: fc.constant('openbao:8200') },
    ),
    openbaoToken: fc.option(fc.constant(new Sensitive('hvs.env-token')), { nil: null }),
    hosts: fc.uniqueArray(fc.constantFrom(...HOSTS), { maxLength: 2 }),
    controllerService: fc.option(
      fc.constantFrom(
        { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' },
        { namespace: 'plate-stg', name: 'web' },
      ),
      {
        freq: 4,
        nil: null,
      },
    ),
    kubectlFlags: fc.constantFrom('', '--context prod'),
  })
  .map(({ hosts, controllerService, ...rest }): Scope => {
    const profile = resolveProfile(
      null,
      { hosts, ...(controllerService ? { ingress: { controllerService } } : {}) },
      undefined,
    );
    return {
      ...rest,
      profile,
      ports: { http: 80, https: 443 },
      openbaoCaPem: null,
    };
  });

/** A small stable hash, so the same request gets the same answer within a run. */
function pick<T>(items: readonly T[], key: string): T {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return items[Math.abs(h) % items.length]!;
}

function reject(system: 'kubernetes' | 'openbao', f: FailureSpec, permission?: string): never {
  throw new GatewayError(system, f.kind, f.message || 'failed', f.kind === 'forbidden' ? { permission } : {});
}

function unwrap<T>(system: 'kubernetes' | 'openbao', a: Answer<T>): T {
  if (!a.ok) reject(system, a.failure);
  return a.value;
}

/** `app=x,app.kubernetes.io/name=y`: equality terms only, as the profile's selectors use. */
function selects(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key = '', value = ''] = term.split('=');
    return labels !== undefined && Object.hasOwn(labels, key) && labels[key] === value;
  });
}

function inNamespace(meta: KubeObject['metadata'], options: ListOptions): boolean {
  return !options.namespace || meta.namespace === options.namespace;
}

/** Gateways that answer every call a step may make from `w`; nothing is left unanswered. */
export function gatewaysOf(w: World): Gateways {
  const failListIfAsked = (kind: KindName, options: ListOptions): 'not-served' | null => {
    const a = w.lists[kind] ?? { kind: 'items' };
    if (a.kind === 'not-served') return 'not-served';
    if (
      a.kind === 'failed' &&
      (a.namespace === null || a.namespace === options.namespace || !options.namespace)
    ) {
      const where = options.namespace ? ` in ${options.namespace}` : '';
      reject('kubernetes', a.failure, `list ${resourceName(kind)}${where}`);
    }
    return null;
  };
  const kube = fakeKube({
    list: async (kind, options) => {
      if (failListIfAsked(kind, options)) return null;
      const namespaced = KINDS[kind].namespaced;
      return (w.objects[kind] ?? []).filter(
        (o) =>
          (!namespaced || inNamespace(o.metadata, options)) &&
          selects(options.labelSelector, o.metadata.labels),
      );
    },
    listSecrets: async (options) => {
      // A cluster that does not serve Secrets does not exist; "not served" reads as an empty list.
      if (failListIfAsked('secrets', options)) return [];
      return w.secrets.filter((s) => inNamespace(s.metadata, options));
    },
    readSecretValue: async (namespace, name, key) => {
      const value = unwrap('kubernetes', pick(w.secretValues, `${namespace}/${name}/${key}`));
      return value === null ? null : new Sensitive(value);
    },
    readPodLogs: async (namespace, pod) => unwrap('kubernetes', pick(w.logs, `${namespace}/${pod}`)),
    serviceProxy: (namespace, service, port, scheme = 'http') => ({
      address: `https://127.0.0.1:6443/api/v1/namespaces/${namespace}/services/${scheme}:${service}:${port}/proxy`,
      label: `${namespace}/${service}:${port} via the API server proxy`,
      via: 'service-proxy',
    }),
  });
  return {
    kube,
    dns: fakeDns(
      {
        resolve: async (name) =>
          w.resolvers.map((resolver) => ({ resolver, answer: pick(w.dns, `${resolver} ${name}`) })),
      },
      w.resolvers,
    ),
    http: fakeHttp({
      probeHttps: async (t, paths) => {
        const tls = pick(w.tls, `${t.address} ${t.host}`);
        const replies = paths.map((p) => pick(w.http, `https ${t.host}${p}`));
        return { tls, replies: tls.kind === 'failed' ? [] : replies };
      },
      request: async (t) => pick(w.http, `${t.scheme} ${t.host}${t.path}`),
    }),
    openbao: fakeOpenBao({
      readHealth: async (e) => unwrap('openbao', pick(w.health, e.address)),
      lookupToken: async (e) => unwrap('openbao', pick(w.tokens, e.address)),
      readCapabilities: async (e, _token, paths) => {
        const out: Record<string, string[]> = {};
        for (const p of paths) out[p] = unwrap('openbao', pick(w.capabilities, `${e.address} ${p}`));
        return out;
      },
      readKvKeyNames: async (e, _token, mount, path) =>
        unwrap('openbao', pick(w.kv, `${e.address} ${mount}/${path}`)),
    }),
  };
}

export function gatherContextOf(w: World, s: Scope): GatherContext {
  return { gateways: gatewaysOf(w), scope: s, signal: new AbortController().signal };
}
