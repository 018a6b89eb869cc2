import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, type CertificateAuthority } from '../../src/sandbox/certs.js';
import {
  issueHostCertificates,
  nginxErrorPage,
  startIngressEndpoint,
  type IngressEndpoint,
} from '../../src/sandbox/ingress-endpoint.js';
import { scenarioSchema } from '../../src/sandbox/scenario.js';

const NOW = new Date();
const DAY_MS = 86_400_000;

const spec = scenarioSchema.shape.endpoint.parse({
  hosts: {
    'stg.cocdev.co.kr': { paths: { '/api': 502, '/status': 503, '/old': 404 } },
    'cocdev.co.kr': { certificate: { kind: 'expiring', days: 3 } },
    'llm.cocdev.co.kr': { certificate: { kind: 'expired' }, redirectToHttps: false },
    'wrong.cocdev.co.kr': { certificate: { kind: 'wrong-name', name: 'elsewhere.example' } },
    'fake.cocdev.co.kr': { certificate: { kind: 'self-signed' } },
  },
});

let ca: CertificateAuthority;
let endpoint: IngressEndpoint;

beforeAll(async () => {
  ca = await createCertificateAuthority('Sandbox ACME CA', NOW);
  endpoint = await startIngressEndpoint(spec, await issueHostCertificates(spec, ca, NOW));
});
afterAll(async () => {
  await endpoint.close();
});

interface Reply {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  headers: IncomingHttpHeaders;
  body: string;
}

function get(
  scheme: 'http' | 'https',
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const request = scheme === 'http' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: endpoint.address,
        port: scheme === 'http' ? endpoint.httpPort : endpoint.httpsPort,
        path,
        headers: { Host: host, ...headers },
        servername: host,
        rejectUnauthorized: false,
        agent: false,
        timeout: 5_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            statusMessage: res.statusMessage!,
            rawHeaders: res.rawHeaders,
            headers: res.headers,
            body,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function handshake(
  servername: string | undefined,
): Promise<{ cert: PeerCertificate; authorized: boolean; error: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: endpoint.address,
      port: endpoint.httpsPort,
      ...(servername ? { servername } : {}),
      ca: ca.certPem,
      rejectUnauthorized: false,
      timeout: 5_000,
    });
    socket.on('secureConnect', () => {
      const result = {
        cert: socket.getPeerCertificate(),
        authorized: socket.authorized,
        error: socket.authorizationError ? String(socket.authorizationError) : null,
      };
      socket.destroy();
      resolve(result);
    });
    socket.on('error', reject);
  });
}

const page = (status: number, title: string) =>
  `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

describe('TLS', () => {
  it('serves the host certificate selected by SNI, trusted through the sandbox CA', async () => {
    const { cert, authorized } = await handshake('stg.cocdev.co.kr');
    expect(cert.subject.CN).toBe('stg.cocdev.co.kr');
    expect(cert.subjectaltname).toBe('DNS:stg.cocdev.co.kr');
    expect(cert.issuer.CN).toBe('Sandbox ACME CA');
    expect(authorized).toBe(true);
  });

  it('selects the certificate case-insensitively', async () => {
    expect((await handshake('STG.cocdev.co.kr')).cert.subject.CN).toBe('stg.cocdev.co.kr');
  });

  it('serves an expiring certificate that ends `days` from now', async () => {
    const { cert } = await handshake('cocdev.co.kr');
    const notAfter = new Date(cert.valid_to).getTime();
    expect(Math.round((notAfter - NOW.getTime()) / DAY_MS)).toBe(3);
  });

  it('serves an expired certificate whose notAfter is in the past', async () => {
    const { cert, authorized, error } = await handshake('llm.cocdev.co.kr');
    expect(new Date(cert.valid_to).getTime()).toBeLessThan(NOW.getTime());
    expect(authorized).toBe(false);
    expect(error).toBe('CERT_HAS_EXPIRED');
  });

  it('serves a certificate for another name when the scenario says wrong-name', async () => {
    const { cert } = await handshake('wrong.cocdev.co.kr');
    expect(cert.subjectaltname).toBe('DNS:elsewhere.example');
    expect(new X509Certificate(cert.raw).checkHost('wrong.cocdev.co.kr')).toBeUndefined();
  });

  it.each([
    ['a host whose certificate is self-signed', 'fake.cocdev.co.kr'],
    ['an unknown SNI name', 'unknown.example.test'],
    ['no SNI at all', undefined],
  ])('serves the ingress-nginx fake certificate for %s', async (_case, servername) => {
    const { cert, authorized, error } = await handshake(servername);
    expect(cert.subject.CN).toBe('Kubernetes Ingress Controller Fake Certificate');
    expect(cert.subjectaltname).toBe('DNS:ingress.local');
    expect(cert.issuer.CN).toBe('Kubernetes Ingress Controller Fake Certificate');
    expect(authorized).toBe(false);
    expect(error).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});

describe('HTTP', () => {
  it('redirects to https with 308 and ingress-nginx headers and body', async () => {
    const reply = await get('http', 'stg.cocdev.co.kr', '/api/users?page=2', { Connection: 'keep-alive' });
    expect(reply.status).toBe(308);
    expect(reply.statusMessage).toBe('Permanent Redirect');
    expect(reply.headers.location).toBe('https://stg.cocdev.co.kr/api/users?page=2');
    expect(reply.body).toBe(page(308, 'Permanent Redirect'));
    expect(reply.body).toHaveLength(164);
    const names = reply.rawHeaders.filter((_, i) => i % 2 === 0);
    expect(names).toEqual(['Date', 'Content-Type', 'Content-Length', 'Connection', 'Location']);
    expect(reply.headers).toMatchObject({
      'content-type': 'text/html',
      'content-length': '164',
      connection: 'keep-alive',
    });
    expect(reply.headers.date).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it('answers Connection: close to a client that closes', async () => {
    expect((await get('http', 'stg.cocdev.co.kr', '/', { Connection: 'close' })).headers.connection).toBe(
      'close',
    );
  });

  it('serves paths over plain HTTP when the host does not redirect', async () => {
    const reply = await get('http', 'llm.cocdev.co.kr', '/');
    expect(reply.status).toBe(200);
    expect(reply.headers).not.toHaveProperty('strict-transport-security');
  });

  it('answers an unknown host from the default server with nginx 404, without redirecting', async () => {
    const reply = await get('http', 'unknown.example.test', '/');
    expect(reply.status).toBe(404);
    expect(reply.body).toBe(page(404, 'Not Found'));
  });
});

describe('HTTPS', () => {
  it('answers 200 with a small page and HSTS for a path the scenario does not list', async () => {
    const reply = await get('https', 'stg.cocdev.co.kr', '/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(reply.body).toContain('<title>stg.cocdev.co.kr</title>');
  });

  it.each([
    ['/api', 502, 'Bad Gateway', 'Bad Gateway'],
    ['/api/v1/users', 502, 'Bad Gateway', 'Bad Gateway'],
    ['/status', 503, 'Service Temporarily Unavailable', 'Service Temporarily Unavailable'],
  ])('answers %s with %i and nginx’s own error page', async (path, status, reason, title) => {
    const reply = await get('https', 'stg.cocdev.co.kr', path);
    expect(reply.status).toBe(status);
    expect(reply.statusMessage).toBe(reason);
    expect(reply.body).toBe(page(status, title));
    expect(reply.headers['content-type']).toBe('text/html');
  });

  it('matches path prefixes by whole segments, as Ingress Prefix paths do', async () => {
    expect((await get('https', 'stg.cocdev.co.kr', '/apiary')).status).toBe(200);
  });

  it('serves a 404 path as the controller default backend', async () => {
    const reply = await get('https', 'stg.cocdev.co.kr', '/old/page');
    expect(reply.status).toBe(404);
    expect(reply.body).toBe(page(404, 'Not Found'));
  });

  it('answers an unknown host with the default backend 404 and no HSTS', async () => {
    const reply = await get('https', 'unknown.example.test', '/');
    expect(reply.status).toBe(404);
    expect(reply.body).toBe(page(404, 'Not Found'));
    expect(reply.headers).not.toHaveProperty('strict-transport-security');
  });

  it('sends no Server header, like ingress-nginx with its default server-tokens: false', async () => {
    expect((await get('https', 'stg.cocdev.co.kr', '/')).headers).not.toHaveProperty('server');
  });
});

describe('nginxErrorPage', () => {
  it('has no page for statuses nginx has none for', () => {
    expect(nginxErrorPage(418)).toBeNull();
  });
});

describe('certificates and start-up', () => {
  it('issues one certificate per host, keyed by the lower-cased host name', async () => {
    const issued = await issueHostCertificates(
      scenarioSchema.shape.endpoint.parse({ hosts: { 'A.Example.test': {}, 'b.example.test': {} } }),
      ca,
      NOW,
    );
    expect([...issued.keys()]).toEqual(['a.example.test', 'b.example.test']);
    expect(new X509Certificate(issued.get('a.example.test')!.certPem).subject).toBe('CN=a.example.test');
  });

  it('defaults expired certificates to one day past notAfter', async () => {
    const issued = await issueHostCertificates(
      scenarioSchema.shape.endpoint.parse({
        hosts: { 'x.example.test': { certificate: { kind: 'expired' } } },
      }),
      ca,
      NOW,
    );
    const validTo = new Date(new X509Certificate(issued.get('x.example.test')!.certPem).validTo).getTime();
    expect(Math.round((NOW.getTime() - validTo) / DAY_MS)).toBe(1);
  });

  it('refuses a 1xx path status, which no server can send as a final answer', async () => {
    const bad = scenarioSchema.shape.endpoint.parse({ hosts: { 'x.example.test': { paths: { '/': 101 } } } });
    await expect(startIngressEndpoint(bad, new Map())).rejects.toThrow(
      'endpoint host x.example.test path /: status 101 is not a final status',
    );
  });

  it('listens on the default load balancer address and frees both ports on close', async () => {
    const other = await startIngressEndpoint(scenarioSchema.shape.endpoint.parse({}), new Map());
    expect(other.address).toBe('127.0.10.10');
    await other.close();
    for (const port of [other.httpPort, other.httpsPort]) {
      const refused = await new Promise<string>((resolve) => {
        const socket = netConnect(port, other.address);
        socket.on('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    }
  });
});
