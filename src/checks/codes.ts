/**
 * Finding codes: one stable name per kind of finding, carried by every non-pass leaf (`code` in the JSON
 * report, the JUnit failure type, a Prometheus label, `[CODE]` in the tree) and used to mute known issues
 * in platform.yaml. They are a public contract like step ids: SCREAMING_SNAKE, added freely, never renamed
 * or removed. docs/findings.md explains each one (meaning, likely causes, fix, upstream links); a test keeps
 * that page and this list equal.
 */

/** One kind of finding: the steps that report it (`any`: every step can) and one line on what it means. */
export interface Finding {
  steps: readonly string[] | 'any';
  summary: string;
}

const ANY = 'any';
const RESOURCES = ['ingress.resources'];
const CERTIFICATES = ['ingress.certificates', 'gateway.certificates'];
const INGRESS_CERTIFICATES = ['ingress.certificates'];
const LOGS = ['ingress.cert-manager-logs', 'secrets.eso-logs'];
const DNS = ['ingress.dns', 'gateway.dns'];
const HTTPS = ['ingress.https', 'gateway.https'];
const STORES = ['secrets.stores'];
const EXTERNAL_SECRETS = ['secrets.externalsecrets'];
const TARGETS = ['secrets.target-secrets'];
const OPENBAO = ['secrets.openbao'];
const APPS = ['gitops.applications'];
const GATEWAYS = ['gateway.gateways'];
const ROUTES = ['gateway.routes'];

/** Every finding code, grouped by where it comes from; docs/findings.md follows this order. */
export const FINDINGS = {
  // ---------------------------------------------------------------- could not check (any step)
  CHECK_FORBIDDEN: { steps: ANY, summary: 'the doctor may not read something it needs (403)' },
  CHECK_UNAUTHORIZED: { steps: ANY, summary: "the doctor's credentials were rejected (401)" },
  CHECK_UNREACHABLE: { steps: ANY, summary: 'the doctor could not reach a system it asks' },
  CHECK_TIMEOUT: { steps: ANY, summary: 'a system did not answer the doctor in time' },
  CHECK_TLS: { steps: ANY, summary: "the doctor does not trust a system's TLS certificate" },
  CHECK_PROTOCOL: { steps: ANY, summary: 'a system gave an answer the doctor could not read' },
  CHECK_NOT_RECORDED: { steps: ANY, summary: 'a replayed snapshot holds no answer to a question' },
  CHECK_DEADLINE: { steps: ANY, summary: 'a step did not finish within its deadline' },
  CHECK_CRASHED: { steps: ANY, summary: 'a step crashed: a bug in platform doctor' },
  CHECK_STOPPED: { steps: ANY, summary: 'the run was stopped before the step finished' },
  CLUSTER_UNREACHABLE: { steps: ANY, summary: 'the API server did not answer: nothing was checked' },
  SECRETS_NOT_READ: { steps: ANY, summary: 'not checked: --no-read-secrets keeps the doctor from Secrets' },
  NOTHING_IN_SCOPE: { steps: ANY, summary: 'the step found nothing of its kind in scope' },
  MUTE_EXPIRED: { steps: ANY, summary: 'a mute in platform.yaml is past its until date' },

  // ---------------------------------------------------------------- ingress.resources
  INGRESS_CONTROLLER_NOT_FOUND: {
    steps: RESOURCES,
    summary: "the ingress controller's Service was not found",
  },
  INGRESS_LB_PENDING: { steps: RESOURCES, summary: "the controller's LoadBalancer has no external address" },
  INGRESS_LB_PORT_ERROR: { steps: RESOURCES, summary: 'the load balancer reports an error on a port' },
  INGRESS_CLASS_MISSING: {
    steps: RESOURCES,
    summary: 'an Ingress names an IngressClass that does not exist',
  },
  INGRESS_CLASS_UNSERVED: { steps: RESOURCES, summary: 'no running ingress controller serves the class' },
  INGRESS_ADDRESS_NOT_PUBLISHED: { steps: RESOURCES, summary: 'an Ingress has no load balancer address' },
  BACKEND_SERVICE_MISSING: {
    steps: [...RESOURCES, ...ROUTES],
    summary: 'an Ingress or HTTPRoute routes to a Service that does not exist',
  },
  BACKEND_PORT_MISMATCH: {
    steps: [...RESOURCES, ...ROUTES],
    summary: 'a route sends requests to a port its Service lacks',
  },
  BACKEND_NO_READY_ENDPOINTS: {
    steps: [...RESOURCES, ...ROUTES],
    summary: 'no ready pod behind a routed Service',
  },
  TLS_SECRET_MISSING: {
    steps: [...RESOURCES, ...GATEWAYS],
    summary: 'the TLS Secret an Ingress or a Gateway listener names does not exist',
  },
  TLS_SECRET_INVALID: {
    steps: [...RESOURCES, ...GATEWAYS],
    summary: 'the TLS Secret has the wrong type or lacks keys',
  },
  INGRESS_ISSUER_MISSING: {
    steps: RESOURCES,
    summary: "an Ingress's cert-manager annotation names no issuer",
  },
  CERT_MANAGER_NOT_INSTALLED: {
    steps: [...RESOURCES, ...CERTIFICATES],
    summary: "cert-manager's CRDs are not served",
  },
  HOST_NOT_SERVED: { steps: RESOURCES, summary: 'a host the profile expects is in no Ingress' },

  // ---------------------------------------------------------------- ingress.certificates, gateway.certificates
  CERT_RATE_LIMITED: { steps: CERTIFICATES, summary: "Let's Encrypt rate-limits the certificate's orders" },
  CERT_HTTP01_FAILING: { steps: CERTIFICATES, summary: 'the HTTP-01 challenge does not reach the solver' },
  CERT_DNS01_FAILING: { steps: CERTIFICATES, summary: 'the DNS-01 challenge record is not visible' },
  CERT_ISSUER_MISSING: { steps: CERTIFICATES, summary: "a Certificate's issuer does not exist" },
  CERT_ISSUER_NOT_READY: { steps: CERTIFICATES, summary: "a Certificate's issuer is not Ready" },
  CERT_REQUEST_DENIED: { steps: CERTIFICATES, summary: 'an approver denied the CertificateRequest' },
  CERT_REQUEST_UNAPPROVED: { steps: CERTIFICATES, summary: 'the CertificateRequest waits for approval' },
  CERT_NOT_READY: { steps: CERTIFICATES, summary: 'a Certificate is not Ready for another reason' },
  CERT_NAMES_MISSING: {
    steps: CERTIFICATES,
    summary: "a Certificate's dnsNames miss a host its Secret serves",
  },
  CERT_SECRET_STALE: { steps: CERTIFICATES, summary: 'a Certificate says Ready but its Secret disagrees' },
  CERT_EXPIRED: { steps: CERTIFICATES, summary: 'a cert-manager certificate has expired' },
  CERT_EXPIRING: { steps: CERTIFICATES, summary: 'a cert-manager certificate expires within 14 days' },
  CERT_RENEWAL_OVERDUE: { steps: CERTIFICATES, summary: 'renewal time passed and no renewal happened' },
  CERT_RENEWAL_FAILING: { steps: CERTIFICATES, summary: 'a Ready certificate whose renewal keeps failing' },
  ISSUER_NOT_READY: { steps: CERTIFICATES, summary: 'an Issuer or ClusterIssuer is not Ready' },
  HOST_NOT_IN_TLS: {
    steps: INGRESS_CERTIFICATES,
    summary: 'an Ingress host is in no TLS entry and no Certificate',
  },
  MANUAL_CERT_MISSING: {
    steps: INGRESS_CERTIFICATES,
    summary: 'a TLS Secret no Certificate issues does not exist',
  },
  MANUAL_CERT_UNREADABLE: {
    steps: INGRESS_CERTIFICATES,
    summary: 'a hand-made TLS Secret holds no usable certificate',
  },
  MANUAL_CERT_WRONG_NAME: {
    steps: INGRESS_CERTIFICATES,
    summary: 'a hand-made certificate does not cover a host',
  },
  MANUAL_CERT_EXPIRED: { steps: INGRESS_CERTIFICATES, summary: 'a hand-made certificate has expired' },
  MANUAL_CERT_EXPIRING: {
    steps: INGRESS_CERTIFICATES,
    summary: 'a hand-made certificate expires within 14 days',
  },

  // ---------------------------------------------------------------- controller logs (both log steps)
  CONTROLLER_PODS_MISSING: { steps: LOGS, summary: 'no controller pod matches the selectors' },
  CONTROLLER_CRASHLOOP: { steps: LOGS, summary: 'a controller container keeps crashing' },
  CONTROLLER_NOT_READY: { steps: LOGS, summary: 'a controller pod is not running or not ready' },
  CONTROLLER_RESTARTED: { steps: LOGS, summary: 'a controller pod restarted recently' },
  CONTROLLER_LOG_ERRORS: { steps: LOGS, summary: 'a controller logs errors about an object' },
  CONTROLLER_LOG_WARNINGS: { steps: LOGS, summary: 'a controller logs warnings about an object in scope' },

  // ---------------------------------------------------------------- ingress.dns
  DNS_NXDOMAIN: { steps: DNS, summary: 'a host does not resolve' },
  DNS_DANGLING_CNAME: { steps: DNS, summary: "a host's CNAME points at a name that does not resolve" },
  DNS_NO_ADDRESS: { steps: DNS, summary: 'a host exists but has no A or AAAA record' },
  DNS_WRONG_TARGET: { steps: DNS, summary: 'a host resolves to addresses other than the load balancer' },
  DNS_STALE_RECORD: { steps: DNS, summary: 'a host resolves to the load balancer and to old addresses' },
  DNS_RESOLVERS_DISAGREE: { steps: DNS, summary: 'resolvers give different answers for a host' },
  DNS_UNANSWERED: { steps: DNS, summary: 'no resolver answered for a host' },
  SKIPPED_NO_LB_ADDRESS: {
    steps: [...DNS, ...HTTPS],
    summary: 'not checked: the load balancer has no address yet',
  },

  // ---------------------------------------------------------------- ingress.https
  HTTPS_HANDSHAKE_FAILED: { steps: HTTPS, summary: 'the TLS handshake at the load balancer fails' },
  HTTPS_CERT_UNREADABLE: { steps: HTTPS, summary: 'the served certificate cannot be read' },
  HTTPS_DEFAULT_CERT: { steps: HTTPS, summary: 'the controller serves its default fake certificate' },
  HTTPS_CERT_EXPIRED: { steps: HTTPS, summary: 'the served certificate has expired' },
  HTTPS_CERT_WRONG_NAME: { steps: HTTPS, summary: 'the served certificate is for another name' },
  HTTPS_CERT_UNTRUSTED: { steps: HTTPS, summary: 'the served certificate does not verify' },
  HTTPS_CERT_EXPIRING: { steps: HTTPS, summary: 'the served certificate expires within 14 days' },
  HTTP_NO_REDIRECT: { steps: HTTPS, summary: 'plain HTTP does not redirect to HTTPS' },
  PATH_NOT_PROBED: { steps: HTTPS, summary: 'a path was not probed (pattern, or TLS failed)' },
  PATH_SERVER_ERROR: { steps: HTTPS, summary: 'a routed path answers 5xx or not at all' },
  PATH_DEFAULT_BACKEND: { steps: HTTPS, summary: "a routed path answers the controller's 404" },

  // ---------------------------------------------------------------- secrets.stores
  ESO_NOT_INSTALLED: {
    steps: [...STORES, ...EXTERNAL_SECRETS, ...TARGETS],
    summary: "External Secrets Operator's CRDs are not served",
  },
  STORE_NOT_READY: { steps: STORES, summary: 'a SecretStore or ClusterSecretStore is not Ready' },
  STORE_UNRECONCILED: { steps: STORES, summary: 'ESO has not reconciled a store yet' },
  TOKEN_SECRET_MISSING: { steps: STORES, summary: "a store's token Secret does not exist" },
  TOKEN_SECRET_KEY_MISSING: { steps: STORES, summary: "a store's token Secret lacks the key it names" },
  TOKEN_SECRET_NO_NAMESPACE: {
    steps: STORES,
    summary: "a ClusterSecretStore's tokenSecretRef has no namespace",
  },

  // ---------------------------------------------------------------- secrets.externalsecrets
  EXTERNAL_SECRET_SYNC_FAILED: { steps: EXTERNAL_SECRETS, summary: 'an ExternalSecret fails to sync' },
  EXTERNAL_SECRET_STORE_MISSING: {
    steps: EXTERNAL_SECRETS,
    summary: "an ExternalSecret's store does not exist",
  },
  EXTERNAL_SECRET_STORE_NOT_READY: {
    steps: EXTERNAL_SECRETS,
    summary: "an ExternalSecret's store is not Ready",
  },
  EXTERNAL_SECRET_STALE: { steps: EXTERNAL_SECRETS, summary: 'an ExternalSecret stopped refreshing' },
  EXTERNAL_SECRET_UNRECONCILED: {
    steps: EXTERNAL_SECRETS,
    summary: 'ESO has not reconciled an ExternalSecret',
  },

  // ---------------------------------------------------------------- secrets.target-secrets
  TARGET_SECRET_MISSING: { steps: TARGETS, summary: 'the Secret an ExternalSecret writes does not exist' },
  TARGET_SECRET_KEYS_MISSING: {
    steps: TARGETS,
    summary: 'the target Secret lacks keys its ExternalSecret maps',
  },
  TARGET_SECRET_NOT_OWNED: {
    steps: TARGETS,
    summary: 'the target Secret is not owned by its ExternalSecret',
  },
  POD_SECRET_MISSING: { steps: TARGETS, summary: 'a pod references a Secret or key that does not exist' },

  // ---------------------------------------------------------------- secrets.openbao
  OPENBAO_NOT_USED: { steps: OPENBAO, summary: 'no store uses OpenBao and no address was given' },
  STORE_SERVER_UNUSABLE: { steps: OPENBAO, summary: "a store's OpenBao server is not set or not a URL" },
  OPENBAO_UNREACHABLE: { steps: OPENBAO, summary: 'OpenBao does not answer' },
  OPENBAO_UNINITIALIZED: { steps: OPENBAO, summary: 'OpenBao is not initialized' },
  OPENBAO_SEALED: { steps: OPENBAO, summary: 'OpenBao is sealed' },
  OPENBAO_TOKEN_NOT_CHECKED: { steps: OPENBAO, summary: "a store's token could not be checked" },
  OPENBAO_TOKEN_REVOKED: { steps: OPENBAO, summary: "OpenBao rejects a store's token" },
  OPENBAO_TOKEN_EXPIRED: { steps: OPENBAO, summary: "a store's token has expired" },
  OPENBAO_TOKEN_EXPIRING: { steps: OPENBAO, summary: "a store's token expires within 7 days" },
  OPENBAO_POLICY_DENIES: { steps: OPENBAO, summary: "a store's token may not read a mapped path" },
  OPENBAO_PATH_MISSING: { steps: OPENBAO, summary: 'a mapped KV path does not exist' },
  OPENBAO_PATH_DELETED: { steps: OPENBAO, summary: "a mapped KV path's latest version is deleted" },
  OPENBAO_KEYS_MISSING: { steps: OPENBAO, summary: 'a mapped KV secret lacks keys ExternalSecrets need' },
  OPENBAO_KV_VERSION_MISMATCH: { steps: OPENBAO, summary: 'a store says KV v1 for a KV v2 mount' },
  OPENBAO_PATH_NOT_CHECKED: { steps: OPENBAO, summary: 'a mapped KV path could not be checked' },

  // ---------------------------------------------------------------- gateway.gateways, gateway.routes
  GATEWAY_API_NOT_INSTALLED: {
    steps: [...GATEWAYS, ...ROUTES, 'gateway.certificates', 'gateway.dns', 'gateway.https'],
    summary: "the Gateway API's CRDs are not served: nothing to check",
  },
  GATEWAY_REF_NOT_READ: {
    steps: [...GATEWAYS, ...ROUTES],
    summary: "a reference to a kind the doctor does not read (an implementation's own CRD)",
  },
  GATEWAY_CLASS_MISSING: { steps: GATEWAYS, summary: 'a Gateway names a GatewayClass that does not exist' },
  GATEWAY_CLASS_NOT_ACCEPTED: { steps: GATEWAYS, summary: "no controller has accepted the Gateway's class" },
  GATEWAY_NOT_ACCEPTED: { steps: GATEWAYS, summary: 'the controller does not accept the Gateway' },
  GATEWAY_NOT_PROGRAMMED: { steps: GATEWAYS, summary: 'the controller could not program the Gateway' },
  GATEWAY_NOT_RECONCILED: { steps: GATEWAYS, summary: 'no controller has reported on the Gateway yet' },
  GATEWAY_NO_ADDRESS: { steps: GATEWAYS, summary: 'a programmed Gateway has no address' },
  GATEWAY_LISTENER_INVALID: {
    steps: GATEWAYS,
    summary: 'a listener is not accepted, resolved or programmed, or conflicts with another',
  },
  GATEWAY_LISTENER_NO_CERTIFICATE: {
    steps: GATEWAYS,
    summary: 'a listener terminates TLS without certificateRefs',
  },
  GATEWAY_REF_NOT_PERMITTED: {
    steps: [...GATEWAYS, ...ROUTES],
    summary: 'a cross-namespace reference that no ReferenceGrant allows',
  },
  ROUTE_NO_PARENTS: { steps: ROUTES, summary: 'an HTTPRoute names no parent Gateway' },
  ROUTE_PARENT_MISSING: { steps: ROUTES, summary: "an HTTPRoute's parent Gateway does not exist" },
  ROUTE_NO_MATCHING_LISTENER: {
    steps: ROUTES,
    summary: "no listener of the parent Gateway admits the route's hostnames, section or namespace",
  },
  ROUTE_NOT_ACCEPTED: { steps: ROUTES, summary: 'the parent Gateway does not accept the HTTPRoute' },
  ROUTE_REFS_UNRESOLVED: { steps: ROUTES, summary: "the parent cannot resolve the route's backends" },
  ROUTE_NOT_REPORTED: { steps: ROUTES, summary: 'no controller has reported on a parent of the route' },

  // ---------------------------------------------------------------- gitops.applications
  ARGOCD_NOT_INSTALLED: { steps: APPS, summary: "Argo CD's CRDs are not served" },
  APP_SPEC_INVALID: { steps: APPS, summary: 'Argo CD rejects an Application spec' },
  APP_COMPARISON_FAILED: { steps: APPS, summary: 'Argo CD cannot render or compare an Application' },
  APP_SYNC_FAILED: { steps: APPS, summary: "an Application's last sync failed" },
  APP_SYNC_RETRIES_EXHAUSTED: { steps: APPS, summary: 'automated sync used up its retries and gave up' },
  APP_DEGRADED: { steps: APPS, summary: 'an Application is Degraded or Missing' },
  APP_PROGRESSING: { steps: APPS, summary: 'an Application is Progressing, Suspended or Unknown' },
  APP_STUCK_PROGRESSING: { steps: APPS, summary: 'an Application has been Progressing too long' },
  APP_OUT_OF_SYNC: { steps: APPS, summary: 'an Application differs from Git' },
  APP_WARNING_CONDITION: { steps: APPS, summary: 'an Application carries a warning condition' },
  APP_SYNC_WAVE_ORDER: {
    steps: APPS,
    summary: 'an app that needs Secrets syncs in a wave no later than the secrets app',
  },
} as const satisfies Record<string, Finding>;

/** A finding code, e.g. `CERT_RENEWAL_FAILING`. */
export type FindingCode = keyof typeof FINDINGS;

/** Every code, in FINDINGS order (the order of docs/findings.md). */
export const FINDING_CODES = Object.keys(FINDINGS) as FindingCode[];

/** How codes are spelled; the JSON schema and the config schema check the same. */
export const CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** Whether `text` is a known finding code. */
export function isFindingCode(text: string): text is FindingCode {
  return Object.hasOwn(FINDINGS, text);
}
