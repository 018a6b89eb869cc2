import { createHash } from 'node:crypto';
import type { Scenario } from './scenario.js';
import { toCoreEvent, toEventsV1 } from './kube-events.js';
import { RESOURCES, resourceForKind, type ApiResource, type Family, type KubeObj } from './kube-resources.js';

/** Objects the sandbox API serves, completed the way a real server stores them, sorted as etcd lists them. */
export interface KubeStore {
  objects: Map<ApiResource, KubeObj[]>;
  /** Served versions per API group, preferred first; core is ''. */
  servedVersions: Map<string, string[]>;
  /** The newest resourceVersion, which lists report. */
  resourceVersion: string;
}

/** Objects without `creationTimestamp` were created this long before the sandbox's now. */
const DEFAULT_AGE_MS = 7 * 86_400_000;
const BUILT_IN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

function splitApiVersion(apiVersion: unknown): { group: string; version: string } {
  const text = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = text.indexOf('/');
  return slash < 0
    ? { group: '', version: text }
    : { group: text.slice(0, slash), version: text.slice(slash + 1) };
}

/** A stable UUID-shaped uid from the object's identity, so repeated runs serve the same uids. */
function uidFor(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Builds the store from a scenario. Fills what a real API server always has (uid, resourceVersion,
 * creationTimestamp, `default` namespace), turns Secret `stringData` into base64 `data`, and adds a Namespace
 * for every namespace an object lives in. Throws on a kind the sandbox does not serve, naming the object.
 */
export function buildStore(scenario: Scenario, now: Date): KubeStore {
  const objects = new Map<ApiResource, KubeObj[]>(RESOURCES.map((r) => [r, []]));
  const versionsSeen = new Map<string, Set<string>>();
  const families = new Set<Family>();
  const createdAt = new Date(now.getTime() - DEFAULT_AGE_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');

  for (const raw of scenario.kubernetes.objects) {
    const obj = structuredClone(raw) as KubeObj;
    const { group, version } = splitApiVersion(obj.apiVersion);
    const resource = resourceForKind(group, String(obj.kind));
    const label = `${String(obj.apiVersion)} ${String(obj.kind)} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (!resource || !resource.versions.includes(version)) {
      throw new Error(
        `scenario ${scenario.name}: kubernetes.objects: ${label} is not a kind the sandbox API serves`,
      );
    }
    if (typeof obj.metadata?.name !== 'string') {
      throw new Error(`scenario ${scenario.name}: kubernetes.objects: ${label} has no metadata.name`);
    }
    if (resource.family) families.add(resource.family);
    versionsSeen.set(group, (versionsSeen.get(group) ?? new Set()).add(version));
    if (resource.namespaced) obj.metadata.namespace ??= 'default';
    else delete obj.metadata.namespace;
    if (resource.kind === 'Secret') normalizeSecret(obj);
    objects.get(resource)!.push(obj);
  }

  const namespaces = objects.get(resourceForKind('', 'Namespace')!)!;
  const declared = new Set(namespaces.map((ns) => ns.metadata.name as string));
  const used = new Set(BUILT_IN_NAMESPACES);
  for (const list of objects.values())
    for (const obj of list) if (obj.metadata.namespace) used.add(obj.metadata.namespace);
  for (const name of used) {
    if (!declared.has(name))
      namespaces.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: {} });
  }
  for (const ns of namespaces) {
    ns.metadata.labels = { 'kubernetes.io/metadata.name': ns.metadata.name, ...ns.metadata.labels };
    ns.status ??= { phase: 'Active' };
  }

  let resourceVersion = 1000;
  for (const [resource, list] of objects) {
    list.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
    for (const obj of list) {
      const key = `${resource.group}/${resource.plural}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
      obj.metadata.uid ??= uidFor(key);
      obj.metadata.resourceVersion ??= String(++resourceVersion);
      obj.metadata.creationTimestamp ??= createdAt;
    }
  }
  mirrorEvents(objects);
  for (const resource of objects.keys()) {
    if (resource.family && !families.has(resource.family)) objects.delete(resource);
  }

  return {
    objects,
    servedVersions: servedVersions(families, versionsSeen),
    resourceVersion: String(resourceVersion),
  };
}

/**
 * Which versions each group serves. A CRD family is installed only when the scenario has objects of it; for
 * external-secrets.io the versions are those its objects use, so a v1beta1-only scenario is an ESO < 0.16 cluster.
 */
function servedVersions(families: Set<Family>, seen: Map<string, Set<string>>): Map<string, string[]> {
  const served = new Map<string, string[]>();
  for (const resource of RESOURCES) {
    if (resource.family && !families.has(resource.family)) continue;
    const used = resource.group === 'external-secrets.io' ? seen.get(resource.group) : undefined;
    const versions = resource.versions.filter((v) => !used || used.has(v));
    const current = served.get(resource.group) ?? [];
    served.set(resource.group, [...current, ...versions.filter((v) => !current.includes(v))]);
  }
  return served;
}

function normalizeSecret(obj: KubeObj): void {
  obj.type ??= 'Opaque';
  const data: Record<string, string> = { ...obj.data };
  for (const [key, value] of Object.entries((obj.stringData ?? {}) as Record<string, string>)) {
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  delete obj.stringData;
  obj.data = data;
}

/**
 * Every Event in both groups, one stored object seen two ways (same metadata, uid included): an Event the
 * scenario wrote as core/v1 is also served as events.k8s.io/v1, and the other way round.
 */
function mirrorEvents(objects: Map<ApiResource, KubeObj[]>): void {
  const core = objects.get(resourceForKind('', 'Event')!)!;
  const events = objects.get(resourceForKind('events.k8s.io', 'Event')!)!;
  const fromCore = core.map(toEventsV1);
  const fromEvents = events.map(toCoreEvent);
  core.push(...fromEvents);
  events.push(...fromCore);
  const byName = (a: KubeObj, b: KubeObj) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
      `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
    );
  core.sort(byName);
  events.sort(byName);
}
