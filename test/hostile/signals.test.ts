/**
 * SIGINT, SIGTERM and SIGHUP mid-run (Ctrl-C, a supervisor stopping the job, a dropped ssh session): the
 * doctor stops within a second, still writes its --report files (the run could not check: exit 3), and a
 * --demo run leaves no sandbox folder with a kubeconfig behind in TMPDIR.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BIN,
  ROOT,
  canary,
  contractProblems,
  describeRun,
  reportFlags,
  runDoctor,
  tempDir,
  track,
  useHostileCleanup,
  writeKubeconfig,
  type DoctorRun,
} from './harness.js';
import { startKubeApi } from './servers/kube-api.js';

useHostileCleanup();

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Long enough that only the signal can end the run. */
const LONG = ['--timeout', '30s'];

/** An API server that answers /version and then hangs every list: the run is busy until interrupted. */
async function busyCluster() {
  const api = track(await startKubeApi());
  api.on('GET', /^\/apis?\/.+/, () => {});
  const dir = await tempDir('signal');
  const token = canary('kubeBearer');
  const kubeconfig = await writeKubeconfig(dir, { server: api.url, caPem: api.ca.certPem, token });
  // Mid-run for sure: the doctor has passed its reachability check and is listing.
  const listing = () => api.requests.some((r) => r.path !== '/version');
  return { dir, token, kubeconfig, listing };
}

/** The contract for an interrupted run: stop within a second of the signal, exit 3, reports written. */
async function interruptedProblems(run: DoctorRun, secrets: string[]): Promise<string[]> {
  if (run.interruptedAtMs === null)
    return ['the run ended before the signal was sent: nothing was interrupted'];
  return contractProblems(run, { exitCode: 3, secrets, deadlineMs: run.interruptedAtMs });
}

describe('a one-shot run that is interrupted', () => {
  it.each(SIGNALS)('stops within a second of %s and still writes its --report files', async (signal) => {
    const { dir, token, kubeconfig, listing } = await busyCluster();
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        ...LONG,
        ...reportFlags([join(dir, 'r.json'), join(dir, 'r.prom')]),
      ],
      interrupt: { signal, when: listing },
    });
    expect(await interruptedProblems(run, [token]), describeRun(run)).toEqual([]);
  });
});

describe('a --watch run that is interrupted', () => {
  it.each(SIGNALS)(
    'stops within a second of %s during a run and still writes its --report files',
    async (signal) => {
      const { dir, token, kubeconfig, listing } = await busyCluster();
      const run = await runDoctor({
        args: [
          'doctor',
          '--kubeconfig',
          kubeconfig,
          '--watch',
          '5s',
          ...LONG,
          '-o',
          'json',
          ...reportFlags([join(dir, 'r.json'), join(dir, 'r.prom')]),
        ],
        interrupt: { signal, when: listing },
      });
      expect(await interruptedProblems(run, [token]), describeRun(run)).toEqual([]);
    },
  );
});

describe('a --demo run that is interrupted', () => {
  it.each(SIGNALS)(
    'stops within a second of %s, writes its --report files and leaves no sandbox folder in TMPDIR',
    async (signal) => {
      const tmp = await tempDir('demo-tmp');
      const dir = await tempDir('demo');
      const sandboxReady = () =>
        readdirSync(tmp).some(
          (name) => name.startsWith('platform-doctor-sandbox-') && existsSync(join(tmp, name, 'kubeconfig')),
        );
      const run = await runDoctor({
        args: ['doctor', '--demo', ...LONG, ...reportFlags([join(dir, 'r.json'), join(dir, 'r.md')])],
        tmpdir: tmp,
        // Right after the sandbox has written its kubeconfig: the run has only just begun.
        interrupt: { signal, when: sandboxReady },
      });
      const problems = await interruptedProblems(run, []);
      const left = await readdir(tmp);
      for (const name of left.filter((n) => n.startsWith('platform-doctor-sandbox-'))) {
        const files = await readdir(join(tmp, name)).catch(() => []);
        problems.push(`sandbox folder left behind: ${join(tmp, name)} (${files.join(', ') || 'empty'})`);
      }
      expect(problems, describeRun(run)).toEqual([]);
    },
  );
});

describe('a reader that goes away (`platform doctor -o json | head -c 100`)', () => {
  it('does not crash on the closed pipe: the --report file is written and the exit code is the run’s', async () => {
    const dir = await tempDir('epipe');
    const report = join(dir, 'r.json');
    const child = spawn(process.execPath, [BIN, 'doctor', '--demo', '-o', 'json', '--report', report], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // Like `| head -c 100` that has had its bytes, or `| true`: nobody reads what the doctor writes.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/EPIPE|Unhandled|Error/) });
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ status: 'pass' });
  });
});
