import type { KubeObject } from '../../gateways/types.js';
import { backendLeaf, gatherBackends, judgeBackend, NO_BACKENDS, type BackendFacts } from '../backends.js';
import { listFailureLeaf } from '../could-not-check.js';
import type { Condition } from '../kube-object.js';
import { itemsSeen, listInScope, mapListing, type Listing } from '../listing.js';
import { group, withUniqueIds, type CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import * as hints from './hints.js';
import { gatewayApiStepNode } from './step-node.js';
import {
  hostnameMatches,
  readGateway,
  readReferenceGrant,
  readRoute,
  sameParent,
  type BackendRef,
  type GatewayView,
  type ParentRef,
  type ReferenceGrantView,
  type RouteView,
} from './model.js';

const ID = 'gateway.routes';
const TITLE = 'HTTPRoutes are accepted by their Gateways and reach Services with ready endpoints';

/** What `gatherRoutes` learned; plain data so `evaluateRoutes` runs without a cluster. */
export interface RoutesFacts extends BackendFacts {
  routes: Listing<RouteView>;
  /** Every Gateway the routes may name, across namespaces (a route may attach to another namespace's). */
  gateways: Listing<GatewayView>;
  grants: Listing<ReferenceGrantView>;
}

const NOTHING: Listing<KubeObject> = { kind: 'items', items: [] };

/** I/O half: HTTPRoutes, the Gateways they attach to, their backend Services and any ReferenceGrants. */
export async function gatherRoutes(ctx: GatherContext): Promise<RoutesFacts> {
  const routes = mapListing(await listInScope(ctx, 'httproutes', ctx.scope.namespaces), (items) =>
    items.map(readRoute),
  );
  const seen = itemsSeen(routes);
  const backendNamespaces = [
    ...new Set(seen.flatMap((r) => r.rules.flatMap((rule) => rule.backendRefs.map((b) => b.namespace)))),
  ];
  const isCrossNamespace = seen.some((r) => backendNamespaces.some((ns) => ns !== r.namespace));
  const [gateways, backends, grants] = await Promise.all([
    seen.length > 0 ? listInScope(ctx, 'gateways', null) : NOTHING,
    seen.length > 0 ? gatherBackends(ctx) : NO_BACKENDS,
    isCrossNamespace ? listInScope(ctx, 'referencegrants', backendNamespaces.sort()) : NOTHING,
  ]);
  return {
    routes,
    gateways: mapListing(gateways, (items) => items.map(readGateway)),
    ...backends,
    grants: mapListing(grants, (items) => items.map(readReferenceGrant)),
  };
}

function conditionText(type: string, c: Condition): string {
  const detail = [c.reason, c.message].filter(Boolean).join(': ');
  return `${type} ${c.status}${detail ? ` (${detail})` : ''}`;
}

function parentName(ref: ParentRef): string {
  const section = ref.sectionName ? `/${ref.sectionName}` : '';
  return `${ref.kind} ${ref.namespace}/${ref.name}${section}`;
}

/**
 * The listeners of `gw` a route can attach to through `ref`: the named section (or port), route
 * namespaces allowed, and a hostname that admits one of the route's hostnames (or any, without).
 */
function admittingListeners(route: RouteView, ref: ParentRef, gw: GatewayView) {
  return gw.listeners.filter(
    (l) =>
      (ref.sectionName === null || l.name === ref.sectionName) &&
      (ref.port === null || l.port === ref.port) &&
      (l.allowedFrom === 'All' ||
        (l.allowedFrom === 'Same' && gw.namespace === route.namespace) ||
        l.allowedFrom === 'Selector') &&
      (route.hostnames.length === 0 || route.hostnames.some((h) => hostnameMatches(l.hostname, h))),
  );
}

/** The listeners a parentRef names: its section, else every listener of the Gateway. */
function listenersNamed(ref: ParentRef, facts: RoutesFacts): string[] {
  if (ref.sectionName) return [ref.sectionName];
  const gw = itemsSeen(facts.gateways).find((g) => g.namespace === ref.namespace && g.name === ref.name);
  return gw?.listeners.map((l) => l.name) ?? [];
}

function parentLeaf(route: RouteView, ref: ParentRef, facts: RoutesFacts): CheckNode {
  const gatewayKey = `${ref.namespace}/${ref.name}`;
  const base = {
    id: `${ID}:${route.key}/parent/${parentName(ref).replace(' ', ':')}`,
    title: `parent ${parentName(ref)}`,
    subject: `HTTPRoute ${route.key}`,
    // A parent rejects a route for its own state, a listener's, or a backend it cannot resolve.
    dependsOn: [
      `Gateway ${gatewayKey}`,
      ...listenersNamed(ref, facts).map((name) => `listener ${name} of Gateway ${gatewayKey}`),
      ...route.rules.flatMap((r) => r.backendRefs.map((b) => `Service ${b.namespace}/${b.name}`)),
    ],
  };
  const p = { ns: route.namespace, route: route.name, gateway: gatewayKey };
  if (ref.kind !== 'Gateway') {
    return {
      ...base,
      code: 'GATEWAY_REF_NOT_READ',
      status: 'skip',
      message: `not checked: a ${ref.kind} parent (only Gateways are read)`,
      ...hints.notRead(`${ref.kind} ${ref.namespace}/${ref.name}`),
    };
  }
  if (facts.gateways.kind === 'failed') return listFailureLeaf(ID, facts.gateways.failures[0], base);
  const gw = itemsSeen(facts.gateways).find((g) => g.namespace === ref.namespace && g.name === ref.name);
  if (!gw) {
    return {
      ...base,
      code: 'ROUTE_PARENT_MISSING',
      status: 'fail',
      message: `Gateway ${gatewayKey} does not exist`,
      ...hints.parentMissing(p),
    };
  }
  const reported = route.parents.find((s) => sameParent(s.ref, ref));
  for (const [type, condition, code] of [
    ['Accepted', reported?.accepted, 'ROUTE_NOT_ACCEPTED'],
    ['ResolvedRefs', reported?.resolvedRefs, 'ROUTE_REFS_UNRESOLVED'],
  ] as const) {
    if (condition?.status === 'False') {
      return {
        ...base,
        code,
        status: 'fail',
        message: conditionText(type, condition),
        ...hints.routeNotAccepted({ ...p, reason: condition.reason }),
      };
    }
  }
  const hostnames = route.hostnames.length > 0 ? route.hostnames.join(', ') : 'any hostname';
  const listeners = admittingListeners(route, ref, gw);
  if (listeners.length === 0) {
    return {
      ...base,
      code: 'ROUTE_NO_MATCHING_LISTENER',
      status: 'fail',
      message: `no listener of Gateway ${gatewayKey} admits ${hostnames}${ref.sectionName ? ` through section ${ref.sectionName}` : ''}`,
      ...hints.noListenerForHostnames(p),
    };
  }
  if (reported?.accepted?.status !== 'True') {
    return {
      ...base,
      code: 'ROUTE_NOT_REPORTED',
      status: 'warn',
      message: reported?.accepted
        ? `not accepted yet: ${conditionText('Accepted', reported.accepted)}`
        : `no controller has reported on this parent yet`,
      ...hints.parentUnreported(p),
    };
  }
  return {
    ...base,
    status: 'pass',
    message: `accepted for ${hostnames} on listener ${listeners.map((l) => l.name).join(', ')}`,
  };
}

/** Whether a ReferenceGrant in the backend's namespace lets HTTPRoutes of `from` reference it. */
function isGranted(grants: readonly ReferenceGrantView[], from: string, ref: BackendRef): boolean {
  return grants.some(
    (g) =>
      g.namespace === ref.namespace &&
      g.from.some(
        (f) => f.group === 'gateway.networking.k8s.io' && f.kind === 'HTTPRoute' && f.namespace === from,
      ) &&
      g.to.some((t) => t.group === '' && t.kind === 'Service' && (t.name === null || t.name === ref.name)),
  );
}

function routeBackendLeaf(route: RouteView, ref: BackendRef, facts: RoutesFacts): CheckNode {
  const port = ref.port === null ? '' : `:${ref.port}`;
  const base = {
    id: `${ID}:${route.key}/backend/${ref.namespace}/${ref.name}${port}`,
    title: `backend ${ref.name}${port}`,
    subject: `Service ${ref.namespace}/${ref.name}`,
  };
  if (ref.kind !== 'Service') {
    return {
      ...base,
      code: 'GATEWAY_REF_NOT_READ',
      status: 'skip',
      message: `not checked: a ${ref.kind} backend (only Services are read)`,
      ...hints.notRead(`${ref.kind} ${ref.namespace}/${ref.name}`),
    };
  }
  if (
    ref.namespace !== route.namespace &&
    facts.grants.kind !== 'failed' &&
    !isGranted(itemsSeen(facts.grants), route.namespace, ref)
  ) {
    return {
      ...base,
      code: 'GATEWAY_REF_NOT_PERMITTED',
      status: 'fail',
      message: `in another namespace and no ReferenceGrant in ${ref.namespace} lets HTTPRoutes from ${route.namespace} use it`,
      ...hints.crossNamespaceBackend({
        ns: ref.namespace,
        service: ref.name,
        routeNamespace: route.namespace,
      }),
    };
  }
  const service = { namespace: ref.namespace, name: ref.name, port: ref.port };
  const p = { ns: ref.namespace, service: ref.name, route };
  return backendLeaf(ID, base, judgeBackend(facts, service), service, `HTTPRoute ${route.key}`, {
    missing: hints.backendServiceMissing(p),
    noPort: hints.backendPortMismatch(p),
  });
}

function routeNode(route: RouteView, facts: RoutesFacts): CheckNode {
  const backends = new Map<string, BackendRef>();
  for (const ref of route.rules.flatMap((r) => r.backendRefs)) {
    backends.set(`${ref.kind}/${ref.namespace}/${ref.name}:${ref.port}`, ref);
  }
  const subject = `HTTPRoute ${route.key}`;
  const unattached: CheckNode = {
    id: `${ID}:${route.key}/parent`,
    title: 'parent',
    subject,
    code: 'ROUTE_NO_PARENTS',
    status: 'warn',
    message: 'names no parentRefs: no Gateway serves it',
    ...hints.noParents({ ns: route.namespace, route: route.name }),
  };
  const children = withUniqueIds([
    ...(route.parentRefs.length > 0
      ? route.parentRefs.map((ref) => parentLeaf(route, ref, facts))
      : [unattached]),
    ...[...backends.values()].map((ref) => routeBackendLeaf(route, ref, facts)),
  ]);
  return { ...group(`${ID}:${route.key}`, subject, children), subject };
}

/** Pure: per HTTPRoute, each parent Gateway's verdict and each backend Service. */
export function evaluateRoutes(facts: RoutesFacts): CheckNode {
  return gatewayApiStepNode(
    ID,
    TITLE,
    facts.routes,
    (route) => routeNode(route, facts),
    'no HTTPRoutes in scope',
  );
}

/** `gateway.routes`: the route side of Gateway API routing, down to ready endpoints. */
export const routesStep = defineStep<RoutesFacts>({
  id: ID,
  title: TITLE,
  gather: gatherRoutes,
  evaluate: (facts) => evaluateRoutes(facts),
});
