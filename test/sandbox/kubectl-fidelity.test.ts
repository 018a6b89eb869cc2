import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USER } from '../../src/sandbox/kube-api.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const KUBECTL = '/usr/bin/kubectl';
const dir = join(import.meta.dirname, '../fixtures/scenarios');
// The server renders AGE against its own clock, so a fixed one gives stable output.
const now = new Date('2026-11-26T09:00:00Z');
const run = promisify(execFile);

// Outside CI a developer machine may lack kubectl; in CI its absence is a broken runner, not a skip.
const hasKubectl = existsSync(KUBECTL);
const skip = !hasKubectl && process.env.CI !== 'true';

describe.skipIf(skip)('the real kubectl against the sandbox', () => {
  let sandbox: Sandbox;
  let forbidden: Sandbox;
  let home: string;

  beforeAll(async () => {
    if (!hasKubectl) throw new Error(`CI=true but ${KUBECTL} is missing`);
    [sandbox, forbidden] = await Promise.all([
      startSandbox({ scenario: 'base', dir, now }),
      startSandbox({ scenario: 'forbidden-certs', dir, now }),
    ]);
    home = await mkdtemp(join(tmpdir(), 'kubectl-home-'));
  });
  afterAll(async () => {
    await Promise.all([sandbox?.close(), forbidden?.close()]);
    if (home) await rm(home, { recursive: true, force: true });
  });

  const kubectlOn = async (target: Sandbox, ...args: string[]) => {
    const { stdout } = await run(
      KUBECTL,
      [
        '--kubeconfig',
        target.kubeconfigPath,
        '--cache-dir',
        join(home, 'cache'),
        '--request-timeout=10s',
        ...args,
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: home }, timeout: 20_000 },
    );
    return stdout;
  };
  const kubectl = (...args: string[]) => kubectlOn(sandbox, ...args);
  const stderrOf = (promise: Promise<string>) =>
    promise.then(
      (stdout) => `unexpected success: ${stdout}`,
      (error: { stderr: string }) => error.stderr,
    );

  it('prints `get ingress -A` with the ingress printer columns', async () => {
    expect(await kubectl('get', 'ingress', '-A')).toBe(
      [
        'NAMESPACE    NAME    CLASS    HOSTS                                                            ADDRESS            PORTS     AGE',
        'backoffice   admin   <none>   admin.example.test,ops.example.test,a.example.test + 1 more...                      80        30m',
        'shop         api     nginx    api.example.test                                                 a1b2c3d4e5f6....   80        36h',
        'shop         web     nginx    shop.example.test                                                127.0.10.11        80, 443   2d',
        '',
      ].join('\n'),
    );
  });

  it('prints `get certificates.cert-manager.io -A` with the CRD printer columns, and the wide ones with -o wide', async () => {
    expect(await kubectl('get', 'certificates.cert-manager.io', '-A')).toBe(
      [
        'NAMESPACE   NAME       READY   SECRET     AGE',
        'shop        api-tls    False   api-tls    45s',
        'shop        shop-tls   True    shop-tls   2d',
        '',
      ].join('\n'),
    );
    expect(await kubectl('get', 'certs', '-n', 'shop', '-o', 'wide')).toBe(
      [
        'NAME       READY   SECRET     ISSUER             STATUS                                          AGE',
        'api-tls    False   api-tls    letsencrypt-prod   Issuing certificate as Secret does not exist    45s',
        'shop-tls   True    shop-tls   letsencrypt-prod   Certificate is up to date and has not expired   2d',
        '',
      ].join('\n'),
    );
  });

  it('prints `get externalsecrets.external-secrets.io -A` with the ESO columns', async () => {
    expect(await kubectl('get', 'externalsecrets.external-secrets.io', '-A')).toBe(
      [
        'NAMESPACE   NAME       STORETYPE     STORE             REFRESH INTERVAL   STATUS         READY',
        'shop        shop-env   SecretStore   openbao-backend   30m                SecretSynced   True',
        '',
      ].join('\n'),
    );
  });

  it('prints the cert-manager logs selected by label, tailed', async () => {
    expect(await kubectl('logs', '-n', 'cert-manager', '-l', 'app=cert-manager', '--tail=20')).toBe(
      [
        'I1126 07:00:00.000000       1 controller.go:100] "starting controller" logger="cert-manager.controller"',
        `E1126 08:55:00.000000       1 sync.go:190] "propagation check failed" err="wrong status code '404', expected '200'" logger="cert-manager.challenges"`,
        '{"ts":1795683480000.000,"caller":"acme.go:236","msg":"certificate issued","v":0}',
        '',
      ].join('\n'),
    );
    expect(await kubectl('logs', '-n', 'cert-manager', '-l', 'app=cert-manager', '--tail=1')).toBe(
      '{"ts":1795683480000.000,"caller":"acme.go:236","msg":"certificate issued","v":0}\n',
    );
  });

  it("shows the server's NotFound message as kubectl's error", async () => {
    expect(await stderrOf(kubectl('get', 'ingress', '-n', 'shop', 'missing'))).toBe(
      'Error from server (NotFound): ingresses.networking.k8s.io "missing" not found\n',
    );
  });

  it("shows the server's Forbidden message, and `auth can-i` answers from the same rules", async () => {
    expect(await stderrOf(kubectlOn(forbidden, 'get', 'certificates', '-n', 'shop'))).toBe(
      `Error from server (Forbidden): certificates.cert-manager.io is forbidden: User "${SANDBOX_USER}" cannot list resource "certificates" in API group "cert-manager.io" in the namespace "shop"\n`,
    );
    const denied = await kubectlOn(
      forbidden,
      'auth',
      'can-i',
      'list',
      'certificates.cert-manager.io',
      '-n',
      'shop',
    ).catch((error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));
    expect(denied).toEqual({ code: 1, stdout: 'no\n' });
    expect(
      await kubectlOn(forbidden, 'auth', 'can-i', 'get', 'certificates.cert-manager.io', '-n', 'shop'),
    ).toBe('yes\n');
  });

  it('never sends a write', () => {
    expect(sandbox.stats.mutatingRequests + forbidden.stats.mutatingRequests).toBe(0);
  });
});
