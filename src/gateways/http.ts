import { availableParallelism } from 'node:os';
import net from 'node:net';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import pLimit from 'p-limit';
import { buildConnector, Client } from 'undici';
import { socketErrorReason } from './errors.js';
import { SharedReads } from './memo.js';
import type { HttpGateway, HttpReply, HttpsProbe, ProbeTarget, TlsProbe } from './types.js';

export interface HttpGatewayOptions {
  /** Per handshake, and per phase of a request (connect, headers, body), in milliseconds. */
  timeoutMs?: number;
  /** CAs trusted besides Node's bundled Mozilla roots, e.g. the sandbox's or a private ACME CA. */
  extraCaPem?: string[];
}

const BODY_START_BYTES = 1024;
/** Longest chain followed from the leaf through the certificates the server sent. */
const MAX_CHAIN = 10;
/**
 * Connections to the load balancer at once: steps probe every host together and this queues them. A probe
 * costs about a millisecond of CPU (handshake, certificate, parsing), so more would only wait for a core.
 */
const CONNECTIONS = 8 * availableParallelism();

/**
 * OpenSSL's texts for the verification codes Node reports in `authorizationError`; Node keeps only
 * the code on a socket that was allowed to connect, so we put the words back ourselves.
 */
const VERIFY_MESSAGES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
  INVALID_CA: 'invalid CA certificate',
  CERT_UNTRUSTED: 'certificate not trusted',
};

type Connector = ReturnType<typeof buildConnector>;

/**
 * The real HTTP gateway: node:tls for the handshake of a host's probe, undici for the requests. Both
 * connect to the load balancer address and speak for the target host (SNI, Host header). Every TLS
 * connection uses one secure context, built on first use: parsing the CA bundle costs ~20 ms and ~1 MB
 * of native memory, which per connection was most of a 1,000-host run.
 */
export function createHttpGateway(options: HttpGatewayOptions = {}): HttpGateway {
  const timeoutMs = options.timeoutMs ?? 5000;
  const extraCaPem = options.extraCaPem ?? [];
  let secureContext: SecureContext | undefined;
  const context = () =>
    (secureContext ??= tls.createSecureContext({ ca: [...tls.rootCertificates, ...extraCaPem] }));
  let connectors: Record<'http' | 'https', Connector> | undefined;
  // Verification is judged by the probe's own handshake; requests only need the connection.
  const connector = (scheme: 'http' | 'https') =>
    (connectors ??= {
      http: buildConnector({ timeout: timeoutMs }),
      https: buildConnector({
        timeout: timeoutMs,
        secureContext: context(),
        rejectUnauthorized: false,
        maxCachedSessions: 0,
      }),
    })[scheme];
  const reads = new SharedReads();
  const limit = pLimit(CONNECTIONS);

  return {
    probeHttps(target, paths, signal) {
      const at = origin('https', target);
      const what = `the load balancer at ${at} (TLS for ${target.host})`;
      return reads.read(`probe ${at} ${target.host} ${JSON.stringify(paths)}`, signal, what, (workSignal) =>
        limit(() => {
          workSignal.throwIfAborted();
          return probeHttps(target, paths, { context: context(), connector: connector('https'), timeoutMs }, workSignal);
        }),
      );
    },
    request(target, signal) {
      const key = `${origin(target.scheme, target)} ${target.host} ${target.path}`;
      const what = `the load balancer at ${origin(target.scheme, target)} (${target.scheme}://${target.host}${target.path})`;
      return reads.read(key, signal, what, (workSignal) =>
        limit(async () => {
          workSignal.throwIfAborted();
          const client = newClient(target.scheme, target, connector(target.scheme), timeoutMs);
          try {
            return await get(client, target, target.path, timeoutMs, workSignal);
          } finally {
            await client.destroy();
          }
        }),
      );
    },
    forget(signal) {
      reads.clear(signal);
    },
    // Each probe and request destroys its own connection when it ends or is aborted: nothing is held between them.
    async close() {
      reads.clear();
    },
  };
}

function origin(scheme: 'http' | 'https', target: ProbeTarget): string {
  const address = net.isIPv6(target.address) ? `[${target.address}]` : target.address;
  return `${scheme}://${address}:${target.port}`;
}

/** SNI must not carry an IP address (RFC 6066), so a host that is one goes without. */
function serverName(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

function newClient(
  scheme: 'http' | 'https',
  target: ProbeTarget,
  connect: Connector,
  timeoutMs: number,
): Client {
  return new Client(origin(scheme, target), { connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
}

/**
 * One connection for the host: the handshake judged here, then every path asked over it (keep-alive). Should
 * the server close it between paths, the next path connects again through `connector`.
 */
async function probeHttps(
  target: ProbeTarget,
  paths: readonly string[],
  using: { context: SecureContext; connector: Connector; timeoutMs: number },
  signal: AbortSignal,
): Promise<HttpsProbe> {
  const handshake = await shakeHands(target, using.context, using.timeoutMs, signal);
  if (handshake.tls.kind === 'failed' || !handshake.socket) return { tls: handshake.tls, replies: [] };
  let socket: TLSSocket | undefined = handshake.socket;
  if (paths.length === 0) {
    socket.destroy();
    return { tls: handshake.tls, replies: [] };
  }
  const client = newClient(
    'https',
    target,
    (options, callback) => {
      // Undici asks once per connection: the first is the probe's own socket. Undici's resume loop is not
      // re-entrant, so the socket is handed over after this call returns, as a real connect would.
      const ours = socket;
      socket = undefined;
      if (ours && !ours.destroyed) queueMicrotask(() => callback(null, ours));
      else using.connector(options, callback);
    },
    using.timeoutMs,
  );
  try {
    const replies: HttpReply[] = [];
    for (const path of paths) replies.push(await get(client, target, path, using.timeoutMs, signal));
    return { tls: handshake.tls, replies };
  } finally {
    socket?.destroy();
    await client.destroy();
  }
}

type Handshake = { tls: TlsProbe; socket?: TLSSocket };

/** A TLS handshake with the shared context; the socket stays open for the caller when it succeeds. */
function shakeHands(
  target: ProbeTarget,
  secureContext: SecureContext,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Handshake> {
  return new Promise<Handshake>((resolve, reject) => {
    let identityError: string | null = null;
    const socket = tls.connect({
      host: target.address,
      port: target.port,
      servername: serverName(target.host),
      secureContext,
      ALPNProtocols: ['http/1.1'],
      // Verification is judged below and returned as data, so the handshake must not abort on it.
      rejectUnauthorized: false,
      // Node keeps only the code of a failed name check; keep its words, and check the host even without SNI.
      checkServerIdentity: (_name, cert) => {
        const error = tls.checkServerIdentity(target.host, cert);
        identityError = error?.message ?? null;
        return error;
      },
    });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
    };
    const fail = (reason: string) => {
      settle();
      socket.destroy();
      resolve({ tls: { kind: 'failed', reason } });
    };
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(signal.reason);
    };
    const onError = (error: NodeJS.ErrnoException) => fail(socketFailure(error, timeoutMs));
    const timer = setTimeout(() => fail(`timeout after ${timeoutMs / 1000}s`), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      settle();
      const verifyError = socket.authorized
        ? null
        : (identityError ?? verifyMessage(socket.authorizationError));
      const chainPem = servedChain(socket);
      resolve({ tls: { kind: 'handshake', chainPem, isTrusted: verifyError === null, verifyError }, socket });
    });
  });
}

function verifyMessage(code: Error | string): string {
  return VERIFY_MESSAGES[String(code)] ?? String(code);
}

/** The certificates the server sent, leaf first, following issuer links (trust anchors from our store are not added). */
function servedChain(socket: TLSSocket): string[] {
  const chain: string[] = [];
  const seen = new Set<string>();
  let cert = socket.getPeerX509Certificate();
  while (cert && chain.length < MAX_CHAIN && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert.toString());
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** One GET over `client`; transport failures are replies, an abort rejects with the caller's reason. */
async function get(
  client: Client,
  target: ProbeTarget,
  path: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HttpReply> {
  try {
    const response = await client.request({ method: 'GET', path, headers: { host: target.host }, signal });
    const bodyStart = await readStart(response.body);
    return {
      kind: 'response',
      status: response.statusCode,
      location: firstHeader(response.headers['location']),
      server: firstHeader(response.headers['server']),
      bodyStart,
    };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { kind: 'failed', reason: socketFailure(error as NodeJS.ErrnoException, timeoutMs) };
  }
}

/**
 * The first BODY_START_BYTES of the body as text; the rest is never read, so a longer body ends its
 * connection (a host's next path then connects again).
 */
async function readStart(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= BODY_START_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, BODY_START_BYTES).toString('utf8');
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** One line for a connection or TLS failure, e.g. `connection refused`, `TLS handshake failed: wrong version number`. */
function socketFailure(error: NodeJS.ErrnoException & { reason?: string }, timeoutMs: number): string {
  const seconds = `${timeoutMs / 1000}s`;
  const unreachable = socketErrorReason(error.code);
  if (unreachable) return unreachable;
  switch (error.code ?? '') {
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `timeout after ${seconds} connecting`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `timeout after ${seconds} waiting for the response headers`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `timeout after ${seconds} reading the body`;
    case 'UND_ERR_SOCKET':
      return `connection closed by the server (${firstLine(error.message)})`;
  }
  // OpenSSL errors carry the library's short reason, e.g. `wrong version number`.
  if (error.code?.startsWith('ERR_SSL_') || error.code === 'EPROTO') {
    return `TLS handshake failed: ${error.reason ?? firstLine(error.message)}`;
  }
  return error.code ? `${error.code}: ${firstLine(error.message)}` : firstLine(error.message);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
