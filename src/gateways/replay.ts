/**
 * Replaying gateways: the four interfaces answered from a recording (./recording.ts) instead of the
 * network, so `platform doctor --from FILE` re-runs the runbooks offline and a newer doctor can re-diagnose
 * an old incident. A question the recording does not hold is answered with a GatewayError of kind
 * `unrecorded`: the step shows an `error` leaf ("could not check"), it never crashes.
 */
import { GatewayError, type SystemName } from './errors.js';
import { answerKey, type RecordedAnswer, TokenNames } from './recording.js';
import { Sensitive } from './sensitive.js';
import type {
  BaoEndpoint,
  BaoHealth,
  DnsGateway,
  Gateways,
  HttpGateway,
  KubeGateway,
  KubeObject,
  KubeTarget,
  KvRead,
  OpenBaoGateway,
  ResolverAnswer,
  SecretSummary,
  HttpsProbe,
  HttpReply,
  TokenLookup,
} from './types.js';
import { randomUUID } from 'node:crypto';

/** What replaying needs besides the answers: who the recording talked to. */
export interface ReplaySource {
  answers: readonly RecordedAnswer[];
  kubeTarget: KubeTarget;
  dnsResolvers: readonly string[];
}

/** The replaying gateways, and the token names they share with a Recorder wrapped around them. */
export interface Replay {
  gateways: Gateways;
  tokens: TokenNames;
  /** A stand-in for a token the recorded run was given (BAO_TOKEN): its lookups replay under `holder`. */
  standIn(holder: string): Sensitive;
}

/** Gateways that answer from `source` and never touch the network. */
export function replayGateways(source: ReplaySource): Replay {
  const byKey = new Map(source.answers.map((a) => [answerKey(a.system, a.call, a.args), a]));
  const tokens = new TokenNames();
  const standIn = (holder: string, key?: string): Sensitive => {
    // A random stand-in: it can never match text, and the redactor it registers with never fires on real output.
    const token = new Sensitive(`replayed-${randomUUID()}`);
    tokens.name(token, key === undefined ? { holder } : { holder, key });
    return token;
  };

  const answer = async <T>(system: SystemName, call: string, args: unknown[], what: string): Promise<T> => {
    const found = byKey.get(answerKey(system, call, args));
    if (!found || (found.value === undefined && found.error === undefined)) {
      throw new GatewayError(system, 'unrecorded', `the snapshot holds no answer to ${what}`);
    }
    if (found.error) {
      const { kind, message, permission, httpStatus } = found.error;
      throw new GatewayError(system, kind, message, {
        ...(permission !== undefined ? { permission } : {}),
        ...(httpStatus !== undefined ? { httpStatus } : {}),
      });
    }
    return structuredClone(found.value) as T;
  };

  const nothing = () => {};
  const closed = async () => {};

  const kube: KubeGateway = {
    target: source.kubeTarget,
    readVersion: () => answer<string>('kubernetes', 'readVersion', [], 'GET /version'),
    list: (kind, options) =>
      answer<KubeObject[] | null>('kubernetes', 'list', [kind, options], `list ${kind}${where(options)}`),
    listSecrets: (options) =>
      answer<SecretSummary[]>('kubernetes', 'listSecrets', [options], `list secrets${where(options)}`),
    readSecretValue: async (namespace, name, key) => {
      const read = await answer<{ present: boolean }>(
        'kubernetes',
        'readSecretValue',
        [namespace, name, key],
        `get secret ${namespace}/${name}`,
      );
      return read.present ? standIn(`Secret ${namespace}/${name}`, key) : null;
    },
    readPodLogs: (namespace, pod, options) =>
      answer<string>('kubernetes', 'readPodLogs', [namespace, pod, options], `logs of ${namespace}/${pod}`),
    canI: (verb, resource) =>
      answer<boolean>('kubernetes', 'canI', [verb, resource], `can-i ${verb} ${resource.resource}`),
    serviceProxy: (namespace, service, port, scheme = 'http') => {
      const found = byKey.get(answerKey('kubernetes', 'serviceProxy', [namespace, service, port, scheme]));
      const recorded = found?.value as Pick<BaoEndpoint, 'address' | 'label' | 'via'> | undefined;
      // Unrecorded: an address no recorded answer is keyed under, so every call through it is "not recorded".
      return (
        recorded ?? {
          address: `${source.kubeTarget.server}/api/v1/namespaces/${namespace}/services/${service}:${port}/proxy`,
          label: `${namespace}/${service}:${port} via the API server proxy`,
          via: 'service-proxy',
        }
      );
    },
    forget: nothing,
    close: closed,
  };

  const baoArgs = (endpoint: BaoEndpoint, ...rest: unknown[]) => [endpoint.address, ...rest];
  const openbao: OpenBaoGateway = {
    readHealth: (endpoint) =>
      answer<BaoHealth>(
        'openbao',
        'readHealth',
        baoArgs(endpoint),
        `sys/health of OpenBao at ${endpoint.label}`,
      ),
    lookupToken: (endpoint, token) =>
      answer<TokenLookup>(
        'openbao',
        'lookupToken',
        baoArgs(endpoint, tokens.of(token)),
        `a token lookup at OpenBao ${endpoint.label}`,
      ),
    readCapabilities: (endpoint, token, paths) =>
      answer<Record<string, string[]>>(
        'openbao',
        'readCapabilities',
        baoArgs(endpoint, tokens.of(token), paths),
        `sys/capabilities-self at OpenBao ${endpoint.label}`,
      ),
    readKvKeyNames: (endpoint, token, mount, path) =>
      answer<KvRead>(
        'openbao',
        'readKvKeyNames',
        baoArgs(endpoint, tokens.of(token), mount, path),
        `${mount}/data/${path} at OpenBao ${endpoint.label}`,
      ),
    forget: nothing,
    close: closed,
  };

  const dns: DnsGateway = {
    resolvers: [...source.dnsResolvers],
    resolve: (name) =>
      answer<ResolverAnswer[]>('dns', 'resolve', [name], `a DNS lookup of ${name}`).catch(
        (error: unknown) => {
          // DNS answers failures as values; an unrecorded name is a resolver that gave no answer.
          if (!(error instanceof GatewayError)) throw error;
          return source.dnsResolvers.map((resolver) => ({
            resolver,
            answer: { kind: 'unanswered' as const, reason: error.message },
          }));
        },
      ),
    forget: nothing,
    close: closed,
  };

  const http: HttpGateway = {
    probeHttps: (target, paths) =>
      answer<HttpsProbe>('http', 'probeHttps', [target, paths], `an HTTPS probe of ${target.host}`).catch(
        (error: unknown) => ({ tls: failedProbe(error), replies: [] }),
      ),
    request: (target) =>
      answer<HttpReply>('http', 'request', [target], `${target.scheme}://${target.host}${target.path}`).catch(
        (error: unknown) => failedProbe(error),
      ),
    forget: nothing,
    close: closed,
  };

  return { gateways: { kube, openbao, dns, http }, tokens, standIn: (holder) => standIn(holder) };
}

/** The HTTP gateway answers failures as values: an unrecorded probe is one that failed, saying why. */
function failedProbe(error: unknown): { kind: 'failed'; reason: string } {
  if (!(error instanceof GatewayError)) throw error;
  return { kind: 'failed', reason: error.message };
}

function where(options: { namespace?: string; labelSelector?: string }): string {
  const ns = options.namespace ? ` in ${options.namespace}` : '';
  return `${ns}${options.labelSelector ? ` -l ${options.labelSelector}` : ''}`;
}
