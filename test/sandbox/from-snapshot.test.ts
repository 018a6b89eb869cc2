import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSnapshot, type Snapshot } from '../../src/engine/snapshot.js';
import { scenarioFromRecording } from '../../src/sandbox/from-recording.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../support/run-cli.js';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);
const hasKubectl = existsSync(KUBECTL);
// Outside CI a developer machine may lack kubectl; in CI its absence is a broken runner, not a skip.
const skip = !hasKubectl && process.env.CI !== 'true';

const dir = mkdtempSync(join(tmpdir(), 'pd-sandbox-from-'));
const file = join(dir, 'crash-loop.snap');
const POD = 'plate-api-prod-5f7b9c4d8-q8w3n';

describe.skipIf(skip)('the real kubectl against sandbox up --from a snapshot', () => {
  let snapshot: Snapshot;
  let sandbox: Sandbox;

  beforeAll(async () => {
    if (!hasKubectl) throw new Error(`CI=true but ${KUBECTL} is missing`);
    const recorded = await runCli([
      'doctor',
      '--demo',
      'backend-no-endpoints',
      '-o',
      'json',
      '--snapshot',
      file,
    ]);
    expect(recorded.exitCode).toBe(2);
    snapshot = decodeSnapshot(readFileSync(file), file, '0.1.0');
    // What `platform sandbox up --from` serves: the recorded answers as a scenario, on the recorded clock.
    sandbox = await startSandbox({
      scenario: scenarioFromRecording(snapshot.answers, { name: 'snapshot', description: 'test' }),
      servedAt: new Date(snapshot.recordedAt),
    });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const kubectl = async (...args: string[]) => {
    const { stdout } = await run(
      KUBECTL,
      [
        '--kubeconfig',
        sandbox.kubeconfigPath,
        '--cache-dir',
        join(dir, 'cache'),
        '--request-timeout=10s',
        ...args,
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 20_000 },
    );
    return stdout;
  };

  // The recorded run started a moment after its sandbox: ages are those of the snapshot, give or take seconds.
  const columns = (text: string) => text.split('\n').map((line) => line.split(/\s{2,}/));

  it('lists the pods as they were: the crash loop, its restarts and ages at the time of the snapshot', async () => {
    expect(columns(await kubectl('get', 'pods', '-n', 'plate-prod'))).toEqual([
      ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
      [POD, '0/1', 'CrashLoopBackOff', expect.stringMatching(/^14 \(4m(\ds)? ago\)$/), '51m'],
      ['plate-web-prod-7c9d8f6b5-k4m2p', '1/1', 'Running', '0', '6d'],
      [''],
    ]);
  });

  it('serves the recorded Events in core/v1 and in events.k8s.io/v1 alike', async () => {
    const core = await kubectl('get', 'events', '-n', 'plate-prod');
    const newer = await kubectl('get', 'events.events.k8s.io', '-n', 'plate-prod');
    expect(core).toBe(newer);
    expect(columns(core)).toEqual([
      ['NAME', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
      [
        `${POD}.187c3aa1b2c3d4e5`,
        expect.stringMatching(/^4m(\ds)?$/),
        'Normal',
        'Pulled',
        `pod/${POD}`,
        'Container image "ghcr.io/cocdev/plate-api:2.8.1" already present on machine',
      ],
      [
        `${POD}.187c3aa2c3d4e5f6`,
        expect.stringMatching(/^6\ds$/),
        'Warning',
        'BackOff',
        `pod/${POD}`,
        `Back-off restarting failed container api in pod ${POD}_plate-prod(0d000000-0000-4000-8000-000000000004)`,
      ],
      [
        'plate-api-prod.187c3a9f1a2b3c40',
        '51m',
        'Normal',
        'ScalingReplicaSet',
        'deployment/plate-api-prod',
        'Scaled up replica set plate-api-prod-5f7b9c4d8 to 1 from 0',
      ],
      [''],
    ]);
  });

  it('describes the pod with its events, as kubectl finds them by involvedObject', async () => {
    const described = await kubectl('describe', 'pod', '-n', 'plate-prod', POD);
    expect(described).toContain('State:          Waiting\n      Reason:       CrashLoopBackOff');
    expect(described).toMatch(
      /Warning {2}BackOff {2}\S+ \(x212 over 50m\) {2}kubelet {2}Back-off restarting failed container api/,
    );
  });

  it('shows the Argo CD Application with its sync history', async () => {
    const history = await kubectl(
      'get',
      'application',
      '-n',
      'argocd',
      'plate-api-prod',
      '-o',
      'jsonpath={.status.history[*].revision}',
    );
    expect(history).toBe('3f9c2e7a1b4d8f6e0c5a9b2d7e1f4a8c6b3d9e05 a91c3d7e5f2b8a4c6d0e1f3a5b7c9d2e4f6a8b0c');
  });

  it('serves the controller logs the doctor read', async () => {
    const logs = await kubectl('logs', '-n', 'external-secrets', 'external-secrets-6b8d7f9c5-w2q7j');
    expect(
      logs
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).msg),
    ).toEqual(['reconciled secret', 'reconciled secret', 'reconciled secret', 'reconciled secret']);
  });

  it('serves Secrets by key name only: the values were never recorded', async () => {
    const data = await kubectl(
      'get',
      'secret',
      '-n',
      'plate-prod',
      'plate-api-prod-env',
      '-o',
      'jsonpath={.data}',
    );
    expect(JSON.parse(data)).toEqual({ DB_PASSWORD: '', JWT_SECRET: '' });
  });
});

describe('platform sandbox up --from', () => {
  it('serves a snapshot until interrupted and says what it can and cannot give back', async () => {
    const recorded = await runCli([
      'doctor',
      '--demo',
      'dns-mismatch',
      '--only',
      'ingress.dns',
      '--snapshot',
      join(dir, 'dns.snap'),
    ]);
    expect(recorded.exitCode).toBe(2);
    const up = await runCli(['sandbox', 'up', '--from', join(dir, 'dns.snap')], {
      interrupted: Promise.resolve(),
    });
    expect(up.exitCode).toBe(0);
    const lines = up.stdout.split('\n');
    expect(lines[0]).toBe(`sandbox "snapshot ${join(dir, 'dns.snap')}" is up (Ctrl-C stops it)`);
    expect(lines[1]).toMatch(
      /^objects, events and logs as recorded at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z; Secret values and tokens were never recorded$/,
    );
    expect(lines.at(-2)).toBe('sandbox stopped');
  }, 60_000);

  it('refuses a file that is not a snapshot with one line and exit 3', async () => {
    const up = await runCli(['sandbox', 'up', '--from', join(dir, 'nothing-here.snap')]);
    expect(up.exitCode).toBe(3);
    expect(up.stdout).toBe('');
    expect(up.stderr).toMatch(/^platform: cannot read .*nothing-here\.snap: ENOENT/);
  });
});
