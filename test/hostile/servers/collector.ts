/**
 * The "collector": a server that is not the one a credential belongs to. Hostile servers redirect the
 * doctor here; it records every request (method, URL, headers, body) and answers like a healthy OpenBao, to
 * be as tempting as possible. A test asserts that nothing it recorded carries a credential.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type net from 'node:net';
import { healthyAnswer } from './openbao.js';

export interface CollectedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Collector {
  /** `http://127.0.0.1:PORT` */
  url: string;
  requests: CollectedRequest[];
  close(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  const requests: CollectedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      // Whatever prefix the redirect kept (a service-proxy path, `/v1/`), answer for the OpenBao path at its end.
      const path = url.pathname.replace(/^.*?\/v1\//, '');
      healthyAnswer(
        { method: req.method ?? 'GET', path, url: req.url ?? '/', headers: req.headers, body },
        res,
      );
    });
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
