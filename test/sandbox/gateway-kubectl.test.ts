import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const KUBECTL = '/usr/bin/kubectl';
const now = new Date('2026-11-26T09:00:00Z');
const run = promisify(execFile);
const hasKubectl = existsSync(KUBECTL);

// Outside CI a developer machine may lack kubectl; in CI its absence is a broken runner, not a skip.
describe.skipIf(!hasKubectl && process.env.CI !== 'true')(
  'the real kubectl against the Gateway API sandbox',
  () => {
    let sandbox: Sandbox;
    let home: string;
    beforeAll(async () => {
      if (!hasKubectl) throw new Error(`CI=true but ${KUBECTL} is missing`);
      sandbox = await startSandbox({ scenario: 'gateway-healthy', now });
      home = await mkdtemp(join(tmpdir(), 'kubectl-home-'));
    });
    afterAll(async () => {
      await sandbox?.close();
      if (home) await rm(home, { recursive: true, force: true });
    });

    const kubectl = async (...args: string[]) =>
      (
        await run(KUBECTL, ['--kubeconfig', sandbox.kubeconfigPath, '--request-timeout=10s', ...args], {
          env: { PATH: process.env.PATH ?? '', HOME: home },
          timeout: 20_000,
        })
      ).stdout;

    it('lists Gateways and HTTPRoutes across namespaces with the CRD printer columns', async () => {
      expect(await kubectl('get', 'gateways,httproutes', '-A')).toBe(
        [
          'NAMESPACE    NAME                                              CLASS   ADDRESS       PROGRAMMED   AGE',
          'plate-prod   gateway.gateway.networking.k8s.io/plate-gateway   nginx   127.0.10.11   True         7d',
          '',
          'NAMESPACE    NAME                                                            HOSTNAMES               AGE',
          'plate-prod   httproute.gateway.networking.k8s.io/plate-api-beta              ["beta.cocdev.co.kr"]   7d',
          'plate-prod   httproute.gateway.networking.k8s.io/plate-beta-https-redirect   ["beta.cocdev.co.kr"]   7d',
          '',
        ].join('\n'),
      );
    });

    it('knows the short names and serves ReferenceGrants as v1beta1', async () => {
      expect(await kubectl('get', 'gc')).toBe(
        [
          'NAME    CONTROLLER                                   ACCEPTED   AGE',
          'nginx   gateway.nginx.org/nginx-gateway-controller   True       7d',
          '',
        ].join('\n'),
      );
      expect(await kubectl('api-resources', '--api-group=gateway.networking.k8s.io')).toBe(
        [
          'NAME              SHORTNAMES   APIVERSION                          NAMESPACED   KIND',
          'gatewayclasses    gc           gateway.networking.k8s.io/v1        false        GatewayClass',
          'gateways          gtw          gateway.networking.k8s.io/v1        true         Gateway',
          'httproutes                     gateway.networking.k8s.io/v1        true         HTTPRoute',
          'referencegrants   refgrant     gateway.networking.k8s.io/v1beta1   true         ReferenceGrant',
          '',
        ].join('\n'),
      );
    });

    it('describes a route with its parent status', async () => {
      const text = await kubectl('describe', 'httproute', '-n', 'plate-prod', 'plate-api-beta');
      expect(text).toContain('    Controller Name:         gateway.nginx.org/nginx-gateway-controller');
      expect(text).toContain('Message:               The Route is accepted');
    });
  },
);
