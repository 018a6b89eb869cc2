/**
 * An OpenBao that misbehaves: dribbles its answer, echoes the token in error bodies, redirects the
 * doctor (and its token) to another server, or sends megabytes of error. The doctor reaches it two ways:
 * a SecretStore whose token Secret it reads, and `--openbao-addr` with BAO_TOKEN under `--no-read-secrets`.
 */
import { describe, expect, it } from 'vitest';
import { externalSecret, secret, vaultSecretStore } from './fixtures.js';
import {
  boundedRun,
  canary,
  expectContract,
  runDoctor,
  tempDir,
  track,
  useHostileCleanup,
  writeKubeconfig,
  type Collected,
} from './harness.js';
import { startCollector } from './servers/collector.js';
import { startKubeApi } from './servers/kube-api.js';
import {
  dribble,
  echoToken,
  hugeError,
  redirectTo,
  startOpenBao,
  type BaoHandler,
  type HostileOpenBao,
} from './servers/openbao.js';

useHostileCleanup();

interface Setup {
  bao: HostileOpenBao;
  dir: string;
  /** Doctor args up to (not including) the output flags. */
  args: string[];
  env: Record<string, string>;
  /** Every planted credential: the kube bearer token, the store's token, BAO_TOKEN. */
  secrets: string[];
  /** OpenBao itself may get an X-Vault-Token, but never the Kubernetes bearer token. */
  itself: Collected;
}

function openBaoItself(bao: HostileOpenBao, kubeToken: string): Collected {
  return {
    name: `OpenBao (${bao.url})`,
    requests: () => bao.requests,
    secrets: [kubeToken],
    allowHeaders: ['x-vault-token'],
  };
}

/**
 * The store path: a SecretStore `plate-stg/bao` using this OpenBao, its token in Secret `plate-stg/bao-token`
 * (a planted canary the doctor reads), an ExternalSecret reading `plate/db`. BAO_TOKEN is set too (another
 * canary): it must not be used or shown.
 */
async function viaSecretStore(): Promise<Setup> {
  const bao = track(await startOpenBao());
  const storeToken = canary('storeToken');
  const envToken = canary('envBaoToken');
  const kubeToken = canary('kubeBearer');
  const api = track(
    await startKubeApi({
      objects: [
        vaultSecretStore('bao', 'plate-stg', bao.url),
        secret('bao-token', 'plate-stg', { token: storeToken }),
        externalSecret('db', 'plate-stg', 'bao', 'plate/db'),
      ],
    }),
  );
  const dir = await tempDir('bao');
  const kubeconfig = await writeKubeconfig(dir, { server: api.url, caPem: api.ca.certPem, token: kubeToken });
  return {
    bao,
    dir,
    args: ['doctor', '--kubeconfig', kubeconfig, '--only', 'secrets.openbao'],
    env: { BAO_TOKEN: envToken },
    secrets: [storeToken, envToken, kubeToken],
    itself: openBaoItself(bao, kubeToken),
  };
}

/** The flag path: `--openbao-addr` and BAO_TOKEN (a canary) under `--no-read-secrets`, no stores in the cluster. */
async function viaOpenBaoAddr(): Promise<Setup> {
  const bao = track(await startOpenBao());
  const envToken = canary('envBaoToken');
  const kubeToken = canary('kubeBearer');
  const api = track(await startKubeApi());
  const dir = await tempDir('bao');
  const kubeconfig = await writeKubeconfig(dir, { server: api.url, caPem: api.ca.certPem, token: kubeToken });
  return {
    bao,
    dir,
    args: [
      'doctor',
      '--kubeconfig',
      kubeconfig,
      '--only',
      'secrets.openbao',
      '--no-read-secrets',
      '--openbao-addr',
      bao.url,
    ],
    env: { BAO_TOKEN: envToken },
    secrets: [envToken, kubeToken],
    itself: openBaoItself(bao, kubeToken),
  };
}

describe('an OpenBao that dribbles', () => {
  it('exits within the deadline and names OpenBao when it sends headers and then one byte a second', async () => {
    const { bao, dir, args, env, secrets, itself } = await viaOpenBaoAddr();
    bao.on('GET', 'sys/health', dribble);
    const run = await runDoctor({
      args: [...args, ...boundedRun(dir, 'json')],
      env,
    });
    await expectContract(run, { exitCode: 3, secrets, hung: bao.hostPort, collectors: [itself] });
  });

  it('exits within the deadline when the token lookup of a SecretStore dribbles', async () => {
    const { bao, dir, args, env, secrets, itself } = await viaSecretStore();
    bao.on('GET', 'auth/token/lookup-self', dribble);
    const run = await runDoctor({
      args: [...args, ...boundedRun(dir)],
      env,
    });
    await expectContract(run, { exitCode: 3, secrets, hung: bao.hostPort, collectors: [itself] });
  });
});

describe('an OpenBao that echoes the token in its error bodies', () => {
  it.each([
    // A 403 on lookup-self is OpenBao's word that the store's token is dead: a real failure.
    [400, 'json', 3],
    [403, 'json', 2],
    [500, 'json', 3],
    [502, 'html', 3],
  ] as const)(
    'never prints the store token when lookup-self answers %i with a %s body that echoes it',
    async (status, style, exitCode) => {
      const { bao, dir, args, env, secrets, itself } = await viaSecretStore();
      bao.on('GET', 'auth/token/lookup-self', echoToken(status, style));
      const run = await runDoctor({
        args: [...args, ...boundedRun(dir, 'json')],
        env,
      });
      await expectContract(run, { exitCode, secrets, collectors: [itself] });
    },
  );

  it('never prints BAO_TOKEN when lookup-self answers 500 with an HTML page that echoes it', async () => {
    const { bao, dir, args, env, secrets, itself } = await viaOpenBaoAddr();
    bao.on('GET', 'auth/token/lookup-self', echoToken(500, 'html'));
    const run = await runDoctor({
      args: [...args, ...boundedRun(dir)],
      env,
    });
    await expectContract(run, { exitCode: 3, secrets, collectors: [itself] });
  });

  it('never prints the store token when capabilities-self answers 403 with a body that echoes it', async () => {
    const { bao, dir, args, env, secrets, itself } = await viaSecretStore();
    bao.on('POST', 'sys/capabilities-self', echoToken(403));
    bao.on('GET', /\/data\//, echoToken(403));
    const run = await runDoctor({
      args: [...args, ...boundedRun(dir, 'markdown')],
      env,
    });
    // The store's token may not read its own mapped path: a real failure.
    await expectContract(run, { exitCode: 2, secrets, collectors: [itself] });
  });
});

describe('an OpenBao that redirects elsewhere', () => {
  // A redirect is not OpenBao's answer: that call could not be checked (exit 3). Only capabilities-self
  // is different: the KV read that follows still proves the token reads its paths, so the run passes
  // and the leaf says the capabilities were not checked.
  const redirected: [string, string, string, number][] = [
    ['GET', 'sys/health', 'store', 3],
    ['GET', 'auth/token/lookup-self', 'store', 3],
    ['POST', 'sys/capabilities-self', 'store', 0],
    ['GET', 'auth/token/lookup-self', 'env', 3],
  ];

  it.each(redirected)(
    'sends no token to the collector when %s %s answers 307 to another server (token from the %s)',
    async (method, path, via, exitCode) => {
      const collector = track(await startCollector());
      const { bao, dir, args, env, secrets, itself } =
        via === 'store' ? await viaSecretStore() : await viaOpenBaoAddr();
      bao.on(method, path, redirectTo(collector.url) as BaoHandler);
      const run = await runDoctor({
        args: [...args, ...boundedRun(dir, 'json')],
        env,
      });
      await expectContract(run, {
        exitCode,
        secrets,
        collectors: [
          itself,
          { name: `the collector (${collector.url})`, requests: () => collector.requests },
        ],
      });
      expect(run.stdout).toMatch(
        /redirected \S+ to http:\/\/127\.0\.0\.1:\d+\/v1\/\S+ \(HTTP 307\); not followed/,
      );
    },
  );
});

describe('an OpenBao that sends a huge error', () => {
  it('prints under 1 MB and stays bounded when lookup-self answers 500 with a 5 MB error body', async () => {
    const { bao, dir, args, env, secrets, itself } = await viaSecretStore();
    bao.on('GET', 'auth/token/lookup-self', hugeError(500, 5 * 1024 * 1024));
    const run = await runDoctor({
      args: [...args, ...boundedRun(dir, 'json')],
      env,
    });
    await expectContract(run, { exitCode: 3, secrets, maxRssMb: 300, collectors: [itself] });
  });
});
