/**
 * A programmable OpenBao (HTTP on 127.0.0.1): healthy answers by default for `sys/health`,
 * `auth/token/lookup-self`, `sys/capabilities-self` and KV v2 reads, and per-test routes that misbehave:
 * dribble a byte a second, echo the token in error bodies, redirect elsewhere, send megabytes of error.
 *
 * Every request is recorded, headers included, so a test can see which token reached which server.
 */
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface BaoRequest {
  method: string;
  /** Path after `/v1/`, e.g. `sys/health`. */
  path: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type BaoHandler = (req: BaoRequest, res: ServerResponse) => void;

export interface HostileOpenBao {
  /** `http://127.0.0.1:PORT` */
  url: string;
  hostPort: string;
  requests: BaoRequest[];
  /** The first matching route wins; `path` is matched against the path after `/v1/`. */
  on(method: string, path: string | RegExp, handler: BaoHandler): void;
  close(): Promise<void>;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const HEALTH = {
  initialized: true,
  sealed: false,
  standby: false,
  performance_standby: false,
  replication_performance_mode: 'disabled',
  replication_dr_mode: 'disabled',
  server_time_utc: 0,
  version: '2.1.0',
  cluster_name: 'openbao-hostile',
  cluster_id: '00000000-0000-0000-0000-000000000000',
};

/** What a healthy OpenBao answers; also what the collector answers, to look like the real thing. */
export function healthyAnswer(req: BaoRequest, res: ServerResponse): void {
  if (req.path === 'sys/health')
    return json(res, 200, { ...HEALTH, server_time_utc: Math.floor(Date.now() / 1000) });
  if (req.path === 'auth/token/lookup-self') {
    return json(res, 200, {
      request_id: 'r',
      data: {
        accessor: 'hostileAccessor',
        policies: ['default', 'eso-read'],
        ttl: 2_592_000,
        expire_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        renewable: true,
        type: 'service',
      },
    });
  }
  if (req.path === 'sys/capabilities-self') {
    const paths = (JSON.parse(req.body || '{}') as { paths?: string[] }).paths ?? [];
    const data = Object.fromEntries(paths.map((p) => [p, ['read']]));
    return json(res, 200, { ...data, capabilities: ['read'], data });
  }
  if (req.method === 'GET' && /^[^/]+\/data\//.test(req.path)) {
    return json(res, 200, {
      data: {
        data: { password: 'not-a-real-value' },
        metadata: { version: 1, created_time: new Date().toISOString() },
      },
    });
  }
  json(res, 404, { errors: [] });
}

export async function startOpenBao(): Promise<HostileOpenBao> {
  const requests: BaoRequest[] = [];
  const routes: { method: string; path: string | RegExp; handler: BaoHandler }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: BaoRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/v1\//, ''),
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const route = routes.find(
        (r) =>
          (r.method === '*' || r.method === request.method) &&
          (typeof r.path === 'string' ? r.path === request.path : r.path.test(request.path)),
      );
      (route?.handler ?? healthyAnswer)(request, res);
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    on: (method, path, handler) => routes.push({ method, path, handler }),
    close,
  };
}

// ------------------------------------------------------------------ misbehaviours

/** Headers at once, then the body one byte a second, forever (until the server closes). */
export const dribble: BaoHandler = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1048576' });
  res.write('{');
  const timer = setInterval(() => res.write(' '), 1000);
  res.on('close', () => clearInterval(timer));
};

/** An error status whose body repeats the X-Vault-Token it received: as JSON `errors`, or an HTML proxy page. */
export function echoToken(status: number, style: 'json' | 'html' = 'json'): BaoHandler {
  return (req, res) => {
    const token = String(req.headers['x-vault-token'] ?? '');
    if (style === 'html') {
      res.writeHead(status, { 'Content-Type': 'text/html' });
      return void res.end(
        `<html><body>${status} upstream rejected X-Vault-Token: ${token}\n</body></html>\n`,
      );
    }
    json(res, status, { errors: [`permission denied: token "${token}" is not valid for ${req.path}`] });
  };
}

/** `307 Temporary Redirect` to the same path on `target` (another server, e.g. the collector). */
export function redirectTo(target: string): BaoHandler {
  return (req, res) => {
    res.writeHead(307, { Location: `${target}${req.url}` });
    res.end();
  };
}

/** An error status with a `size`-byte JSON body (one long error string). */
export function hugeError(status: number, size: number): BaoHandler {
  return (_req, res) => {
    const text = JSON.stringify({ errors: [`internal error: ${'x'.repeat(size)}`] });
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
}
