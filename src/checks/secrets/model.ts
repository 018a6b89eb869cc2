/**
 * Pure readers for External Secrets Operator objects, shared by the secrets steps. They turn loose
 * KubeObjects (v1 and v1beta1 alike: the fields read here did not change) into plain data.
 */
import type { KubeObject } from '../../gateways/types.js';
import {
  array,
  at,
  conditionOf,
  nonEmptyString,
  record,
  records,
  string,
  timestamp,
  type Condition,
} from '../kube-object.js';

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
  const provider = record(at(obj.spec, 'provider')) ?? {};
  const vault = at(provider, 'vault');
  const auth = record(at(vault, 'auth')) ?? {};
  const ref = at(auth, 'tokenSecretRef');
  const refName = nonEmptyString(at(ref, 'name'));
  const caBundle = nonEmptyString(at(vault, 'caBundle'));
  const key = storeKey(kind, namespace, name);
  return {
    kind,
    namespace,
    name,
    key,
    subject: `${kind} ${key}`,
    provider: Object.keys(provider)[0] ?? null,
    server: nonEmptyString(at(vault, 'server')),
    mount: nonEmptyString(at(vault, 'path'))?.replace(/^\/+|\/+$/g, '') || null,
    kvVersion: nonEmptyString(at(vault, 'version')) ?? 'v2',
    auth: Object.keys(auth)[0] ?? null,
    tokenRef: refName
      ? {
          // A SecretStore may only read Secrets of its own namespace; ESO ignores any other namespace there.
          namespace: kind === 'SecretStore' ? namespace : nonEmptyString(at(ref, 'namespace')),
          name: refName,
          key: nonEmptyString(at(ref, 'key')) ?? 'token',
        }
      : null,
    caBundlePem: caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : null,
    ready: conditionOf(obj, 'Ready'),
  };
}

/** One remote KV secret an ExternalSecret reads, and the properties (keys) it needs from it. */
export interface RemoteRef {
  key: string;
  /** Empty when the whole secret is used (`dataFrom.extract`, or `data` without `property`). */
  properties: string[];
  /** The store it is read from: the item's own `sourceRef.storeRef`, else the ExternalSecret's. */
  store: StoreRef;
}

/** A store as an ExternalSecret references it. */
export interface StoreRef {
  kind: StoreKind;
  name: string;
  key: string;
  subject: string;
}

function storeRefOf(ref: unknown, namespace: string): StoreRef | null {
  const name = nonEmptyString(at(ref, 'name'));
  if (name === null) return null;
  const kind: StoreKind = at(ref, 'kind') === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
  const key = storeKey(kind, namespace, name);
  return { kind, name, key, subject: `${kind} ${key}` };
}

/** What the doctor needs of an ExternalSecret. */
export interface ExternalSecretInfo {
  namespace: string;
  name: string;
  /** `plate-stg/plate-api-stg-env`. */
  key: string;
  uid: string | null;
  storeRef: StoreRef;
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
  const spec = obj.spec;
  const storeKind: StoreKind =
    at(spec, 'secretStoreRef', 'kind') === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
  const storeName = string(at(spec, 'secretStoreRef', 'name')) ?? '';
  const data = records(at(spec, 'data'));
  const dataFrom = records(at(spec, 'dataFrom'));
  const secretKeys = data.flatMap((d) => nonEmptyString(d.secretKey) ?? []);

  const storeRef = storeRefOf(at(spec, 'secretStoreRef'), namespace) ?? {
    kind: storeKind,
    name: storeName,
    key: storeKey(storeKind, namespace, storeName),
    subject: `${storeKind} ${storeKey(storeKind, namespace, storeName)}`,
  };
  // Keyed by store and remote key: one item may read from another store than the rest (sourceRef.storeRef).
  const refs = new Map<string, RemoteRef>();
  const need = (item: unknown, key: string | null, property: string | null): void => {
    if (!key) return;
    const store = storeRefOf(at(item, 'sourceRef', 'storeRef'), namespace) ?? storeRef;
    const id = `${store.subject}\n${key}`;
    const ref = refs.get(id) ?? { key, properties: [], store };
    if (property && !ref.properties.includes(property)) ref.properties.push(property);
    refs.set(id, ref);
  };
  for (const d of data) {
    need(d, nonEmptyString(at(d, 'remoteRef', 'key')), nonEmptyString(at(d, 'remoteRef', 'property')));
  }
  for (const d of dataFrom) need(d, nonEmptyString(at(d, 'extract', 'key')), null);

  const template = record(at(spec, 'target', 'template'));
  const templateData = record(template?.data);
  const templateKeys = templateData ? Object.keys(templateData) : [];
  const keysFromTemplate = array(template?.templateFrom).length > 0;
  let expectedKeys: string[] | null;
  if (dataFrom.length > 0 || keysFromTemplate) {
    expectedKeys = null;
  } else if (templateData) {
    // A template replaces the mapped keys unless its mergePolicy keeps them.
    expectedKeys =
      template?.mergePolicy === 'Merge' ? [...new Set([...templateKeys, ...secretKeys])] : templateKeys;
  } else {
    expectedKeys = secretKeys;
  }

  return {
    namespace,
    name,
    key: `${namespace}/${name}`,
    uid: obj.metadata.uid ?? null,
    storeRef,
    refreshInterval: nonEmptyString(at(spec, 'refreshInterval')),
    refreshPolicy: nonEmptyString(at(spec, 'refreshPolicy')),
    refreshTime: timestamp(at(obj.status, 'refreshTime')),
    ready: conditionOf(obj, 'Ready'),
    target: {
      name: nonEmptyString(at(spec, 'target', 'name')) ?? name,
      creationPolicy: nonEmptyString(at(spec, 'target', 'creationPolicy')) ?? 'Owner',
      expectedKeys: expectedKeys === null ? null : [...expectedKeys].sort(),
    },
    remoteRefs: [...refs.values()].map((r) => ({ ...r, properties: [...r.properties].sort() })),
  };
}

/** A compact age for messages: `45s`, `12m`, `3h`, `5d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Where ESO reads one remote key: the KV mount, the path inside it, and the ACL path a policy must allow. */
export interface KvLocation {
  mount: string;
  path: string;
  /** `mount/data/path` for KV v2, `mount/path` for KV v1: what `capabilities-self` is asked about. */
  aclPath: string;
}

/** How leaves name a KV secret: `OpenBao path server/staging`. */
export function kvSubject(location: Pick<KvLocation, 'mount' | 'path'>): string {
  return `OpenBao path ${location.mount}/${location.path}`;
}

/** How leaves name the OpenBao token a store authenticates with. */
export function storeTokenSubject(store: Pick<StoreInfo, 'subject'>): string {
  return `OpenBao token of ${store.subject}`;
}

/** How leaves name the Kubernetes Secret a store reads its token from; null when it has none. */
export function tokenSecretSubject(store: Pick<StoreInfo, 'tokenRef'>): string | null {
  const ref = store.tokenRef;
  return ref?.namespace ? `Secret ${ref.namespace}/${ref.name}` : null;
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
