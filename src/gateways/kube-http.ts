import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import pLimit from 'p-limit';
import { bufferFromFileOrString, type KubeConfig } from '@kubernetes/client-node';
import { formatSeconds, timer, untilAborted } from './deadline.js';
import { GatewayError, errorMessage, socketErrorReason } from './errors.js';
import type { ExecCredentialPlugin } from './kube-exec.js';
import { registerSecret } from './redact.js';
import { Sensitive } from './sensitive.js';

/** One request as RBAC names it, for the `permission` of a 403: `list secrets in plate-stg`. */
export interface Access {
  verb: string;
  /** `plural.group`, a subresource such as `pods/log`, or a non-resource URL such as `/version`. */
  resource: string;
  namespace?: string;
}

export interface KubeReply {
  status: number;
  body: string;
}

/** What a caller needs to reach the API server itself (the OpenBao service proxy). */
export interface KubeCredentials {
  caPem?: string;
  certPem?: string;
  keyPem?: Sensitive;
  insecureSkipVerify: boolean;
  headers: Record<string, Sensitive>;
}

/**
 * HTTP to the API server with client-node's KubeConfig supplying TLS material and static credentials
 * (token, client certificate, basic auth, auth-provider plugins, proxy-url agents); exec credential
 * plugins are run by ExecCredentialPlugin under the caller's deadline.
 *
 * Why not the generated API clients: in client-node 1.x they send through node-fetch without an
 * AbortSignal and with no timeout, so a hung API server would hang the run and a deadline could not
 * close the socket. node:https with the KubeConfig's options lets every request be aborted for real.
 */
/**
 * Requests in flight to the API server at once, whatever the steps ask: the gateway's share of the
 * server, like client-go's QPS/burst. Steps ask for everything at once and this queues; a full run starts
 * with 16 lists, and one that waits here delays every step that needs it.
 */
const CONCURRENT_REQUESTS = 16;

export class KubeHttp {
  #lastOptions: https.RequestOptions | null = null;
  readonly #limit = pLimit(CONCURRENT_REQUESTS);
  /** Our own keep-alive pool, so `close()` can end its sockets; a kubeconfig proxy-url brings its own agent. */
  readonly #agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };

  constructor(
    private readonly kubeConfig: KubeConfig,
    /** Where requests go (may carry userinfo, which node:https sends as basic auth). */
    private readonly server: string,
    /** The server as messages name it: `the API server at https://…`, userinfo removed. */
    readonly label: string,
    private readonly timeoutMs: number,
    private readonly exec: ExecCredentialPlugin | null,
    private readonly trace?: (line: string) => void,
  ) {}

  /**
   * Sends one request under the per-call timeout combined with `signal`. Resolves with any HTTP status;
   * rejects with GatewayError for transport failures, or with `signal.reason` when the caller aborted.
   * The trace line has method, path, status and duration only: headers and bodies carry secrets.
   */
  async send(
    method: 'GET' | 'POST',
    target: string,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<KubeReply> {
    signal.throwIfAborted();
    const requestTimer = timer(this.timeoutMs);
    const timeout = requestTimer.signal;
    const deadline = AbortSignal.any([signal, timeout]);
    const started = performance.now();
    let outcome = 'failed';
    try {
      const options: https.RequestOptions = { method, headers: {} };
      await untilAborted(this.#applyCredentials(options, deadline), deadline);
      const reply = await this.#limit(() => {
        deadline.throwIfAborted();
        return this.#request(options, target, body, deadline);
      });
      outcome = String(reply.status);
      return reply;
    } catch (error) {
      if (signal.aborted) {
        outcome = 'aborted';
        throw signal.reason;
      }
      if (timeout.aborted) {
        outcome = 'timeout';
        throw new GatewayError(
          'kubernetes',
          'timeout',
          `the API server at ${this.label} did not answer within ${formatSeconds(this.timeoutMs)}`,
        );
      }
      outcome = (error as NodeJS.ErrnoException).code ?? 'failed';
      throw error instanceof GatewayError ? error : transportError(error, this.label);
    } finally {
      requestTimer.clear();
      this.trace?.(`${method} ${target} ${outcome} ${Math.round(performance.now() - started)}ms`);
    }
  }

  /**
   * TLS material and headers as used by the latest request; before any request, the kubeconfig's static
   * credentials (exec and auth-provider plugins only yield a token once a request has asked for one).
   */
  credentials(): KubeCredentials {
    const options = this.#lastOptions ?? this.#staticOptions();
    const headers: Record<string, Sensitive> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (typeof value === 'string') headers[name] = new Sensitive(value);
    }
    if (options.auth)
      headers.Authorization = new Sensitive(`Basic ${Buffer.from(options.auth).toString('base64')}`);
    const key = pem(options.key);
    return {
      caPem: pem(options.ca),
      certPem: pem(options.cert),
      keyPem: key === undefined ? undefined : new Sensitive(key),
      insecureSkipVerify: this.kubeConfig.getCurrentCluster()?.skipTLSVerify ?? false,
      headers,
    };
  }

  /** Who a request is waiting for now: the credential plugin while it runs, else the API server. */
  get waitingFor(): string {
    return this.exec?.isRunning
      ? `${this.exec.label} for the API server at ${this.label}`
      : `the API server at ${this.label}`;
  }

  /** Ends every pooled connection to the API server. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  async #applyCredentials(options: https.RequestOptions, signal: AbortSignal): Promise<void> {
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      // Auth-provider plugins (oidc, azure, gcp) fail here: expired logins, missing binaries.
      throw new GatewayError(
        'kubernetes',
        'unauthorized',
        `could not get credentials for the API server: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    if (this.exec) {
      const credential = await this.exec.credential(signal, Date.now());
      if (credential.token) {
        options.headers = { ...options.headers, Authorization: `Bearer ${credential.token.reveal()}` };
      }
      if (credential.certPem && credential.keyPem) {
        options.cert = credential.certPem;
        options.key = credential.keyPem.reveal();
      }
    }
    registerSecrets(options);
    this.#lastOptions = options;
  }

  #staticOptions(): https.RequestOptions {
    const cluster = this.kubeConfig.getCurrentCluster();
    const user = this.kubeConfig.getCurrentUser();
    const headers: Record<string, string> = {};
    if (user?.token) headers.Authorization = `Bearer ${user.token}`;
    if (user?.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    return {
      ca: bufferFromFileOrString(cluster?.caFile, cluster?.caData) ?? undefined,
      cert: bufferFromFileOrString(user?.certFile, user?.certData) ?? undefined,
      key: bufferFromFileOrString(user?.keyFile, user?.keyData) ?? undefined,
      auth: user?.username ? `${user.username}:${user.password ?? ''}` : undefined,
      headers,
    };
  }

  #request(
    options: https.RequestOptions,
    target: string,
    body: string | undefined,
    deadline: AbortSignal,
  ): Promise<KubeReply> {
    const url = new URL(this.server + target);
    const isPlain = url.protocol === 'http:';
    const transport = isPlain ? http : https;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        ...options,
        // client-node makes a new agent per call (no connection reuse); only a proxy-url needs its agent.
        agent: this.kubeConfig.getCurrentCluster()?.proxyUrl
          ? options.agent
          : isPlain
            ? this.#agents.http
            : this.#agents.https,
        headers: {
          ...options.headers,
          Accept: 'application/json, */*',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      });
      // Destroying the request closes its socket; a keep-alive agent would otherwise keep it open.
      const onAbort = () => {
        request.destroy();
        reject(deadline.reason);
      };
      deadline.addEventListener('abort', onAbort, { once: true });
      const settle = () => deadline.removeEventListener('abort', onAbort);
      request.on('error', (error) => {
        settle();
        reject(error);
      });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
          settle();
          request.destroy();
          reject(
            new GatewayError(
              'kubernetes',
              'protocol',
              `the API server at ${this.label} sent more than ${MAX_BODY_BYTES >> 20} MB for ${target.split('?')[0]}`,
            ),
          );
        });
        response.on('error', (error) => {
          settle();
          reject(error);
        });
        response.on('end', () => {
          settle();
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(body);
    });
  }
}

/** A list page or object bigger than this is not something the doctor should hold in memory. */
const MAX_BODY_BYTES = 128 << 20;

/** Whatever credential a request is about to carry, known to the redactor before any answer arrives. */
function registerSecrets(options: https.RequestOptions): void {
  const headers = options.headers && !Array.isArray(options.headers) ? options.headers : {};
  const authorization = (headers as Record<string, unknown>)['Authorization'];
  if (typeof authorization === 'string') registerSecret(authorization.replace(/^(Bearer|Basic)\s+/i, ''));
  if (options.auth) registerSecret(options.auth.slice(options.auth.indexOf(':') + 1));
  const key = pem(options.key);
  if (key) registerSecret(key);
}

/** A non-success reply as a GatewayError; the body is used only through a Status object's `message`. */
export function statusError(reply: KubeReply, method: string, target: string, access: Access): GatewayError {
  const detail = statusMessage(reply.body);
  const status = `${reply.status} ${STATUS_CODES[reply.status] ?? 'Unknown'}`;
  const options = { httpStatus: reply.status };
  if (reply.status === 401) {
    return new GatewayError(
      'kubernetes',
      'unauthorized',
      `the API server rejected our credentials (${status})`,
      options,
    );
  }
  if (reply.status === 403) {
    const permission = permissionOf(access);
    return new GatewayError(
      'kubernetes',
      'forbidden',
      detail ?? `the API server does not allow us to ${permission}`,
      {
        ...options,
        permission,
      },
    );
  }
  const path = target.split('?')[0];
  const suffix = detail ? `: ${detail}` : '';
  if (reply.status === 429 || reply.status === 503) {
    return new GatewayError(
      'kubernetes',
      'unavailable',
      `the API server cannot serve ${method} ${path} now (${status})${suffix}`,
      options,
    );
  }
  return new GatewayError(
    'kubernetes',
    'protocol',
    `the API server answered ${status} to ${method} ${path}${suffix}`,
    options,
  );
}

/** Parses a 2xx JSON body; a body that is not JSON is a protocol error that never quotes the body. */
export function parseJson<T>(reply: KubeReply, method: string, target: string): T {
  try {
    return JSON.parse(reply.body) as T;
  } catch (error) {
    const path = target.split('?')[0];
    throw new GatewayError(
      'kubernetes',
      'protocol',
      `the API server sent a body that is not JSON for ${method} ${path}`,
      {
        cause: error,
        httpStatus: reply.status,
      },
    );
  }
}

/** `list certificates.cert-manager.io in plate-stg`, or `list secrets at cluster scope`. */
export function permissionOf(access: Access): string {
  return `${access.verb} ${access.resource} ${access.namespace ? `in ${access.namespace}` : 'at cluster scope'}`;
}

function statusMessage(body: string): string | null {
  try {
    const status = JSON.parse(body) as { kind?: unknown; message?: unknown };
    if (status.kind !== 'Status' || typeof status.message !== 'string' || status.message === '') return null;
    // Not cut here: the GatewayError redacts first, then bounds, so no half token escapes the redactor.
    return status.message.split('\n')[0]!;
  } catch {
    return null;
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

function transportError(error: unknown, server: string): GatewayError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = socketErrorReason(code);
  if (reason)
    return new GatewayError(
      'kubernetes',
      'unreachable',
      `cannot reach the API server at ${server}: ${reason}`,
      { cause: error },
    );
  if (code === 'ETIMEDOUT') {
    return new GatewayError('kubernetes', 'timeout', `connecting to the API server at ${server} timed out`, {
      cause: error,
    });
  }
  if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return new GatewayError(
      'kubernetes',
      'tls',
      `TLS with the API server at ${server} failed: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  return new GatewayError(
    'kubernetes',
    'protocol',
    `request to the API server at ${server} failed: ${errorMessage(error)}`,
    { cause: error },
  );
}

function pem(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}
