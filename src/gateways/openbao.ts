import { createHmac, randomBytes } from 'node:crypto';
import NodeVault from 'node-vault';
import pLimit from 'p-limit';
import { BaoTransport, BodyTooLarge, type BaoResponse } from './bao-transport.js';
import { formatSeconds, timer } from './deadline.js';
import { GatewayError, errorMessage, socketErrorReason } from './errors.js';
import { SharedReads } from './memo.js';
import { clip } from '../text.js';
import { redact, withoutUserinfo } from './redact.js';
import type { Sensitive } from './sensitive.js';
import type { BaoEndpoint, BaoHealth, KvRead, OpenBaoGateway, TokenLookup } from './types.js';

export interface OpenBaoGatewayOptions {
  /** Per request, in milliseconds. */
  timeoutMs?: number;
  /** One line per request (`GET https://bao:8200/v1/sys/health → 200`) for `--debug`; never holds a token or a value. */
  trace?: (line: string) => void;
}

/** What came back, before any meaning is given to it. */
interface BaoReply {
  status: number;
  body: unknown;
  location: string | null;
}

type Json = Record<string, unknown>;

/** Requests to OpenBao in flight at once, and so the connections each endpoint's pool may open. */
const CONCURRENT_REQUESTS = 8;
const SEALED = 'Vault is sealed';
/** Error codes of a failed handshake or certificate check, from Node's TLS layer and OpenSSL. */
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|^ERR_(TLS|SSL)_|^EPROTO$/;

/**
 * The real OpenBao gateway through node-vault, one client per endpoint, on our own transport
 * (./bao-transport.ts: undici, no redirects, abortable, bounded bodies). Every status is mapped here, and
 * no error object of the transport ever leaves this module.
 */
export function createOpenBaoGateway(options: OpenBaoGatewayOptions = {}): OpenBaoGateway {
  const timeoutMs = options.timeoutMs ?? 5000;
  const trace = options.trace ?? (() => {});
  const reads = new SharedReads();
  const clients = new Map<string, { vault: NodeVault.client; transport: BaoTransport }>();
  // Requests in flight to OpenBao at once: steps ask for every path together and this queues them.
  const limit = pLimit(CONCURRENT_REQUESTS);
  // Keys for memo and clients name credentials by a keyed hash: stable for the run, useless outside it.
  const hmacKey = randomBytes(32);
  const fingerprint = (value: string) => createHmac('sha256', hmacKey).update(value).digest('base64url');

  function endpointKey(endpoint: BaoEndpoint): string {
    const { tls, headers = {} } = endpoint;
    const secrets = JSON.stringify([
      tls?.caPem,
      tls?.certPem,
      tls?.keyPem?.reveal(),
      tls?.insecureSkipVerify,
      Object.entries(headers).map(([name, value]) => [name, value.reveal()]),
    ]);
    return `${endpoint.address} ${fingerprint(secrets)}`;
  }

  function clientFor(endpoint: BaoEndpoint): NodeVault.client {
    const key = endpointKey(endpoint);
    const existing = clients.get(key);
    if (existing) return existing.vault;
    const transport = new BaoTransport(endpoint, CONCURRENT_REQUESTS);
    const vault = NodeVault({
      endpoint: endpoint.address,
      'request-promise': transport.requestPromise,
      // node-vault's own debug output prints paths and request bodies; it stays silent whatever DEBUG says.
      debug: () => {},
    });
    // node-vault falls back to VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX; the doctor sends only what it was given.
    Object.assign(vault, { token: '', namespace: undefined, pathPrefix: '' });
    // Every status is an answer to map here: node-vault would throw on non-2xx and hide health's status code.
    vault.handleVaultResponse = async (response) => response;
    clients.set(key, { vault, transport });
    return vault;
  }

  async function send(
    endpoint: BaoEndpoint,
    method: 'GET' | 'POST',
    path: string,
    token: Sensitive | null,
    signal: AbortSignal,
    body?: Json,
  ): Promise<BaoReply> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(endpoint.headers ?? {})) headers[name] = value.reveal();
    if (token) headers['X-Vault-Token'] = token.reveal();
    const requestTimer = timer(timeoutMs);
    const timeout = requestTimer.signal;
    const deadline = AbortSignal.any([signal, timeout]);
    const url = `${withoutUserinfo(endpoint.address.replace(/\/+$/, ''))}/v1/${path}`;
    try {
      const response = (await limit(() => {
        deadline.throwIfAborted();
        return clientFor(endpoint).request({
          path: `/${path}`,
          method,
          headers,
          signal: deadline,
          ...(body ? { json: body } : {}),
        });
      })) as BaoResponse;
      trace(`${method} ${url} → ${response.statusCode}`);
      return { status: response.statusCode, body: response.body, location: response.location };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const failure = timeout.aborted
        ? new GatewayError(
            'openbao',
            'timeout',
            `OpenBao at ${endpoint.label} did not answer within ${formatSeconds(timeoutMs)}`,
          )
        : connectionFailure(error, endpoint, path);
      trace(`${method} ${url} → ${failure.message}`);
      throw failure;
    } finally {
      requestTimer.clear();
    }
  }

  const tokenKey = (token: Sensitive) => fingerprint(token.reveal());

  return {
    readHealth(endpoint, signal) {
      const what = `OpenBao at ${endpoint.label} (sys/health)`;
      return reads.read(`${endpointKey(endpoint)} health`, signal, what, async (s): Promise<BaoHealth> => {
        const reply = await send(endpoint, 'GET', 'sys/health', null, s);
        const body = reply.body;
        // 429 (standby), 501 (not initialized) and 503 (sealed) carry a health body too: they are answers.
        if (
          !isRecord(body) ||
          typeof body['initialized'] !== 'boolean' ||
          typeof body['sealed'] !== 'boolean'
        ) {
          throw statusFailure(reply, endpoint, 'sys/health');
        }
        return {
          httpStatus: reply.status,
          initialized: body['initialized'],
          sealed: body['sealed'],
          standby: body['standby'] === true,
          version: stringOrNull(body['version']),
          clusterName: stringOrNull(body['cluster_name']),
        };
      });
    },

    lookupToken(endpoint, token, signal) {
      return reads.read(
        `${endpointKey(endpoint)} lookup ${tokenKey(token)}`,
        signal,
        `OpenBao at ${endpoint.label} (auth/token/lookup-self)`,
        async (s): Promise<TokenLookup> => {
          const reply = await send(endpoint, 'GET', 'auth/token/lookup-self', token, s);
          const data = isRecord(reply.body) ? reply.body['data'] : undefined;
          if (reply.status === 200 && isRecord(data)) {
            // Pick fields one by one: `data.id` is the token itself and `accessor` names it; neither is kept.
            return {
              kind: 'valid',
              ttlSeconds: typeof data['ttl'] === 'number' ? data['ttl'] : 0,
              expireTime: stringOrNull(data['expire_time']),
              policies: strings(data['policies']) ?? [],
              renewable: data['renewable'] === true,
              tokenType: typeof data['type'] === 'string' ? data['type'] : 'service',
            };
          }
          if (reply.status === 403 && !apiServerStatus(reply.body))
            return { kind: 'denied', errors: errorsOf(reply.body) };
          throw statusFailure(reply, endpoint, 'auth/token/lookup-self');
        },
      );
    },

    readCapabilities(endpoint, token, paths, signal) {
      const key = `${endpointKey(endpoint)} capabilities ${tokenKey(token)} ${JSON.stringify(paths)}`;
      const what = `OpenBao at ${endpoint.label} (sys/capabilities-self)`;
      return reads.read(key, signal, what, async (s): Promise<Record<string, string[]>> => {
        const reply = await send(endpoint, 'POST', 'sys/capabilities-self', token, s, { paths });
        if (reply.status !== 200 || !isRecord(reply.body))
          throw statusFailure(reply, endpoint, 'sys/capabilities-self');
        const body = reply.body;
        // The server answers inside `data` and, for this path, copies the answer to the top level too.
        const data = isRecord(body['data']) ? body['data'] : {};
        const capabilities: Record<string, string[]> = {};
        for (const path of paths) {
          const found = strings(data[path]) ?? strings(body[path]);
          if (!found) {
            throw new GatewayError(
              'openbao',
              'protocol',
              `OpenBao at ${endpoint.label} left out ${path} from sys/capabilities-self`,
            );
          }
          capabilities[path] = found;
        }
        return capabilities;
      });
    },

    readKvKeyNames(endpoint, token, mount, path, signal) {
      const apiPath = [mount, 'data', path]
        .flatMap((part) => part.split('/'))
        .filter(Boolean)
        .map(encodeURIComponent)
        .join('/');
      return reads.read(
        `${endpointKey(endpoint)} kv ${tokenKey(token)} ${apiPath}`,
        signal,
        `OpenBao at ${endpoint.label} (${apiPath})`,
        async (s): Promise<KvRead> => {
          const reply = await send(endpoint, 'GET', apiPath, token, s);
          const body = isRecord(reply.body) ? reply.body : {};
          const data = isRecord(body['data']) ? body['data'] : null;
          if (!apiServerStatus(reply.body)) {
            if (reply.status === 200 && data && isRecord(data['data'])) {
              const metadata = isRecord(data['metadata']) ? data['metadata'] : {};
              // Key names only: the values are never copied out of the response.
              return {
                kind: 'found',
                keys: Object.keys(data['data']).sort(),
                nestedKeys: nestedKeyPaths(data['data']),
                version: typeof metadata['version'] === 'number' ? metadata['version'] : null,
              };
            }
            // A deleted or destroyed latest version is a 404 that still carries its metadata.
            if (reply.status === 404)
              return data && isRecord(data['metadata']) ? { kind: 'deleted' } : { kind: 'absent' };
            if (reply.status === 403) return { kind: 'denied', errors: errorsOf(reply.body) };
          }
          throw statusFailure(reply, endpoint, apiPath);
        },
      );
    },

    forget(signal) {
      reads.clear(signal);
    },

    async close() {
      reads.clear();
      await Promise.all([...clients.values()].map((c) => c.transport.close()));
      clients.clear();
    },
  };
}

/** A failure to get any HTTP answer, as a GatewayError built from scratch: the transport's error is dropped. */
function connectionFailure(error: unknown, endpoint: BaoEndpoint, path: string): GatewayError {
  const at = `OpenBao at ${endpoint.label}`;
  if (error instanceof BodyTooLarge) {
    return new GatewayError('openbao', 'protocol', `${at} sent ${error.message} for ${path}`);
  }
  const code = (error as { code?: unknown } | null)?.code;
  const codeText = typeof code === 'string' ? code : undefined;
  const detail = errorMessage(error);
  // Keep a cause for --debug, rebuilt from the code and a redacted message only.
  const cause = Object.assign(new Error(detail), { code: codeText });
  const reason = socketErrorReason(codeText);
  if (codeText === 'ENOTFOUND' || codeText === 'EAI_AGAIN') {
    return new GatewayError('openbao', 'unreachable', `cannot reach ${at}: its host name does not resolve`, {
      cause,
    });
  }
  if (reason) return new GatewayError('openbao', 'unreachable', `cannot reach ${at}: ${reason}`, { cause });
  if (codeText === 'UND_ERR_SOCKET' || codeText === 'UND_ERR_CLOSED') {
    return new GatewayError('openbao', 'unreachable', `cannot reach ${at}: the connection was closed`, {
      cause,
    });
  }
  if (codeText && TLS_CODE.test(codeText)) {
    return new GatewayError('openbao', 'tls', `TLS with ${at} failed: ${detail}`, { cause });
  }
  return new GatewayError('openbao', 'protocol', `request to ${at} failed: ${detail}`, { cause });
}

/** An HTTP answer that is not one the call expects, as a GatewayError. */
function statusFailure(reply: BaoReply, endpoint: BaoEndpoint, what: string): GatewayError {
  const { status } = reply;
  const options = { httpStatus: status };
  const kube = apiServerStatus(reply.body);
  if (kube) {
    // The API server proxy answered for itself: our Kubernetes identity or the Service is the problem, not OpenBao.
    const message = `the API server answered ${what} for OpenBao at ${endpoint.label} with HTTP ${status}: ${kube}`;
    if (status === 401) return new GatewayError('openbao', 'unauthorized', message, options);
    if (status === 403) {
      const namespace = /\/namespaces\/([^/]+)\/services\//.exec(endpoint.address)?.[1];
      const permission = `get services/proxy${namespace ? ` in ${namespace}` : ''}`;
      return new GatewayError('openbao', 'forbidden', message, { ...options, permission });
    }
    if (status === 404) return new GatewayError('openbao', 'unreachable', message, options);
    return new GatewayError('openbao', status >= 500 ? 'unavailable' : 'protocol', message, options);
  }
  if (status >= 300 && status < 400) {
    // Following it would send our token (and the API server's credentials) to wherever it points.
    const to = reply.location ? ` to ${withoutUserinfo(reply.location)}` : '';
    return new GatewayError(
      'openbao',
      'protocol',
      `OpenBao at ${endpoint.label} redirected ${what}${to} (HTTP ${status}); not followed, because the request carries a token`,
      options,
    );
  }
  const errors = errorsOf(reply.body);
  if (status === 503 && errors.includes(SEALED)) {
    return new GatewayError('openbao', 'unavailable', `OpenBao at ${endpoint.label} is sealed`, options);
  }
  const said = summarize(errors);
  const message =
    status >= 200 && status < 300
      ? `OpenBao at ${endpoint.label} answered ${what} with HTTP ${status} and a body it does not send`
      : `OpenBao at ${endpoint.label} answered ${what} with HTTP ${status}${said ? `: ${said}` : ''}`;
  if (status === 401) return new GatewayError('openbao', 'unauthorized', message, options);
  if (status === 403) {
    const verb = what === 'sys/capabilities-self' ? 'update' : 'read';
    return new GatewayError('openbao', 'forbidden', message, { ...options, permission: `${verb} ${what}` });
  }
  if ([429, 502, 503, 504].includes(status))
    return new GatewayError('openbao', 'unavailable', message, options);
  return new GatewayError('openbao', 'protocol', message, options);
}

/** The message of a Kubernetes `Status` body (the API server proxy's own error), else null. */
function apiServerStatus(body: unknown): string | null {
  if (!isRecord(body) || body['kind'] !== 'Status') return null;
  const { message, reason } = body;
  return typeof message === 'string' ? message : typeof reason === 'string' ? reason : 'no message';
}

/**
 * `errors` as the server wrote them, redacted (a server may quote our token back) and bounded; a non-JSON
 * body (a proxy's HTML page) becomes its first line.
 */
/** Nesting levels and paths kept of a secret's values: enough for any property path, bounded for a hostile one. */
const NESTED_DEPTH = 8;
const NESTED_PATHS = 1000;

/**
 * The dotted paths inside a KV secret's object and array values (`db.password`, `hosts.0`), which ESO's
 * `remoteRef.property` reads with gjson when no top-level key has that name. Names only, never a value.
 */
function nestedKeyPaths(data: Record<string, unknown>): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, prefix: string, depth: number): void => {
    if (depth > NESTED_DEPTH || (!isRecord(value) && !Array.isArray(value))) return;
    for (const key of Object.keys(value)) {
      if (paths.length >= NESTED_PATHS) return;
      const path = `${prefix}.${key}`;
      paths.push(path);
      walk((value as Record<string, unknown>)[key], path, depth + 1);
    }
  };
  for (const [key, value] of Object.entries(data)) walk(value, key, 1);
  return paths.sort();
}

function errorsOf(body: unknown): string[] {
  const raw = isRecord(body)
    ? (strings(body['errors']) ?? [])
    : typeof body === 'string' && body.trim()
      ? [body.trim().split('\n')[0]!]
      : [];
  return raw.slice(0, 10).map((error) => clip(redact(error), 1000));
}

/** One line from server errors: the multierror wrapping (`1 error occurred:\n\t* …`) is unwrapped. */
function summarize(errors: string[]): string {
  return errors
    .flatMap((error) => {
      const items = [...error.matchAll(/^\s*\*\s*(.+)$/gm)].map((match) => match[1]!.trim());
      return /^\d+ errors? occurred:/.test(error) && items.length > 0
        ? items
        : [error.replace(/\s+/g, ' ').trim()];
    })
    .join('; ');
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
