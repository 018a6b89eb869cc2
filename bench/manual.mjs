// The seed's manual runbook, scripted as an on-call engineer's shell loop would run it: one command after
// another, real kubectl, dig and curl against the sandbox. Every answer is checked, so a fast but broken
// loop cannot pass for a fast one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './child.mjs';

/**
 * Runs the runbook against `sandbox` for `hosts`; `caFile` holds the sandbox ACME CA and `esoPod` is the
 * External Secrets controller pod. Resolves with the wall time and the commands run.
 */
export async function runManualRunbook({ sandbox, hosts, caFile, esoPod, lbAddress }) {
  // A fresh discovery cache, shared by the loop's kubectl calls as it would be on the engineer's machine.
  const cacheDir = await mkdtemp(join(tmpdir(), 'pd-bench-kubecache-'));
  const env = { ...process.env, KUBECONFIG: sandbox.kubeconfigPath, KUBECACHEDIR: cacheDir };
  const [dnsHost, dnsPort] = sandbox.dnsServer.split(':');
  const httpsPort = sandbox.https.port;
  const problems = [];
  let commands = 0;
  const check = async (command, args, accept) => {
    commands += 1;
    const result = await run(command, args, { env });
    const why =
      result.exitCode !== 0 ? `exit ${result.exitCode}: ${result.stderr.trim()}` : accept?.(result.stdout);
    if (why && problems.length < 5) problems.push(`${command} ${args.join(' ')}: ${why}`);
  };
  const started = performance.now();
  try {
    await check('kubectl', ['get', 'ingress', '-A']);
    await check('kubectl', ['get', 'certificates', '-A']);
    await check('kubectl', ['get', 'externalsecrets', '-A']);
    await check('kubectl', ['get', 'secrets', '-A']);
    await check('kubectl', ['logs', '-n', 'cert-manager', '-l', 'app=cert-manager']);
    await check('kubectl', ['logs', '-n', 'external-secrets', esoPod]);
    for (const host of hosts) {
      await check('dig', [`@${dnsHost}`, '-p', dnsPort, '+short', host], (out) =>
        out.trim() === lbAddress ? null : `answered ${JSON.stringify(out.trim())}`,
      );
      await check(
        'curl',
        [
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '--resolve',
          `${host}:${httpsPort}:${lbAddress}`,
          '--cacert',
          caFile,
          `https://${host}:${httpsPort}/`,
        ],
        (out) => (out === '200' ? null : `HTTP ${out}`),
      );
    }
    return { wallMs: performance.now() - started, commands, problems };
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
