import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = new URL('../../bin/platform.js', import.meta.url).pathname;

/** Runs the built binary (npm test builds first) without a TTY. */
async function platform(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: '/nonexistent-home', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('the platform binary', () => {
  it('prints one line, a report that says nothing was checked, and exits 3 for a kubeconfig that does not exist', async () => {
    const result = await platform(['doctor', '--kubeconfig', '/nonexistent']);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      '⊘ Ingress, certificates and DNS — not checked: kubeconfig /nonexistent: no such file',
    );
    expect(result.stderr.split('\n')[0]).toBe('platform: kubeconfig /nonexistent: no such file');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 well inside --timeout when the API server port is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-closed-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: closed, cluster: {server: "https://127.0.0.1:' +
          (await closedPort()) +
          '", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: not-a-real-token}}]',
        'contexts: [{name: closed, context: {cluster: closed, user: u}}]',
        'current-context: closed',
      ].join('\n'),
    );
    const started = performance.now();
    const result = await platform(['doctor', '--kubeconfig', kubeconfig, '--timeout', '10s']);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^platform: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+: connection refused\n/,
    );
    expect(result.stderr).not.toContain('not-a-real-token');
  });

  it('answers --version and --help with exit 0', async () => {
    const version = await platform(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await platform(['doctor', '--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--env',
      '--namespace',
      '--kubeconfig',
      '--context',
      '--output',
      '--report',
      '--dns-server',
      '--openbao-addr',
      '--http-port',
      '--https-port',
      '--only',
      '--skip',
      '--timeout',
      '--demo',
      '--debug',
    ]) {
      expect(help.stdout).toContain(flag);
    }
  });

  it.each([
    [
      ['doctor', '--output', 'yaml'],
      'platform: --output takes one of tree, json, markdown, junit, prometheus, not "yaml" (--report FILE.html for the others)',
    ],
    [
      ['doctor', '--timeout', 'soon'],
      'platform: --timeout takes a duration like 30s, 2m or 1m30s, not "soon"',
    ],
    [
      ['doctor', 'network'],
      'platform: unknown runbook "network"; valid runbooks: ingress, gateway, secrets, gitops',
    ],
    [['doctor', '--bogus'], "error: unknown option '--bogus'"],
  ])('refuses %j with one clear line and exit 3', async (args, line) => {
    const result = await platform(args);
    expect(result.code).toBe(3);
    expect(result.stderr.split('\n')[0]).toBe(line);
    expect(result.stderr.split('\n')[1]).toBe('try: platform doctor --help');
  });
});
