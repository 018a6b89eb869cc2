import type { KubeObject } from '../../gateways/types.js';
import { itemsOf, listInScope, mapListing, type ListFailure, type Listing } from '../listing.js';
import type { GatherContext } from '../step.js';
import { at, nonEmptyString, number, records, string, stringArray, stringRecord } from '../kube-object.js';

/**
 * What the ingress steps share: the Ingress model, and how the controller's LoadBalancer is found. A
 * partial list counts as no list here: steps report the failure instead.
 */

// ---------------------------------------------------------------- the Ingress model

/** One `status.loadBalancer.ingress[]` entry that carries an address. */
export interface LbAddress {
  ip: string | null;
  hostname: string | null;
  /** `443/TCP: <error>` for each port the provider reports an error on. */
  portErrors: string[];
}

/** A Service reference of an Ingress backend; `port` is a number or a port name. */
export interface BackendRef {
  service: string;
  port: number | string;
}

/** One rule path. `backend` is null for `resource` backends, which the doctor does not follow. */
export interface IngressRoute {
  host: string | null;
  path: string;
  pathType: string;
  backend: BackendRef | null;
}

/** The fields of an Ingress the ingress steps judge, read once from the API object. */
export interface IngressView {
  namespace: string;
  name: string;
  /** `ns/name` */
  key: string;
  /** The class the Ingress names, and where it named it; null when it names none. */
  className: string | null;
  classSource: 'spec' | 'annotation' | null;
  /** Rule hosts, sorted, without duplicates. */
  hosts: string[];
  routes: IngressRoute[];
  defaultBackend: BackendRef | null;
  tls: { hosts: string[]; secretName: string | null }[];
  /** Status addresses; entries without ip or hostname (`[{}]`) are dropped. */
  addresses: LbAddress[];
  /** From `cert-manager.io/cluster-issuer` or `cert-manager.io/issuer`. */
  issuer: { kind: 'ClusterIssuer' | 'Issuer'; name: string } | null;
}

function backendRef(backend: unknown): BackendRef | null {
  const service = at(backend, 'service');
  const name = nonEmptyString(at(service, 'name'));
  if (!name) return null;
  const portNumber = number(at(service, 'port', 'number'));
  return { service: name, port: portNumber ?? string(at(service, 'port', 'name')) ?? '' };
}

/** Reads `status.loadBalancer.ingress` of a Service or an Ingress. */
export function lbAddresses(obj: KubeObject): LbAddress[] {
  return records(at(obj.status, 'loadBalancer', 'ingress')).flatMap((entry) => {
    const ip = nonEmptyString(entry.ip);
    const hostname = nonEmptyString(entry.hostname);
    if (!ip && !hostname) return [];
    const portErrors = records(entry.ports).flatMap((p) => {
      const error = nonEmptyString(p.error);
      if (!error) return [];
      return [`${number(p.port) ?? string(p.port) ?? '?'}/${nonEmptyString(p.protocol) ?? 'TCP'}: ${error}`];
    });
    return [{ ip, hostname, portErrors }];
  });
}

/** Builds the IngressView of one `networking.k8s.io/v1` Ingress. */
export function toIngressView(obj: KubeObject): IngressView {
  const namespace = obj.metadata.namespace ?? '';
  const annotations = obj.metadata.annotations ?? {};
  const specClass = nonEmptyString(at(obj.spec, 'ingressClassName'));
  const legacyClass = annotations['kubernetes.io/ingress.class'] ?? null;
  const rules = records(at(obj.spec, 'rules'));
  const routes: IngressRoute[] = rules.flatMap((rule) =>
    records(at(rule, 'http', 'paths')).map((p) => ({
      host: nonEmptyString(rule.host),
      path: string(p.path) ?? '/',
      pathType: string(p.pathType) ?? 'ImplementationSpecific',
      backend: backendRef(p.backend),
    })),
  );
  const hosts = [...new Set(rules.flatMap((r) => nonEmptyString(r.host) ?? []))];
  const clusterIssuer = annotations['cert-manager.io/cluster-issuer'];
  const issuer = annotations['cert-manager.io/issuer'];
  return {
    namespace,
    name: obj.metadata.name,
    key: `${namespace}/${obj.metadata.name}`,
    className: specClass ?? legacyClass,
    classSource: specClass ? 'spec' : legacyClass ? 'annotation' : null,
    hosts: hosts.sort(),
    routes,
    defaultBackend: backendRef(at(obj.spec, 'defaultBackend')),
    tls: records(at(obj.spec, 'tls')).map((t) => ({
      hosts: stringArray(t.hosts),
      secretName: nonEmptyString(t.secretName),
    })),
    addresses: lbAddresses(obj),
    issuer: clusterIssuer
      ? { kind: 'ClusterIssuer', name: clusterIssuer }
      : issuer
        ? { kind: 'Issuer', name: issuer }
        : null,
  };
}

/** Does `pattern` (an Ingress host, maybe `*.example.com`) match `host`? A wildcard covers one label. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
}

// ---------------------------------------------------------------- the controller's LoadBalancer

/** Where the controller Service was found, for messages. */
export type ControllerSource = 'profile' | 'namespace' | 'ingress-status';

/** The ingress controller's Service, looked up as `findController` describes. */
export type ControllerLookup =
  | {
      kind: 'found';
      namespace: string;
      name: string;
      type: string;
      addresses: LbAddress[];
      source: ControllerSource;
      /** The Service's pod selector: the controller pods behind it. */
      selector: Record<string, string>;
    }
  /** `profileRef` set: the profile named a Service that does not exist. */
  | { kind: 'not-found'; profileRef: { namespace: string; name: string } | null }
  | { kind: 'failed'; failure: ListFailure };

/** The namespace the upstream ingress-nginx chart installs into. */
export const CONTROLLER_NAMESPACE = 'ingress-nginx';
const CONTROLLER_NAME = 'ingress-nginx-controller';

/** Addresses a Service is reachable at from outside: LoadBalancer status plus `spec.externalIPs`. */
function serviceAddresses(svc: KubeObject): LbAddress[] {
  const external = stringArray(at(svc.spec, 'externalIPs')).map((ip) => ({
    ip,
    hostname: null,
    portErrors: [],
  }));
  return [...lbAddresses(svc), ...external];
}

function found(svc: KubeObject, source: ControllerSource): ControllerLookup {
  return {
    kind: 'found',
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name,
    type: nonEmptyString(at(svc.spec, 'type')) ?? 'ClusterIP',
    addresses: serviceAddresses(svc),
    source,
    selector: stringRecord(at(svc.spec, 'selector')),
  };
}

/** Where the controller Service is looked for first: the profile's namespace, else `ingress-nginx`. */
function controllerNamespace(ctx: GatherContext): string {
  return ctx.scope.profile.ingress.controllerService?.namespace ?? CONTROLLER_NAMESPACE;
}

/**
 * Finds the controller Service: the profile's `ingress.controllerService`, else a LoadBalancer Service
 * in `ingress-nginx` (the chart's `ingress-nginx-controller` first), else the LoadBalancer Service
 * whose status addresses the Ingresses carry. `inNamespace` lists the Services of `controllerNamespace`.
 */
async function findController(
  ctx: GatherContext,
  ingresses: readonly IngressView[],
  inNamespace: Listing<KubeObject>,
): Promise<ControllerLookup> {
  const profileRef = ctx.scope.profile.ingress.controllerService;
  if (inNamespace.kind === 'failed') return { kind: 'failed', failure: inNamespace.failures[0] };
  if (profileRef) {
    const svc = itemsOf(inNamespace).find((s) => s.metadata.name === profileRef.name);
    return svc ? found(svc, 'profile') : { kind: 'not-found', profileRef };
  }
  const isLb = (s: KubeObject): boolean => at(s.spec, 'type') === 'LoadBalancer';
  const candidates = itemsOf(inNamespace)
    .filter(isLb)
    .sort(
      (a, b) => Number(b.metadata.name === CONTROLLER_NAME) - Number(a.metadata.name === CONTROLLER_NAME),
    );
  if (candidates[0]) return found(candidates[0], 'namespace');

  const published = new Set(
    ingresses.flatMap((i) => i.addresses.flatMap((a) => [a.ip, a.hostname])).filter(Boolean),
  );
  if (published.size === 0) return { kind: 'not-found', profileRef: null };
  const everywhere = await listInScope(ctx, 'services', null);
  if (everywhere.kind === 'failed') return { kind: 'failed', failure: everywhere.failures[0] };
  const svc = itemsOf(everywhere)
    .filter(isLb)
    .find((s) => lbAddresses(s).some((a) => published.has(a.ip) || published.has(a.hostname)));
  return svc ? found(svc, 'ingress-status') : { kind: 'not-found', profileRef: null };
}

/** The Ingresses in scope plus the controller Service: the base every ingress step starts from. */
export interface IngressInventory {
  ingresses: Listing<IngressView>;
  controller: ControllerLookup;
}

/** Lists Ingresses in scope (sorted by namespace/name) and finds the controller Service. */
export async function gatherIngressInventory(ctx: GatherContext): Promise<IngressInventory> {
  // Both at once: at 1,000 hosts every probe waited for the Ingresses, then for the Services.
  const [listing, controllerServices] = await Promise.all([
    listInScope(ctx, 'ingresses', ctx.scope.namespaces),
    listInScope(ctx, 'services', [controllerNamespace(ctx)]),
  ]);
  const ingresses = mapListing(listing, (items) =>
    items.map(toIngressView).sort((a, b) => a.key.localeCompare(b.key)),
  );
  return { ingresses, controller: await findController(ctx, itemsOf(ingresses), controllerServices) };
}

// ---------------------------------------------------------------- hosts and where they should point

/** Where a host's traffic should arrive: load balancer IPs, and DNS names of hostname load balancers. */
export interface LbTarget {
  ips: string[];
  hostnames: string[];
}

// Providers that cannot publish an IP smuggle it into a fake hostname such as `198.51.100.7.nip.io`
// (cloud-provider-openstack's PROXY protocol workaround); such a name is an IP, not a CNAME target.
const EMBEDDED_IP = /^(\d{1,3}(?:\.\d{1,3}){3})\./;

/** The LB target from addresses: IPs, IPs embedded in fake hostnames, and real hostnames. */
export function lbTarget(addresses: readonly LbAddress[]): LbTarget {
  const ips = new Set<string>();
  const hostnames = new Set<string>();
  for (const a of addresses) {
    if (a.ip) ips.add(a.ip);
    else if (a.hostname) {
      const embedded = EMBEDDED_IP.exec(a.hostname)?.[1];
      if (embedded) ips.add(embedded);
      else hostnames.add(a.hostname);
    }
  }
  return { ips: [...ips].sort(), hostnames: [...hostnames].sort() };
}

/** The first label of the name a wildcard host is probed as: it names who asks, in the server's log. */
const WILDCARD_PROBE_LABEL = 'platform-doctor-probe';

/**
 * The name a client would send for `host`: the host itself, or for a wildcard `*.example.com` one name it
 * covers (`platform-doctor-probe.example.com`), since SNI and Host cannot carry a `*`.
 */
export function probeName(host: string): string {
  return host.startsWith('*.') ? `${WILDCARD_PROBE_LABEL}${host.slice(1)}` : host;
}

/** One host served by Ingresses in scope, with the load balancer it should reach. */
export interface ServedHost {
  /** As the Ingress rule names it; a wildcard stays `*.example.com`. */
  host: string;
  ingresses: IngressView[];
  lb: LbTarget;
}

/**
 * Every rule host in scope, wildcards included, sorted. The controller Service's addresses are the truth;
 * the Ingresses' own status is the fallback when the controller was not found.
 */
export function servedHosts(inventory: IngressInventory): ServedHost[] {
  // Ingresses by host, in list order: one pass, not one scan of every Ingress per host.
  const byHost = new Map<string, IngressView[]>();
  for (const ing of itemsOf(inventory.ingresses)) {
    for (const host of new Set(ing.hosts)) {
      const serving = byHost.get(host);
      if (serving) serving.push(ing);
      else byHost.set(host, [ing]);
    }
  }
  const hosts = [...byHost.keys()].sort();
  const controller = inventory.controller;
  return hosts.map((host) => {
    const serving = byHost.get(host)!;
    const addresses =
      controller.kind === 'found' && controller.addresses.length > 0
        ? controller.addresses
        : serving.flatMap((i) => i.addresses);
    return { host, ingresses: serving, lb: lbTarget(addresses) };
  });
}
