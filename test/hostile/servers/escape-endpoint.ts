/**
 * An ingress endpoint whose answers carry terminal escapes: raw HTTP written byte by byte, so header values
 * can hold bytes a well-behaved server library would refuse (C1 controls such as 0x9B, a one-byte CSI).
 * - HTTP: `308` to a Location with a C1 CSI and a right-to-left override;
 * - HTTPS: a certificate whose issuer and subject names carry escapes, then `502` with a C1 CSI in `Server`
 *   and a body full of OSC/CSI/BEL/CR/bidi.
 */
import net from 'node:net';
import tls from 'node:tls';
import { createCertificateAuthority } from '../../../src/sandbox/certs.js';
import { listenOnLoopback } from './loopback.js';

export const ESCAPES = '\x1b]0;pwned\x07\x1b[2J\x1b[31m\x07\rovertyped \u202Etxt.exe\u202C';

export interface EscapeEndpoint {
  address: string;
  httpPort: number;
  httpsPort: number;
  /** PEM of the CA that signed the served certificate (trust it with NODE_EXTRA_CA_CERTS). */
  caPem: string;
  close(): Promise<void>;
}

/** Raw response bytes: the head is latin1 (so 0x9B stays one byte), the body UTF-8. */
function raw(head: string, body = ''): Buffer {
  const bodyBytes = Buffer.from(body, 'utf8');
  return Buffer.concat([
    Buffer.from(`${head}\r\nContent-Length: ${bodyBytes.length}\r\nConnection: close\r\n\r\n`, 'latin1'),
    bodyBytes,
  ]);
}

export async function startEscapeEndpoint(host: string): Promise<EscapeEndpoint> {
  // The CA's and the leaf's names are what the doctor prints as "issued by …" and "certificate is for …".
  const ca = await createCertificateAuthority(`Evil CA \x1b]0;pwned\x07\x1b[2J\u202Eac`);
  const leaf = await ca.issue({ commonName: `${host} \x1b[31m\u202E`, dnsNames: [host] });
  const http = net.createServer((socket) => {
    socket.once('data', () =>
      socket.end(
        raw(
          `HTTP/1.1 308 Permanent Redirect\r\nServer: nginx\x9b2J\r\nLocation: https://evil.example.test/\x9b2J\xe2\x80\xae`,
        ),
      ),
    );
  });
  const https = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => {
    // A client that resets the TLS connection is not the endpoint's problem.
    socket.on('error', () => {});
    socket.once('data', () =>
      socket.end(
        raw(
          'HTTP/1.1 502 Bad Gateway\r\nServer: nginx\x9b31m\r\nContent-Type: text/html',
          `<html><title>${ESCAPES}</title><body>502 Bad Gateway ${ESCAPES}</body></html>`,
        ),
      ),
    );
  });
  const [plain, secure] = await Promise.all([listenOnLoopback(http), listenOnLoopback(https)]);
  return {
    address: '127.0.0.1',
    httpPort: plain.port,
    httpsPort: secure.port,
    caPem: ca.certPem,
    close: async () => {
      await Promise.all([plain.close(), secure.close()]);
    },
  };
}
