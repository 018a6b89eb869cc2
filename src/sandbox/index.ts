import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCertificateAuthority, type CertificateAuthority, type Issued } from './certs.js';
import { startDnsServer, type DnsServerStats } from './dns-server.js';
import {
  issueHostCertificates,
  startIngressEndpoint,
  type IngressEndpointStats,
} from './ingress-endpoint.js';
import { startKubeApi, type KubeApiStats } from './kube-api.js';
import { loadScenario } from './load.js';
import { startOpenBao, type OpenBaoStats } from './openbao.js';
import type { RunningServer, Scenario } from './scenario.js';

export interface SandboxOptions {
  /** A scenario name (read from `dir`) or an already loaded scenario. */
  scenario: string | Scenario;
  dir?: string;
  /** The sandbox's clock; defaults to the current time. */
  now?: Date;
  /**
   * The time the served platform is at, when not `now`: ages, log windows and token lifetimes are reckoned
   * from it (a snapshot's recording time). Certificates stay valid from `now`, so clients still trust them.
   */
  servedAt?: Date;
}

/** A running sandbox: where each imitation listens, and how to stop them all. */
export interface Sandbox {
  /** The scenario as served: empty `tls.crt` of TLS Secrets filled with the endpoint's certificates. */
  scenario: Scenario;
  /** A kubeconfig (CA data, bearer token, one context) in a temp dir removed by `close()`. */
  kubeconfigPath: string;
  context: string;
  kubeApiUrl: string;
  /** `127.0.0.1:PORT`, UDP and TCP. */
  dnsServer: string;
  http: { address: string; port: number };
  https: { address: string; port: number };
  openbao: { address: string };
  /** PEM of the CA that signs the ingress endpoint's certificates (the sandbox's Let's Encrypt). */
  ingressCaPem: string;
  stats: KubeApiStats;
  /** Requests OpenBao received, and the writes it refused with 405 (`writes` must stay empty). */
  openbaoStats: OpenBaoStats;
  /** DNS queries received, by transport, question type and name. */
  dnsStats: DnsServerStats;
  /** Connections, TLS handshakes and requests the ingress endpoint received. */
  endpointStats: IngressEndpointStats;
  /** Stops every server and removes the temp dir; resolves once every port is closed. */
  close(): Promise<void>;
}

/**
 * The `platform doctor` flags that point it at a running sandbox by hand: its kubeconfig, resolver and
 * ingress ports (the HTTPS probe also needs the sandbox CA trusted, e.g. through NODE_EXTRA_CA_CERTS).
 */
export function doctorFlagsFor(sandbox: Sandbox): string[] {
  return [
    '--kubeconfig',
    sandbox.kubeconfigPath,
    '--dns-server',
    sandbox.dnsServer,
    '--http-port',
    String(sandbox.http.port),
    '--https-port',
    String(sandbox.https.port),
  ];
}

/** Starts the Kubernetes API, OpenBao, DNS and ingress endpoint for a scenario on loopback. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const now = options.now ?? new Date();
  const servedAt = options.servedAt ?? now;
  const scenario =
    typeof options.scenario === 'string'
      ? await loadScenario(options.scenario, { dir: options.dir, now })
      : options.scenario;
  const [kubeCa, acmeCa] = await Promise.all([
    createCertificateAuthority('Sandbox Kubernetes CA', now),
    createCertificateAuthority('Sandbox ACME CA', now),
  ]);
  const [apiCert, hostCertificates] = await Promise.all([
    kubeCa.issue({ commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }),
    issueHostCertificates(scenario.endpoint, acmeCa, now),
  ]);
  const served = withServedCertificates(
    scenario,
    await secretCertificates(scenario.endpoint, hostCertificates, acmeCa, now),
  );
  const token = `sandbox-${randomBytes(24).toString('base64url')}`;

  const started: RunningServer[] = [];
  const closeAll = () => Promise.all(started.map((server) => server.close())).then(() => undefined);
  try {
    // allSettled, not all: a server that starts after another one failed must still be closed.
    const results = await Promise.allSettled([
      startOpenBao(scenario.openbao, { now: () => servedAt }),
      startDnsServer(scenario.dns),
      startIngressEndpoint(scenario.endpoint, hostCertificates),
    ] as const);
    for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
    const [openbao, dns, endpoint] = [settled(results[0]), settled(results[1]), settled(results[2])];
    const kube = await startKubeApi({
      scenario: served,
      tls: apiCert,
      token,
      now: servedAt,
      openbaoAddress: openbao.address,
    });
    started.push(kube);
    const context = `sandbox-${scenario.name}`;
    const dir = await mkdtemp(join(tmpdir(), 'platform-doctor-sandbox-'));
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig(context, kube.url, kubeCa.certPem, token), { mode: 0o600 });
    return {
      scenario: served,
      kubeconfigPath,
      context,
      kubeApiUrl: kube.url,
      dnsServer: `${dns.host}:${dns.port}`,
      http: { address: endpoint.address, port: endpoint.httpPort },
      https: { address: endpoint.address, port: endpoint.httpsPort },
      openbao: { address: openbao.address },
      ingressCaPem: acmeCa.certPem,
      stats: kube.stats,
      openbaoStats: openbao.stats,
      dnsStats: dns.stats,
      endpointStats: endpoint.stats,
      close: async () => {
        await closeAll();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

function kubeconfig(context: string, server: string, caPem: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: context,
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: 'platform-doctor', user: { token } }],
    contexts: [{ name: context, context: { cluster: context, user: 'platform-doctor' } }],
    'current-context': context,
  });
}

/**
 * The certificates TLS Secrets hold: what the endpoint serves for each host, except where it serves
 * ingress-nginx's fake certificate. The controller serves that only when it uses no Secret for the host (its
 * class unserved, its TLS entry missing), so a Secret there still holds a valid certificate for the host.
 */
async function secretCertificates(
  endpoint: Scenario['endpoint'],
  served: Map<string, Issued>,
  ca: CertificateAuthority,
  now: Date,
): Promise<Map<string, Issued>> {
  const fakes = Object.entries(endpoint.hosts ?? {}).filter(([, h]) => h.certificate.kind === 'self-signed');
  if (fakes.length === 0) return served;
  const valid = await issueHostCertificates(
    { hosts: Object.fromEntries(fakes.map(([host, h]) => [host, { ...h, certificate: { kind: 'valid' } }])) },
    ca,
    now,
  );
  return new Map([...served, ...valid]);
}

/**
 * A copy of the scenario whose `kubernetes.io/tls` Secrets with an empty `tls.crt` hold the certificate the
 * ingress endpoint serves for their hosts: the hosts of the Ingress TLS entry naming the Secret, else the
 * dnsNames of the Certificate writing it. Stored and served certificates then agree.
 */
function withServedCertificates(scenario: Scenario, certificates: Map<string, Issued>): Scenario {
  type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const objects = scenario.kubernetes.objects as Obj[];
  // Indexed once: scanning every object for each TLS Secret grows with hosts × objects.
  const fromIngress = new Map<string, string[]>();
  const fromCertificate = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, hosts: string[]) =>
    map.set(key, [...(map.get(key) ?? []), ...hosts]);
  for (const o of objects) {
    const namespace = o.metadata?.namespace ?? 'default';
    if (o.kind === 'Ingress') {
      for (const tls of (o.spec?.tls ?? []) as { secretName?: string; hosts?: string[] }[])
        if (tls.secretName) add(fromIngress, `${namespace}/${tls.secretName}`, tls.hosts ?? []);
    } else if (o.kind === 'Certificate' && o.spec?.secretName) {
      add(fromCertificate, `${namespace}/${o.spec.secretName}`, (o.spec?.dnsNames ?? []) as string[]);
    }
  }
  const hostsFor = (namespace: string, secretName: string): string[] => {
    const key = `${namespace}/${secretName}`;
    const viaIngress = fromIngress.get(key) ?? [];
    return viaIngress.length > 0 ? viaIngress : (fromCertificate.get(key) ?? []);
  };
  const filled = objects.map((obj) => {
    if (obj.kind !== 'Secret' || obj.type !== 'kubernetes.io/tls' || obj.data?.['tls.crt']) return obj;
    const host = hostsFor(obj.metadata?.namespace ?? 'default', obj.metadata?.name).find((h) =>
      certificates.has(h.toLowerCase()),
    );
    if (!host) return obj;
    const issued = certificates.get(host.toLowerCase())!;
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    return {
      ...obj,
      data: { ...obj.data, 'tls.crt': base64(issued.certPem), 'tls.key': base64(issued.keyPem) },
    };
  });
  return { ...scenario, kubernetes: { ...scenario.kubernetes, objects: filled } };
}
