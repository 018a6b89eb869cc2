/**
 * Pure readers for Gateway API objects (gateway.networking.k8s.io v1; v1beta1 has the same fields): loose
 * KubeObjects in, plain views out. Field names and defaults follow gateway-api `apis/v1/*_types.go`.
 */
import type { KubeObject } from '../../gateways/types.js';
import {
  at,
  conditionOf,
  count,
  nonEmptyString,
  records,
  stringArray,
  type Condition,
  type JsonRecord,
} from '../kube-object.js';

/** A GatewayClass: which controller it names and whether that controller accepted it. */
export interface GatewayClassView {
  name: string;
  controllerName: string | null;
  accepted: Condition | null;
}

/** A Secret a listener terminates TLS with. */
export interface CertificateRef {
  namespace: string;
  name: string;
  /** `Secret` in the core group unless the Gateway says otherwise. */
  kind: string;
  group: string;
}

/** One listener of a Gateway, with what its controller says about it. */
export interface ListenerView {
  name: string;
  hostname: string | null;
  port: number | null;
  protocol: string;
  /** `Terminate` (the default) or `Passthrough`; null when the listener has no TLS block. */
  tlsMode: string | null;
  certificateRefs: CertificateRef[];
  /** Where routes may attach from: `Same` (the default), `All`, `Selector`, `None`. */
  allowedFrom: string;
  accepted: Condition | null;
  resolvedRefs: Condition | null;
  programmed: Condition | null;
  conflicted: Condition | null;
  attachedRoutes: number | null;
}

/** A Gateway with its listeners, addresses and the issuer cert-manager's gateway-shim reads from it. */
export interface GatewayView {
  namespace: string;
  name: string;
  /** `namespace/name`. */
  key: string;
  className: string;
  addresses: { type: string; value: string }[];
  accepted: Condition | null;
  programmed: Condition | null;
  listeners: ListenerView[];
  /** From `cert-manager.io/cluster-issuer` or `cert-manager.io/issuer`; null when the shim leaves it alone. */
  issuer: { kind: 'ClusterIssuer' | 'Issuer'; name: string } | null;
}

/** A parentRef of a route, defaults applied (kind Gateway, the route's namespace). */
export interface ParentRef {
  kind: string;
  namespace: string;
  name: string;
  sectionName: string | null;
  port: number | null;
}

/** What one controller wrote about one parentRef in `status.parents[]`. */
export interface ParentStatus {
  ref: ParentRef;
  controllerName: string | null;
  accepted: Condition | null;
  resolvedRefs: Condition | null;
}

/** A backendRef of a route rule, defaults applied (kind Service, the route's namespace). */
export interface BackendRef {
  kind: string;
  namespace: string;
  name: string;
  port: number | null;
}

/** An HTTPRoute: where it attaches, for which hostnames, and where its rules send requests. */
export interface RouteView {
  namespace: string;
  name: string;
  key: string;
  hostnames: string[];
  parentRefs: ParentRef[];
  parents: ParentStatus[];
  /** Per rule: the paths it matches (`/` when it has no match), its backends, and whether it redirects to HTTPS. */
  rules: { paths: { type: string; value: string }[]; backendRefs: BackendRef[]; redirectsToHttps: boolean }[];
}

/** A ReferenceGrant: in its namespace, `to` kinds may be referenced `from` other namespaces' kinds. */
export interface ReferenceGrantView {
  namespace: string;
  from: { group: string; kind: string; namespace: string }[];
  to: { group: string; kind: string; name: string | null }[];
}

export function readGatewayClass(obj: KubeObject): GatewayClassView {
  return {
    name: obj.metadata.name,
    controllerName: nonEmptyString(at(obj.spec, 'controllerName')),
    accepted: conditionOf(obj, 'Accepted'),
  };
}

/** A condition of `type` in a `conditions` array of any object (listener and parent statuses). */
function conditionIn(holder: unknown, type: string): Condition | null {
  return conditionOf({ metadata: { name: '' }, status: holder } as KubeObject, type);
}

function readListener(spec: JsonRecord, statuses: JsonRecord[], namespace: string): ListenerView {
  const name = nonEmptyString(spec.name) ?? '';
  const status = statuses.find((s) => s.name === name);
  const tls = at(spec, 'tls');
  return {
    name,
    hostname: nonEmptyString(spec.hostname),
    port: count(spec.port),
    protocol: nonEmptyString(spec.protocol) ?? '',
    tlsMode: tls === undefined ? null : (nonEmptyString(at(tls, 'mode')) ?? 'Terminate'),
    certificateRefs: records(at(tls, 'certificateRefs')).map((ref) => ({
      namespace: nonEmptyString(ref.namespace) ?? namespace,
      name: nonEmptyString(ref.name) ?? '',
      kind: nonEmptyString(ref.kind) ?? 'Secret',
      group: typeof ref.group === 'string' ? ref.group : '',
    })),
    allowedFrom: nonEmptyString(at(spec, 'allowedRoutes', 'namespaces', 'from')) ?? 'Same',
    accepted: conditionIn(status, 'Accepted'),
    resolvedRefs: conditionIn(status, 'ResolvedRefs'),
    programmed: conditionIn(status, 'Programmed'),
    conflicted: conditionIn(status, 'Conflicted'),
    attachedRoutes: count(status?.attachedRoutes),
  };
}

export function readGateway(obj: KubeObject): GatewayView {
  const namespace = obj.metadata.namespace ?? '';
  const statuses = records(at(obj.status, 'listeners'));
  const annotations = obj.metadata.annotations ?? {};
  const clusterIssuer = nonEmptyString(annotations['cert-manager.io/cluster-issuer']);
  const issuer = nonEmptyString(annotations['cert-manager.io/issuer']);
  return {
    namespace,
    name: obj.metadata.name,
    key: `${namespace}/${obj.metadata.name}`,
    className: nonEmptyString(at(obj.spec, 'gatewayClassName')) ?? '',
    addresses: records(at(obj.status, 'addresses')).flatMap((a) => {
      const value = nonEmptyString(a.value);
      return value ? [{ type: nonEmptyString(a.type) ?? 'IPAddress', value }] : [];
    }),
    accepted: conditionOf(obj, 'Accepted'),
    programmed: conditionOf(obj, 'Programmed'),
    listeners: records(at(obj.spec, 'listeners')).map((l) => readListener(l, statuses, namespace)),
    issuer: clusterIssuer
      ? { kind: 'ClusterIssuer', name: clusterIssuer }
      : issuer
        ? { kind: 'Issuer', name: issuer }
        : null,
  };
}

function readParentRef(ref: JsonRecord, namespace: string): ParentRef {
  return {
    kind: nonEmptyString(ref.kind) ?? 'Gateway',
    namespace: nonEmptyString(ref.namespace) ?? namespace,
    name: nonEmptyString(ref.name) ?? '',
    sectionName: nonEmptyString(ref.sectionName),
    port: count(ref.port),
  };
}

/** Whether two parentRefs name the same parent (and section): how `status.parents[]` is matched to the spec. */
export function sameParent(a: ParentRef, b: ParentRef): boolean {
  return (
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.sectionName === b.sectionName &&
    a.port === b.port
  );
}

export function readRoute(obj: KubeObject): RouteView {
  const namespace = obj.metadata.namespace ?? '';
  return {
    namespace,
    name: obj.metadata.name,
    key: `${namespace}/${obj.metadata.name}`,
    hostnames: stringArray(at(obj.spec, 'hostnames')),
    parentRefs: records(at(obj.spec, 'parentRefs')).map((ref) => readParentRef(ref, namespace)),
    parents: records(at(obj.status, 'parents')).map((p) => ({
      ref: readParentRef(records([p.parentRef])[0] ?? {}, namespace),
      controllerName: nonEmptyString(p.controllerName),
      accepted: conditionIn(p, 'Accepted'),
      resolvedRefs: conditionIn(p, 'ResolvedRefs'),
    })),
    rules: records(at(obj.spec, 'rules')).map((rule) => {
      const paths = records(rule.matches).flatMap((m) => {
        const value = nonEmptyString(at(m, 'path', 'value'));
        return value ? [{ type: nonEmptyString(at(m, 'path', 'type')) ?? 'PathPrefix', value }] : [];
      });
      return {
        // A rule without matches matches every request: PathPrefix `/`.
        paths: paths.length > 0 ? paths : [{ type: 'PathPrefix', value: '/' }],
        backendRefs: records(rule.backendRefs).map((b) => ({
          kind: nonEmptyString(b.kind) ?? 'Service',
          namespace: nonEmptyString(b.namespace) ?? namespace,
          name: nonEmptyString(b.name) ?? '',
          port: count(b.port),
        })),
        redirectsToHttps: records(rule.filters).some(
          (f) => f.type === 'RequestRedirect' && at(f, 'requestRedirect', 'scheme') === 'https',
        ),
      };
    }),
  };
}

export function readReferenceGrant(obj: KubeObject): ReferenceGrantView {
  return {
    namespace: obj.metadata.namespace ?? '',
    from: records(at(obj.spec, 'from')).map((f) => ({
      group: typeof f.group === 'string' ? f.group : '',
      kind: nonEmptyString(f.kind) ?? '',
      namespace: nonEmptyString(f.namespace) ?? '',
    })),
    to: records(at(obj.spec, 'to')).map((t) => ({
      group: typeof t.group === 'string' ? t.group : '',
      kind: nonEmptyString(t.kind) ?? '',
      name: nonEmptyString(t.name),
    })),
  };
}

/** One hostname a route asks a Gateway to serve, through one of its parentRefs. */
export interface HostAttachment {
  route: RouteView;
  ref: RouteView['parentRefs'][number];
  gateway: GatewayView;
  host: string;
}

/** Every (route, parentRef, Gateway, hostname) in route order; refs to Gateways that do not exist are left out. */
export function hostAttachments(
  routes: readonly RouteView[],
  gateways: readonly GatewayView[],
): HostAttachment[] {
  return routes.flatMap((route) =>
    route.parentRefs.flatMap((ref) => {
      const gateway = gateways.find(
        (g) => ref.kind === 'Gateway' && g.namespace === ref.namespace && g.name === ref.name,
      );
      if (!gateway) return [];
      return routeHostnames(route, gateway, ref.sectionName).map((host) => ({ route, ref, gateway, host }));
    }),
  );
}

/**
 * The hostnames a route is served under through `gw` (and `sectionName`): its own hostnames that a listener
 * admits, else the hostnames of the listeners it names; wildcards included, as the ingress runbook keeps them.
 */
function routeHostnames(route: RouteView, gw: GatewayView, sectionName: string | null): string[] {
  const listeners = gw.listeners.filter((l) => sectionName === null || l.name === sectionName);
  const names =
    route.hostnames.length > 0
      ? route.hostnames.filter((h) => listeners.some((l) => hostnameMatches(l.hostname, h)))
      : listeners.flatMap((l) => (l.hostname ? [l.hostname] : []));
  return names;
}

/**
 * Whether a listener hostname admits a route hostname, per the Gateway API: equal, or the listener's
 * `*.example.com` as a suffix (`a.example.com` and `b.a.example.com`, not `example.com`); a listener
 * without hostname admits any.
 */
export function hostnameMatches(listener: string | null, hostname: string): boolean {
  if (listener === null || listener === hostname) return true;
  if (!listener.startsWith('*.')) return false;
  const suffix = listener.slice(1);
  return hostname.endsWith(suffix) && hostname.length > suffix.length;
}
