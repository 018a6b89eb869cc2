/**
 * Recording gateways: the same four interfaces, passing every call through to the real gateways and keeping
 * each question with its answer. The timeline reads what a run listed from here, and `--snapshot` writes it
 * out (`recordedAnswers()`), so checks never change to be recorded or replayed (./replay.ts).
 *
 * What is kept is what the gateways already return, which never holds a Secret value: Secrets are summaries
 * (key names, the public tls.crt), KV reads key names, a token read from a Secret only whether it was there.
 * Tokens are never kept: a token is named by who holds it (`Secret plate-prod/openbao-token`, `BAO_TOKEN`).
 * `recordedAnswers()` also redacts every string and drops literal env values of pod specs.
 */
import { GatewayError, type GatewayErrorKind, type SystemName } from './errors.js';
import { REDACTED, redactDeep } from './redact.js';
import type { Sensitive } from './sensitive.js';
import type {
  BaoEndpoint,
  BaoHealth,
  DnsGateway,
  Gateways,
  HttpGateway,
  KubeGateway,
  KubeObject,
  OpenBaoGateway,
  TokenLookup,
} from './types.js';

/** Who holds a token: the Secret and key it was read from, or the environment variable. */
export interface TokenHolder {
  holder: string;
  key?: string;
}

/** A GatewayError as a recording keeps it. */
export interface RecordedError {
  kind: GatewayErrorKind;
  message: string;
  permission?: string;
  httpStatus?: number;
}

/** One question to one system and what it answered: a value, or the error it failed with. */
export interface RecordedAnswer {
  system: SystemName;
  /** The gateway method: `list`, `readHealth`, `resolve`, … */
  call: string;
  /** What identifies the question (no signal, no token: a TokenHolder stands for it). */
  args: unknown[];
  value?: unknown;
  error?: RecordedError;
  /** For people and the timeline: the OpenBao server's label of an OpenBao answer. */
  about?: string;
}

/** The key a question is recorded and replayed under. */
export function answerKey(system: SystemName, call: string, args: readonly unknown[]): string {
  return JSON.stringify([system, call, args]);
}

/** `openbao/openbao:8200 via the API server proxy` → `openbao/openbao:8200`: how leaves name the server. */
export function serverLabel(endpoint: Pick<BaoEndpoint, 'label'>): string {
  return endpoint.label.replace(/ via the API server proxy$/, '');
}

/** What the recording holds about tokens: names, never values (shared with ./replay.ts). */
export class TokenNames {
  readonly #names = new WeakMap<Sensitive, TokenHolder>();

  name(token: Sensitive, holder: TokenHolder): void {
    this.#names.set(token, holder);
  }

  of(token: Sensitive): TokenHolder {
    return this.#names.get(token) ?? { holder: 'a token the doctor was given' };
  }
}

/**
 * Wraps `inner`: `gateways` are the recording doors; the answers stay in memory until a full `forget()`
 * (a new run) clears them.
 */
export class Recorder {
  readonly gateways: Gateways;
  readonly tokens: TokenNames;
  readonly #answers = new Map<string, RecordedAnswer>();

  constructor(inner: Gateways, tokens = new TokenNames()) {
    this.tokens = tokens;
    this.gateways = {
      kube: this.#kube(inner.kube),
      openbao: this.#openbao(inner.openbao),
      dns: this.#dns(inner.dns),
      http: this.#http(inner.http),
    };
  }

  /** Every answer recorded since the last full forget, as live values (for the timeline). */
  answers(): RecordedAnswer[] {
    return [...this.#answers.values()];
  }

  /**
   * The answers as a snapshot stores them: deep copies, every string redacted, literal env values of pod
   * specs dropped (a manifest may inline a password there).
   */
  recordedAnswers(): RecordedAnswer[] {
    return this.answers().map((answer) => sanitized(answer));
  }

  /** Every object the run listed (any kind but Secrets), in recording order. */
  listedObjects(): KubeObject[] {
    return this.answers().flatMap((a) =>
      a.system === 'kubernetes' && a.call === 'list' && Array.isArray(a.value)
        ? (a.value as KubeObject[])
        : [],
    );
  }

  /** Each OpenBao server's health and each token lookup this run got. */
  baoAnswers(): {
    servers: { server: string; health: BaoHealth }[];
    tokens: { holder: string; lookup: TokenLookup }[];
  } {
    const answered = this.answers().filter((a) => a.system === 'openbao' && a.value !== undefined);
    return {
      servers: answered
        .filter((a) => a.call === 'readHealth')
        .map((a) => ({ server: a.about ?? String(a.args[0]), health: a.value as BaoHealth })),
      tokens: answered
        .filter((a) => a.call === 'lookupToken')
        .map((a) => ({ holder: (a.args[1] as TokenHolder).holder, lookup: a.value as TokenLookup })),
    };
  }

  /** `forget` and `close` of a wrapped gateway: a full forget (a new run) also drops the recorded answers. */
  #lifecycle(inner: Pick<Gateways[keyof Gateways], 'forget' | 'close'>) {
    return {
      forget: (signal?: AbortSignal) => {
        if (signal === undefined) this.#answers.clear();
        inner.forget(signal);
      },
      close: () => inner.close(),
    };
  }

  /** Runs one call and records its answer; a later value replaces an earlier error, never the reverse. */
  async #record<T>(
    question: Omit<RecordedAnswer, 'value' | 'error'>,
    call: () => Promise<T>,
    keep: (value: T) => unknown = (value) => value,
  ): Promise<T> {
    const key = answerKey(question.system, question.call, question.args);
    try {
      const value = await call();
      this.#answers.set(key, { ...question, value: keep(value) });
      return value;
    } catch (error) {
      const known = this.#answers.get(key);
      if (known?.value === undefined) this.#answers.set(key, { ...question, error: recordedError(error) });
      throw error;
    }
  }

  #kube(inner: KubeGateway): KubeGateway {
    const record = <T>(call: string, args: unknown[], run: () => Promise<T>, keep?: (value: T) => unknown) =>
      this.#record({ system: 'kubernetes', call, args }, run, keep);
    return {
      get target() {
        return inner.target;
      },
      readVersion: (signal) => record('readVersion', [], () => inner.readVersion(signal)),
      list: (kind, options, signal) =>
        record('list', [kind, options], () => inner.list(kind, options, signal)),
      listSecrets: (options, signal) =>
        record('listSecrets', [options], () => inner.listSecrets(options, signal)),
      readSecretValue: (namespace, name, key, signal) =>
        record(
          'readSecretValue',
          [namespace, name, key],
          async () => {
            const token = await inner.readSecretValue(namespace, name, key, signal);
            if (token) this.tokens.name(token, { holder: `Secret ${namespace}/${name}`, key });
            return token;
          },
          // Only whether the key was there: the value never enters a recording.
          (token) => ({ present: token !== null }),
        ),
      readPodLogs: (namespace, pod, options, signal) =>
        record('readPodLogs', [namespace, pod, options], () =>
          inner.readPodLogs(namespace, pod, options, signal),
        ),
      canI: (verb, resource, signal) =>
        record('canI', [verb, resource], () => inner.canI(verb, resource, signal)),
      serviceProxy: (namespace, service, port, scheme) => {
        const endpoint = inner.serviceProxy(namespace, service, port, scheme);
        const key = answerKey('kubernetes', 'serviceProxy', [namespace, service, port, scheme ?? 'http']);
        // Where the proxy is, not how to pass it: the API server's credentials stay out.
        this.#answers.set(key, {
          system: 'kubernetes',
          call: 'serviceProxy',
          args: [namespace, service, port, scheme ?? 'http'],
          value: { address: endpoint.address, label: endpoint.label, via: endpoint.via },
        });
        return endpoint;
      },
      ...this.#lifecycle(inner),
    };
  }

  #openbao(inner: OpenBaoGateway): OpenBaoGateway {
    const record = <T>(call: string, endpoint: BaoEndpoint, args: unknown[], run: () => Promise<T>) =>
      this.#record(
        { system: 'openbao', call, args: [endpoint.address, ...args], about: serverLabel(endpoint) },
        run,
      );
    return {
      readHealth: (endpoint, signal) =>
        record('readHealth', endpoint, [], () => inner.readHealth(endpoint, signal)),
      lookupToken: (endpoint, token, signal) =>
        record('lookupToken', endpoint, [this.tokens.of(token)], () =>
          inner.lookupToken(endpoint, token, signal),
        ),
      readCapabilities: (endpoint, token, paths, signal) =>
        record('readCapabilities', endpoint, [this.tokens.of(token), paths], () =>
          inner.readCapabilities(endpoint, token, paths, signal),
        ),
      readKvKeyNames: (endpoint, token, mount, path, signal) =>
        record('readKvKeyNames', endpoint, [this.tokens.of(token), mount, path], () =>
          inner.readKvKeyNames(endpoint, token, mount, path, signal),
        ),
      ...this.#lifecycle(inner),
    };
  }

  #dns(inner: DnsGateway): DnsGateway {
    return {
      get resolvers() {
        return inner.resolvers;
      },
      resolve: (name, signal) =>
        this.#record({ system: 'dns', call: 'resolve', args: [name] }, () => inner.resolve(name, signal)),
      ...this.#lifecycle(inner),
    };
  }

  #http(inner: HttpGateway): HttpGateway {
    return {
      probeHttps: (target, paths, signal) =>
        this.#record({ system: 'http', call: 'probeHttps', args: [target, paths] }, () =>
          inner.probeHttps(target, paths, signal),
        ),
      request: (target, signal) =>
        this.#record({ system: 'http', call: 'request', args: [target] }, () =>
          inner.request(target, signal),
        ),
      ...this.#lifecycle(inner),
    };
  }
}

/** A failure as a recording keeps it; anything but a GatewayError (a deadline, an abort) reads as a timeout. */
function recordedError(error: unknown): RecordedError {
  if (error instanceof GatewayError) {
    return {
      kind: error.kind,
      message: error.message,
      ...(error.permission !== undefined ? { permission: error.permission } : {}),
      ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
    };
  }
  return { kind: 'timeout', message: 'no answer before the recorded run gave up waiting' };
}

/** A deep copy with every string redacted and pod env literals dropped. */
function sanitized(answer: RecordedAnswer): RecordedAnswer {
  const copy = redactDeep(answer) as RecordedAnswer;
  if (copy.system === 'kubernetes' && copy.call === 'list' && Array.isArray(copy.value)) {
    for (const obj of copy.value as KubeObject[]) if (obj.kind === 'Pod') dropEnvValues(obj);
  }
  return copy;
}

function dropEnvValues(pod: KubeObject): void {
  const spec = pod.spec as Record<string, unknown> | undefined;
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const containers = spec?.[field];
    if (!Array.isArray(containers)) continue;
    for (const container of containers as Record<string, unknown>[]) {
      if (!Array.isArray(container?.env)) continue;
      for (const env of container.env as Record<string, unknown>[]) {
        if (env && typeof env === 'object' && typeof env.value === 'string') env.value = REDACTED;
      }
    }
  }
}
