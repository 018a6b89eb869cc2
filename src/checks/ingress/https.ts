import type { HttpReply, TlsProbe } from '../../gateways/types.js';
import { kubectl } from '../command.js';
import * as hints from './hints.js';
import { curl } from './hints.js';
import { group, type CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { listInScope, type ListFailure } from '../listing.js';
import { listFailureLeaf } from '../could-not-check.js';
import { gatherIngressInventory, probeName, servedHosts, type ServedHost } from './inventory.js';
import type { CertInfo } from './x509.js';
import {
  judgeCertificate,
  judgePath,
  judgeRedirect,
  pathNotProbed,
  probeHost,
  verdictFields,
  type HostProbe,
} from '../https-probe.js';

const ID = 'ingress.https';
const TITLE = 'HTTPS answers with a valid certificate, HTTP redirects, and every path reaches its backend';

/** One Ingress path of a host, and what the load balancer answered for it. */
export interface PathProbe {
  path: string;
  pathType: string;
  /** Backend Service name, null for resource backends. */
  service: string | null;
  /** Null when the path was not probed (an ImplementationSpecific pattern). */
  reply: HttpReply | null;
}

/** One host probed at the load balancer address (not through DNS). */
export interface HostHttps {
  /** As the Ingress rule names it, maybe `*.example.com`: ids and subjects use it. */
  host: string;
  /** The name sent in SNI, Host and URLs: the host, or one name a wildcard covers (`probeName`). */
  name: string;
  /** `ns/name` of the (first) Ingress serving the host. */
  ingress: string;
  /** `ns/name` of every Ingress serving the host. */
  ingresses: string[];
  /** The class of the (first) Ingress; null when it names none. */
  ingressClass: string | null;
  /** Whether an ingress controller published an address into that Ingress's status: it took the Ingress. */
  isAdmitted: boolean;
  /** The TLS Secret that Ingress names for the host; null when it has no TLS entry for it. */
  tlsSecret: string | null;
  /** What the TLS Secret holds, when it could be listed (names, types and key names only). */
  tlsSecretState: 'usable' | 'missing' | 'not-tls' | 'unknown';
  /** Null while the load balancer has no address: nothing was probed. */
  address: string | null;
  tls: TlsProbe | null;
  /** The served leaf certificate, parsed. */
  cert: CertInfo | { error: string } | null;
  redirect: HttpReply | null;
  paths: PathProbe[];
}

/** What `gatherHttps` learned; plain data so `evaluateHttps` runs without a network. */
export interface HttpsFacts {
  ports: { http: number; https: number };
  controller: { namespace: string; name: string } | null;
  ingressesFailure: ListFailure | null;
  hosts: HostHttps[];
}

// A literal path: anything else under ImplementationSpecific is a controller-specific pattern (regex).
const LITERAL_PATH = /^\/[\w\-./~%]*$/;

function pathsOf(h: ServedHost): Omit<PathProbe, 'reply'>[] {
  const seen = new Map<string, Omit<PathProbe, 'reply'>>();
  for (const ing of h.ingresses) {
    for (const r of ing.routes) {
      if (r.host !== h.host || seen.has(r.path)) continue;
      seen.set(r.path, { path: r.path, pathType: r.pathType, service: r.backend?.service ?? null });
    }
  }
  return [...seen.values()].sort((a, b) => a.path.localeCompare(b.path));
}

const isProbed = (p: Omit<PathProbe, 'reply'>): boolean =>
  p.pathType !== 'ImplementationSpecific' || LITERAL_PATH.test(p.path);

/**
 * I/O half: per host, one HTTPS connection for the handshake and every literal path, and one HTTP request
 * for the redirect; the gateway caps the connections.
 */
export async function gatherHttps(ctx: GatherContext): Promise<HttpsFacts> {
  const inventory = await gatherIngressInventory(ctx);
  const { http, https } = ctx.scope.ports;
  const secretLists = new Map(
    await Promise.all(
      [...new Set(servedHosts(inventory).flatMap((h) => h.ingresses.map((i) => i.namespace)))].map(
        async (ns) => [ns, await listInScope(ctx, 'secrets', [ns])] as const,
      ),
    ),
  );
  const stateOf = (namespace: string, name: string | null): HostHttps['tlsSecretState'] => {
    const listing = secretLists.get(namespace);
    if (name === null || listing?.kind !== 'items') return 'unknown';
    const secret = listing.items.find((s) => s.metadata.name === name);
    if (!secret) return 'missing';
    const isTls =
      secret.type === 'kubernetes.io/tls' && ['tls.crt', 'tls.key'].every((k) => secret.keys.includes(k));
    return isTls ? 'usable' : 'not-tls';
  };
  const hosts = servedHosts(inventory).map((h) => {
    const ingress = h.ingresses[0];
    const tlsEntry = h.ingresses.flatMap((i) => i.tls).find((t) => t.hosts.includes(h.host));
    const tlsSecret = tlsEntry?.secretName ?? null;
    return {
      served: h,
      ingress: ingress?.key ?? '',
      ingresses: h.ingresses.map((i) => i.key),
      ingressClass: ingress?.className ?? null,
      isAdmitted: (ingress?.addresses.length ?? 0) > 0,
      tlsSecret,
      tlsSecretState: ingress ? stateOf(ingress.namespace, tlsSecret) : 'unknown',
      address: h.lb.ips[0] ?? h.lb.hostnames[0] ?? null,
      paths: pathsOf(h),
    };
  });
  const results = await Promise.all(
    hosts.map((h): Promise<HostProbe> =>
      h.address
        ? probeHost(
            ctx,
            { host: probeName(h.served.host), address: h.address },
            h.paths.filter(isProbed).map((p) => p.path),
          )
        : Promise.resolve({ tls: null, cert: null, redirect: null, replies: new Map() }),
    ),
  );
  const c = inventory.controller;
  return {
    ports: { http, https },
    controller: c.kind === 'found' ? { namespace: c.namespace, name: c.name } : null,
    ingressesFailure: inventory.ingresses.kind === 'failed' ? inventory.ingresses.failures[0] : null,
    hosts: hosts.map((h, i) => {
      const r = results[i]!;
      return {
        host: h.served.host,
        name: probeName(h.served.host),
        ingress: h.ingress,
        ingresses: h.ingresses,
        ingressClass: h.ingressClass,
        isAdmitted: h.isAdmitted,
        tlsSecret: h.tlsSecret,
        tlsSecretState: h.tlsSecretState,
        address: h.address,
        tls: r.tls,
        cert: r.cert,
        redirect: r.redirect,
        paths: h.paths.map((p) => ({ ...p, reply: r.replies.get(p.path) ?? null })),
      };
    }),
  };
}

// ---------------------------------------------------------------- evaluate

type Base = { id: string; title: string; subject: string; dependsOn: string[] };

/** What every probe of a host rests on: the address it was sent to, its Ingresses and their class. */
function probedVia(h: HostHttps, facts: HttpsFacts): string[] {
  const { controller } = facts;
  return [
    ...(controller ? [`Service ${controller.namespace}/${controller.name}`] : []),
    ...h.ingresses.map((key) => `Ingress ${key}`),
    ...(h.ingressClass ? [`IngressClass ${h.ingressClass}`] : []),
  ];
}

/** Why the controller falls back to its fake certificate, from what the other facts say. */
function fallbackReason(h: HostHttps): string {
  const secret = `TLS Secret ${namespaceOf(h)}/${h.tlsSecret}`;
  if (!h.isAdmitted) {
    const cls = h.ingressClass ? `; see IngressClass ${h.ingressClass}` : '';
    return `no ingress controller has taken Ingress ${h.ingress} (it has no load balancer address${cls})`;
  }
  if (!h.tlsSecret) return `Ingress ${h.ingress} has no TLS entry for this host`;
  switch (h.tlsSecretState) {
    case 'missing':
      return `${secret} does not exist`;
    case 'not-tls':
      return `${secret} is not a kubernetes.io/tls Secret with tls.crt and tls.key`;
    case 'usable':
      return `${secret} exists, but the controller does not serve it (its log says why)`;
    default:
      return `${secret} is missing or invalid, or the controller does not use it`;
  }
}

/** `ns/name` of a host's Ingress split in two. */
function namespaceOf(h: HostHttps): string {
  return h.ingress.split('/')[0] ?? '';
}

function certificateLeaf(h: HostHttps, facts: HttpsFacts, now: Date): CheckNode {
  const base: Base = {
    id: `${ID}:${h.host}#certificate`,
    title: 'certificate',
    subject: `host ${h.host}`,
    dependsOn: [
      ...probedVia(h, facts),
      `TLS for host ${h.host}`,
      ...(h.tlsSecret ? [`Secret ${namespaceOf(h)}/${h.tlsSecret}`] : []),
    ],
  };
  const address = h.address ?? '';
  const port = facts.ports.https;
  const p = { host: h.name, address, port, ingress: h.ingress, secret: h.tlsSecret };
  const verdict = judgeCertificate(h, { host: h.name, address, port }, now);
  const asked = h.name === h.host ? '' : ` (asked as ${h.name})`;
  const leaf = { ...base, ...verdictFields(verdict), message: `${verdict.message}${asked}` };
  switch (verdict.kind) {
    case 'valid':
      return leaf;
    case 'handshake-failed':
      return {
        ...leaf,
        ...hints.httpsUnreachable({ host: h.name, address, port }, facts.controller),
      };
    case 'fallback':
      return {
        ...leaf,
        message: `${verdict.message}: ${fallbackReason(h)}${asked}`,
        ...hints.fakeCertificate({ ...p, isAdmitted: h.isAdmitted, ingressClass: h.ingressClass }),
      };
    default:
      return { ...leaf, ...hints.servedCertificate(p) };
  }
}

function redirectLeaf(h: HostHttps, facts: HttpsFacts): CheckNode {
  const port = facts.ports.http;
  const url = `http://${h.name}/`;
  const base: Base = {
    id: `${ID}:${h.host}#redirect`,
    title: 'HTTP redirects to HTTPS',
    subject: url,
    // ssl-redirect applies only to hosts with a TLS entry.
    dependsOn: [...probedVia(h, facts), `TLS for host ${h.host}`],
  };
  const verdict = judgeRedirect(h.redirect, { host: h.name, address: h.address ?? '', port });
  if (verdict.status === 'pass') return { ...base, ...verdictFields(verdict) };
  return {
    ...base,
    ...verdictFields(verdict),
    ...hints.noHttpsRedirect({ host: h.name, address: h.address ?? '', port, ingress: h.ingress }),
  };
}

function pathLeaf(h: HostHttps, p: PathProbe, facts: HttpsFacts, tlsFailed: boolean): CheckNode {
  const url = `https://${h.name}${p.path}`;
  const ns = namespaceOf(h);
  const base: Base = {
    id: `${ID}:${h.host}${p.path}`,
    title: `path ${p.path}`,
    subject: url,
    dependsOn: [...probedVia(h, facts), ...(p.service ? [`Service ${ns}/${p.service}`] : [])],
  };
  const probe = curl('https', h.name, h.address ?? '', facts.ports.https, p.path);
  if (tlsFailed) return { ...base, ...pathNotProbed(h.name, null), commands: [probe] };
  if (!p.reply)
    return { ...base, ...pathNotProbed(h.name, `${p.pathType} path ${p.path}`), commands: [probe] };
  const verdict = judgePath(p.reply, { url, path: p.path }, p.service ? `Service ${ns}/${p.service}` : null);
  const leaf = { ...base, ...verdictFields(verdict) };
  switch (verdict.kind) {
    case 'answers':
      return leaf;
    case 'server-error':
      return { ...leaf, ...hints.pathServerError({ ns, service: p.service, ingress: h.ingress }) };
    case 'not-routed':
      return { ...leaf, ...hints.pathDefaultBackend({ host: h.name, path: p.path, ingress: h.ingress }) };
  }
}

function hostNode(h: HostHttps, facts: HttpsFacts, now: Date): CheckNode {
  const subject = `host ${h.host}`;
  if (!h.address) {
    // ingress.resources reports the missing address; failing here too would count it twice.
    return {
      id: `${ID}:${h.host}`,
      title: h.host,
      subject,
      status: 'skip',
      code: 'SKIPPED_NO_LB_ADDRESS',
      message: 'the load balancer has no address yet',
      hint: 'Fix the load balancer address first (see ingress.resources).',
      commands: [kubectl`get ingress -A -o wide`],
    };
  }
  const tlsFailed = h.tls?.kind === 'failed';
  const children = [
    certificateLeaf(h, facts, now),
    redirectLeaf(h, facts),
    ...h.paths.map((p) => pathLeaf(h, p, facts, tlsFailed)),
  ];
  return { ...group(`${ID}:${h.host}`, h.host, children), subject };
}

/** Pure: per host, the served certificate, the HTTP redirect and each routed path. */
export function evaluateHttps(facts: HttpsFacts, { now }: { now: Date }): CheckNode {
  if (facts.ingressesFailure) {
    return group(ID, TITLE, [listFailureLeaf(ID, facts.ingressesFailure)]);
  }
  return group(
    ID,
    TITLE,
    facts.hosts.map((h) => hostNode(h, facts, now)),
    'no Ingress hosts in scope',
  );
}

/** `ingress.https`: what a browser sees, asked of the load balancer directly so DNS cannot hide it. */
export const httpsStep = defineStep({ id: ID, title: TITLE, gather: gatherHttps, evaluate: evaluateHttps });
