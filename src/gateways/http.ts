import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls, { type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import pLimit from 'p-limit';
import { Client } from 'undici';
import { socketErrorReason } from './errors.js';
import { SharedReads } from './memo.js';
import type { HttpGateway, HttpReply, ProbeTarget, TlsProbe } from './types.js';

export interface HttpGatewayOptions {
  /** Per handshake, and per phase of a request (connect, headers, body), in milliseconds. */
  timeoutMs?: number;
  /** CAs trusted besides Node's bundled Mozilla roots, e.g. the sandbox's or a private ACME CA. */
  extraCaPem?: string[];
}

const BODY_START_BYTES = 1024;

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

/**
 * The real HTTP gateway: node:tls for certificate probes, undici for single requests. Both connect
 * to the load balancer address and speak for the target host (SNI, Host header).
 */
export function createHttpGateway(options: HttpGatewayOptions = {}): HttpGateway {
  const timeoutMs = options.timeoutMs ?? 5000;
  const ca = [...tls.rootCertificates, ...(options.extraCaPem ?? [])];
  const reads = new SharedReads();
  // Connections to the load balancer at once: steps probe every host together and this queues them.
  const limit = pLimit(16);

  return {
    probeTls(target, signal) {
      const what = `the load balancer at ${origin('https', target)} (TLS for ${target.host})`;
      return reads.read(`tls ${origin('https', target)} ${target.host}`, signal, what, (workSignal) =>
        limit(() => (workSignal.throwIfAborted(), probeTls(target, ca, timeoutMs, workSignal))),
      );
    },
    request(target, signal) {
      const key = `${origin(target.scheme, target)} ${target.host} ${target.path}`;
      const what = `the load balancer at ${origin(target.scheme, target)} (${target.scheme}://${target.host}${target.path})`;
      return reads.read(key, signal, what, (workSignal) =>
        limit(() => (workSignal.throwIfAborted(), request(target, timeoutMs, workSignal))),
      );
    },
    forget(signal) {
      reads.clear(signal);
    },
    // Each probe destroys its own connection when it ends or is aborted: nothing is held between them.
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

function probeTls(
  target: ProbeTarget,
  ca: string[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<TlsProbe> {
  return new Promise<TlsProbe>((resolve, reject) => {
    let identityError: string | null = null;
    const socket = tls.connect({
      host: target.address,
      port: target.port,
      servername: serverName(target.host),
      ca,
      // Verification is judged below and returned as data, so the handshake must not abort on it.
      rejectUnauthorized: false,
      // Node keeps only the code of a failed name check; keep its words, and check the host even without SNI.
      checkServerIdentity: (_name, cert) => {
        const error = tls.checkServerIdentity(target.host, cert);
        identityError = error?.message ?? null;
        return error;
      },
    });
    const end = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
    };
    const onAbort = () => {
      end();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      end();
      resolve({ kind: 'failed', reason: `timeout after ${timeoutMs / 1000}s` });
    }, timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      end();
      resolve({ kind: 'failed', reason: socketFailure(error, timeoutMs) });
    });
    socket.once('secureConnect', () => {
      const verifyError = socket.authorized
        ? null
        : (identityError ?? verifyMessage(socket.authorizationError));
      const chainPem = chainOf(socket.getPeerCertificate(true));
      end();
      resolve({ kind: 'handshake', chainPem, isTrusted: verifyError === null, verifyError });
    });
  });
}

function verifyMessage(code: Error | string): string {
  return VERIFY_MESSAGES[String(code)] ?? String(code);
}

/**
 * Leaf first, following issuer links. Node appends the trust anchor from the trusted store when the
 * server did not send it, so the last entry may be a root the server never served.
 */
function chainOf(peer: DetailedPeerCertificate): string[] {
  const chain: string[] = [];
  let cert: PeerCertificate | undefined = peer;
  const seen = new Set<string>();
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw).toString());
    cert = (cert as DetailedPeerCertificate).issuerCertificate;
  }
  return chain;
}

async function request(
  target: ProbeTarget & { scheme: 'http' | 'https'; path: string },
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HttpReply> {
  const client = new Client(origin(target.scheme, target), {
    connect: { servername: serverName(target.host), rejectUnauthorized: false, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  try {
    const response = await client.request({
      method: 'GET',
      path: target.path,
      headers: { host: target.host },
      signal,
    });
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
  } finally {
    await client.destroy();
  }
}

/** The first BODY_START_BYTES of the body as text; the rest is never read. */
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
