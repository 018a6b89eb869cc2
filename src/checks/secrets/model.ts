/**
 * Pure readers for External Secrets Operator objects and Kubernetes events, shared by the secrets steps.
 * They turn loose KubeObjects (v1 and v1beta1 alike: the fields read here did not change) into plain data.
 */
import type { KubeObject } from '../../gateways/types.js';

/** A status condition; ESO sets `reason` and `message`, Argo CD conditions have neither status nor reason. */
export interface Condition {
  status: string;
  reason: string | null;
  message: string | null;
}

/** The condition of `type` in `status.conditions`, or null when the controller has not set it. */
export function conditionOf(obj: KubeObject, type: string): Condition | null {
  const conditions: unknown = obj.status?.conditions;
  if (!Array.isArray(conditions)) return null;
  const found = conditions.find((c) => c?.type === type);
  if (!found) return null;
  return { status: String(found.status ?? ''), reason: str(found.reason), message: str(found.message) };
}

/** Collapses whitespace so multi-line provider errors (Vault's `Error making API request.\n\nURL: …`) fit one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export type StoreKind = 'SecretStore' | 'ClusterSecretStore';

export interface TokenSecretRef {
  /** Null only for a ClusterSecretStore that forgot `namespace` (ESO then cannot resolve it). */
  namespace: string | null;
  name: string;
  key: string;
}

/** What the doctor needs of a SecretStore or ClusterSecretStore. */
export interface StoreInfo {
  kind: StoreKind;
  namespace: string | null;
  name: string;
  /** `plate-prod/openbao`, or `openbao` for a ClusterSecretStore: unique per store, used in leaf ids. */
  key: string;
  /** `SecretStore plate-prod/openbao`, `ClusterSecretStore openbao`. */
  subject: string;
  /** The first key of `spec.provider` (`vault`, `aws`, …); null when the spec has none. */
  provider: string | null;
  server: string | null;
  /** The KV mount (`spec.provider.vault.path`); null when the mount is part of each remote key. */
  mount: string | null;
  /** `v2` unless the store says otherwise (ESO's default). */
  kvVersion: string;
  /** The first key of `vault.auth` (`tokenSecretRef`, `kubernetes`, `appRole`, …). */
  auth: string | null;
  tokenRef: TokenSecretRef | null;
  /** `vault.caBundle`, decoded; the CA the store trusts for `server`. */
  caBundlePem: string | null;
  ready: Condition | null;
}

export function storeKey(kind: StoreKind, namespace: string | null, name: string): string {
  return kind === 'ClusterSecretStore' || namespace === null ? name : `${namespace}/${name}`;
}

/** Reads a SecretStore or ClusterSecretStore object. */
export function readStore(obj: KubeObject, kind: StoreKind): StoreInfo {
  const namespace = kind === 'SecretStore' ? (obj.metadata.namespace ?? null) : null;
  const name = obj.metadata.name;
  const provider = obj.spec?.provider ?? {};
  const vault = provider.vault;
  const auth = vault?.auth ?? {};
  const ref = auth.tokenSecretRef;
  const key = storeKey(kind, namespace, name);
  return {
    kind,
    namespace,
    name,
    key,
    subject: `${kind} ${key}`,
    provider: Object.keys(provider)[0] ?? null,
    server: str(vault?.server),
    mount: str(vault?.path)?.replace(/^\/+|\/+$/g, '') || null,
    kvVersion: str(vault?.version) ?? 'v2',
    auth: Object.keys(auth)[0] ?? null,
    tokenRef: ref?.name
      ? {
          // A SecretStore may only read Secrets of its own namespace; ESO ignores any other namespace there.
          namespace: kind === 'SecretStore' ? namespace : str(ref.namespace),
          name: String(ref.name),
          key: str(ref.key) ?? 'token',
        }
      : null,
    caBundlePem: vault?.caBundle ? Buffer.from(String(vault.caBundle), 'base64').toString('utf8') : null,
    ready: conditionOf(obj, 'Ready'),
  };
}

/** One remote KV secret an ExternalSecret reads, and the properties (keys) it needs from it. */
export interface RemoteRef {
  key: string;
  /** Empty when the whole secret is used (`dataFrom.extract`, or `data` without `property`). */
  properties: string[];
}

/** What the doctor needs of an ExternalSecret. */
export interface ExternalSecretInfo {
  namespace: string;
  name: string;
  /** `plate-stg/plate-api-stg-env`. */
  key: string;
  uid: string | null;
  storeRef: { kind: StoreKind; name: string; key: string; subject: string };
  /** `spec.refreshInterval` as written (`1h`, `30m`, `0`); null when absent. */
  refreshInterval: string | null;
  /** `spec.refreshPolicy` (`Periodic`, `OnChange`, `CreatedOnce`); null when absent (periodic). */
  refreshPolicy: string | null;
  refreshTime: string | null;
  ready: Condition | null;
  target: {
    name: string;
    creationPolicy: string;
    /** Keys the Secret must carry; null when templates or `dataFrom` decide them at sync time. */
    expectedKeys: string[] | null;
  };
  remoteRefs: RemoteRef[];
}

/** Reads an ExternalSecret object; defaults follow ESO (target name = ExternalSecret name, policy Owner). */
export function readExternalSecret(obj: KubeObject): ExternalSecretInfo {
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.metadata.name;
  const spec = obj.spec ?? {};
  const storeKind: StoreKind =
    spec.secretStoreRef?.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
  const storeName = String(spec.secretStoreRef?.name ?? '');
  const data: unknown[] = Array.isArray(spec.data) ? spec.data : [];
  const dataFrom: unknown[] = Array.isArray(spec.dataFrom) ? spec.dataFrom : [];
  const secretKeys = data.map((d) => str((d as { secretKey?: unknown }).secretKey)).filter(isString);

  const refs = new Map<string, Set<string>>();
  const need = (key: string | null, property: string | null): void => {
    if (!key) return;
    const props = refs.get(key) ?? new Set<string>();
    if (property) props.add(property);
    refs.set(key, props);
  };
  for (const d of data as { remoteRef?: { key?: unknown; property?: unknown } }[]) {
    need(str(d.remoteRef?.key), str(d.remoteRef?.property));
  }
  for (const d of dataFrom as { extract?: { key?: unknown } }[]) need(str(d.extract?.key), null);

  const template = spec.target?.template;
  const templateKeys = template?.data ? Object.keys(template.data) : [];
  const keysFromTemplate = template?.templateFrom?.length > 0;
  let expectedKeys: string[] | null;
  if (dataFrom.length > 0 || keysFromTemplate) {
    expectedKeys = null;
  } else if (template?.data) {
    // A template replaces the mapped keys unless its mergePolicy keeps them.
    expectedKeys =
      template.mergePolicy === 'Merge' ? [...new Set([...templateKeys, ...secretKeys])] : templateKeys;
  } else {
    expectedKeys = secretKeys;
  }

  const key = storeKey(storeKind, namespace, storeName);
  return {
    namespace,
    name,
    key: `${namespace}/${name}`,
    uid: obj.metadata.uid ?? null,
    storeRef: { kind: storeKind, name: storeName, key, subject: `${storeKind} ${key}` },
    refreshInterval: str(spec.refreshInterval),
    refreshPolicy: str(spec.refreshPolicy),
    refreshTime: str(obj.status?.refreshTime),
    ready: conditionOf(obj, 'Ready'),
    target: {
      name: str(spec.target?.name) ?? name,
      creationPolicy: str(spec.target?.creationPolicy) ?? 'Owner',
      expectedKeys: expectedKeys === null ? null : [...expectedKeys].sort(),
    },
    remoteRefs: [...refs].map(([k, props]) => ({ key: k, properties: [...props].sort() })),
  };
}

const GO_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
};

/** Parses a Go duration (`1h30m`, `30m`, `0`) to milliseconds; null when it is not one. */
export function parseGoDurationMs(text: string): number | null {
  if (text === '0') return 0;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * (GO_UNITS_MS[unit as string] ?? 0);
  }
  return total;
}

/** A compact age for messages: `45s`, `12m`, `3h`, `5d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** The newest event of one object, as the doctor shows it. */
export interface EventInfo {
  reason: string;
  /** On one line. */
  message: string;
  /** When it was last seen (RFC 3339), when the event says. */
  at: string | null;
}

/**
 * The newest `Warning` event about one object (optionally of one reason), from a list of core/v1 events.
 * ESO writes the real provider error only there in newer versions, so the doctor shows it.
 */
export function latestWarning(
  events: readonly KubeObject[],
  object: { kind: string; name: string; namespace: string | null },
  reason?: string,
): EventInfo | null {
  let best: { info: EventInfo; time: number } | null = null;
  for (const raw of events) {
    const e = raw as KubeObject & Record<string, any>; // core/v1 Event fields live at the top level
    const involved = e.involvedObject ?? {};
    if (e.type !== 'Warning' || involved.kind !== object.kind || involved.name !== object.name) continue;
    if (object.namespace !== null && (involved.namespace ?? null) !== object.namespace) continue;
    if (reason !== undefined && e.reason !== reason) continue;
    const at: string | null =
      str(e.series?.lastObservedTime) ??
      str(e.lastTimestamp) ??
      str(e.eventTime) ??
      e.metadata.creationTimestamp ??
      null;
    const time = at ? Date.parse(at) : 0;
    if (best === null || time >= best.time) {
      best = {
        info: { reason: String(e.reason ?? ''), message: oneLine(String(e.message ?? '')), at },
        time,
      };
    }
  }
  return best?.info ?? null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function isString(value: string | null): value is string {
  return value !== null;
}

/** Where ESO reads one remote key: the KV mount, the path inside it, and the ACL path a policy must allow. */
export interface KvLocation {
  mount: string;
  path: string;
  /** `mount/data/path` for KV v2, `mount/path` for KV v1: what `capabilities-self` is asked about. */
  aclPath: string;
}

/**
 * Mirrors ESO's vault `buildPath`: with a store `path`, a key that repeats the mount (and `data/` on v2) is
 * trimmed; without one, the key's first segment is the mount.
 */
export function kvLocation(store: Pick<StoreInfo, 'mount' | 'kvVersion'>, key: string): KvLocation {
  const isV2 = store.kvVersion !== 'v1';
  const clean = key.replace(/^\/+/, '');
  let mount: string;
  let path: string;
  let hadMount: boolean;
  if (store.mount) {
    mount = store.mount;
    hadMount = clean.startsWith(`${mount}/`);
    path = hadMount ? clean.slice(mount.length + 1) : clean;
  } else {
    const [first = '', ...rest] = clean.split('/');
    mount = first;
    path = rest.join('/');
    hadMount = true;
  }
  if (isV2 && hadMount && path.startsWith('data/')) path = path.slice('data/'.length);
  return { mount, path, aclPath: isV2 ? `${mount}/data/${path}` : `${mount}/${path}` };
}
