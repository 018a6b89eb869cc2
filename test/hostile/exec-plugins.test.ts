/**
 * Exec credential plugins that misbehave (hang, print the token on stderr, print non-JSON with the token),
 * and a good one whose token the API server's service proxy tries to send elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { externalSecret, secret, vaultSecretStore } from './fixtures.js';
import {
  boundedRun,
  canary,
  contractProblems,
  describeRun,
  expectContract,
  runDoctor,
  tempDir,
  track,
  useHostileCleanup,
  writeKubeconfig,
} from './harness.js';
import { startCollector } from './servers/collector.js';
import { startDns } from './servers/dns.js';
import { isAlive, writePlugin, type PluginKind } from './servers/exec-plugins.js';
import { startKubeApi } from './servers/kube-api.js';

useHostileCleanup();

async function withPlugin(kind: PluginKind) {
  const api = track(await startKubeApi());
  const dir = await tempDir('exec');
  const token = canary('execToken');
  const plugin = await writePlugin(dir, kind, token);
  const kubeconfig = await writeKubeconfig(dir, {
    server: api.url,
    caPem: api.ca.certPem,
    exec: { command: plugin.command },
  });
  return { api, dir, token, plugin, kubeconfig };
}

describe('an exec credential plugin that misbehaves', () => {
  it('exits within the deadline, names the plugin and leaves no plugin process behind when the plugin hangs', async () => {
    const { dir, token, plugin, kubeconfig } = await withPlugin('hang');
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, ...boundedRun(dir, 'json')],
    });
    const problems = await contractProblems(run, {
      exitCode: 3,
      secrets: [token],
      hung: 'hang-credential-plugin',
      nothingChecked: true,
    });
    const pid = await plugin.pid();
    if (pid === null) problems.push('the plugin never started');
    else {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (isAlive(pid))
        problems.push(`the hung plugin (pid ${pid}) is still running after the doctor exited`);
    }
    expect(problems, describeRun(run)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['', []],
    [', also under --debug', ['--debug']],
  ])('never prints the token when the plugin prints it on stderr and exits 1%s', async (_also, extra) => {
    const { dir, token, kubeconfig } = await withPlugin('stderr-exit-1');
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, ...extra, ...boundedRun(dir)],
    });
    await expectContract(run, { exitCode: 3, secrets: [token], nothingChecked: true });
  });

  it('never prints the token when the plugin prints non-JSON stdout carrying it', async () => {
    const { dir, token, kubeconfig } = await withPlugin('not-json');
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, ...boundedRun(dir, 'prometheus')],
    });
    await expectContract(run, { exitCode: 3, secrets: [token], nothingChecked: true });
  });
});

describe('a valid exec credential plugin behind a hostile service proxy', () => {
  it("sends neither the plugin's token nor the store token to the collector when the API server's service proxy redirects there", async () => {
    const collector = track(await startCollector());
    // The store's server is a cluster Service name: it must not resolve here, so OpenBao is reached
    // through the API server's service proxy, with the API server's credentials.
    const dns = track(await startDns('nxdomain'));
    const storeToken = canary('storeToken');
    const api = track(
      await startKubeApi({
        objects: [
          vaultSecretStore('bao', 'plate-stg', 'http://openbao.openbao.svc:8200'),
          secret('bao-token', 'plate-stg', { token: storeToken }),
          externalSecret('db', 'plate-stg', 'bao', 'plate/db'),
        ],
      }),
    );
    api.on('*', /\/services\/[^/]+\/proxy(\/|$)/, (req, res) => {
      res.writeHead(307, { Location: `${collector.url}${req.path.replace(/^.*\/proxy/, '')}` });
      res.end();
    });
    const dir = await tempDir('exec');
    const token = canary('execToken');
    const plugin = await writePlugin(dir, 'valid', token);
    const kubeconfig = await writeKubeconfig(dir, {
      server: api.url,
      caPem: api.ca.certPem,
      exec: { command: plugin.command },
    });
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--only',
        'secrets.openbao',
        '--dns-server',
        dns.server,
        ...boundedRun(dir, 'json'),
      ],
    });
    const proxied = api.requests.filter((r) => r.path.includes('/proxy'));
    await expectContract(
      run,
      {
        exitCode: 3,
        secrets: [token, storeToken],
        collectors: [{ name: `the collector (${collector.url})`, requests: () => collector.requests }],
      },
      // The case is only meaningful if the doctor did go through the proxy.
      proxied.length === 0
        ? ['the doctor never asked the service proxy, so the redirect was not exercised']
        : [],
    );
  });
});
