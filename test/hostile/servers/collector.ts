/**
 * The "collector": a server that is not the one a credential belongs to. Hostile servers redirect the
 * doctor here; it records every request (method, URL, headers, body) and answers like a healthy OpenBao, to
 * be as tempting as possible. A test asserts that nothing it recorded carries a credential.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import { listenOnLoopback } from './loopback.js';
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
  const { port, close } = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}`, requests, close };
}
