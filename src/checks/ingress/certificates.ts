import type { KubeObject } from '../../gateways/types.js';
import type { Hint } from '../command.js';
import type { FindingCode } from '../codes.js';
import * as hints from './hints.js';
import { group, type CheckNode } from '../result.js';
import { defineStep, secretsNotRead, type GatherContext } from '../step.js';
import {
  combine,
  failuresOf,
  itemsOf,
  listInScope,
  mapListing,
  type ListFailure,
  type Listing,
} from '../listing.js';
import { listFailureLeaf } from '../could-not-check.js';
import { gatherWarnings, eventsText, withOwnEvents, type EventObject, type Warnings } from '../events.js';
import { hostMatches, toIngressView } from './inventory.js';
import {
  at,
  conditionOf,
  count,
  isOwnedBy,
  ownerNames,
  nonEmptyString,
  string,
  stringArray,
  timestamp,
  type Condition,
} from '../kube-object.js';
import {
  certCovers,
  day,
  namesCover,
  daysUntil,
  EXPIRY_WARN_DAYS,
  readCertificate,
  type CertInfo,
} from './x509.js';

const ID = 'ingress.certificates';
const TITLE = 'Certificates are issued, valid and cover the Ingress hosts';

/** The newest CertificateRequest of a Certificate and what it led to (ACME Order and Challenges). */
export interface IssuanceChain {
  request: {
    name: string;
    ready: Condition | null;
    approved: Condition | null;
    denied: Condition | null;
    createdAt: string | null;
  } | null;
  order: { name: string; state: string | null; reason: string | null } | null;
  challenges: {
    name: string;
    type: string | null;
    dnsName: string | null;
    state: string | null;
    reason: string | null;
  }[];
}

/** One cert-manager Certificate, read for judgement. */
export interface CertificateFact {
  namespace: string;
  name: string;
  secretName: string;
  dnsNames: string[];
  issuerRef: { kind: 'Issuer' | 'ClusterIssuer'; name: string };
  ready: Condition | null;
  issuing: Condition | null;
  notAfter: string | null;
  renewalTime: string | null;
  /** `status.failedIssuanceAttempts`: issuances that failed since the last success. */
  failedIssuanceAttempts: number | null;
  lastFailureTime: string | null;
  /** Only walked when issuance is under way or failing (see `isIssuing`). */
  chain: IssuanceChain | null;
  /** `ns/name` of the Gateway that owns it: cert-manager's gateway-shim made it for a listener. */
  gateway: string | null;
}

/** A referenced Issuer or ClusterIssuer (namespace null for ClusterIssuers). */
export interface IssuerFact {
  kind: 'Issuer' | 'ClusterIssuer';
  namespace: string | null;
  name: string;
  ready: Condition | null;
}

/** A TLS Secret with its parsed `tls.crt`; `cert` is null when the gateway gave no certificate. */
export interface StoredSecret {
  namespace: string;
  name: string;
  type: string;
  cert: CertInfo | { error: string } | null;
}

/** An Ingress TLS entry: which hosts rely on which Secret. */
export interface IngressTlsUse {
  ingress: string;
  namespace: string;
  secretName: string;
  hosts: string[];
  /** The Ingress's `cert-manager.io/cluster-issuer` or `cert-manager.io/issuer` annotation, if any. */
  issuer: { kind: 'ClusterIssuer' | 'Issuer'; name: string } | null;
}

/** A Gateway listener whose `certificateRefs` name a Secret, and the hostname it serves. */
export interface ListenerTlsUse {
  /** `listener https of Gateway ns/name`. */
  listener: string;
  namespace: string;
  secretName: string;
  hosts: string[];
}

/** The hosts an Ingress routes and those its TLS entries name: every routed host should have TLS. */
export interface IngressHosts {
  ingress: string;
  namespace: string;
  ruleHosts: string[];
  tlsHosts: string[];
}

/** What `gatherCertificates` learned; plain data so `evaluateCertificates` runs without a cluster. */
export interface CertificatesFacts {
  certificates: Listing<CertificateFact>;
  issuers: Listing<IssuerFact>;
  clusterIssuers: Listing<IssuerFact>;
  secrets: Listing<StoredSecret>;
  ingressTls: Listing<IngressTlsUse>;
  ingressHosts: Listing<IngressHosts>;
  /** Gateway listeners' TLS, read by gateway.certificates only. */
  listenerTls: Listing<ListenerTlsUse>;
  /** A CertificateRequest/Order/Challenge list that failed while walking a not-Ready Certificate. */
  chainFailure: ListFailure | null;
  /** Newest Warning events of the Certificates being issued and of their CertificateRequests, Orders, Challenges. */
  warnings: Warnings;
}

// A revision that is not a number sorts as 0, like an absent one.
const revision = (cr: KubeObject): number =>
  Number(cr.metadata.annotations?.['cert-manager.io/certificate-revision'] ?? 0) || 0;

/**
 * Pure: follows Certificate → newest CertificateRequest (owner reference or `certificate-name`
 * annotation, highest `certificate-revision`) → Order (owner) → Challenges (owner).
 */
export function walkIssuance(
  cert: KubeObject,
  requests: readonly KubeObject[],
  orders: readonly KubeObject[],
  challenges: readonly KubeObject[],
): IssuanceChain {
  const ns = cert.metadata.namespace;
  const request = requests
    .filter(
      (cr) =>
        cr.metadata.namespace === ns &&
        (isOwnedBy(cr, 'Certificate', cert) ||
          cr.metadata.annotations?.['cert-manager.io/certificate-name'] === cert.metadata.name),
    )
    .sort((a, b) => revision(b) - revision(a))[0];
  const order = request
    ? orders.find((o) => o.metadata.namespace === ns && isOwnedBy(o, 'CertificateRequest', request))
    : undefined;
  const owned = order
    ? challenges
        .filter((c) => c.metadata.namespace === ns && isOwnedBy(c, 'Order', order))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    : [];
  return {
    request: request
      ? {
          name: request.metadata.name,
          ready: conditionOf(request, 'Ready'),
          approved: conditionOf(request, 'Approved'),
          denied: conditionOf(request, 'Denied'),
          createdAt: timestamp(request.metadata.creationTimestamp),
        }
      : null,
    order: order
      ? {
          name: order.metadata.name,
          state: string(at(order.status, 'state')),
          reason: string(at(order.status, 'reason')),
        }
      : null,
    challenges: owned.map((c) => ({
      name: c.metadata.name,
      type: string(at(c.spec, 'type')),
      dnsName: string(at(c.spec, 'dnsName')),
      state: string(at(c.status, 'state')),
      reason: nonEmptyString(at(c.status, 'reason')),
    })),
  };
}

function toCertificate(obj: KubeObject, chain: IssuanceChain | null): CertificateFact {
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    secretName: string(at(obj.spec, 'secretName')) ?? '',
    dnsNames: stringArray(at(obj.spec, 'dnsNames')),
    issuerRef: {
      kind: at(obj.spec, 'issuerRef', 'kind') === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer',
      name: string(at(obj.spec, 'issuerRef', 'name')) ?? '',
    },
    ready: conditionOf(obj, 'Ready'),
    issuing: conditionOf(obj, 'Issuing'),
    notAfter: timestamp(at(obj.status, 'notAfter')),
    renewalTime: timestamp(at(obj.status, 'renewalTime')),
    failedIssuanceAttempts: count(at(obj.status, 'failedIssuanceAttempts')),
    lastFailureTime: timestamp(at(obj.status, 'lastFailureTime')),
    chain,
    gateway:
      ownerNames(obj.metadata, 'Gateway').map((name) => `${obj.metadata.namespace ?? ''}/${name}`)[0] ?? null,
  };
}

function tlsUses(ingresses: Listing<KubeObject>): Listing<IngressTlsUse> {
  return mapListing(ingresses, (items) =>
    items.map(toIngressView).flatMap((i) =>
      i.tls.flatMap((t) =>
        t.secretName
          ? [
              {
                ingress: i.key,
                namespace: i.namespace,
                secretName: t.secretName,
                hosts: t.hosts,
                issuer: i.issuer,
              },
            ]
          : [],
      ),
    ),
  );
}

function toIssuer(kind: IssuerFact['kind']) {
  return (obj: KubeObject): IssuerFact => ({
    kind,
    namespace: kind === 'Issuer' ? (obj.metadata.namespace ?? '') : null,
    name: obj.metadata.name,
    ready: conditionOf(obj, 'Ready'),
  });
}

/**
 * Whether a Certificate's issuance chain is worth walking: it is not Ready, it is being (re)issued, or its
 * last issuance failed — a Ready certificate whose renewal keeps failing looks healthy until it expires.
 */
function isIssuing(cert: KubeObject): boolean {
  const issuing = conditionOf(cert, 'Issuing');
  return (
    conditionOf(cert, 'Ready')?.status !== 'True' ||
    issuing?.status === 'True' ||
    (issuing?.status === 'False' && issuing.reason !== 'Issued') ||
    (count(at(cert.status, 'failedIssuanceAttempts')) ?? 0) > 0
  );
}

/** What both certificate steps read: Certificates, their issuers and TLS Secrets, the issuance chain when needed. */
export type IssuanceFacts = Omit<CertificatesFacts, 'ingressTls' | 'ingressHosts' | 'listenerTls'>;

/** I/O: the Certificates in scope with their issuers and Secrets; the issuance chain only when needed. */
export async function gatherIssuance(ctx: GatherContext): Promise<IssuanceFacts> {
  const ns = ctx.scope.namespaces;
  const [certs, issuers, clusterIssuers, secrets] = await Promise.all([
    listInScope(ctx, 'certificates', ns),
    listInScope(ctx, 'issuers', ns),
    listInScope(ctx, 'clusterissuers', null),
    listInScope(ctx, 'secrets', ns),
  ]);
  const issuing = itemsOf(certs).filter(isIssuing);
  let chainFailure: ListFailure | null = null;
  let chainLists: KubeObject[][] = [[], [], []];
  if (issuing.length > 0) {
    const lists = await Promise.all([
      listInScope(ctx, 'certificaterequests', ns),
      listInScope(ctx, 'orders', ns),
      listInScope(ctx, 'challenges', ns),
    ]);
    chainFailure = failuresOf(combine(lists))[0] ?? null;
    chainLists = lists.map(itemsOf);
  }
  const [requests = [], orders = [], challenges = []] = chainLists;
  const chains = new Map(issuing.map((c) => [c, walkIssuance(c, requests, orders, challenges)]));
  const chainObjects = [...chains].flatMap(([c, chain]): EventObject[] => {
    const namespace = c.metadata.namespace ?? '';
    return [
      { kind: 'Certificate', namespace, name: c.metadata.name },
      ...(chain.request ? [{ kind: 'CertificateRequest', namespace, name: chain.request.name }] : []),
      ...(chain.order ? [{ kind: 'Order', namespace, name: chain.order.name }] : []),
      ...chain.challenges.map((ch) => ({ kind: 'Challenge', namespace, name: ch.name })),
    ];
  });
  // cert-manager records why an issuer is not Ready (ErrRegisterACMEAccount, ErrInitIssuer…) as events too.
  const notReady = (kind: IssuerFact['kind']) => (obj: KubeObject) =>
    conditionOf(obj, 'Ready')?.status === 'True'
      ? []
      : [
          {
            kind,
            namespace: kind === 'Issuer' ? (obj.metadata.namespace ?? '') : null,
            name: obj.metadata.name,
          },
        ];
  const issuerObjects: EventObject[] = [
    ...itemsOf(issuers).flatMap(notReady('Issuer')),
    ...itemsOf(clusterIssuers).flatMap(notReady('ClusterIssuer')),
  ];
  return {
    certificates: mapListing(certs, (items) => items.map((c) => toCertificate(c, chains.get(c) ?? null))),
    issuers: mapListing(issuers, (items) => items.map(toIssuer('Issuer'))),
    clusterIssuers: mapListing(clusterIssuers, (items) => items.map(toIssuer('ClusterIssuer'))),
    secrets: mapListing(secrets, (items) =>
      items.map((s) => ({
        namespace: s.metadata.namespace ?? '',
        name: s.metadata.name,
        type: s.type,
        cert: s.tlsCrtPem ? readCertificate(s.tlsCrtPem) : null,
      })),
    ),
    chainFailure,
    warnings: await gatherWarnings(ctx, [...chainObjects, ...issuerObjects]),
  };
}

/** I/O half: the issuance facts and the Ingresses' TLS. */
export async function gatherCertificates(ctx: GatherContext): Promise<CertificatesFacts> {
  const [issuance, ingresses] = await Promise.all([
    gatherIssuance(ctx),
    listInScope(ctx, 'ingresses', ctx.scope.namespaces),
  ]);
  return {
    ...issuance,
    ingressTls: tlsUses(ingresses),
    ingressHosts: mapListing(ingresses, (items) =>
      items.map(toIngressView).map((i) => ({
        ingress: i.key,
        namespace: i.namespace,
        ruleHosts: i.hosts,
        tlsHosts: [...new Set(i.tls.flatMap((t) => t.hosts))],
      })),
    ),
    listenerTls: { kind: 'items', items: [] },
  };
}

// ---------------------------------------------------------------- evaluate

/** Why issuance fails, from the deepest object that says so. */
type Cause =
  | { kind: 'rate-limit'; object: string; detail: string; retryAfter: string | null }
  | { kind: 'http-01'; object: string; domain: string | null; detail: string }
  | { kind: 'dns-01'; object: string; domain: string | null; detail: string }
  | { kind: 'issuer-missing'; issuer: string }
  | { kind: 'issuer-not-ready'; issuer: string; condition: Condition | null }
  | { kind: 'denied'; object: string; condition: Condition }
  | { kind: 'unapproved'; object: string }
  | { kind: 'other'; object: string; detail: string };

const RATE_LIMITED =
  /urn:ietf:params:acme:error:rateLimited:\s*(?:Error creating new order :: )?(.*?)(?::\s*see https:\/\/\S+)?$/;
// Older cert-manager releases wrote the challenge type in lower case (`http-01`, cert-manager issue #3309).
const PROPAGATION = /Waiting for (HTTP-01|DNS-01) challenge propagation: (.*)$/i;
// The ACME server could not validate the challenge itself (acmechallenges/sync.go, cert-manager issue #7338).
const AUTHORIZATION = /^Error accepting authorization: (.*)$/;
const ISSUER_NOT_FOUND = /Referenced "(ClusterIssuer|Issuer)" not found/;
/** An approver has had this long to approve a CertificateRequest before its silence is a finding. */
const APPROVAL_GRACE_MS = 5 * 60_000;

/** The deepest failure text of a chain, with the object that holds it (and the challenge's type and name). */
function deepestText(
  cert: CertificateFact,
): { object: string; text: string; domain: string | null; type: string | null } | null {
  const ns = cert.namespace;
  const chain = cert.chain;
  const challenge = chain?.challenges.find((c) => c.state !== 'valid' && c.reason);
  if (challenge?.reason) {
    return {
      object: `Challenge ${ns}/${challenge.name}`,
      text: challenge.reason,
      domain: challenge.dnsName,
      type: challenge.type,
    };
  }
  const none = { domain: null, type: null };
  if (chain?.order?.reason && chain.order.state !== 'valid') {
    return { object: `Order ${ns}/${chain.order.name}`, text: chain.order.reason, ...none };
  }
  const requestReady = chain?.request?.ready;
  if (chain?.request && requestReady?.status === 'False' && requestReady.message) {
    return { object: `CertificateRequest ${ns}/${chain.request.name}`, text: requestReady.message, ...none };
  }
  if (cert.issuing?.status === 'False' && cert.issuing.reason !== 'Issued' && cert.issuing.message) {
    return { object: `Certificate ${ns}/${cert.name}`, text: cert.issuing.message, ...none };
  }
  return null;
}

function issuerOf(cert: CertificateFact, facts: CertificatesFacts): IssuerFact | 'missing' | 'unknown' {
  const isCluster = cert.issuerRef.kind === 'ClusterIssuer';
  const listing = isCluster ? facts.clusterIssuers : facts.issuers;
  if (listing.kind !== 'items') return 'unknown';
  const issuer = listing.items.find(
    (i) => i.name === cert.issuerRef.name && (isCluster || i.namespace === cert.namespace),
  );
  return issuer ?? 'missing';
}

function issuerLabel(cert: CertificateFact): string {
  return cert.issuerRef.kind === 'ClusterIssuer'
    ? `ClusterIssuer ${cert.issuerRef.name}`
    : `Issuer ${cert.namespace}/${cert.issuerRef.name}`;
}

/** The approver's verdict on the newest CertificateRequest, when it blocks issuance. */
function approvalCause(cert: CertificateFact, now: Date): Cause | null {
  const request = cert.chain?.request;
  if (!request || request.ready?.status === 'True') return null;
  const object = `CertificateRequest ${cert.namespace}/${request.name}`;
  if (request.denied?.status === 'True') return { kind: 'denied', object, condition: request.denied };
  const age = request.createdAt ? now.getTime() - Date.parse(request.createdAt) : 0;
  // cert-manager's own approver answers within seconds; silence past the grace means no approver runs.
  if (request.approved === null && request.denied === null && age > APPROVAL_GRACE_MS)
    return { kind: 'unapproved', object };
  return null;
}

function causeOf(cert: CertificateFact, facts: CertificatesFacts, now: Date): Cause | null {
  const issuer = issuerOf(cert, facts);
  if (issuer === 'missing') return { kind: 'issuer-missing', issuer: issuerLabel(cert) };
  if (issuer !== 'unknown' && issuer.ready?.status !== 'True') {
    return { kind: 'issuer-not-ready', issuer: issuerLabel(cert), condition: issuer.ready };
  }
  const approval = approvalCause(cert, now);
  if (approval) return approval;
  const deepest = deepestText(cert);
  if (!deepest) return null;
  const { object, text, domain, type } = deepest;
  const rate = RATE_LIMITED.exec(text);
  if (rate) {
    const retryAfter = /retry after (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC)/.exec(text)?.[1] ?? null;
    return { kind: 'rate-limit', object, detail: rate[1] ?? text, retryAfter };
  }
  const propagation = PROPAGATION.exec(text);
  if (propagation) {
    const kind = propagation[1]?.toUpperCase() === 'DNS-01' ? 'dns-01' : 'http-01';
    return { kind, object, domain, detail: propagation[2] ?? text };
  }
  const authorization = AUTHORIZATION.exec(text);
  if (authorization && type) {
    const kind = type.toUpperCase() === 'DNS-01' ? 'dns-01' : 'http-01';
    return { kind, object, domain, detail: authorization[1] ?? text };
  }
  if (ISSUER_NOT_FOUND.test(text)) return { kind: 'issuer-missing', issuer: issuerLabel(cert) };
  return { kind: 'other', object, detail: text };
}

function conditionText(c: Condition | null): string {
  if (!c) return 'no Ready condition';
  return c.message ? `${c.reason ?? c.status}: ${c.message}` : (c.reason ?? c.status);
}

/** What a cause says, the code of a Certificate that is not Ready for it, and what to do. */
interface CauseFinding {
  code: FindingCode;
  text: string;
  hint: Hint;
}

function describeCause(cause: Cause, cert: CertificateFact, now: Date): CauseFinding {
  const p = { ns: cert.namespace, name: cert.name };
  switch (cause.kind) {
    case 'rate-limit':
      return {
        code: 'CERT_RATE_LIMITED',
        text: `ACME rate limit (429 rateLimited) on ${cause.object}: ${cause.detail}`,
        hint: hints.certRateLimited({
          ...p,
          retryAfter: cause.retryAfter,
          // Let's Encrypt writes `2026-08-15 19:14:33 UTC`; once that time has passed, waiting is no advice.
          hasRetryPassed:
            cause.retryAfter !== null &&
            Date.parse(cause.retryAfter.replace(' UTC', 'Z').replace(' ', 'T')) <= now.getTime(),
        }),
      };
    case 'http-01':
      return {
        code: 'CERT_HTTP01_FAILING',
        text: `HTTP-01 self check${cause.domain ? ` for ${cause.domain}` : ''} fails on ${cause.object}: ${cause.detail}`,
        hint: hints.certHttp01({ ...p, domain: cause.domain }),
      };
    case 'dns-01':
      return {
        code: 'CERT_DNS01_FAILING',
        text: `DNS-01 propagation${cause.domain ? ` for ${cause.domain}` : ''} fails on ${cause.object}: ${cause.detail}`,
        hint: hints.certDns01({ ...p, domain: cause.domain }),
      };
    case 'issuer-missing':
      return {
        code: 'CERT_ISSUER_MISSING',
        text: `${cause.issuer} does not exist`,
        hint: hints.certIssuerMissing({ ...p, issuerKind: cert.issuerRef.kind, issuer: cert.issuerRef.name }),
      };
    case 'issuer-not-ready':
      return {
        code: 'CERT_ISSUER_NOT_READY',
        text: `${cause.issuer} is not Ready (${conditionText(cause.condition)})`,
        hint: hints.issuerNotReady({
          kind: cert.issuerRef.kind,
          ns: cert.namespace,
          name: cert.issuerRef.name,
        }),
      };
    case 'denied':
      return {
        code: 'CERT_REQUEST_DENIED',
        text: `${cause.object} was denied (${conditionText(cause.condition)})`,
        hint: hints.certRequestDenied({ ...p, request: cause.object.split('/')[1] ?? '' }),
      };
    case 'unapproved':
      return {
        code: 'CERT_REQUEST_UNAPPROVED',
        text: `${cause.object} has been neither approved nor denied for over ${APPROVAL_GRACE_MS / 60_000} minutes`,
        hint: hints.certRequestUnapproved({ ...p, request: cause.object.split('/')[1] ?? '' }),
      };
    default:
      return {
        code: 'CERT_NOT_READY',
        text: `${cause.object}: ${cause.detail}`,
        hint: hints.certNotReady(p),
      };
  }
}

function notReadyLeaf(base: LeafBase, cert: CertificateFact, facts: CertificatesFacts, now: Date): CheckNode {
  const cause = causeOf(cert, facts, now);
  if (cause) {
    const { code, text, hint } = describeCause(cause, cert, now);
    return { ...base, status: 'fail', code, message: `not Ready: ${text}`, ...hint };
  }
  const ready = cert.ready;
  const message = ready ? `not Ready (${conditionText(ready)})` : 'not Ready: no Ready condition yet';
  return {
    ...base,
    status: 'fail',
    code: 'CERT_NOT_READY',
    message,
    ...hints.certNotReady({ ns: cert.namespace, name: cert.name }),
  };
}

interface LeafBase {
  id: string;
  title: string;
  subject: string;
  dependsOn?: string[];
  covers?: string[];
}

/** Hosts of Ingress TLS entries that use `secretName` in `namespace`. */
function hostsUsing(facts: CertificatesFacts, namespace: string, secretName: string): IngressTlsUse[] {
  return itemsOf(facts.ingressTls).filter((u) => u.namespace === namespace && u.secretName === secretName);
}

function storedSecret(facts: CertificatesFacts, namespace: string, name: string): StoredSecret | undefined {
  return itemsOf(facts.secrets).find((s) => s.namespace === namespace && s.name === name);
}

function expiryText(notAfter: string, now: Date): string {
  const days = daysUntil(notAfter, now);
  return `expires in ${days} day${days === 1 ? '' : 's'} (${day(notAfter)})`;
}

/**
 * A renewal that keeps failing while the certificate is still Ready and served fails the leaf once fewer
 * than this many days are left: time enough to fix the cause, too little to wait for the next retry
 * (cert-manager backs off up to 32 h between attempts).
 */
export const RENEWAL_FAILING_FAIL_DAYS = 7;

/** Why a Ready certificate's renewal is failing or stuck, with how often it failed; null when it is not. */
function renewalTrouble(
  cert: CertificateFact,
  facts: CertificatesFacts,
  now: Date,
): { finding: CauseFinding; tally: string } | null {
  const attempts = cert.failedIssuanceAttempts ?? 0;
  const hasFailed = attempts > 0 || (cert.issuing?.status === 'False' && cert.issuing.reason !== 'Issued');
  const cause = causeOf(cert, facts, now);
  // An issuance under way is trouble only when an object of it names a known failure; a pending message
  // alone (`Waiting on certificate issuance from order …`) is just progress.
  if (!hasFailed && (cause === null || cause.kind === 'other')) return null;
  const finding = cause
    ? describeCause(cause, cert, now)
    : {
        code: 'CERT_NOT_READY' as const,
        text: conditionText(cert.issuing),
        hint: hints.certNotReady({ ns: cert.namespace, name: cert.name }),
      };
  const last = cert.lastFailureTime ? `, last ${formatAgo(now, cert.lastFailureTime)}` : '';
  const tally = hasFailed
    ? `renewal keeps failing (${attempts} failed attempt${attempts === 1 ? '' : 's'}${last})`
    : 'renewal is stuck';
  return { finding, tally };
}

/** `12m ago`, `3h ago`, `2d ago`. */
function formatAgo(now: Date, iso: string): string {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 60_000));
  if (minutes < 120) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h ago` : `${Math.round(hours / 24)}d ago`;
}

function readyLeaf(base: LeafBase, cert: CertificateFact, facts: CertificatesFacts, now: Date): CheckNode {
  const p = { ns: cert.namespace, name: cert.name };
  const uses = [
    ...hostsUsing(facts, cert.namespace, cert.secretName).map((u) => ({
      ...u,
      user: `Ingress ${u.ingress}`,
    })),
    ...itemsOf(facts.listenerTls)
      .filter((u) => u.namespace === cert.namespace && u.secretName === cert.secretName)
      .map((u) => ({ ...u, user: u.listener })),
  ];
  const hosts = [...new Set(uses.flatMap((u) => u.hosts))].sort();
  const uncovered = hosts.filter((h) => !namesCover(cert.dnsNames, h));
  if (uncovered.length > 0) {
    return {
      ...base,
      status: 'fail',
      code: 'CERT_NAMES_MISSING',
      message: `dnsNames do not cover ${uncovered.join(', ')} (used by ${uses.map((u) => u.user).join(', ')})`,
      ...hints.certNamesMissing({ ...p, missing: uncovered }),
    };
  }
  const stale = (message: string): CheckNode => ({
    ...base,
    status: 'fail',
    code: 'CERT_SECRET_STALE',
    message: `status says Ready but ${message}`,
    ...hints.storedCertStale({ ...p, secret: cert.secretName }),
  });
  const secret =
    facts.secrets.kind === 'items' ? storedSecret(facts, cert.namespace, cert.secretName) : undefined;
  if (facts.secrets.kind === 'items' && !secret)
    return stale(`Secret ${cert.namespace}/${cert.secretName} does not exist`);
  const stored = secret?.cert;
  if (stored && 'error' in stored) return stale(stored.error);
  if (stored) {
    if (Date.parse(stored.notAfter) <= now.getTime()) {
      return stale(`the stored certificate expired on ${day(stored.notAfter)}`);
    }
    const notCovered = hosts.filter((h) => !certCovers(stored, h));
    if (notCovered.length > 0) return stale(`the stored certificate does not cover ${notCovered.join(', ')}`);
  }
  const notAfter = cert.notAfter ?? (stored ? stored.notAfter : null);
  const by = stored?.issuer ? `, issued by ${stored.issuer}` : '';
  const renewal = cert.chain ? renewalTrouble(cert, facts, now) : null;
  if (!notAfter) return { ...base, status: 'pass', message: `Ready${by}` };
  if (Date.parse(notAfter) <= now.getTime()) {
    const why = renewal ? `; ${renewal.tally}: ${renewal.finding.text}` : '';
    return {
      ...base,
      status: 'fail',
      code: 'CERT_EXPIRED',
      message: `expired on ${day(notAfter)}${why}`,
      ...(renewal?.finding.hint ?? hints.certRenewal(p)),
    };
  }
  if (renewal) {
    return {
      ...base,
      status: daysUntil(notAfter, now) < RENEWAL_FAILING_FAIL_DAYS ? 'fail' : 'warn',
      code: 'CERT_RENEWAL_FAILING',
      message: `Ready, but ${renewal.tally}: ${renewal.finding.text}; ${expiryText(notAfter, now)}`,
      ...renewal.finding.hint,
    };
  }
  if (daysUntil(notAfter, now) < EXPIRY_WARN_DAYS) {
    return {
      ...base,
      status: 'warn',
      code: 'CERT_EXPIRING',
      message: expiryText(notAfter, now),
      ...hints.certRenewal(p),
    };
  }
  if (cert.renewalTime && Date.parse(cert.renewalTime) < now.getTime()) {
    return {
      ...base,
      status: 'warn',
      code: 'CERT_RENEWAL_OVERDUE',
      message: `renewal overdue since ${day(cert.renewalTime)}, ${expiryText(notAfter, now)}`,
      ...hints.certRenewal(p),
    };
  }
  return { ...base, status: 'pass', message: `Ready, ${expiryText(notAfter, now)}${by}` };
}

/** The objects of a Certificate's issuance under way: its CertificateRequest, Order and Challenges. */
function chainSubjects(cert: CertificateFact): string[] {
  const ns = cert.namespace;
  const chain = cert.chain;
  return [
    ...(chain?.request ? [`CertificateRequest ${ns}/${chain.request.name}`] : []),
    ...(chain?.order ? [`Order ${ns}/${chain.order.name}`] : []),
    ...(chain?.challenges ?? []).map((c) => `Challenge ${ns}/${c.name}`),
  ];
}

/** What a Certificate's failure accounts for: the Secret it writes and the objects its issuance made. */
function coveredBy(cert: CertificateFact): string[] {
  return [`Secret ${cert.namespace}/${cert.secretName}`, ...chainSubjects(cert)];
}

/** A troubled Certificate leaf with the Warning events of its issuance that its statuses do not repeat. */
function withEvents(leaf: CheckNode, cert: CertificateFact, facts: CertificatesFacts): CheckNode {
  if ((leaf.status !== 'fail' && leaf.status !== 'warn') || !cert.chain) return leaf;
  const own = leaf.subject ?? '';
  const { request, order, challenges } = cert.chain;
  const known = [
    leaf.message ?? '',
    cert.ready?.message ?? null,
    cert.issuing?.message ?? null,
    request?.ready?.message ?? null,
    order?.reason ?? null,
    ...challenges.map((c) => c.reason),
  ];
  const events = eventsText([own, ...chainSubjects(cert)], facts.warnings, known, own);
  return events ? { ...leaf, message: `${leaf.message ?? ''}${events}` } : leaf;
}

function certificateLeaf(id: string, cert: CertificateFact, facts: CertificatesFacts, now: Date): CheckNode {
  const key = `${cert.namespace}/${cert.name}`;
  const base = {
    id: `${id}:${key}`,
    title: `Certificate ${key}`,
    subject: `Certificate ${key}`,
    dependsOn: [issuerLabel(cert)],
    covers: coveredBy(cert),
  };
  if (cert.ready?.status === 'True') return withEvents(readyLeaf(base, cert, facts, now), cert, facts);
  if (cert.chain && facts.chainFailure && !causeOf(cert, facts, now))
    return listFailureLeaf(id, facts.chainFailure, base);
  return withEvents(notReadyLeaf(base, cert, facts, now), cert, facts);
}

/** A TLS Secret an Ingress uses that no Certificate manages: judged by its stored certificate. */
function unmanagedSecretLeaf(
  namespace: string,
  secretName: string,
  facts: CertificatesFacts,
  now: Date,
): CheckNode {
  const key = `${namespace}/${secretName}`;
  const base = {
    id: `${ID}:secret/${key}`,
    title: `Secret ${key}`,
    subject: `Secret ${key}`,
    // The certificate's view of the Secret speaks for it in every step (the Ingress's TLS check too).
    covers: [`Secret ${key}`],
  };
  if (facts.secrets.kind === 'failed') return listFailureLeaf(ID, facts.secrets.failures[0], base);
  if (facts.secrets.kind === 'not-read') return secretsNotRead(base);
  const problem = hints.manualSecretCert({ ns: namespace, secret: secretName });
  const secret = storedSecret(facts, namespace, secretName);
  if (!secret) {
    const users = hostsUsing(facts, namespace, secretName);
    // What the other Ingresses in scope ask cert-manager for: the annotation this one probably lacks.
    const siblings = itemsOf(facts.ingressTls).filter(
      (u) => u.issuer !== null && !users.some((w) => w.ingress === u.ingress),
    );
    const sibling = siblings.find((u) => u.namespace === namespace) ?? siblings[0];
    return {
      ...base,
      status: 'fail',
      code: 'MANUAL_CERT_MISSING',
      message: `does not exist and no Certificate issues it (TLS Secret of Ingress ${users.map((u) => u.ingress).join(', ')})`,
      ...hints.manualSecretMissing({
        ns: namespace,
        secret: secretName,
        ingress: users[0]?.ingress ?? '',
        ownIssuer: users.find((u) => u.issuer !== null)?.issuer ?? null,
        sibling: sibling?.issuer ? { ingress: sibling.ingress, issuer: sibling.issuer } : null,
      }),
    };
  }
  const stored = secret.cert;
  if (!stored) {
    return {
      ...base,
      status: 'skip',
      code: 'MANUAL_CERT_UNREADABLE',
      message: `no tls.crt to read (type ${secret.type})`,
      ...problem,
    };
  }
  if ('error' in stored)
    return { ...base, status: 'fail', code: 'MANUAL_CERT_UNREADABLE', message: stored.error, ...problem };
  if (Date.parse(stored.notAfter) <= now.getTime()) {
    return {
      ...base,
      status: 'fail',
      code: 'MANUAL_CERT_EXPIRED',
      message: `certificate expired on ${day(stored.notAfter)}`,
      ...problem,
    };
  }
  const hosts = [...new Set(hostsUsing(facts, namespace, secretName).flatMap((u) => u.hosts))].sort();
  const uncovered = hosts.filter((h) => !certCovers(stored, h));
  if (uncovered.length > 0) {
    return {
      ...base,
      status: 'fail',
      code: 'MANUAL_CERT_WRONG_NAME',
      message: `certificate does not cover ${uncovered.join(', ')}`,
      ...problem,
    };
  }
  const by = stored.issuer ? `, issued by ${stored.issuer}` : '';
  if (daysUntil(stored.notAfter, now) < EXPIRY_WARN_DAYS) {
    return {
      ...base,
      status: 'warn',
      code: 'MANUAL_CERT_EXPIRING',
      message: `certificate ${expiryText(stored.notAfter, now)}${by}`,
      ...problem,
    };
  }
  return {
    ...base,
    status: 'pass',
    message: `not managed by cert-manager; certificate ${expiryText(stored.notAfter, now)}${by}`,
  };
}

function issuerLeaf(id: string, issuer: IssuerFact, warnings: Warnings): CheckNode {
  const key = issuer.namespace ? `${issuer.namespace}/${issuer.name}` : issuer.name;
  const label = `${issuer.kind} ${key}`;
  const base = { id: `${id}:${issuer.kind.toLowerCase()}/${key}`, title: label, subject: label };
  if (issuer.ready?.status === 'True') {
    return {
      ...base,
      status: 'pass',
      message: `Ready${issuer.ready.reason ? ` (${issuer.ready.reason})` : ''}`,
    };
  }
  const leaf: CheckNode = {
    ...base,
    status: 'fail',
    code: 'ISSUER_NOT_READY',
    message: `not Ready (${conditionText(issuer.ready)})`,
    ...hints.issuerNotReady({ kind: issuer.kind, ns: issuer.namespace, name: issuer.name }),
  };
  return withOwnEvents(leaf, warnings);
}

/**
 * A host the Ingresses route that no TLS entry of any of them names: HTTPS for it gets the controller's fake
 * certificate and HTTP is not redirected, whatever Certificates exist.
 */
function hostsWithoutTls(facts: CertificatesFacts, certs: readonly CertificateFact[]): CheckNode[] {
  const ingresses = itemsOf(facts.ingressHosts);
  const tlsHosts = ingresses.flatMap((i) => i.tlsHosts);
  const hosts = [...new Set(ingresses.flatMap((i) => i.ruleHosts))].sort();
  return hosts
    .filter((host) => !tlsHosts.some((pattern) => hostMatches(pattern, host)))
    .map((host): CheckNode => {
      const routing = ingresses.filter((i) => i.ruleHosts.includes(host));
      const cert = certs.find((c) => namesCover(c.dnsNames, host));
      const certText = cert
        ? `; Certificate ${cert.namespace}/${cert.name} covers it, but no Ingress serves its Secret for the host`
        : ' and no Certificate covers it';
      const first = routing[0]!;
      return {
        id: `${ID}:tls/${host}`,
        title: host,
        subject: `TLS for host ${host}`,
        status: 'fail',
        code: 'HOST_NOT_IN_TLS',
        message: `routed by Ingress ${routing.map((i) => i.ingress).join(', ')} but in no tls entry${certText}`,
        ...hints.hostNotInTls({ host, ingress: first.ingress, secret: cert?.secretName ?? null }),
      };
    });
}

/** Issuers the Certificates in scope reference, each once, sorted; missing ones are the Certificate's failure. */
function referencedIssuers(certs: readonly CertificateFact[], facts: CertificatesFacts): IssuerFact[] {
  const found = new Map<string, IssuerFact>();
  for (const cert of certs) {
    const issuer = issuerOf(cert, facts);
    if (typeof issuer === 'object')
      found.set(`${issuer.kind}/${issuer.namespace ?? ''}/${issuer.name}`, issuer);
  }
  return [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, i]) => i);
}

/**
 * One leaf per Certificate that `judges` picks and per issuer they reference, with `id`'s leaf ids; the leaves
 * both certificate steps share.
 */
export function certificateLeaves(
  id: string,
  facts: CertificatesFacts,
  judges: (cert: CertificateFact) => boolean,
  now: Date,
): CheckNode[] {
  const children: CheckNode[] = [];
  if (facts.certificates.kind === 'failed') {
    children.push(listFailureLeaf(id, facts.certificates.failures[0]));
  } else if (facts.certificates.kind === 'not-served') {
    children.push({
      id: `${id}:cert-manager`,
      title: 'cert-manager',
      subject: 'cert-manager',
      status: 'skip',
      code: 'CERT_MANAGER_NOT_INSTALLED',
      message: `cert-manager is not installed: ${facts.certificates.resource} is not served`,
      ...hints.certManagerMissing(),
    });
  }
  const certs = itemsOf(facts.certificates)
    .filter(judges)
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  children.push(...certs.map((c) => certificateLeaf(id, c, facts, now)));
  for (const listing of [facts.clusterIssuers, facts.issuers]) {
    if (listing.kind === 'failed' && certs.length > 0) {
      children.push(listFailureLeaf(id, listing.failures[0]));
    }
  }
  children.push(...referencedIssuers(certs, facts).map((i) => issuerLeaf(id, i, facts.warnings)));
  return children;
}

/**
 * Pure: the Certificates gateway-shim did not make for a Gateway, their issuers, Ingress hosts without TLS,
 * and each Ingress TLS Secret no Certificate manages.
 */
export function evaluateCertificates(facts: CertificatesFacts, { now }: { now: Date }): CheckNode {
  const children = certificateLeaves(ID, facts, (c) => c.gateway === null, now);
  if (facts.ingressTls.kind === 'failed') {
    children.push(listFailureLeaf(ID, facts.ingressTls.failures[0]));
  }
  const certs = itemsOf(facts.certificates);
  children.push(...hostsWithoutTls(facts, certs));
  const managed = new Set(certs.map((c) => `${c.namespace}/${c.secretName}`));
  const unmanaged = [...new Set(itemsOf(facts.ingressTls).map((u) => `${u.namespace}/${u.secretName}`))]
    .filter((key) => !managed.has(key))
    .sort();
  children.push(
    ...unmanaged.map((key) => {
      const [ns = '', name = ''] = key.split('/');
      return unmanagedSecretLeaf(ns, name, facts, now);
    }),
  );
  return group(ID, TITLE, children, 'no Certificates or TLS Secrets in scope');
}

/** `ingress.certificates`: `kubectl get certificates -A` and `cmctl status certificate`, automated. */
export const certificatesStep = defineStep({
  id: ID,
  title: TITLE,
  gather: gatherCertificates,
  evaluate: evaluateCertificates,
});
