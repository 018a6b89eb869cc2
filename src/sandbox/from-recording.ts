/**
 * A snapshot's recorded answers as a sandbox scenario, so `platform sandbox up --from FILE` serves the
 * platform as the doctor saw it and `kubectl get/describe/logs` work during the post-mortem.
 *
 * What comes back: every object the run listed (Events included) and the Secrets it listed (key names; the
 * values are empty, the public `tls.crt` as it was), the container logs it read, each DNS name's answer,
 * OpenBao's seal state and the Service the API server proxied to it, and per probed host the kind of
 * certificate the ingress served and each path's HTTP status. What never was recorded cannot come back:
 * Secret and KV values, OpenBao tokens (every token is refused), objects of kinds the doctor does not list.
 */
import type { RecordedAnswer } from '../gateways/recording.js';
import type {
  BaoHealth,
  HttpReply,
  KubeObject,
  PodLogOptions,
  ProbeTarget,
  ResolverAnswer,
  SecretSummary,
  HttpsProbe,
  TlsProbe,
} from '../gateways/types.js';
import { resourceForKind } from './kube-resources.js';
import { scenarioSchema, type Scenario } from './scenario.js';

type Raw = Record<string, unknown>;

/** The scenario named `name` that serves what `answers` recorded. */
export function scenarioFromRecording(
  answers: readonly RecordedAnswer[],
  meta: { name: string; description: string },
): Scenario {
  const values = answers.filter((a) => a.value !== undefined && a.value !== null);
  const of = (system: RecordedAnswer['system'], call: string) =>
    values.filter((a) => a.system === system && a.call === call);

  const objects = new Map<string, Raw>();
  const add = (obj: Raw) => {
    const meta = obj.metadata as { name?: string; namespace?: string };
    const key = `${String(obj.apiVersion)}|${String(obj.kind)}|${meta.namespace ?? ''}|${meta.name ?? ''}`;
    if (!objects.has(key)) objects.set(key, obj);
  };
  for (const answer of of('kubernetes', 'list')) {
    for (const obj of answer.value as KubeObject[]) if (isServed(obj)) add(obj as unknown as Raw);
  }
  for (const answer of of('kubernetes', 'listSecrets')) {
    for (const secret of answer.value as SecretSummary[]) add(secretObject(secret));
  }

  const scenario = {
    description: meta.description,
    kubernetes: {
      objects: [...objects.values()],
      remove: [],
      logs: logsOf(of('kubernetes', 'readPodLogs'), objects),
    },
    openbao: openbaoOf(of('openbao', 'readHealth'), of('kubernetes', 'serviceProxy')),
    dns: { records: dnsRecords(of('dns', 'resolve')) },
    endpoint: { hosts: endpointHosts(of('http', 'probeHttps'), of('http', 'request')) },
  };
  return { ...scenarioSchema.parse(scenario), name: meta.name };
}

/** Whether the sandbox API serves the object's group, version and kind. */
function isServed(obj: KubeObject): boolean {
  const apiVersion = obj.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return Boolean(resourceForKind(group!, obj.kind ?? '')?.versions.includes(version!));
}

/** A Secret from its summary: every key with an empty value, except the public certificate. */
function secretObject(secret: SecretSummary): Raw {
  const data: Record<string, string> = {};
  for (const key of secret.keys) data[key] = '';
  if (secret.tlsCrtPem) data['tls.crt'] = Buffer.from(secret.tlsCrtPem).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', metadata: secret.metadata, type: secret.type, data };
}

/** Recorded log text per `namespace/pod` and container; a read without a container is the pod's only one. */
function logsOf(
  reads: readonly RecordedAnswer[],
  objects: Map<string, Raw>,
): Record<string, Record<string, string[]>> {
  const logs: Record<string, Record<string, string[]>> = {};
  for (const read of reads) {
    const [namespace, pod, options] = read.args as [string, string, PodLogOptions];
    const spec = objects.get(`v1|Pod|${namespace}|${pod}`)?.spec as
      { containers?: { name: string }[] } | undefined;
    const container = options.container ?? spec?.containers?.[0]?.name;
    if (!container) continue;
    const lines = String(read.value)
      .split('\n')
      .filter((line) => line !== '');
    const key = `${namespace}/${pod}`;
    logs[key] = { ...logs[key], [container]: lines };
  }
  return logs;
}

function openbaoOf(health: readonly RecordedAnswer[], proxies: readonly RecordedAnswer[]): Raw {
  const seen = health[0]?.value as BaoHealth | undefined;
  const proxy = proxies[0]?.args as [string, string, string | number, string] | undefined;
  return {
    ...(seen
      ? {
          initialized: seen.initialized,
          sealed: seen.sealed,
          standby: seen.standby,
          ...(seen.version ? { version: seen.version } : {}),
        }
      : {}),
    // Tokens were never recorded: OpenBao refuses every token, as it would a revoked one.
    tokens: [],
    ...(proxy ? { service: { namespace: proxy[0], name: proxy[1], port: Number(proxy[2]) } } : {}),
  };
}

/** A/AAAA and CNAME records from the first resolver's answer to each name. */
function dnsRecords(resolved: readonly RecordedAnswer[]): Raw[] {
  const records: Raw[] = [];
  for (const answer of resolved) {
    const [name] = answer.args as [string];
    const first = (answer.value as ResolverAnswer[])[0]?.answer;
    if (first?.kind !== 'addresses') continue;
    const chain = [name, ...first.cnames];
    for (let i = 0; i + 1 < chain.length; i++) {
      records.push({ name: chain[i], type: 'CNAME', value: chain[i + 1], ttl: first.ttlSeconds });
    }
    for (const address of first.addresses) {
      records.push({
        name: chain.at(-1),
        type: address.includes(':') ? 'AAAA' : 'A',
        value: address,
        ttl: first.ttlSeconds,
      });
    }
  }
  return records;
}

/** Per probed host: what kind of certificate was served, whether HTTP redirected, each HTTPS path's status. */
function endpointHosts(
  probes: readonly RecordedAnswer[],
  requests: readonly RecordedAnswer[],
): Record<string, Raw> {
  const hosts: Record<string, Raw> = {};
  for (const probe of probes) {
    const [target, asked] = probe.args as [ProbeTarget, string[]];
    const { tls, replies } = probe.value as HttpsProbe;
    if (tls.kind !== 'handshake') continue;
    const paths: Record<string, number> = {};
    replies.forEach((reply, i) => {
      const path = asked[i];
      if (path !== undefined && reply.kind === 'response') paths[path] = reply.status;
    });
    hosts[target.host] = { certificate: { kind: certificateKind(tls) }, redirectToHttps: false, paths };
  }
  for (const request of requests) {
    const [target] = request.args as [ProbeTarget & { scheme: 'http' | 'https'; path: string }];
    const reply = request.value as HttpReply;
    const host = hosts[target.host];
    if (!host || reply.kind !== 'response') continue;
    if (target.scheme === 'http') host.redirectToHttps = reply.status >= 300 && reply.status < 400;
    else (host.paths as Record<string, number>)[target.path] = reply.status;
  }
  return hosts;
}

function certificateKind(tls: Extract<TlsProbe, { kind: 'handshake' }>): string {
  const error = tls.verifyError ?? '';
  if (tls.isTrusted) return 'valid';
  if (/expired/i.test(error)) return 'expired';
  if (/self[- ]signed/i.test(error)) return 'self-signed';
  if (/hostname|altnames|does not match/i.test(error)) return 'wrong-name';
  return 'valid';
}
