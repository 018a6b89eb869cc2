import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { createSelfSigned, type CertificateAuthority, type Issued } from './certs.js';
import type { RunningServer, Scenario } from './scenario.js';

/**
 * The ingress-nginx controller behind its load balancer, as a client on the network sees it: HTTP that
 * redirects to HTTPS with 308, HTTPS that picks the certificate by SNI, per-path answers, nginx's own error
 * pages, and the default server for hosts no Ingress claims.
 *
 * Wire details and their sources:
 * - Error pages: nginx src/http/ngx_http_special_response.c (`ngx_http_error_308_page` etc. plus
 *   `ngx_http_error_tail`, the `server_tokens off` tail). Content-Type `text/html`, no charset.
 * - Unknown host: ingress-nginx ≥ 0.2x (Helm chart `defaultBackend.enabled: false`, the default) sends it to
 *   the controller's internal server on :8181, `location / { return 404; }` (rootfs/etc/nginx/template/
 *   nginx.tmpl, "backend for when default-backend-service is not configured"): nginx's `404 Not Found` page.
 *   Older installs with the separate default-http-backend image answer `text/plain; charset=utf-8` with the
 *   21-byte body `default backend - 404` (ingress-nginx docs/examples, issue #3888). Probes must accept both.
 * - No `Server` header: ingress-nginx's ConfigMap default `server-tokens: "false"` renders
 *   `server_tokens off; more_clear_headers Server;` (test/e2e/settings/server_tokens.go), so only the error
 *   page tail `<center>nginx</center>` names nginx. Checks must not require `Server: nginx`.
 * - HTTPS answers for configured hosts carry HSTS `max-age=31536000; includeSubDomains` (ConfigMap defaults
 *   hsts, hsts-max-age, hsts-include-subdomains).
 * - Unknown or missing SNI gets the controller's self-signed "Kubernetes Ingress Controller Fake Certificate".
 */

type EndpointSpec = Scenario['endpoint'];
type HostSpec = NonNullable<EndpointSpec['hosts']>[string];

/** What clients did to the endpoint, for the bench: connection reuse and probes per host. */
export interface IngressEndpointStats {
  /** TCP connections accepted on the HTTP port. */
  httpConnections: number;
  /** TCP connections accepted on the HTTPS port (each starts a TLS handshake). */
  httpsConnections: number;
  /** TLS handshakes the server completed, and how many of them resumed an earlier session. */
  tlsHandshakes: number;
  tlsResumed: number;
  /**
   * Connections that failed or ended before the server completed the handshake, e.g. a client that closes
   * as soon as it has the certificate, before its Finished message reaches the server.
   */
  tlsClientErrors: number;
  /** Requests answered on each port. */
  httpRequests: number;
  httpsRequests: number;
}

/** A running load balancer endpoint: one address, an HTTP port and an HTTPS port. */
export interface IngressEndpoint extends RunningServer {
  /** The load balancer address both ports listen on. */
  address: string;
  httpPort: number;
  httpsPort: number;
  stats: IngressEndpointStats;
}

/** Where the sandbox load balancer listens unless the scenario says otherwise (Linux routes all of 127/8). */
export const DEFAULT_ENDPOINT_ADDRESS = '127.0.10.10';
/**
 * ingress-nginx's default certificate: CN and SAN as observed in `curl -v` and x509 errors ("valid for
 * ingress.local"); the real subject also has `O=Acme Co`, which certs.ts cannot set.
 */
export const FAKE_CERTIFICATE_CN = 'Kubernetes Ingress Controller Fake Certificate';
export const FAKE_CERTIFICATE_SAN = 'ingress.local';

const DAY_MS = 86_400_000;
/** Let's Encrypt certificates live 90 days; expiring and expired ones keep that span. */
const LIFETIME_DAYS = 90;

const CRLF = '\r\n';

/** nginx's status line reasons where they differ from Node's (ngx_http_header_filter_module.c). */
const NGINX_REASONS: Record<number, string> = {
  302: 'Moved Temporarily',
  308: 'Permanent Redirect',
  408: 'Request Time-out',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  416: 'Requested Range Not Satisfiable',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The statuses nginx has a built-in page for, with the title it prints. */
const NGINX_PAGE_TITLES: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Authorization Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Not Allowed',
  408: 'Request Time-out',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** nginx's built-in page for `status` under `server_tokens off`, or null when nginx has none. */
export function nginxErrorPage(status: number): string | null {
  const title = NGINX_PAGE_TITLES[status];
  if (!title) return null;
  return [
    '<html>',
    `<head><title>${status} ${title}</title></head>`,
    '<body>',
    `<center><h1>${status} ${title}</h1></center>`,
    '<hr><center>nginx</center>',
    '</body>',
    '</html>',
    '',
  ].join(CRLF);
}

/**
 * One certificate per configured host, as the scenario's `certificate` asks. `days` counts from `now`: days
 * left for `expiring` (default 5), days since expiry for `expired` (default 1).
 */
export async function issueHostCertificates(
  spec: EndpointSpec,
  ca: CertificateAuthority,
  now: Date,
): Promise<Map<string, Issued>> {
  const entries = Object.entries(spec.hosts ?? {}).map(
    async ([host, { certificate }]): Promise<[string, Issued]> => {
      const name = host.toLowerCase();
      const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
      switch (certificate.kind) {
        case 'valid':
          return [
            name,
            await ca.issue({ commonName: name, dnsNames: [name], notBefore: at(-1), notAfter: at(89) }),
          ];
        case 'expiring': {
          const left = certificate.days ?? 5;
          return [
            name,
            await ca.issue({
              commonName: name,
              dnsNames: [name],
              notBefore: at(left - LIFETIME_DAYS),
              notAfter: at(left),
            }),
          ];
        }
        case 'expired': {
          const ago = certificate.days ?? 1;
          return [
            name,
            await ca.issue({
              commonName: name,
              dnsNames: [name],
              notBefore: at(-ago - LIFETIME_DAYS),
              notAfter: at(-ago),
            }),
          ];
        }
        case 'wrong-name': {
          const other = certificate.name ?? `other.${name}`;
          return [
            name,
            await ca.issue({ commonName: other, dnsNames: [other], notBefore: at(-1), notAfter: at(89) }),
          ];
        }
        case 'self-signed':
          return [name, await fakeCertificate(now)];
      }
    },
  );
  return new Map(await Promise.all(entries));
}

function fakeCertificate(now: Date): Promise<Issued> {
  return createSelfSigned({ commonName: FAKE_CERTIFICATE_CN, dnsNames: [FAKE_CERTIFICATE_SAN] }, now);
}

/** `map`'s entry for `name`, else for the wildcard one label up (`*.example.com`), as nginx's server_name. */
function byServerName<T>(map: ReadonlyMap<string, T>, name: string): T | undefined {
  const dot = name.indexOf('.');
  return map.get(name) ?? (dot > 0 ? map.get(`*${name.slice(dot)}`) : undefined);
}

/** The path prefix that wins for `path`: the longest one matching whole segments, as Ingress `Prefix` does. */
function statusFor(host: HostSpec, path: string): number {
  const prefixes = Object.keys(host.paths)
    .filter((prefix) => {
      const bare = prefix.replace(/\/+$/, '');
      return bare === '' || path === bare || path.startsWith(`${bare}/`);
    })
    .sort((a, b) => b.length - a.length);
  return prefixes.length ? host.paths[prefixes[0]!]! : 200;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function page(status: number, extra: Record<string, string> = {}): Answer {
  const body = nginxErrorPage(status);
  return body === null
    ? { status, headers: extra, body: '' }
    : { status, headers: { 'Content-Type': 'text/html', ...extra }, body };
}

/** Starts HTTP and HTTPS listeners on the scenario's load balancer address, on random ports. */
export async function startIngressEndpoint(
  spec: EndpointSpec,
  certificates: Map<string, Issued>,
): Promise<IngressEndpoint> {
  const address = spec.address ?? DEFAULT_ENDPOINT_ADDRESS;
  const hosts = new Map(Object.entries(spec.hosts ?? {}).map(([name, host]) => [name.toLowerCase(), host]));
  for (const [name, host] of hosts) {
    for (const [prefix, status] of Object.entries(host.paths)) {
      // A 1xx is never a final answer; Node would treat it as an interim response and the client would hang.
      if (status < 200)
        throw new Error(`endpoint host ${name} path ${prefix}: status ${status} is not a final status`);
    }
  }
  const fake = await fakeCertificate(new Date());
  const fakeContext = createSecureContext({ cert: fake.certPem, key: fake.keyPem });
  const issuedFor = new Map([...certificates].map(([name, issued]) => [name.toLowerCase(), issued]));
  // Built on first use: a context costs ~0.6 ms, and a 1,000-host sandbox need not pay for them at start-up.
  const contexts = new Map<string, SecureContext>();
  const contextFor = (servername: string): SecureContext => {
    const name = servername.toLowerCase();
    let context = contexts.get(name);
    if (!context) {
      const issued = byServerName(issuedFor, name);
      if (!issued) return fakeContext;
      context = createSecureContext({ cert: issued.certPem, key: issued.keyPem });
      contexts.set(name, context);
    }
    return context;
  };
  const stats: IngressEndpointStats = {
    httpConnections: 0,
    httpsConnections: 0,
    tlsHandshakes: 0,
    tlsResumed: 0,
    tlsClientErrors: 0,
    httpRequests: 0,
    httpsRequests: 0,
  };

  function answer(req: IncomingMessage, scheme: 'http' | 'https'): Answer {
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url ?? '/', 'http://ingress.invalid');
    const host = byServerName(hosts, hostName);
    if (!host) return page(404);
    if (scheme === 'http' && host.redirectToHttps) {
      return page(308, { Location: `https://${hostName}${url.pathname}${url.search}` });
    }
    const hsts: Record<string, string> =
      scheme === 'https' ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {};
    const status = statusFor(host, url.pathname);
    if (status === 200) {
      const body = `<!doctype html>\n<html><head><title>${hostName}</title></head><body>ok</body></html>\n`;
      return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', ...hsts }, body };
    }
    // The scenario's 404 means "no backend for this path": ingress-nginx's default server answers it.
    return page(status, status === 404 ? {} : hsts);
  }

  function respond(scheme: 'http' | 'https') {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (scheme === 'http') stats.httpRequests++;
      else stats.httpsRequests++;
      req.resume();
      const { status, headers, body } = answer(req, scheme);
      const keepAlive = !/\bclose\b/i.test(req.headers.connection ?? '');
      res.sendDate = false;
      // nginx's header order: Date, Content-Type, Content-Length, Connection, then Location and the rest.
      const { 'Content-Type': contentType, ...rest } = headers;
      res.writeHead(status, NGINX_REASONS[status], {
        Date: new Date().toUTCString(),
        ...(contentType ? { 'Content-Type': contentType } : {}),
        'Content-Length': String(Buffer.byteLength(body)),
        Connection: keepAlive ? 'keep-alive' : 'close',
        ...rest,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
  }

  /** One HTTP and one HTTPS server answering as this endpoint; one pair per address it listens on. */
  const serverPair = (): [Server, Server] => {
    const http = createHttpServer(respond('http'));
    const https = createHttpsServer(
      {
        cert: fake.certPem,
        key: fake.keyPem,
        SNICallback: (servername, callback) => {
          try {
            callback(null, contextFor(servername));
          } catch (error) {
            callback(error as Error);
          }
        },
      },
      respond('https'),
    );
    http.on('connection', () => stats.httpConnections++);
    // tls.Server emits 'connection' for the raw TCP socket, before the handshake.
    https.on('connection', () => stats.httpsConnections++);
    https.on('secureConnection', (socket: TLSSocket) => {
      stats.tlsHandshakes++;
      if (socket.isSessionReused()) stats.tlsResumed++;
    });
    https.on('tlsClientError', () => stats.tlsClientErrors++);
    for (const server of [http, https]) {
      server.requestTimeout = 10_000;
      server.headersTimeout = 10_000;
    }
    return [http, https];
  };
  const [http, https] = serverPair();
  const servers: Server[] = [http, https];
  try {
    await Promise.all(servers.map((server) => listen(server, address)));
    const ports = [(http.address() as AddressInfo).port, (https.address() as AddressInfo).port];
    // The other addresses answer on the same ports, so one --http-port/--https-port reaches them all.
    for (const extra of spec.extraAddresses ?? []) {
      const pair = serverPair();
      servers.push(...pair);
      await Promise.all(pair.map((server, i) => listen(server, extra, ports[i])));
    }
  } catch (error) {
    await Promise.all(servers.filter((s) => s.listening).map(closeServer));
    throw error;
  }

  return {
    address,
    httpPort: (http.address() as AddressInfo).port,
    httpsPort: (https.address() as AddressInfo).port,
    stats,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

function listen(server: Server, address: string, port = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
