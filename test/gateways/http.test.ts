import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpGateway } from '../../src/gateways/http.js';
import type { HttpGateway, ProbeTarget } from '../../src/gateways/types.js';
import { createCertificateAuthority } from '../../src/sandbox/certs.js';
import { freePort } from '../support/daemon.js';
import { startNginx, type RunningNginx } from '../support/nginx.js';
import { requireBinary } from '../support/require-binary.js';

const nginxBinary = requireBinary('nginx');
const openssl = requireBinary('openssl');

const signal = () => AbortSignal.timeout(10_000);
const BIG_BODY = 'x'.repeat(3000);

nginxBinary.describe('HTTP gateway against nginx', () => {
  let nginx: RunningNginx;
  beforeAll(async () => {
    nginx = await startNginx({ nginx: nginxBinary.path, openssl: openssl.path }, [
      {
        host: 'valid.example.test',
        certificate: 'valid',
        locations: { '/api': { status: 502 }, '/big': { status: 200, body: BIG_BODY } },
      },
      { host: 'expired.example.test', certificate: 'expired' },
      { host: 'wrong.example.test', certificate: 'wrong-name' },
      { host: 'fake.example.test', certificate: 'self-signed' },
    ]);
  });
  afterAll(async () => {
    await nginx?.close();
  });

  const https = (host: string) => ({ address: nginx.address, port: nginx.httpsPort, host });
  const gateway = () => createHttpGateway({ timeoutMs: 2000, extraCaPem: [nginx.caPem] });

  const probeTls = async (http: HttpGateway, target: ProbeTarget) =>
    (await http.probeHttps(target, [], signal())).tls;

  describe('probeHttps', () => {
    it('trusts a chain signed by an extra CA for the host, and returns the chain the server sent', async () => {
      const probe = await probeTls(gateway(), https('valid.example.test'));
      expect(probe).toMatchObject({ kind: 'handshake', isTrusted: true, verifyError: null });
      const chain = probe.kind === 'handshake' ? probe.chainPem.map((pem) => new X509Certificate(pem)) : [];
      // nginx serves the leaf alone; the CA that verified it is ours, not the server's.
      expect(chain.map((cert) => cert.subject)).toEqual(['CN=valid.example.test']);
    });

    it('asks every path over the connection of the handshake, in order', async () => {
      const probe = await gateway().probeHttps(https('valid.example.test'), ['/api', '/', '/big'], signal());
      expect(probe.tls).toMatchObject({ kind: 'handshake', isTrusted: true });
      expect(probe.replies.map((r) => r.kind === 'response' && r.status)).toEqual([502, 200, 200]);
    });

    it.each([
      ['expired.example.test', 'certificate has expired'],
      [
        'wrong.example.test',
        "Hostname/IP does not match certificate's altnames: Host: wrong.example.test. is not in the cert's altnames: DNS:other.example.test",
      ],
      ['fake.example.test', 'self-signed certificate'],
      // No server block for the name: the default server's fake certificate, as ingress-nginx does.
      ['unknown.example.test', 'self-signed certificate'],
    ])('returns the verification failure for %s as data', async (host, verifyError) => {
      expect(await probeTls(gateway(), https(host))).toMatchObject({
        kind: 'handshake',
        isTrusted: false,
        verifyError,
      });
    });

    it('does not trust the test CA unless it is configured', async () => {
      const probe = await probeTls(createHttpGateway({ timeoutMs: 2000 }), https('valid.example.test'));
      expect(probe).toMatchObject({
        isTrusted: false,
        verifyError: 'unable to verify the first certificate',
      });
      expect(probe.kind === 'handshake' && probe.chainPem).toHaveLength(1);
    });

    it('reports a handshake with a plain HTTP port as failed', async () => {
      const probe = await probeTls(gateway(), { ...https('valid.example.test'), port: nginx.httpPort });
      expect(probe).toEqual({ kind: 'failed', reason: 'TLS handshake failed: wrong version number' });
    });
  });

  describe('request', () => {
    const call = (scheme: 'http' | 'https', host: string, path: string) =>
      gateway().request(
        {
          address: nginx.address,
          port: scheme === 'http' ? nginx.httpPort : nginx.httpsPort,
          host,
          scheme,
          path,
        },
        signal(),
      );

    it('returns a redirect to HTTPS without following it', async () => {
      expect(await call('http', 'valid.example.test', '/some/path?x=1')).toMatchObject({
        kind: 'response',
        status: 308,
        location: 'https://valid.example.test/some/path?x=1',
        server: 'nginx',
      });
    });

    it('answers over HTTPS for the host despite a certificate it would not trust', async () => {
      expect(await call('https', 'expired.example.test', '/')).toEqual({
        kind: 'response',
        status: 200,
        location: null,
        server: 'nginx',
        bodyStart: 'ok',
      });
    });

    it('returns a 502 with the start of the error page', async () => {
      const reply = await call('https', 'valid.example.test', '/api');
      expect(reply).toMatchObject({ kind: 'response', status: 502, location: null });
      expect(reply.kind === 'response' && reply.bodyStart).toMatch(
        /^<html>\r\n<head><title>502 Bad Gateway<\/title>/,
      );
    });

    it('answers 404 from the default server for a host it does not know', async () => {
      expect(await call('https', 'unknown.example.test', '/')).toMatchObject({
        kind: 'response',
        status: 404,
      });
    });

    it('keeps only the first KiB of the body', async () => {
      const reply = await call('https', 'valid.example.test', '/big');
      expect(reply.kind === 'response' && reply.bodyStart).toBe('x'.repeat(1024));
    });

    it('asks once per target, scheme and path until forget() is called', async () => {
      const http = gateway();
      const target = {
        address: nginx.address,
        port: nginx.httpsPort,
        host: 'valid.example.test',
        scheme: 'https' as const,
      };
      const first = await http.request({ ...target, path: '/' }, signal());
      expect(await http.request({ ...target, path: '/' }, signal())).toBe(first);
      expect(await http.request({ ...target, path: '/api' }, signal())).not.toBe(first);
      http.forget();
      expect(await http.request({ ...target, path: '/' }, signal())).not.toBe(first);
    });
  });
});

describe('HTTP gateway failures', () => {
  /** A TCP server that accepts connections and never says a word. */
  async function silentServer() {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      close: async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it('reports a refused connection for both probes', async () => {
    const port = await freePort();
    const http = createHttpGateway({ timeoutMs: 1000 });
    const target = { address: '127.0.0.1', port, host: 'a.example.test' };
    expect(await http.probeHttps(target, ['/'], signal())).toEqual({
      tls: { kind: 'failed', reason: 'connection refused' },
      replies: [],
    });
    expect(await http.request({ ...target, scheme: 'http', path: '/' }, signal())).toEqual({
      kind: 'failed',
      reason: 'connection refused',
    });
  });

  it('gives up on a silent server after the timeout', async () => {
    const silent = await silentServer();
    try {
      const http = createHttpGateway({ timeoutMs: 300 });
      const target = { address: '127.0.0.1', port: silent.port, host: 'a.example.test' };
      expect(await http.probeHttps(target, ['/'], signal())).toEqual({
        tls: { kind: 'failed', reason: 'timeout after 0.3s' },
        replies: [],
      });
      expect(await http.request({ ...target, scheme: 'http', path: '/' }, signal())).toEqual({
        kind: 'failed',
        reason: 'timeout after 0.3s waiting for the response headers',
      });
    } finally {
      await silent.close();
    }
  });

  it("rejects with the caller's abort reason", async () => {
    const silent = await silentServer();
    try {
      const http = createHttpGateway({ timeoutMs: 5000 });
      const target = { address: '127.0.0.1', port: silent.port, host: 'a.example.test' };
      await expect(http.probeHttps(target, ['/'], AbortSignal.timeout(100))).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      await expect(
        http.request({ ...target, scheme: 'http', path: '/' }, AbortSignal.timeout(100)),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      await silent.close();
    }
  });
});

describe('HTTP gateway connections', () => {
  /** An HTTPS server for `a.test` that answers each request with its path, after `handle` had its say. */
  async function countingServer(handle: (req: IncomingMessage, res: ServerResponse) => boolean = () => true) {
    const ca = await createCertificateAuthority('Connections Test CA', new Date());
    const leaf = await ca.issue({ commonName: 'a.test', dnsNames: ['a.test'] });
    const sockets = new Set<net.Socket>();
    let accepted = 0;
    const server = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
      if (handle(req, res)) res.end(req.url);
    });
    server.on('connection', (socket: net.Socket) => {
      accepted += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      target: { address: '127.0.0.1', port: (server.address() as net.AddressInfo).port, host: 'a.test' },
      gateway: (timeoutMs = 2000) => createHttpGateway({ timeoutMs, extraCaPem: [ca.certPem] }),
      connections: () => accepted,
      open: sockets,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it('asks every path over the one connection of the handshake', async () => {
    const server = await countingServer();
    try {
      const probe = await server.gateway().probeHttps(server.target, ['/one', '/two', '/three'], signal());
      expect(probe.tls).toMatchObject({ kind: 'handshake', isTrusted: true });
      expect(probe.replies.map((r) => r.kind === 'response' && r.bodyStart)).toEqual([
        '/one',
        '/two',
        '/three',
      ]);
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('connects again when the server closes the connection between paths', async () => {
    const server = await countingServer((_req, res) => (res.setHeader('connection', 'close'), true));
    try {
      const probe = await server.gateway().probeHttps(server.target, ['/one', '/two'], signal());
      expect(probe.replies.map((r) => r.kind === 'response' && r.bodyStart)).toEqual(['/one', '/two']);
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('reads a body only to its first KiB, and asks the next path on a new connection', async () => {
    const server = await countingServer((req, res) =>
      req.url === '/big' ? (res.end('x'.repeat(3000)), false) : true,
    );
    try {
      const probe = await server.gateway().probeHttps(server.target, ['/big', '/two'], signal());
      expect(probe.replies.map((r) => r.kind === 'response' && r.bodyStart)).toEqual([
        'x'.repeat(1024),
        '/two',
      ]);
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('leaves no connection open after a probe, nor after an abort between paths', async () => {
    const server = await countingServer((req) => req.url !== '/hang');
    try {
      await server.gateway().probeHttps(server.target, ['/'], signal());
      await until(() => server.open.size === 0);
      const controller = new AbortController();
      const pending = server.gateway().probeHttps(server.target, ['/', '/hang'], controller.signal);
      await until(() => server.open.size === 1);
      controller.abort(new Error('step gave up'));
      await expect(pending).rejects.toThrow('step gave up');
      await until(() => server.open.size === 0);
    } finally {
      await server.close();
    }
  });
});

describe('HTTP gateway plain requests', () => {
  /**
   * A plain HTTP server that answers each request with its Host header; `onRequest` sees the number of the
   * request on its connection and may cut it instead.
   */
  async function plainServer(onRequest: (nth: number, socket: net.Socket) => boolean = () => true) {
    const sockets = new Set<net.Socket>();
    let accepted = 0;
    const served = new WeakMap<net.Socket, number>();
    const server = createHttpServer((req, res) => {
      const nth = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, nth);
      if (onRequest(nth, req.socket)) res.end(req.headers.host);
    });
    server.on('connection', (socket: net.Socket) => {
      accepted += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
      ask: (http: HttpGateway, host: string) =>
        http.request({ address: '127.0.0.1', port, host, scheme: 'http', path: '/' }, signal()),
      server,
      connections: () => accepted,
      open: sockets,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }
  const bodyOf = (reply: Awaited<ReturnType<HttpGateway['request']>>) =>
    reply.kind === 'response' ? reply.bodyStart : reply.reason;

  it("asks many hosts' redirects over one kept-alive connection, and close() ends it", async () => {
    const server = await plainServer();
    const http = createHttpGateway({ timeoutMs: 2000 });
    try {
      for (const host of ['a.test', 'b.test', 'c.test', 'd.test']) {
        expect(bodyOf(await server.ask(http, host))).toBe(host);
      }
      expect(server.connections()).toBe(1);
      await http.close();
      await until(() => server.open.size === 0);
    } finally {
      await server.close();
    }
  });

  it('connects again when the server cuts a kept-alive connection instead of answering', async () => {
    const server = await plainServer((nth, socket) => nth === 1 || (socket.destroy(), false));
    const http = createHttpGateway({ timeoutMs: 2000 });
    try {
      expect(bodyOf(await server.ask(http, 'a.test'))).toBe('a.test');
      expect(bodyOf(await server.ask(http, 'b.test'))).toBe('b.test');
      expect(server.connections()).toBe(2);
    } finally {
      await http.close();
      await server.close();
    }
  });

  it("does not reuse a connection idle for longer than undici's keep-alive timeout (4 s)", async () => {
    const server = await plainServer();
    const http = createHttpGateway({ timeoutMs: 2000 });
    try {
      expect(bodyOf(await server.ask(http, 'a.test'))).toBe('a.test');
      const later = vi.spyOn(performance, 'now').mockReturnValue(performance.now() + 4001);
      try {
        expect(bodyOf(await server.ask(http, 'b.test'))).toBe('b.test');
      } finally {
        later.mockRestore();
      }
      expect(server.connections()).toBe(2);
    } finally {
      await http.close();
      await server.close();
    }
  });

  it('connects again after the server closed an idle connection (keep-alive timeout)', async () => {
    const server = await plainServer();
    server.server.keepAliveTimeout = 50;
    const http = createHttpGateway({ timeoutMs: 2000 });
    try {
      expect(bodyOf(await server.ask(http, 'a.test'))).toBe('a.test');
      await until(() => server.open.size === 0);
      expect(bodyOf(await server.ask(http, 'b.test'))).toBe('b.test');
      expect(server.connections()).toBe(2);
    } finally {
      await http.close();
      await server.close();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met within 5s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
