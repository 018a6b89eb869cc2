/**
 * An ingress endpoint whose headers, body and certificate names carry terminal escapes. The probe's
 * findings are real failures (a redirect elsewhere, a 502), so exit 2; nothing it quotes may reach the
 * terminal or a report raw.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ingress, ingressClass, loadBalancerService } from './fixtures.js';
import {
  allReports,
  canary,
  expectContract,
  reportFlags,
  runDoctor,
  tempDir,
  track,
  useHostileCleanup,
  writeKubeconfig,
} from './harness.js';
import { startEscapeEndpoint } from './servers/escape-endpoint.js';
import { startKubeApi } from './servers/kube-api.js';

useHostileCleanup();

const HOST = 'web.example.test';

describe('an HTTPS endpoint that answers with escape sequences', () => {
  it.each(['tree', 'json'])(
    'prints no raw control character from its headers, body or certificate names with -o %s',
    async (format) => {
      const endpoint = track(await startEscapeEndpoint(HOST));
      const api = track(
        await startKubeApi({
          objects: [
            ingressClass(),
            loadBalancerService(endpoint.address),
            ingress('web', 'plate-stg', HOST, endpoint.address),
          ],
        }),
      );
      const dir = await tempDir('https');
      const token = canary('kubeBearer');
      const kubeconfig = await writeKubeconfig(dir, { server: api.url, caPem: api.ca.certPem, token });
      const caFile = join(dir, 'ca.pem');
      await writeFile(caFile, endpoint.caPem);
      const run = await runDoctor({
        args: [
          'doctor',
          '--kubeconfig',
          kubeconfig,
          '--only',
          'ingress.https',
          '--http-port',
          String(endpoint.httpPort),
          '--https-port',
          String(endpoint.httpsPort),
          '--timeout',
          '3s',
          '-v',
          '-o',
          format,
          ...reportFlags(allReports(dir)),
        ],
        env: { NODE_EXTRA_CA_CERTS: caFile },
      });
      await expectContract(run, { exitCode: 2, secrets: [token] });
    },
  );
});
