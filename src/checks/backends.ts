/**
 * Services as route backends, shared by the Ingress and Gateway API runbooks: the Services and their
 * ready endpoints in scope (one list per kind), and the one judgement of "does this backend answer".
 */
import type { KubeObject } from '../gateways/types.js';
import { kubectl, type Hint } from './command.js';
import { listFailureLeaf } from './could-not-check.js';
import { array, at, nonEmptyString, number, record, records, stringRecord } from './kube-object.js';
import { listInScope, mapListing, type Listing, type ListFailure } from './listing.js';
import type { CheckNode } from './result.js';
import type { GatherContext } from './step.js';

/** A Service as the backend check needs it. */
export interface ServiceView {
  namespace: string;
  name: string;
  type: string;
  ports: { port: number; name: string | null }[];
  selector: Record<string, string> | null;
  externalName: string | null;
}

/** Ready and not-ready endpoints of one Service, from EndpointSlices or (fallback) Endpoints. */
export interface EndpointCount {
  namespace: string;
  service: string;
  ready: number;
  notReady: number;
}

/** The Services and endpoint counts backend checks judge by. */
export interface BackendFacts {
  services: Listing<ServiceView>;
  endpoints: Listing<EndpointCount>;
}

function toService(s: KubeObject): ServiceView {
  const selector = record(at(s.spec, 'selector'));
  return {
    namespace: s.metadata.namespace ?? '',
    name: s.metadata.name,
    type: nonEmptyString(at(s.spec, 'type')) ?? 'ClusterIP',
    ports: records(at(s.spec, 'ports')).flatMap((p) => {
      const port = number(p.port);
      return port === null ? [] : [{ port, name: nonEmptyString(p.name) }];
    }),
    selector: selector ? stringRecord(selector) : null,
    externalName: nonEmptyString(at(s.spec, 'externalName')),
  };
}

function countSlices(slices: KubeObject[]): EndpointCount[] {
  const counts = new Map<string, EndpointCount>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!service) continue;
    const namespace = slice.metadata.namespace ?? '';
    const key = `${namespace}/${service}`;
    const count = counts.get(key) ?? { namespace, service, ready: 0, notReady: 0 };
    for (const endpoint of records(at(slice, 'endpoints'))) {
      // The API defines an absent `ready` as ready ("unknown state ... should be interpreted as ready").
      if (at(endpoint, 'conditions', 'ready') === false) count.notReady += 1;
      else count.ready += 1;
    }
    counts.set(key, count);
  }
  return [...counts.values()];
}

function countEndpoints(objects: KubeObject[]): EndpointCount[] {
  return objects.map((e) => {
    const subsets = records(at(e, 'subsets'));
    return {
      namespace: e.metadata.namespace ?? '',
      service: e.metadata.name,
      ready: subsets.reduce((n, s) => n + array(s.addresses).length, 0),
      notReady: subsets.reduce((n, s) => n + array(s.notReadyAddresses).length, 0),
    };
  });
}

/** EndpointSlices, falling back to Endpoints when slices are not served or not readable. */
async function gatherEndpoints(ctx: GatherContext): Promise<Listing<EndpointCount>> {
  const slices = await listInScope(ctx, 'endpointslices', ctx.scope.namespaces);
  const isFallback =
    slices.kind === 'not-served' ||
    (slices.kind === 'failed' && slices.failures[0].failure.kind === 'forbidden');
  if (!isFallback) return mapListing(slices, countSlices);
  return mapListing(await listInScope(ctx, 'endpoints', ctx.scope.namespaces), countEndpoints);
}

/** I/O half: the Services and endpoint counts in scope. */
export async function gatherBackends(ctx: GatherContext): Promise<BackendFacts> {
  const [services, endpoints] = await Promise.all([
    listInScope(ctx, 'services', ctx.scope.namespaces),
    gatherEndpoints(ctx),
  ]);
  return { services: mapListing(services, (items) => items.map(toService)), endpoints };
}

/** Nothing to look up: for runs without routes. */
export const NO_BACKENDS: BackendFacts = {
  services: { kind: 'items', items: [] },
  endpoints: { kind: 'items', items: [] },
};

/** What one backend reference finds. */
export type BackendVerdict =
  | { kind: 'unknown'; failure: ListFailure }
  | { kind: 'missing' }
  | { kind: 'external'; externalName: string | null }
  | { kind: 'no-port'; ports: string }
  | { kind: 'no-endpoints'; notReady: number; selector: Record<string, string> | null }
  | { kind: 'ready'; ready: number };

function portsText(svc: ServiceView): string {
  return svc.ports.map((p) => (p.name ? `${p.port}/${p.name}` : `${p.port}`)).join(', ') || 'none';
}

/** Pure: whether Service `namespace/name` exists, has `port` (number or name; null: any) and a ready endpoint. */
export function judgeBackend(
  facts: BackendFacts,
  ref: { namespace: string; name: string; port: number | string | null },
): BackendVerdict {
  if (facts.services.kind === 'failed') return { kind: 'unknown', failure: facts.services.failures[0] };
  const svc = facts.services.kind === 'items' ? facts.services.items : [];
  const found = svc.find((s) => s.namespace === ref.namespace && s.name === ref.name);
  if (!found) return { kind: 'missing' };
  // ExternalName Services have no endpoints: the proxy sends requests to the external name.
  if (found.type === 'ExternalName') return { kind: 'external', externalName: found.externalName };
  const hasPort =
    ref.port === null ||
    found.ports.some((p) => (typeof ref.port === 'number' ? p.port === ref.port : p.name === ref.port));
  if (!hasPort) return { kind: 'no-port', ports: portsText(found) };
  if (facts.endpoints.kind === 'failed') return { kind: 'unknown', failure: facts.endpoints.failures[0] };
  const counts = facts.endpoints.kind === 'items' ? facts.endpoints.items : [];
  const count = counts.find((e) => e.namespace === ref.namespace && e.service === ref.name);
  const ready = count?.ready ?? 0;
  if (ready === 0) return { kind: 'no-endpoints', notReady: count?.notReady ?? 0, selector: found.selector };
  return { kind: 'ready', ready };
}

/** What to do about a backend no pod is ready behind: the same whichever route sends requests there. */
export function noReadyEndpoints(p: {
  ns: string;
  service: string;
  selector: Record<string, string> | null;
}): Hint {
  const selector = p.selector
    ? Object.entries(p.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : '';
  return {
    hint: `Find out why no pod behind Service ${p.ns}/${p.service} is ready (selector, readiness probe, crash).`,
    commands: [
      kubectl`get endpointslices -n ${p.ns} -l kubernetes.io/service-name=${p.service}`,
      ...(selector ? [kubectl`get pods -n ${p.ns} -l ${selector}`] : []),
      kubectl`describe svc -n ${p.ns} ${p.service}`,
    ],
  };
}

/**
 * A backend as a leaf: `routedBy` names what sends requests there (`Ingress plate-stg/web`), `advice` is
 * the runbook's own hint for a missing Service or port (fix the route, which differs per route kind).
 */
export function backendLeaf(
  stepId: string,
  base: { id: string; title: string; subject: string; dependsOn?: string[] },
  verdict: BackendVerdict,
  ref: { namespace: string; name: string; port: number | string | null },
  routedBy: string,
  advice: { missing: Hint; noPort: Hint },
): CheckNode {
  const service = `Service ${ref.namespace}/${ref.name}`;
  switch (verdict.kind) {
    case 'unknown':
      return listFailureLeaf(stepId, verdict.failure, base);
    case 'missing':
      return {
        ...base,
        status: 'fail',
        code: 'BACKEND_SERVICE_MISSING',
        message: `does not exist (${routedBy} routes to it)`,
        ...advice.missing,
      };
    case 'external':
      return {
        ...base,
        status: 'pass',
        message: `ExternalName Service for ${verdict.externalName ?? 'no name'}`,
      };
    case 'no-port':
      return {
        ...base,
        status: 'fail',
        code: 'BACKEND_PORT_MISMATCH',
        message: `port ${ref.port} is not a port of ${service} (${verdict.ports})`,
        ...advice.noPort,
      };
    case 'no-endpoints': {
      const notReady = verdict.notReady ? ` (${verdict.notReady} not ready)` : '';
      return {
        ...base,
        status: 'fail',
        code: 'BACKEND_NO_READY_ENDPOINTS',
        message: `no ready endpoints${notReady}`,
        ...noReadyEndpoints({ ns: ref.namespace, service: ref.name, selector: verdict.selector }),
      };
    }
    case 'ready':
      return {
        ...base,
        status: 'pass',
        message: `${verdict.ready} ready endpoint${verdict.ready === 1 ? '' : 's'}`,
      };
  }
}
