import { cmctl, kubectl, sh, type Command, type Hint } from '../command.js';
/**
 * The ingress runbook's hint catalogue: typed functions, each returning one imperative sentence and
 * read-only commands with the real names filled in, as data (the engine adds the target's flags).
 */

// ---------------------------------------------------------------- ingress.resources

export function ingressClassMissing(p: { ns: string; ingress: string; className: string | null }): Hint {
  return {
    hint: p.className
      ? `Create IngressClass ${p.className} or point Ingress ${p.ns}/${p.ingress} at an existing class.`
      : `Set spec.ingressClassName on Ingress ${p.ns}/${p.ingress}, or mark one IngressClass as the cluster default.`,
    commands: [kubectl`get ingressclasses`, kubectl`get ingress -n ${p.ns} ${p.ingress} -o yaml`],
  };
}

export function ingressClassUnserved(p: {
  ns: string;
  ingress: string;
  className: string;
  controller: string;
  servedClasses: string[];
}): Hint {
  const instead = p.servedClasses.length
    ? `class ${p.servedClasses.join(' or ')}`
    : 'a class a running controller serves';
  return {
    hint: `Point Ingress ${p.ns}/${p.ingress} at ${instead} (spec.ingressClassName), or deploy the controller for ${p.controller}; until then no controller routes it or loads its TLS.`,
    commands: [kubectl`get ingressclasses`, kubectl`get ingress -n ${p.ns} ${p.ingress} -o yaml`],
  };
}

export function addressNotPublished(p: {
  ns: string;
  ingress: string;
  controller: { namespace: string; name: string } | null;
}): Hint {
  const controllerCmd = p.controller
    ? [kubectl`get svc -n ${p.controller.namespace} ${p.controller.name}`]
    : [kubectl`get svc -A --field-selector spec.type=LoadBalancer`];
  return {
    hint: `Check that the ingress controller serves this Ingress's class and publishes its Service address (--publish-service).`,
    commands: [kubectl`get ingress -n ${p.ns} ${p.ingress} -o wide`, ...controllerCmd],
  };
}

export function serviceMissing(p: { ns: string; service: string; ingress: string }): Hint {
  return {
    hint: `Deploy Service ${p.ns}/${p.service} or fix the backend of Ingress ${p.ns}/${p.ingress}.`,
    commands: [kubectl`get svc -n ${p.ns}`, kubectl`describe ingress -n ${p.ns} ${p.ingress}`],
  };
}

export function servicePortMismatch(p: { ns: string; service: string; ingress: string }): Hint {
  return {
    hint: `Use a port of Service ${p.ns}/${p.service} (number or name) in the backend of Ingress ${p.ns}/${p.ingress}.`,
    commands: [kubectl`get svc -n ${p.ns} ${p.service} -o yaml`],
  };
}

export function tlsSecretProblem(p: { ns: string; secret: string; ingress: string; issued: boolean }): Hint {
  return {
    hint: p.issued
      ? `Find out why cert-manager has not stored Secret ${p.ns}/${p.secret} (see ingress.certificates).`
      : `Create kubernetes.io/tls Secret ${p.ns}/${p.secret} with tls.crt and tls.key, or fix the tls of Ingress ${p.ns}/${p.ingress}.`,
    commands: [
      kubectl`get secret -n ${p.ns} ${p.secret}`,
      ...(p.issued ? [kubectl`describe certificate -n ${p.ns} ${p.secret}`] : []),
    ],
  };
}

export function issuerMissing(p: {
  kind: 'ClusterIssuer' | 'Issuer';
  ns: string;
  name: string;
  ingress: string;
}): Hint {
  return {
    hint: `Create ${p.kind} ${p.name} or fix the cert-manager annotation of Ingress ${p.ns}/${p.ingress}.`,
    commands: [listIssuers(p.kind, p.ns)],
  };
}

export function certManagerMissing(): Hint {
  return {
    hint: 'Install cert-manager (its CRDs are not served) or remove the cert-manager annotations.',
    commands: [kubectl`api-resources --api-group=cert-manager.io`],
  };
}

export function controllerNotFound(profileRef: { namespace: string; name: string } | null): Hint {
  return profileRef
    ? {
        hint: `Fix ingress.controllerService in the profile; Service ${profileRef.namespace}/${profileRef.name} does not exist.`,
        commands: [kubectl`get svc -n ${profileRef.namespace}`],
      }
    : {
        hint: 'Set ingress.controllerService in the profile to the ingress controller Service.',
        commands: [kubectl`get svc -A --field-selector spec.type=LoadBalancer`],
      };
}

export function controllerNoAddress(p: { ns: string; name: string }): Hint {
  return {
    hint: `Find out why no external address was assigned to Service ${p.ns}/${p.name} (its events name the provider's reason).`,
    commands: [kubectl`describe svc -n ${p.ns} ${p.name}`],
  };
}

export function hostNotServed(host: string): Hint {
  return {
    hint: `Add ${host} to the rules of an Ingress (helm/ingress values), or remove it from the profile's hosts.`,
    commands: [kubectl`get ingress -A`],
  };
}

// ---------------------------------------------------------------- ingress.certificates

function listIssuers(kind: string, ns: string): Command {
  return kind === 'ClusterIssuer' ? kubectl`get clusterissuers` : kubectl`get issuers -n ${ns}`;
}

function certCommands(ns: string, name: string): Command[] {
  return [
    kubectl`describe certificate -n ${ns} ${name}`,
    kubectl`get certificaterequests,orders,challenges -n ${ns}`,
    cmctl`status certificate -n ${ns} ${name}`,
  ];
}

export function certNotReady(p: { ns: string; name: string }): Hint {
  return {
    hint: `Follow the issuance of Certificate ${p.ns}/${p.name} down to the failing CertificateRequest, Order or Challenge.`,
    commands: certCommands(p.ns, p.name),
  };
}

export function certRateLimited(p: {
  ns: string;
  name: string;
  retryAfter: string | null;
  hasRetryPassed: boolean;
}): Hint {
  if (p.retryAfter && p.hasRetryPassed) {
    return {
      hint: `The rate limit lifted at ${p.retryAfter}, but cert-manager backs off between failed attempts: fix what made earlier attempts of Certificate ${p.ns}/${p.name} fail, then let it retry.`,
      commands: certCommands(p.ns, p.name),
    };
  }
  return {
    hint: p.retryAfter
      ? `Wait until ${p.retryAfter} before cert-manager retries Certificate ${p.ns}/${p.name}; fix what made earlier attempts fail first.`
      : `Wait for Let's Encrypt's rate limit window to pass (https://letsencrypt.org/docs/rate-limits/); fix what made earlier attempts of Certificate ${p.ns}/${p.name} fail first.`,
    commands: certCommands(p.ns, p.name),
  };
}

export function certHttp01(p: { ns: string; name: string; domain: string | null }): Hint {
  const domain = p.domain ?? 'the domain';
  return {
    hint: `Make http://${domain}/.well-known/acme-challenge/ reach cert-manager's solver: DNS must point at the load balancer and port 80 must not be blocked or redirected for that path.`,
    commands: [
      ...certCommands(p.ns, p.name),
      ...(p.domain ? [sh`curl -sI http://${p.domain}/.well-known/acme-challenge/doctor-probe`] : []),
    ],
  };
}

export function certDns01(p: { ns: string; name: string; domain: string | null }): Hint {
  return {
    hint: `Check the _acme-challenge TXT record${p.domain ? ` of ${p.domain}` : ''} at the DNS provider and the issuer's DNS-01 credentials.`,
    commands: [
      ...certCommands(p.ns, p.name),
      ...(p.domain ? [sh`dig +short TXT _acme-challenge.${p.domain}`] : []),
    ],
  };
}

export function certRequestDenied(p: { ns: string; name: string; request: string }): Hint {
  return {
    hint: `Read why CertificateRequest ${p.ns}/${p.request} was denied (its Denied condition) and change Certificate ${p.ns}/${p.name} or the approval policy; cert-manager never signs a denied request.`,
    commands: [kubectl`describe certificaterequest -n ${p.ns} ${p.request}`, ...certCommands(p.ns, p.name)],
  };
}

export function certRequestUnapproved(p: { ns: string; name: string; request: string }): Hint {
  return {
    hint: `Make an approver answer CertificateRequest ${p.ns}/${p.request}: cert-manager's built-in approver is disabled or no approver-policy matches it (approving by hand, cmctl approve, is a write).`,
    commands: [
      kubectl`describe certificaterequest -n ${p.ns} ${p.request}`,
      kubectl`get pods -n cert-manager`,
    ],
  };
}

export function certIssuerMissing(p: { ns: string; name: string; issuerKind: string; issuer: string }): Hint {
  return {
    hint: `Create ${p.issuerKind} ${p.issuer} or fix spec.issuerRef of Certificate ${p.ns}/${p.name}.`,
    commands: [listIssuers(p.issuerKind, p.ns), ...certCommands(p.ns, p.name)],
  };
}

export function issuerNotReady(p: { kind: string; ns: string | null; name: string }): Hint {
  return {
    hint: `Fix ${p.kind} ${p.name}; certificates it issues stay pending until it is Ready.`,
    commands: [
      p.kind === 'ClusterIssuer'
        ? kubectl`describe clusterissuer ${p.name}`
        : kubectl`describe issuer -n ${p.ns ?? ''} ${p.name}`,
    ],
  };
}

export function certRenewal(p: { ns: string; name: string }): Hint {
  return {
    hint: `Find out why cert-manager has not renewed Certificate ${p.ns}/${p.name}; it renews ahead of expiry unless issuance fails.`,
    commands: certCommands(p.ns, p.name),
  };
}

export function certNamesMissing(p: { ns: string; name: string; missing: string[] }): Hint {
  return {
    hint: `Add ${p.missing.join(', ')} to spec.dnsNames of Certificate ${p.ns}/${p.name}.`,
    commands: [kubectl`get certificate -n ${p.ns} ${p.name} -o yaml`],
  };
}

export function storedCertStale(p: { ns: string; name: string; secret: string }): Hint {
  return {
    hint: `Make cert-manager reissue Certificate ${p.ns}/${p.name}; Secret ${p.secret} does not hold what its status claims.`,
    commands: [kubectl`get secret -n ${p.ns} ${p.secret}`, ...certCommands(p.ns, p.name)],
  };
}

export function manualSecretMissing(p: {
  ns: string;
  secret: string;
  ingress: string;
  ownIssuer: { kind: 'ClusterIssuer' | 'Issuer'; name: string } | null;
  sibling: { ingress: string; issuer: { kind: 'ClusterIssuer' | 'Issuer'; name: string } } | null;
}): Hint {
  const annotation = (i: { kind: string; name: string }) =>
    `cert-manager.io/${i.kind === 'ClusterIssuer' ? 'cluster-issuer' : 'issuer'}: ${i.name}`;
  const [ns = '', name = ''] = p.ingress.split('/');
  let hint: string;
  if (p.ownIssuer) {
    hint = `Find out why cert-manager made no Certificate for Secret ${p.ns}/${p.secret}: Ingress ${p.ingress} asks for one (${annotation(p.ownIssuer)}), and ingress-shim reports what it rejects in the Ingress's events.`;
  } else if (p.sibling) {
    hint = `Annotate Ingress ${p.ingress} with ${annotation(p.sibling.issuer)}, as Ingress ${p.sibling.ingress} is, so cert-manager issues Secret ${p.ns}/${p.secret}; or create that Secret yourself.`;
  } else {
    hint = `Create kubernetes.io/tls Secret ${p.ns}/${p.secret}, or let cert-manager issue it (a cert-manager.io/cluster-issuer annotation on Ingress ${p.ingress}).`;
  }
  return {
    hint,
    commands: [kubectl`describe ingress -n ${ns} ${name}`, kubectl`get certificates -n ${p.ns}`],
  };
}

export function hostNotInTls(p: { host: string; ingress: string; secret: string | null }): Hint {
  const [ns = '', name = ''] = p.ingress.split('/');
  return {
    hint: `Add ${p.host} to a tls entry of Ingress ${p.ingress}${p.secret ? ` (its Certificate writes Secret ${p.secret})` : ' with a secretName'}, in the ingress chart's values.`,
    commands: [kubectl`get ingress -n ${ns} ${name} -o yaml`],
  };
}

export function manualSecretCert(p: { ns: string; secret: string }): Hint {
  return {
    hint: `Replace the certificate in Secret ${p.ns}/${p.secret}, or let cert-manager manage it with a Certificate.`,
    commands: [kubectl`get secret -n ${p.ns} ${p.secret}`],
  };
}

// ---------------------------------------------------------------- ingress.dns

/** `dig` takes the port separately and IPv6 without brackets; `type` asks for one record type. */
function dig(host: string, resolver: string, type?: 'CNAME'): Command {
  const m = /^\[?(.+?)\]?:(\d+)$/.exec(resolver);
  const [address = resolver, port = '53'] = m ? [m[1], m[2]] : [];
  const question = type ? [host, type] : [host];
  return port === '53'
    ? sh`dig +short ${question} @${address}`
    : sh`dig +short ${question} @${address} -p ${port}`;
}

/** The object whose status publishes a load balancer address: the controller's Service or a Gateway. */
export interface AddressOwner {
  kind: 'Service' | 'Gateway';
  namespace: string;
  name: string;
}

/** `kubectl get` of the object that publishes the address DNS should point at. */
export function showAddress(owner: AddressOwner): Command {
  return owner.kind === 'Service'
    ? kubectl`get svc -n ${owner.namespace} ${owner.name}`
    : kubectl`get gateway -n ${owner.namespace} ${owner.name}`;
}

function dnsCommands(host: string, resolvers: readonly string[], owner: AddressOwner | null): Command[] {
  return [...resolvers.map((r) => dig(host, r)), ...(owner ? [showAddress(owner)] : [])];
}

/** `A` for IPv4, `AAAA` for IPv6 targets. */
function recordType(ips: readonly string[]): string {
  return ips.length > 0 && ips.every((ip) => ip.includes(':')) ? 'AAAA' : 'A';
}

export interface DnsHintParams {
  host: string;
  /** Where the host should point: LB IPs, or the LB's DNS name for hostname load balancers. */
  ips: string[];
  hostnames: string[];
  ttlSeconds: number | null;
  resolvers: readonly string[];
  addressOwner: AddressOwner | null;
}

export function dnsWrongTarget(p: DnsHintParams): Hint {
  const ttl = p.ttlSeconds === null ? '' : ` (TTL ${p.ttlSeconds}s)`;
  const hint =
    p.ips.length > 0
      ? `Update the ${recordType(p.ips)} record of ${p.host}${ttl} to ${p.ips.join(', ')}.`
      : `Point ${p.host}${ttl} at ${p.hostnames.join(', ')} with a CNAME record.`;
  return { hint, commands: dnsCommands(p.host, p.resolvers, p.addressOwner) };
}

export function dnsMissing(p: DnsHintParams): Hint {
  const hint =
    p.ips.length > 0
      ? `Create an ${recordType(p.ips)} record for ${p.host} pointing at ${p.ips.join(', ')}.`
      : `Create a CNAME record for ${p.host} pointing at ${p.hostnames.join(', ')}.`;
  return { hint, commands: dnsCommands(p.host, p.resolvers, p.addressOwner) };
}

export function dnsDanglingCname(p: DnsHintParams & { target: string }): Hint {
  const point =
    p.ips.length > 0
      ? `replace it with an ${recordType(p.ips)} record for ${p.ips.join(', ')}`
      : `point it at ${p.hostnames.join(', ')}`;
  return {
    hint: `Repoint the CNAME of ${p.host}: it targets ${p.target}, which does not resolve; ${point}, or recreate ${p.target}. An A record cannot sit beside the CNAME.`,
    commands: [
      ...p.resolvers.map((r) => dig(p.host, r, 'CNAME')),
      ...dnsCommands(p.target, p.resolvers, p.addressOwner),
    ],
  };
}

export function dnsStale(p: DnsHintParams & { stale: string[] }): Hint {
  const ttl = p.ttlSeconds === null ? '' : ` (TTL ${p.ttlSeconds}s)`;
  return {
    hint: `Remove ${p.stale.join(', ')} from the records of ${p.host}${ttl}; only the load balancer should answer.`,
    commands: dnsCommands(p.host, p.resolvers, p.addressOwner),
  };
}

export function dnsDisagree(p: DnsHintParams): Hint {
  const ttl = p.ttlSeconds === null ? 'the record TTL' : `the TTL (${p.ttlSeconds}s)`;
  return {
    hint: `Wait ${ttl} for caches to expire, then check again; if the answers still differ, fix the record at the DNS provider.`,
    commands: dnsCommands(p.host, p.resolvers, p.addressOwner),
  };
}

export function dnsUnanswered(p: DnsHintParams): Hint {
  return {
    hint: 'Retry with --dns-server pointing at a resolver you can reach.',
    commands: dnsCommands(p.host, p.resolvers, p.addressOwner),
  };
}

// ---------------------------------------------------------------- ingress.https

function httpsCommands(host: string, address: string, port: number): Command[] {
  return [curl('https', host, address, port, '/', '-vsI')];
}

/**
 * `curl` to `scheme://host[:port]/path`, connecting to the load balancer `address` instead of what DNS says;
 * the port is in the URL when it is not the scheme's default, so `--connect-to` matches it.
 */
export function curl(
  scheme: 'http' | 'https',
  host: string,
  address: string,
  port: number,
  path: string,
  flags = '-sI',
): Command {
  const isDefault = port === (scheme === 'https' ? 443 : 80);
  const url = `${scheme}://${isDefault ? host : `${host}:${port}`}${path}`;
  return sh`curl ${flags} --connect-to ${host}:${port}:${address}:${port} ${url}`;
}

export function httpsUnreachable(
  p: { host: string; address: string; port: number },
  controller: { namespace: string; name: string } | null,
): Hint {
  return {
    hint: `Make ${p.address}:${p.port} accept connections: check the load balancer's listeners and the controller pods.`,
    commands: [
      ...httpsCommands(p.host, p.address, p.port),
      ...(controller ? [kubectl`get pods -n ${controller.namespace}`] : []),
    ],
  };
}

export function fakeCertificate(p: {
  host: string;
  address: string;
  port: number;
  ingress: string;
  secret: string | null;
  isAdmitted: boolean;
  ingressClass: string | null;
}): Hint {
  const [ns = '', name = ''] = p.ingress.split('/');
  const hint = !p.isAdmitted
    ? `Fix the class of Ingress ${p.ingress}${p.ingressClass ? ` (${p.ingressClass})` : ''} first (see ingress.resources): no controller has loaded it, so none serves its certificate.`
    : p.secret
      ? `Fix TLS Secret ${ns}/${p.secret} of Ingress ${p.ingress} (see ingress.certificates); the controller falls back to its default certificate.`
      : `Add a tls entry for ${p.host} with a secretName to Ingress ${p.ingress}.`;
  return {
    hint,
    commands: [
      ...(p.secret ? [kubectl`get secret -n ${ns} ${p.secret}`] : []),
      kubectl`describe ingress -n ${ns} ${name}`,
      ...httpsCommands(p.host, p.address, p.port),
    ],
  };
}

export function servedCertificate(p: {
  host: string;
  address: string;
  port: number;
  ingress: string;
  secret: string | null;
}): Hint {
  const [ns = ''] = p.ingress.split('/');
  return {
    hint: p.secret
      ? `Renew or replace the certificate in Secret ${ns}/${p.secret} of Ingress ${p.ingress} (see ingress.certificates).`
      : `Serve a certificate for ${p.host}: add a tls entry with a secretName to Ingress ${p.ingress}.`,
    commands: [
      ...(p.secret ? [kubectl`describe certificate -n ${ns} ${p.secret}`] : []),
      ...httpsCommands(p.host, p.address, p.port),
    ],
  };
}

export function noHttpsRedirect(p: { host: string; address: string; port: number; ingress: string }): Hint {
  const [ns = '', name = ''] = p.ingress.split('/');
  return {
    hint: `Redirect HTTP to HTTPS for ${p.host}: give Ingress ${p.ingress} a tls entry for it and do not set nginx.ingress.kubernetes.io/ssl-redirect: "false".`,
    commands: [curl('http', p.host, p.address, p.port, '/'), kubectl`get ingress -n ${ns} ${name} -o yaml`],
  };
}

export function pathDefaultBackend(p: { host: string; path: string; ingress: string }): Hint {
  const [ns = '', name = ''] = p.ingress.split('/');
  return {
    hint: `Find out why the controller does not route ${p.host}${p.path} to Ingress ${p.ingress} (class, admission errors in the controller log), or why the backend answers 404 there.`,
    commands: [kubectl`describe ingress -n ${ns} ${name}`],
  };
}

export function pathServerError(p: { ns: string; service: string | null; ingress: string }): Hint {
  const [, name = ''] = p.ingress.split('/');
  return {
    hint: p.service
      ? `Check the pods behind Service ${p.ns}/${p.service}; the controller answers 5xx when the backend is down or failing.`
      : `Check the backend of Ingress ${p.ingress}; the controller answers 5xx when the backend is down or failing.`,
    commands: [
      ...(p.service
        ? [kubectl`get endpointslices -n ${p.ns} -l kubernetes.io/service-name=${p.service}`]
        : []),
      kubectl`describe ingress -n ${p.ns} ${name}`,
    ],
  };
}
