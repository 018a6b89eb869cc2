/**
 * Resolvers that misbehave: garbage for every query, or a truncated UDP answer whose TCP retry is
 * truncated again with no answers. Neither tells us anything about the records: could not check (3),
 * never "has no A record".
 */
import { describe, it } from 'vitest';
import { ingress, ingressClass, loadBalancerService } from './fixtures.js';
import {
  boundedRun,
  canary,
  expectContract,
  runDoctor,
  tempDir,
  track,
  useHostileCleanup,
  writeKubeconfig,
} from './harness.js';
import { startDns, type DnsMode } from './servers/dns.js';
import { startKubeApi } from './servers/kube-api.js';

useHostileCleanup();

const LB = '127.0.10.10';

async function ingressCluster() {
  const api = track(
    await startKubeApi({
      objects: [
        ingressClass(),
        loadBalancerService(LB),
        ingress('web', 'plate-stg', 'web.example.test', LB),
        ingress('api', 'plate-stg', 'api.example.test', LB),
      ],
    }),
  );
  const dir = await tempDir('dns');
  const token = canary('kubeBearer');
  const kubeconfig = await writeKubeconfig(dir, { server: api.url, caPem: api.ca.certPem, token });
  return { dir, token, kubeconfig };
}

describe('a resolver that misbehaves', () => {
  it.each<[string, DnsMode]>([
    ['answers every query with garbage', 'garbage'],
    ['sets TC over UDP, then answers over TCP with TC set and no answers', 'truncated'],
  ])('judges a resolver that %s as could-not-check, not as a missing record', async (_what, mode) => {
    const dns = track(await startDns(mode));
    const { dir, token, kubeconfig } = await ingressCluster();
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--only',
        'ingress.dns',
        '--dns-server',
        dns.server,
        ...boundedRun(dir, 'json'),
      ],
    });
    const claims = /no A record|has no (A|AAAA)\b|does not exist/i.test(run.stdout)
      ? [`the output claims a record is missing although ${dns.server} never answered the question`]
      : [];
    await expectContract(run, { exitCode: 3, secrets: [token] }, claims);
  });
});
