/**
 * A small loopback HTTPS server standing in for the Kubernetes API server in gateway tests: real
 * sockets and TLS, routes set per test, every request recorded. Unknown paths answer like the real
 * API server for an unserved group: `404 page not found` as text.
 */
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCertificateAuthority, type CertificateAuthority } from '../../src/sandbox/certs.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** CN of the client certificate, when one was presented. */
  clientCommonName: string | null;
}

/** A reply, or `'hang'`: accept the request and never answer. */
export type FakeReply = { status: number; json?: unknown; text?: string } | 'hang';

export interface FakeApiServer {
  url: string;
  ca: CertificateAuthority;
  requests: FakeRequest[];
  /** Answers `method path` (path without query) with a fixed reply or a function of the request. */
  on(method: string, path: string, reply: FakeReply | ((request: FakeRequest) => FakeReply)): void;
  openSockets(): number;
  /** Forgets routes and recorded requests, for the next test. */
  reset(): void;
  /** Resolves once every client socket has closed; rejects after `withinMs`. */
  socketsClosed(withinMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A Status object as the API server writes it. */
export function statusBody(code: number, reason: string, message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export async function startFakeApiServer(ca?: CertificateAuthority): Promise<FakeApiServer> {
  const authority = ca ?? (await createCertificateAuthority('fake-apiserver-ca'));
  const leaf = await authority.issue({
    commonName: 'kube-apiserver',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  const routes = new Map<string, FakeReply | ((request: FakeRequest) => FakeReply)>();
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();

  const server = https.createServer(
    {
      cert: leaf.certPem,
      key: leaf.keyPem,
      ca: authority.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const request: FakeRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          clientCommonName: [peer?.subject?.CN ?? []].flat()[0] ?? null,
        };
        requests.push(request);
        const route = routes.get(`${request.method} ${request.path}`);
        const reply =
          typeof route === 'function'
            ? route(request)
            : (route ?? { status: 404, text: '404 page not found' });
        if (reply === 'hang') return;
        if (reply.json !== undefined) {
          res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.json));
        } else {
          res.writeHead(reply.status, { 'Content-Type': 'text/plain' }).end(reply.text ?? '');
        }
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `https://127.0.0.1:${port}`,
    ca: authority,
    requests,
    on: (method, path, reply) => routes.set(`${method} ${path}`, reply),
    openSockets: () => sockets.size,
    reset: () => {
      routes.clear();
      requests.length = 0;
    },
    socketsClosed: async (withinMs) => {
      const deadline = Date.now() + withinMs;
      while (sockets.size > 0) {
        if (Date.now() > deadline)
          throw new Error(`${sockets.size} socket(s) still open after ${withinMs}ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A kubeconfig (JSON, which is YAML) for one context pointing at `server`. */
export function kubeconfigFor(options: {
  server: string;
  caPem?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  token?: string;
  client?: { certPem: string; keyPem: string };
  currentContext?: string | null;
}): Record<string, unknown> {
  const context = options.context ?? 'test';
  const cluster = options.cluster ?? 'test-cluster';
  const user = options.user ?? 'tester';
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: options.server,
          ...(options.caPem ? { 'certificate-authority-data': b64(options.caPem) } : {}),
        },
      },
    ],
    users: [
      {
        name: user,
        user: {
          ...(options.token ? { token: options.token } : {}),
          ...(options.client
            ? {
                'client-certificate-data': b64(options.client.certPem),
                'client-key-data': b64(options.client.keyPem),
              }
            : {}),
        },
      },
    ],
    contexts: [
      {
        name: context,
        context: { cluster, user, ...(options.namespace ? { namespace: options.namespace } : {}) },
      },
    ],
    ...(options.currentContext === null ? {} : { 'current-context': options.currentContext ?? context }),
  };
}
