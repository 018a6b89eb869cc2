import { kubectl, withTarget } from './common.js';
import type { Hint } from './common.js';
/**
 * The ingress runbook's hint catalogue: typed functions, each returning one imperative sentence and
 * read-only commands with the real names filled in. `flags` are the kubectl flags that reproduce the
 * doctor's target (`--context prod`); '' when default.
 */

const cmctl = (flags: string, args: string): string => withTarget('cmctl', flags, args);

/** What a failed list lacks, as the user can verify it. */
export function listFailed(
  f: { resource: string; namespace: string | null; kind: string; permission: string | null },
  flags: string,
): Hint {
  const where = f.namespace ? `-n ${f.namespace}` : '-A';
  if (f.kind === 'forbidden') {
    return {
      hint: `Grant the doctor's identity ${f.permission ?? `list ${f.resource}`} (RBAC), or narrow the check with -n.`,
      commands: [kubectl(flags, `auth can-i list ${f.resource} ${where}`)],
    };
  }
  return {
    hint: `Check that the Kubernetes API server answers, then run the doctor again.`,
    commands: [kubectl(flags, `get ${f.resource} ${where}`)],
  };
}

// ---------------------------------------------------------------- ingress.resources

export function ingressClassMissing(
  p: { ns: string; ingress: string; className: string | null },
  flags: string,
): Hint {
  return {
    hint: p.className
      ? `Create IngressClass ${p.className} or point Ingress ${p.ns}/${p.ingress} at an existing class.`
      : `Set spec.ingressClassName on Ingress ${p.ns}/${p.ingress}, or mark one IngressClass as the cluster default.`,
    commands: [
      kubectl(flags, 'get ingressclasses'),
      kubectl(flags, `get ingress -n ${p.ns} ${p.ingress} -o yaml`),
    ],
  };
}

export function addressNotPublished(
  p: { ns: string; ingress: string; controller: { namespace: string; name: string } | null },
  flags: string,
): Hint {
  const controllerCmd = p.controller
    ? [kubectl(flags, `get svc -n ${p.controller.namespace} ${p.controller.name}`)]
    : [kubectl(flags, 'get svc -A --field-selector spec.type=LoadBalancer')];
  return {
    hint: `Check that the ingress controller serves this Ingress's class and publishes its Service address (--publish-service).`,
    commands: [kubectl(flags, `get ingress -n ${p.ns} ${p.ingress} -o wide`), ...controllerCmd],
  };
}

export function serviceMissing(p: { ns: string; service: string; ingress: string }, flags: string): Hint {
  return {
    hint: `Deploy Service ${p.ns}/${p.service} or fix the backend of Ingress ${p.ns}/${p.ingress}.`,
    commands: [
      kubectl(flags, `get svc -n ${p.ns}`),
      kubectl(flags, `describe ingress -n ${p.ns} ${p.ingress}`),
    ],
  };
}

export function servicePortMismatch(
  p: { ns: string; service: string; ingress: string },
  flags: string,
): Hint {
  return {
    hint: `Use a port of Service ${p.ns}/${p.service} (number or name) in the backend of Ingress ${p.ns}/${p.ingress}.`,
    commands: [kubectl(flags, `get svc -n ${p.ns} ${p.service} -o yaml`)],
  };
}

export function noReadyEndpoints(
  p: { ns: string; service: string; selector: Record<string, string> | null },
  flags: string,
): Hint {
  const selector = p.selector
    ? Object.entries(p.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : '';
  return {
    hint: `Find out why no pod behind Service ${p.ns}/${p.service} is ready (selector, readiness probe, crash).`,
    commands: [
      kubectl(flags, `get endpointslices -n ${p.ns} -l kubernetes.io/service-name=${p.service}`),
      ...(selector ? [kubectl(flags, `get pods -n ${p.ns} -l ${selector}`)] : []),
      kubectl(flags, `describe svc -n ${p.ns} ${p.service}`),
    ],
  };
}

export function tlsSecretProblem(
  p: { ns: string; secret: string; ingress: string; issued: boolean },
  flags: string,
): Hint {
  return {
    hint: p.issued
      ? `Find out why cert-manager has not stored Secret ${p.ns}/${p.secret} (see ingress.certificates).`
      : `Create kubernetes.io/tls Secret ${p.ns}/${p.secret} with tls.crt and tls.key, or fix the tls of Ingress ${p.ns}/${p.ingress}.`,
    commands: [
      kubectl(flags, `get secret -n ${p.ns} ${p.secret}`),
      ...(p.issued ? [kubectl(flags, `describe certificate -n ${p.ns} ${p.secret}`)] : []),
    ],
  };
}

export function issuerMissing(
  p: { kind: 'ClusterIssuer' | 'Issuer'; ns: string; name: string; ingress: string },
  flags: string,
): Hint {
  const list = p.kind === 'ClusterIssuer' ? 'get clusterissuers' : `get issuers -n ${p.ns}`;
  return {
    hint: `Create ${p.kind} ${p.name} or fix the cert-manager annotation of Ingress ${p.ns}/${p.ingress}.`,
    commands: [kubectl(flags, list)],
  };
}

export function certManagerMissing(flags: string): Hint {
  return {
    hint: 'Install cert-manager (its CRDs are not served) or remove the cert-manager annotations.',
    commands: [kubectl(flags, 'api-resources --api-group=cert-manager.io')],
  };
}

export function controllerNotFound(
  profileRef: { namespace: string; name: string } | null,
  flags: string,
): Hint {
  return profileRef
    ? {
        hint: `Fix ingress.controllerService in the profile; Service ${profileRef.namespace}/${profileRef.name} does not exist.`,
        commands: [kubectl(flags, `get svc -n ${profileRef.namespace}`)],
      }
    : {
        hint: 'Set ingress.controllerService in the profile to the ingress controller Service.',
        commands: [kubectl(flags, 'get svc -A --field-selector spec.type=LoadBalancer')],
      };
}

export function controllerNoAddress(p: { ns: string; name: string }, flags: string): Hint {
  return {
    hint: `Find out why no external address was assigned to Service ${p.ns}/${p.name} (its events name the provider's reason).`,
    commands: [kubectl(flags, `describe svc -n ${p.ns} ${p.name}`)],
  };
}

export function hostNotServed(host: string, flags: string): Hint {
  return {
    hint: `Add ${host} to the rules of an Ingress (helm/ingress values), or remove it from the profile's hosts.`,
    commands: [kubectl(flags, 'get ingress -A')],
  };
}

// ---------------------------------------------------------------- ingress.certificates

function certCommands(ns: string, name: string, flags: string): string[] {
  return [
    kubectl(flags, `describe certificate -n ${ns} ${name}`),
    kubectl(flags, `get certificaterequests,orders,challenges -n ${ns}`),
    cmctl(flags, `status certificate -n ${ns} ${name}`),
  ];
}

export function certNotReady(p: { ns: string; name: string }, flags: string): Hint {
  return {
    hint: `Follow the issuance of Certificate ${p.ns}/${p.name} down to the failing CertificateRequest, Order or Challenge.`,
    commands: certCommands(p.ns, p.name, flags),
  };
}

export function certRateLimited(
  p: { ns: string; name: string; retryAfter: string | null; hasRetryPassed: boolean },
  flags: string,
): Hint {
  if (p.retryAfter && p.hasRetryPassed) {
    return {
      hint: `The rate limit lifted at ${p.retryAfter}, but cert-manager backs off between failed attempts: fix what made earlier attempts of Certificate ${p.ns}/${p.name} fail, then let it retry.`,
      commands: certCommands(p.ns, p.name, flags),
    };
  }
  return {
    hint: p.retryAfter
      ? `Wait until ${p.retryAfter} before cert-manager retries Certificate ${p.ns}/${p.name}; fix what made earlier attempts fail first.`
      : `Wait for Let's Encrypt's rate limit window to pass (https://letsencrypt.org/docs/rate-limits/); fix what made earlier attempts of Certificate ${p.ns}/${p.name} fail first.`,
    commands: certCommands(p.ns, p.name, flags),
  };
}

export function certHttp01(p: { ns: string; name: string; domain: string | null }, flags: string): Hint {
  const domain = p.domain ?? 'the domain';
  return {
    hint: `Make http://${domain}/.well-known/acme-challenge/ reach cert-manager's solver: DNS must point at the load balancer and port 80 must not be blocked or redirected for that path.`,
    commands: [
      ...certCommands(p.ns, p.name, flags),
      ...(p.domain ? [`curl -sI http://${p.domain}/.well-known/acme-challenge/doctor-probe`] : []),
    ],
  };
}

export function certDns01(p: { ns: string; name: string; domain: string | null }, flags: string): Hint {
  return {
    hint: `Check the _acme-challenge TXT record${p.domain ? ` of ${p.domain}` : ''} at the DNS provider and the issuer's DNS-01 credentials.`,
    commands: [
      ...certCommands(p.ns, p.name, flags),
      ...(p.domain ? [`dig +short TXT _acme-challenge.${p.domain}`] : []),
    ],
  };
}

export function certIssuerMissing(
  p: { ns: string; name: string; issuerKind: string; issuer: string },
  flags: string,
): Hint {
  const list = p.issuerKind === 'ClusterIssuer' ? 'get clusterissuers' : `get issuers -n ${p.ns}`;
  return {
    hint: `Create ${p.issuerKind} ${p.issuer} or fix spec.issuerRef of Certificate ${p.ns}/${p.name}.`,
    commands: [kubectl(flags, list), ...certCommands(p.ns, p.name, flags)],
  };
}

export function issuerNotReady(p: { kind: string; ns: string | null; name: string }, flags: string): Hint {
  const describe =
    p.kind === 'ClusterIssuer' ? `describe clusterissuer ${p.name}` : `describe issuer -n ${p.ns} ${p.name}`;
  return {
    hint: `Fix ${p.kind} ${p.name}; certificates it issues stay pending until it is Ready.`,
    commands: [kubectl(flags, describe)],
  };
}

export function certRenewal(p: { ns: string; name: string }, flags: string): Hint {
  return {
    hint: `Find out why cert-manager has not renewed Certificate ${p.ns}/${p.name}; it renews ahead of expiry unless issuance fails.`,
    commands: certCommands(p.ns, p.name, flags),
  };
}

export function certNamesMissing(p: { ns: string; name: string; missing: string[] }, flags: string): Hint {
  return {
    hint: `Add ${p.missing.join(', ')} to spec.dnsNames of Certificate ${p.ns}/${p.name}.`,
    commands: [kubectl(flags, `get certificate -n ${p.ns} ${p.name} -o yaml`)],
  };
}

export function storedCertStale(p: { ns: string; name: string; secret: string }, flags: string): Hint {
  return {
    hint: `Make cert-manager reissue Certificate ${p.ns}/${p.name}; Secret ${p.secret} does not hold what its status claims.`,
    commands: [kubectl(flags, `get secret -n ${p.ns} ${p.secret}`), ...certCommands(p.ns, p.name, flags)],
  };
}

export function manualSecretCert(p: { ns: string; secret: string }, flags: string): Hint {
  return {
    hint: `Replace the certificate in Secret ${p.ns}/${p.secret}, or let cert-manager manage it with a Certificate.`,
    commands: [kubectl(flags, `get secret -n ${p.ns} ${p.secret}`)],
  };
}

// ---------------------------------------------------------------- ingress.dns

/** `dig` takes the port separately and IPv6 without brackets. */
function dig(host: string, resolver: string): string {
  const m = /^\[?(.+?)\]?:(\d+)$/.exec(resolver);
  const [address, port] = m ? [m[1], m[2]] : [resolver, '53'];
  return port === '53' ? `dig +short ${host} @${address}` : `dig +short ${host} @${address} -p ${port}`;
}

function dnsCommands(
  host: string,
  resolvers: readonly string[],
  controller: { namespace: string; name: string } | null,
  flags: string,
): string[] {
  return [
    ...resolvers.map((r) => dig(host, r)),
    ...(controller ? [kubectl(flags, `get svc -n ${controller.namespace} ${controller.name}`)] : []),
  ];
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
  controller: { namespace: string; name: string } | null;
}

export function dnsWrongTarget(p: DnsHintParams, flags: string): Hint {
  const ttl = p.ttlSeconds === null ? '' : ` (TTL ${p.ttlSeconds}s)`;
  const hint =
    p.ips.length > 0
      ? `Update the ${recordType(p.ips)} record of ${p.host}${ttl} to ${p.ips.join(', ')}.`
      : `Point ${p.host}${ttl} at ${p.hostnames.join(', ')} with a CNAME record.`;
  return { hint, commands: dnsCommands(p.host, p.resolvers, p.controller, flags) };
}

export function dnsMissing(p: DnsHintParams, flags: string): Hint {
  const hint =
    p.ips.length > 0
      ? `Create an ${recordType(p.ips)} record for ${p.host} pointing at ${p.ips.join(', ')}.`
      : `Create a CNAME record for ${p.host} pointing at ${p.hostnames.join(', ')}.`;
  return { hint, commands: dnsCommands(p.host, p.resolvers, p.controller, flags) };
}

export function dnsStale(p: DnsHintParams & { stale: string[] }, flags: string): Hint {
  const ttl = p.ttlSeconds === null ? '' : ` (TTL ${p.ttlSeconds}s)`;
  return {
    hint: `Remove ${p.stale.join(', ')} from the records of ${p.host}${ttl}; only the load balancer should answer.`,
    commands: dnsCommands(p.host, p.resolvers, p.controller, flags),
  };
}

export function dnsDisagree(p: DnsHintParams, flags: string): Hint {
  const ttl = p.ttlSeconds === null ? 'the record TTL' : `the TTL (${p.ttlSeconds}s)`;
  return {
    hint: `Wait ${ttl} for caches to expire, then check again; if the answers still differ, fix the record at the DNS provider.`,
    commands: dnsCommands(p.host, p.resolvers, p.controller, flags),
  };
}

export function dnsUnanswered(p: DnsHintParams, flags: string): Hint {
  return {
    hint: 'Retry with --dns-server pointing at a resolver you can reach.',
    commands: dnsCommands(p.host, p.resolvers, p.controller, flags),
  };
}

// ---------------------------------------------------------------- ingress.https

function httpsCommands(host: string, address: string, port: number): string[] {
  const target = port === 443 ? host : `${host}:${port}`;
  return [`curl -vsI --connect-to ${host}:${port}:${address}:${port} https://${target}/`];
}

export function httpsUnreachable(
  p: { host: string; address: string; port: number },
  flags: string,
  controller: { namespace: string; name: string } | null,
): Hint {
  return {
    hint: `Make ${p.address}:${p.port} accept connections: check the load balancer's listeners and the controller pods.`,
    commands: [
      ...httpsCommands(p.host, p.address, p.port),
      ...(controller ? [kubectl(flags, `get pods -n ${controller.namespace}`)] : []),
    ],
  };
}

export function fakeCertificate(
  p: { host: string; address: string; port: number; ingress: string; secret: string | null },
  flags: string,
): Hint {
  const [ns, name] = p.ingress.split('/');
  return {
    hint: p.secret
      ? `Fix TLS Secret ${ns}/${p.secret} of Ingress ${p.ingress} (see ingress.certificates); the controller falls back to its default certificate.`
      : `Add a tls entry for ${p.host} with a secretName to Ingress ${p.ingress}.`,
    commands: [
      ...(p.secret ? [kubectl(flags, `get secret -n ${ns} ${p.secret}`)] : []),
      kubectl(flags, `describe ingress -n ${ns} ${name}`),
      ...httpsCommands(p.host, p.address, p.port),
    ],
  };
}

export function servedCertificate(
  p: { host: string; address: string; port: number; ingress: string; secret: string | null },
  flags: string,
): Hint {
  const [ns] = p.ingress.split('/');
  return {
    hint: p.secret
      ? `Renew or replace the certificate in Secret ${ns}/${p.secret} of Ingress ${p.ingress} (see ingress.certificates).`
      : `Serve a certificate for ${p.host}: add a tls entry with a secretName to Ingress ${p.ingress}.`,
    commands: [
      ...(p.secret ? [kubectl(flags, `describe certificate -n ${ns} ${p.secret}`)] : []),
      ...httpsCommands(p.host, p.address, p.port),
    ],
  };
}

export function noHttpsRedirect(
  p: { host: string; address: string; port: number; ingress: string },
  flags: string,
): Hint {
  const [ns, name] = p.ingress.split('/');
  return {
    hint: `Redirect HTTP to HTTPS for ${p.host}: give Ingress ${p.ingress} a tls entry for it and do not set nginx.ingress.kubernetes.io/ssl-redirect: "false".`,
    commands: [
      `curl -sI --connect-to ${p.host}:${p.port}:${p.address}:${p.port} http://${p.port === 80 ? p.host : `${p.host}:${p.port}`}/`,
      kubectl(flags, `get ingress -n ${ns} ${name} -o yaml`),
    ],
  };
}

export function pathDefaultBackend(p: { host: string; path: string; ingress: string }, flags: string): Hint {
  const [ns, name] = p.ingress.split('/');
  return {
    hint: `Find out why the controller does not route ${p.host}${p.path} to Ingress ${p.ingress} (class, admission errors in the controller log), or why the backend answers 404 there.`,
    commands: [kubectl(flags, `describe ingress -n ${ns} ${name}`)],
  };
}

export function pathServerError(
  p: { ns: string; service: string | null; ingress: string },
  flags: string,
): Hint {
  const [, name] = p.ingress.split('/');
  return {
    hint: p.service
      ? `Check the pods behind Service ${p.ns}/${p.service}; the controller answers 5xx when the backend is down or failing.`
      : `Check the backend of Ingress ${p.ingress}; the controller answers 5xx when the backend is down or failing.`,
    commands: [
      ...(p.service
        ? [kubectl(flags, `get endpointslices -n ${p.ns} -l kubernetes.io/service-name=${p.service}`)]
        : []),
      kubectl(flags, `describe ingress -n ${p.ns} ${name}`),
    ],
  };
}
