import type { HttpReply } from '../../gateways/types.js';
import {
  judgeCertificate,
  judgePath,
  judgeRedirect,
  pathNotProbed,
  probeHost,
  verdictFields,
  type HostProbe,
} from '../https-probe.js';
import { failuresOf, itemsSeen, listInScope, mapListing, type ListFailure } from '../listing.js';
import { listFailureLeaf } from '../could-not-check.js';
import { group, withUniqueIds, type CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import * as hints from './hints.js';
import {
  hostnameMatches,
  readGateway,
  readRoute,
  hostAttachments,
  type GatewayView,
  type ListenerView,
  type RouteView,
} from './model.js';
import { gatewayApiNotInstalled } from './step-node.js';
import { probeName } from '../ingress/inventory.js';

const ID = 'gateway.https';
const TITLE =
  'HTTPS answers for every route hostname at its Gateway with a valid certificate, and every path answers';

/** A listener of the Gateway that can serve the host, as the certificate judgement needs it. */
export interface ServingListener {
  name: string;
  isValid: boolean;
  /** `Secret ns/name` of its certificateRefs. */
  secrets: string[];
}

/** One routed path of the host: the route that sends it, its backend, and the answer. */
export interface RoutedPath {
  path: string;
  /** Only literal `PathPrefix` and `Exact` paths are asked; null when not probed. */
  reply: HttpReply | null;
  isPattern: boolean;
  route: { namespace: string; name: string };
  service: { namespace: string; name: string } | null;
}

/** One hostname served over HTTPS by one Gateway, probed at the Gateway's address. */
export interface GatewayHost {
  /** As the route or listener names it, maybe `*.example.com`: ids and subjects use it. */
  host: string;
  /** The name sent in SNI, Host and URLs: the host, or one name a wildcard covers (`probeName`). */
  name: string;
  gateway: { namespace: string; name: string };
  /** Null while the Gateway has no address: nothing was probed. */
  address: string | null;
  listeners: ServingListener[];
  /** Whether a route on an HTTP listener of this Gateway redirects the host to HTTPS. */
  expectsRedirect: boolean;
  probe: Pick<HostProbe, 'tls' | 'cert' | 'redirect'>;
  paths: RoutedPath[];
}

/** What `gatherGatewayHttps` learned; plain data so `evaluateGatewayHttps` runs without a network. */
export interface GatewayHttpsFacts {
  isServed: boolean;
  listFailure: ListFailure | null;
  ports: { http: number; https: number };
  hosts: GatewayHost[];
}

// A literal path; a RegularExpression match has no single path to ask for.
const LITERAL_PATH = /^\/[\w\-./~%]*$/;

/** Whether a listener can carry the route's `sectionName`/`port` for `host`, over `protocol`. */
function carries(
  listener: ListenerView,
  ref: { sectionName: string | null; port: number | null },
  host: string,
  protocol: string,
): boolean {
  return (
    listener.protocol === protocol &&
    (ref.sectionName === null || listener.name === ref.sectionName) &&
    (ref.port === null || listener.port === ref.port) &&
    hostnameMatches(listener.hostname, host)
  );
}

const isValid = (l: ListenerView) =>
  l.accepted?.status !== 'False' && l.resolvedRefs?.status !== 'False' && l.programmed?.status !== 'False';

/** Per (Gateway, hostname) served over HTTPS: its listeners, whether HTTP redirects it, and its routed paths. */
export function httpsHosts(
  routes: readonly RouteView[],
  gateways: readonly GatewayView[],
): Omit<GatewayHost, 'probe'>[] {
  const hosts = new Map<string, Omit<GatewayHost, 'probe'>>();
  for (const { route, ref, gateway: gw, host } of hostAttachments(routes, gateways)) {
    const https = gw.listeners.filter((l) => carries(l, ref, host, 'HTTPS'));
    const http = gw.listeners.filter((l) => carries(l, ref, host, 'HTTP'));
    const entryKey = `${gw.key} ${host}`;
    const entry = hosts.get(entryKey) ?? {
      host,
      name: probeName(host),
      gateway: { namespace: gw.namespace, name: gw.name },
      address: gw.addresses[0]?.value ?? null,
      listeners: [],
      expectsRedirect: false,
      paths: [],
    };
    for (const l of https) {
      if (entry.listeners.some((known) => known.name === l.name)) continue;
      entry.listeners.push({
        name: l.name,
        isValid: isValid(l),
        secrets: l.certificateRefs.map((r) => `Secret ${r.namespace}/${r.name}`),
      });
    }
    if (http.length > 0 && route.rules.some((r) => r.redirectsToHttps)) entry.expectsRedirect = true;
    if (https.length > 0) {
      for (const rule of route.rules) {
        const [backend] = rule.backendRefs.filter((b) => b.kind === 'Service');
        for (const p of rule.paths) {
          if (entry.paths.some((known) => known.path === p.value)) continue;
          entry.paths.push({
            path: p.value,
            reply: null,
            isPattern: p.type === 'RegularExpression' || !LITERAL_PATH.test(p.value),
            route: { namespace: route.namespace, name: route.name },
            service: backend ? { namespace: backend.namespace, name: backend.name } : null,
          });
        }
      }
    }
    hosts.set(entryKey, entry);
  }
  // A host only an HTTP listener serves is plain HTTP by design: nothing to judge here.
  return [...hosts.values()]
    .filter((h) => h.listeners.length > 0)
    .map((h) => ({ ...h, paths: h.paths.sort((a, b) => a.path.localeCompare(b.path)) }))
    .sort((a, b) => a.host.localeCompare(b.host));
}

/** I/O half: per hostname, the ingress runbook's probe at the Gateway's address. */
export async function gatherGatewayHttps(ctx: GatherContext): Promise<GatewayHttpsFacts> {
  const [routes, gateways] = await Promise.all([
    listInScope(ctx, 'httproutes', ctx.scope.namespaces),
    listInScope(ctx, 'gateways', null),
  ]);
  const planned = httpsHosts(
    itemsSeen(mapListing(routes, (items) => items.map(readRoute))),
    itemsSeen(mapListing(gateways, (items) => items.map(readGateway))),
  );
  const hosts = await Promise.all(
    planned.map(async (h): Promise<GatewayHost> => {
      if (!h.address) return { ...h, probe: { tls: null, cert: null, redirect: null } };
      const asked = h.paths.filter((p) => !p.isPattern).map((p) => p.path);
      const probe = await probeHost(ctx, { host: h.name, address: h.address }, asked);
      return { ...h, probe, paths: h.paths.map((p) => ({ ...p, reply: probe.replies.get(p.path) ?? null })) };
    }),
  );
  const [failure = null] = [...failuresOf(routes), ...failuresOf(gateways)];
  return { isServed: routes.kind !== 'not-served', listFailure: failure, ports: ctx.scope.ports, hosts };
}

// ---------------------------------------------------------------- evaluate

function certificateLeaf(h: GatewayHost, facts: GatewayHttpsFacts, now: Date): CheckNode {
  const gateway = `${h.gateway.namespace}/${h.gateway.name}`;
  const secrets = [...new Set(h.listeners.flatMap((l) => l.secrets))];
  const base = {
    id: `${ID}:${gateway}/${h.host}#certificate`,
    title: 'certificate',
    subject: `host ${h.host}`,
    dependsOn: [
      `Gateway ${gateway}`,
      ...h.listeners.map((l) => `listener ${l.name} of Gateway ${gateway}`),
      ...secrets,
    ],
  };
  const at = { host: h.name, address: h.address ?? '', port: facts.ports.https, gateway: h.gateway };
  const verdict = judgeCertificate(h.probe, at, now);
  const asked = h.name === h.host ? '' : ` (asked as ${h.name})`;
  const leaf = { ...base, ...verdictFields(verdict), message: `${verdict.message}${asked}` };
  switch (verdict.kind) {
    case 'valid':
      return leaf;
    case 'handshake-failed':
      return { ...leaf, ...hints.gatewayUnreachable(at) };
    case 'fallback': {
      const invalid = h.listeners.filter((l) => !l.isValid).map((l) => l.name);
      const why =
        invalid.length > 0
          ? `listener ${invalid.join(', ')} of Gateway ${gateway} is not valid (see gateway.gateways)`
          : `the data plane does not serve the listener's certificate for ${h.host}`;
      return {
        ...leaf,
        message: `${verdict.message}: ${why}${asked}`,
        ...hints.gatewayCertificate({ ...at, secrets }),
      };
    }
    default:
      return { ...leaf, ...hints.gatewayCertificate({ ...at, secrets }) };
  }
}

function redirectLeaf(h: GatewayHost, facts: GatewayHttpsFacts): CheckNode {
  const gateway = `${h.gateway.namespace}/${h.gateway.name}`;
  const base = {
    id: `${ID}:${gateway}/${h.host}#redirect`,
    title: 'HTTP redirects to HTTPS',
    subject: `http://${h.name}/`,
    dependsOn: [`Gateway ${gateway}`],
  };
  const at = { host: h.name, address: h.address ?? '', port: facts.ports.http };
  const verdict = judgeRedirect(h.probe.redirect, at);
  if (verdict.status === 'pass') return { ...base, ...verdictFields(verdict) };
  return {
    ...base,
    ...verdictFields(verdict),
    ...hints.gatewayNoRedirect({
      ...at,
      port: facts.ports.https,
      httpPort: facts.ports.http,
      gateway: h.gateway,
    }),
  };
}

function pathLeaf(h: GatewayHost, p: RoutedPath, facts: GatewayHttpsFacts): CheckNode {
  const gateway = `${h.gateway.namespace}/${h.gateway.name}`;
  const url = `https://${h.name}${p.path}`;
  const service = p.service ? `Service ${p.service.namespace}/${p.service.name}` : null;
  const base = {
    id: `${ID}:${gateway}/${h.host}${p.path}`,
    title: `path ${p.path}`,
    subject: url,
    dependsOn: [
      `Gateway ${gateway}`,
      `HTTPRoute ${p.route.namespace}/${p.route.name}`,
      ...(service ? [service] : []),
    ],
  };
  const at = { host: h.name, address: h.address ?? '', port: facts.ports.https, gateway: h.gateway };
  if (p.isPattern) return { ...base, ...pathNotProbed(h.name, `path ${p.path}`), commands: [] };
  if (!p.reply) return { ...base, ...pathNotProbed(h.name, null), commands: [] };
  const verdict = judgePath(p.reply, { url, path: p.path }, service);
  const leaf = { ...base, ...verdictFields(verdict) };
  switch (verdict.kind) {
    case 'answers':
      return leaf;
    case 'server-error':
      return { ...leaf, ...hints.gatewayPathServerError({ route: p.route, service: p.service }) };
    case 'not-routed':
      return { ...leaf, ...hints.gatewayPathNotRouted({ ...at, path: p.path, route: p.route }) };
  }
}

function hostNode(h: GatewayHost, facts: GatewayHttpsFacts, now: Date): CheckNode {
  const gateway = `${h.gateway.namespace}/${h.gateway.name}`;
  const id = `${ID}:${gateway}/${h.host}`;
  const subject = `host ${h.host}`;
  if (!h.address) {
    // gateway.gateways reports the missing address; failing here too would count it twice.
    return {
      id,
      title: h.host,
      subject,
      status: 'skip',
      code: 'SKIPPED_NO_LB_ADDRESS',
      message: `Gateway ${gateway} has no address yet`,
      hint: 'Fix the Gateway address first (see gateway.gateways).',
      commands: [],
    };
  }
  const children = withUniqueIds([
    certificateLeaf(h, facts, now),
    ...(h.expectsRedirect ? [redirectLeaf(h, facts)] : []),
    ...h.paths.map((p) => pathLeaf(h, p, facts)),
  ]);
  return { ...group(id, h.host, children), subject };
}

/** Pure: per route hostname and Gateway, the served certificate, the redirect when one is routed, each path. */
export function evaluateGatewayHttps(facts: GatewayHttpsFacts, { now }: { now: Date }): CheckNode {
  if (!facts.isServed) return gatewayApiNotInstalled(ID, TITLE);
  if (facts.listFailure) return group(ID, TITLE, [listFailureLeaf(ID, facts.listFailure)]);
  return group(
    ID,
    TITLE,
    withUniqueIds(facts.hosts.map((h) => hostNode(h, facts, now))),
    'no HTTPS route hostnames in scope',
  );
}

/** `gateway.https`: what a browser sees at each Gateway, asked of its address directly so DNS cannot hide it. */
export const gatewayHttpsStep = defineStep<GatewayHttpsFacts>({
  id: ID,
  title: TITLE,
  gather: gatherGatewayHttps,
  evaluate: evaluateGatewayHttps,
});
