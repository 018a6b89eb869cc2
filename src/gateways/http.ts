import http from 'node:http';
import net, { type Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import tls, { type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import pLimit from 'p-limit';
import { formatSeconds } from './deadline.js';
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
 * costs about a millisecond of CPU (handshake, certificate, parsing), so more than a few per core would only
 * wait for one; and past 64 the open files (256 by default on macOS) would run out first.
 */
const CONNECTIONS = Math.min(64, 8 * availableParallelism());
/** ALPN's wire form of `['http/1.1']`, encoded once rather than on every connection. */
const ALPN_HTTP1 = Buffer.from('\x08http/1.1', 'latin1');

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

/** How to open connections: TLS with the run's secure context (null for plain HTTP), and the timeout. */
interface Dialer {
  context: SecureContext | null;
  timeoutMs: number;
}

/**
 * The real HTTP gateway, on node:tls and node:http: it connects to the load balancer address and speaks
 * for the target host (SNI, Host header). Every TLS connection uses one secure context, built on first use:
 * parsing the CA bundle costs ~20 ms and ~1 MB of native memory, which per connection was most of a
 * 1,000-host run.
 */
export function createHttpGateway(options: HttpGatewayOptions = {}): HttpGateway {
  const timeoutMs = options.timeoutMs ?? 5000;
  const extraCaPem = options.extraCaPem ?? [];
  let secureContext: SecureContext | undefined;
  const dialer = (scheme: 'http' | 'https'): Dialer => ({
    context:
      scheme === 'https'
        ? (secureContext ??= tls.createSecureContext({ ca: [...tls.rootCertificates, ...extraCaPem] }))
        : null,
    timeoutMs,
  });
  const reads = new SharedReads();
  const limit = pLimit(CONNECTIONS);
  const idle = new IdleConnections();

  return {
    probeHttps(target, paths, signal) {
      const at = origin('https', target);
      const what = `the load balancer at ${at} (TLS for ${target.host})`;
      return reads.read(`probe ${at} ${target.host} ${JSON.stringify(paths)}`, signal, what, (workSignal) =>
        limit(() => (workSignal.throwIfAborted(), probeHttps(target, paths, dialer('https'), workSignal))),
      );
    },
    request(target, signal) {
      const at = origin(target.scheme, target);
      const what = `the load balancer at ${at} (${target.scheme}://${target.host}${target.path})`;
      // A connection the answer left open goes back to the idle ones; an abort destroys it in `get`.
      const ask = async (socket: Socket, workSignal: AbortSignal): Promise<HttpReply> => {
        const reply = await get(socket, target, target.path, timeoutMs, workSignal);
        if (socket.writable && !socket.destroyed) idle.put(at, socket);
        else socket.destroy();
        return reply;
      };
      return reads.read(`${at} ${target.host} ${target.path}`, signal, what, (workSignal) =>
        limit(async () => {
          workSignal.throwIfAborted();
          const reused = idle.take(at);
          if (reused) {
            const reply = await ask(reused, workSignal);
            // The server may close an idle connection as we send: a fresh one tells a real failure.
            if (reply.kind === 'response') return reply;
          }
          const connection = await open(target, dialer(target.scheme), {}, workSignal);
          if (!('socket' in connection)) return failedConnect(connection, timeoutMs);
          return ask(connection.socket, workSignal);
        }),
      );
    },
    forget(signal) {
      reads.clear(signal);
    },
    // HTTPS probes destroy their connection when they end; plain requests leave theirs idle until here.
    async close() {
      reads.clear();
      idle.clear();
    },
  };
}

/**
 * How long an idle connection is reused: undici's default keep-alive timeout. Servers and middleboxes close
 * idle connections after a while, some without a word, and a request on one of those waits out its timeout.
 */
const IDLE_REUSE_MS = 4000;

/**
 * Plain-HTTP connections kept open between requests, per load balancer origin: the redirect check of every
 * host goes to the same address and port, and the Host header says which host is asked, so a thousand hosts
 * need a few connections rather than a thousand. Idle ones never keep the process alive.
 */
class IdleConnections {
  readonly #byOrigin = new Map<string, { socket: Socket; sinceMs: number }[]>();

  put(at: string, socket: Socket): void {
    const list = this.#byOrigin.get(at) ?? [];
    if (list.length >= CONNECTIONS) return void socket.destroy();
    socket.unref();
    list.push({ socket, sinceMs: performance.now() });
    this.#byOrigin.set(at, list);
  }

  take(at: string): Socket | undefined {
    const list = this.#byOrigin.get(at) ?? [];
    for (let idle = list.pop(); idle; idle = list.pop()) {
      const { socket, sinceMs } = idle;
      if (socket.writable && !socket.destroyed && performance.now() - sinceMs < IDLE_REUSE_MS)
        return socket.ref();
      socket.destroy();
    }
    return undefined;
  }

  clear(): void {
    for (const list of this.#byOrigin.values()) for (const { socket } of list) socket.destroy();
    this.#byOrigin.clear();
  }
}

function origin(scheme: 'http' | 'https', target: ProbeTarget): string {
  const address = net.isIPv6(target.address) ? `[${target.address}]` : target.address;
  return `${scheme}://${address}:${target.port}`;
}

/** SNI must not carry an IP address (RFC 6066), so a host that is one goes without. */
function serverName(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

/**
 * One connection for the host: the handshake judged here, then every path asked over it (keep-alive).
 * Should the server close it between paths, the next path connects again.
 */
async function probeHttps(
  target: ProbeTarget,
  paths: readonly string[],
  dialer: Dialer,
  signal: AbortSignal,
): Promise<HttpsProbe> {
  let identityError: string | null = null;
  let verifiedChain: tls.DetailedPeerCertificate | null = null;
  const handshake = await open(
    target,
    dialer,
    // Node keeps only the code of a failed name check; keep its words, and check the host even without SNI.
    // Node calls this after a verified handshake with the chain it has just read: kept, it is not read twice.
    {
      checkServerIdentity: (_name, cert) => {
        verifiedChain = cert as tls.DetailedPeerCertificate;
        const error = tls.checkServerIdentity(target.host, cert);
        identityError = error?.message ?? null;
        return error;
      },
    },
    signal,
  );
  if ('timedOut' in handshake) {
    return {
      tls: { kind: 'failed', reason: `timeout after ${formatSeconds(dialer.timeoutMs)}` },
      replies: [],
    };
  }
  if ('error' in handshake) {
    return { tls: { kind: 'failed', reason: socketFailure(handshake.error, dialer.timeoutMs) }, replies: [] };
  }
  let socket = handshake.socket as TLSSocket;
  const verifyError = socket.authorized ? null : (identityError ?? verifyMessage(socket.authorizationError));
  const probe: TlsProbe = {
    kind: 'handshake',
    chainPem: chainOf(verifiedChain ?? socket.getPeerX509Certificate()),
    isTrusted: verifyError === null,
    verifyError,
  };
  try {
    const replies: HttpReply[] = [];
    for (const path of paths) {
      // Not writable: the server asked to close after its last answer (or that answer was cut).
      if (!socket.writable) {
        const again = await open(target, dialer, {}, signal);
        if (!('socket' in again)) {
          replies.push(failedConnect(again, dialer.timeoutMs));
          continue;
        }
        socket = again.socket as TLSSocket;
      }
      replies.push(await get(socket, target, path, dialer.timeoutMs, signal));
    }
    return { tls: probe, replies };
  } finally {
    socket.destroy();
  }
}

type Opened = { socket: Socket } | { error: NodeJS.ErrnoException } | { timedOut: true };

/**
 * A TCP connection to the load balancer, with a TLS handshake when the dialer has a context: the socket
 * stays open for the caller. Verification never stops the handshake; the caller judges it. A failure or
 * timeout resolves; an abort rejects with the caller's reason. Either way the socket is then destroyed.
 */
function open(
  target: ProbeTarget,
  dialer: Dialer,
  tlsOptions: Pick<ConnectionOptions, 'checkServerIdentity'>,
  signal: AbortSignal,
): Promise<Opened> {
  return new Promise<Opened>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = dialer.context
      ? tls.connect({
          host: target.address,
          port: target.port,
          servername: serverName(target.host),
          secureContext: dialer.context,
          ALPNProtocols: ALPN_HTTP1,
          rejectUnauthorized: false,
          ...tlsOptions,
        })
      : net.connect({ host: target.address, port: target.port });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
    };
    const fail = (outcome: Opened) => {
      settle();
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(signal.reason);
    };
    const onError = (error: NodeJS.ErrnoException) => fail({ error });
    const timer = setTimeout(() => fail({ timedOut: true }), dialer.timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once(dialer.context ? 'secureConnect' : 'connect', () => {
      settle();
      // A reset while no request is in flight ends the connection; the next request notices and reconnects.
      socket.on('error', () => {});
      resolve({ socket });
    });
  });
}

function failedConnect(outcome: Exclude<Opened, { socket: Socket }>, timeoutMs: number): HttpReply {
  const reason =
    'timedOut' in outcome
      ? `timeout after ${formatSeconds(timeoutMs)} connecting`
      : socketFailure(outcome.error, timeoutMs);
  return { kind: 'failed', reason };
}

function verifyMessage(code: Error | string): string {
  return VERIFY_MESSAGES[String(code)] ?? String(code);
}

/** A certificate and the link to its issuer, as both `X509Certificate` and Node's detailed peer certificate have them. */
interface ChainLink {
  raw: Buffer;
  fingerprint256: string;
  issuerCertificate?: ChainLink | undefined;
}

/**
 * The certificates the server sent, leaf first, following issuer links. Node completes a verified chain with
 * the trust anchor from our store, so a self-signed certificate past the leaf is left out: servers need not
 * send their root.
 */
function chainOf(leaf: ChainLink | undefined): string[] {
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let cert = leaf; cert && chain.length < MAX_CHAIN && !seen.has(cert.fingerprint256);) {
    const isSelfSigned = cert.issuerCertificate?.fingerprint256 === cert.fingerprint256;
    if (isSelfSigned && cert !== leaf) break;
    seen.add(cert.fingerprint256);
    chain.push(pemOf(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

function pemOf(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * One GET over an open connection, which stays open when the server keeps it alive and the body was read
 * to its end. Only the first BODY_START_BYTES of the body are read: a longer body ends the connection.
 * Transport failures and timeouts are replies; an abort rejects with the caller's reason.
 */
function get(
  socket: Socket,
  target: ProbeTarget,
  path: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HttpReply> {
  const seconds = formatSeconds(timeoutMs);
  return new Promise<HttpReply>((resolve, reject) => {
    const request = http.request({
      createConnection: () => socket,
      path,
      headers: { host: target.host, connection: 'keep-alive' },
    });
    let phase = 'waiting for the response headers';
    const timer = setTimeout(() => fail(`timeout after ${seconds} ${phase}`), timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (reason: string) => {
      settle();
      request.destroy();
      resolve({ kind: 'failed', reason });
    };
    const onAbort = () => {
      settle();
      request.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error: NodeJS.ErrnoException) => fail(socketFailure(error, timeoutMs)));
    request.on('response', (response) => {
      phase = 'reading the body';
      timer.refresh();
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = () => {
        settle();
        resolve({
          kind: 'response',
          status: response.statusCode ?? 0,
          location: firstHeader(response.headers['location']),
          server: firstHeader(response.headers['server']),
          bodyStart: Buffer.concat(chunks).subarray(0, BODY_START_BYTES).toString('utf8'),
        });
      };
      response.on('data', (chunk: Buffer) => {
        timer.refresh();
        chunks.push(chunk);
        size += chunk.length;
        if (size < BODY_START_BYTES) return;
        request.destroy();
        answer();
      });
      response.on('end', answer);
      // The connection ended mid-body (a reset, or our own cut above, which is answered already).
      response.on('error', (error: NodeJS.ErrnoException) => fail(socketFailure(error, timeoutMs)));
    });
    request.end();
  });
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** One line for a connection or TLS failure, e.g. `connection refused`, `TLS handshake failed: wrong version number`. */
function socketFailure(error: NodeJS.ErrnoException & { reason?: string }, timeoutMs: number): string {
  // Node's client says "socket hang up" when the server closed the connection before it answered.
  if (error.code === 'ECONNRESET' && error.message === 'socket hang up') {
    return 'connection closed by the server before it answered';
  }
  const unreachable = socketErrorReason(error.code);
  if (unreachable) return unreachable;
  if (error.code === 'ETIMEDOUT') return `timeout after ${formatSeconds(timeoutMs)} connecting`;
  // OpenSSL errors carry the library's short reason, e.g. `wrong version number`.
  if (error.code?.startsWith('ERR_SSL_') || error.code === 'EPROTO') {
    return `TLS handshake failed: ${error.reason ?? firstLine(error.message)}`;
  }
  return error.code ? `${error.code}: ${firstLine(error.message)}` : firstLine(error.message);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
