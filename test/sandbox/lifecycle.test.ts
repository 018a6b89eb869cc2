import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startSandbox } from '../../src/sandbox/index.js';

const dir = join(import.meta.dirname, '../fixtures/scenarios');
const now = new Date('2026-11-26T09:00:00Z');

/** Resolves with the error code of a TCP connect, or 'connected'. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** The leaf certificate the ingress endpoint serves for `servername`, as PEM. */
function servedCertificate(host: string, port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, servername, rejectUnauthorized: false, timeout: 2000 }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      resolve(new X509Certificate(raw).toString());
    });
    socket.once('error', reject);
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('startSandbox', () => {
  it('starts in well under 2 s, and close() frees every port and the kubeconfig dir', async () => {
    const startedAt = performance.now();
    const sandbox = await startSandbox({ scenario: 'base', dir, now });
    const startMs = performance.now() - startedAt;

    const [dnsHost, dnsPort] = sandbox.dnsServer.split(':') as [string, string];
    const endpoints: [string, number][] = [
      ['127.0.0.1', portOf(sandbox.kubeApiUrl)],
      ['127.0.0.1', portOf(sandbox.openbao.address)],
      [dnsHost, Number(dnsPort)],
      [sandbox.http.address, sandbox.http.port],
      [sandbox.https.address, sandbox.https.port],
    ];
    for (const [host, port] of endpoints) expect(await tryConnect(host, port)).toBe('connected');
    expect(existsSync(sandbox.kubeconfigPath)).toBe(true);

    const closedAt = performance.now();
    await sandbox.close();
    const closeMs = performance.now() - closedAt;

    for (const [host, port] of endpoints) expect(await tryConnect(host, port)).toBe('ECONNREFUSED');
    expect(existsSync(dirname(sandbox.kubeconfigPath))).toBe(false);
    expect(startMs).toBeLessThan(2000);
    expect(closeMs).toBeLessThan(500);
  });

  it('writes a kubeconfig with one context, the API CA and a bearer token', async () => {
    const sandbox = await startSandbox({ scenario: 'base', dir, now });
    try {
      const config = parse(readFileSync(sandbox.kubeconfigPath, 'utf8'));
      expect(sandbox.context).toBe('sandbox-base');
      expect(config['current-context']).toBe('sandbox-base');
      expect(config.clusters).toEqual([
        {
          name: 'sandbox-base',
          cluster: {
            server: sandbox.kubeApiUrl,
            'certificate-authority-data': expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
          },
        },
      ]);
      expect(config.users[0].user.token).toMatch(/^sandbox-[A-Za-z0-9_-]{32}$/);
      expect(config.contexts).toEqual([
        { name: 'sandbox-base', context: { cluster: 'sandbox-base', user: 'platform-doctor' } },
      ]);
      expect(sandbox.kubeApiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.openbao.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.https.address).toBe('127.0.10.11');
      expect(sandbox.ingressCaPem).toContain('-----BEGIN CERTIFICATE-----');
    } finally {
      await sandbox.close();
    }
  });

  it('stores in an empty kubernetes.io/tls Secret the certificate the ingress endpoint serves for its host', async () => {
    const sandbox = await startSandbox({ scenario: 'base', dir, now });
    try {
      const config = parse(readFileSync(sandbox.kubeconfigPath, 'utf8'));
      const ca = Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
      const response = await fetchJson(
        `${sandbox.kubeApiUrl}/api/v1/namespaces/shop/secrets/shop-tls`,
        ca,
        config.users[0].user.token,
      );
      const stored = Buffer.from(response.data['tls.crt'], 'base64').toString();
      const served = await servedCertificate(sandbox.https.address, sandbox.https.port, 'shop.example.test');
      expect(new X509Certificate(stored).fingerprint256).toBe(new X509Certificate(served).fingerprint256);
      expect(new X509Certificate(stored).subjectAltName).toBe('DNS:shop.example.test');
      expect(Buffer.from(response.data['tls.key'], 'base64').toString()).toContain(
        '-----BEGIN PRIVATE KEY-----',
      );
    } finally {
      await sandbox.close();
    }
  });

  it('starts the package healthy scenario by name', async () => {
    const sandbox = await startSandbox({ scenario: 'healthy', now });
    try {
      expect(sandbox.scenario.name).toBe('healthy');
      expect(sandbox.context).toBe('sandbox-healthy');
    } finally {
      await sandbox.close();
    }
  });
});

function fetchJson(url: string, caPem: string, token: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: caPem, headers: { Authorization: `Bearer ${token}` }, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
