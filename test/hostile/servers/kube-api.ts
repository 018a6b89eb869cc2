/**
 * A programmable Kubernetes API server for the hostile suite: real HTTPS on 127.0.0.1 with a CA made for it,
 * a minimal valid API by default (`/version`, lists of the objects it was given, single GETs, access reviews
 * that allow everything), and per-test routes that take over a path to misbehave: hang, answer late, send
 * garbage, never-ending pages, Status bodies that quote the caller's credentials.
 *
 * Every request is recorded (method, path, query, headers) so a test can see what the doctor sent.
 */
import https from 'node:https';
import net from 'node:net';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { KINDS, type KindDef } from '../../../src/gateways/kinds.js';
import { createCertificateAuthority, type CertificateAuthority } from '../../../src/sandbox/certs.js';
import { listenOnLoopback } from './loopback.js';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<string, unknown>;
} & Record<string, unknown>;

export interface KubeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Takes over a request. It may answer (`res.end(...)`), answer later, or never answer at all (a hang:
 * the socket stays open until the server closes).
 */
export type KubeHandler = (req: KubeRequest, res: ServerResponse) => void;

export interface HostileKubeApi {
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, as messages should name the server. */
  hostPort: string;
  ca: CertificateAuthority;
  /** Objects served by the default list and get handlers; tests may push more at any time. */
  objects: KubeObject[];
  requests: KubeRequest[];
  /** The first matching route wins; unmatched requests get the default, valid answers. */
  on(method: string, path: RegExp | string, handler: KubeHandler): void;
  close(): Promise<void>;
}

export const SERVER_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' };

/** A metav1.Status failure as the API server writes it. */
export function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startKubeApi(
  options: { objects?: KubeObject[]; ca?: CertificateAuthority } = {},
): Promise<HostileKubeApi> {
  const ca = options.ca ?? (await createCertificateAuthority('hostile-kube-ca'));
  const leaf = await ca.issue({
    commonName: 'kube-apiserver',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  const objects: KubeObject[] = [...(options.objects ?? [])];
  const requests: KubeRequest[] = [];
  const routes: { method: string; path: RegExp | string; handler: KubeHandler }[] = [];

  const server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const request: KubeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const route = routes.find(
        (r) =>
          (r.method === '*' || r.method === request.method) &&
          (typeof r.path === 'string' ? r.path === request.path : r.path.test(request.path)),
      );
      if (route) return route.handler(request, res);
      answerDefault(request, res, objects);
    });
  });
  const { port, close } = await listenOnLoopback(server);

  return {
    url: `https://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    ca,
    objects,
    requests,
    on: (method, path, handler) => routes.push({ method, path, handler }),
    close,
  };
}

/** Where a request path points: a collection (list), or one object (get). */
interface Target {
  def: KindDef;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const DEFS: KindDef[] = Object.values(KINDS);

/** `/api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]]` or `/apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME[/SUB]]`. */
export function parseResourcePath(path: string): Target | null {
  const parts = path.split('/').filter(Boolean);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return null;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = decodeURIComponent(rest[1]!);
    rest = rest.slice(2);
  }
  const def = DEFS.find((d) => d.group === group && d.plural === rest[0]);
  if (!def || !def.versions.includes(version as never)) return null;
  return {
    def,
    version,
    namespace,
    name: rest[1] === undefined ? undefined : decodeURIComponent(rest[1]),
    subresource: rest[2],
  };
}

function matchesKind(obj: KubeObject, def: KindDef, version: string): boolean {
  const apiVersion = def.group ? `${def.group}/${version}` : version;
  return obj.kind === def.kind && obj.apiVersion === apiVersion;
}

function matchesLabels(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && labels[key.trim()] === value?.trim();
  });
}

function answerDefault(request: KubeRequest, res: ServerResponse, objects: KubeObject[]): void {
  if (request.method === 'GET' && request.path === '/version') return sendJson(res, 200, SERVER_VERSION);
  if (request.method === 'POST' && request.path.endsWith('/selfsubjectaccessreviews')) {
    const review = JSON.parse(request.body || '{}') as Record<string, unknown>;
    return sendJson(res, 201, { ...review, status: { allowed: true } });
  }
  const target = request.method === 'GET' ? parseResourcePath(request.path) : null;
  if (!target) {
    return sendJson(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  }
  const inScope = objects.filter(
    (o) =>
      matchesKind(o, target.def, target.version) &&
      (target.namespace === undefined || o.metadata.namespace === target.namespace),
  );
  if (target.name === undefined) {
    const items = inScope.filter((o) => matchesLabels(o, request.query.get('labelSelector')));
    return sendJson(res, 200, {
      kind: `${target.def.kind}List`,
      apiVersion: target.def.group ? `${target.def.group}/${target.version}` : target.version,
      metadata: { resourceVersion: '1' },
      items,
    });
  }
  const found = inScope.find((o) => o.metadata.name === target.name);
  if (target.subresource === 'log') {
    res.writeHead(found ? 200 : 404, { 'Content-Type': 'text/plain' });
    return void res.end('');
  }
  if (!found || target.subresource) {
    return sendJson(res, 404, status(404, 'NotFound', `${target.def.plural} "${target.name}" not found`));
  }
  return sendJson(res, 200, found);
}

/**
 * A TCP port that accepts connections and never sends a byte: not even a TLS handshake.
 * (An API server whose process is wedged, or a firewall that swallows packets after the SYN.)
 */
export async function startSilentTcp(): Promise<{ hostPort: string; url: string; close(): Promise<void> }> {
  const { port, close } = await listenOnLoopback(net.createServer(() => {}));
  return { hostPort: `127.0.0.1:${port}`, url: `https://127.0.0.1:${port}`, close };
}
