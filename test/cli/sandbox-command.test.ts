import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../src/sandbox/load.js';
import { main } from '../../src/cli.js';
import { runCli } from '../support/run-cli.js';

describe('platform sandbox', () => {
  it('lists every scenario with its one-line description', async () => {
    const run = await runCli(['sandbox', 'list']);
    const scenarios = await listScenarios();
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(scenarios.length);
    const healthy = scenarios.find((s) => s.name === 'healthy')!;
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^healthy +${healthy.description.slice(0, 20)}`)),
    );
  });

  it('up prints working exports and doctor flags, and cleans up when interrupted', async () => {
    let stdout = '';
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const running = main(['sandbox', 'up', '--scenario', 'healthy'], {
      stdout: { write: (text: string) => (stdout += text), isTTY: false },
      stderr: { write: () => true },
      stdinIsTTY: false,
      env: {},
      cwd: process.cwd(),
      startedMs: performance.now(),
      interrupted,
    });
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('curl ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const exported = Object.fromEntries(
      [...stdout.matchAll(/^export (\w+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]),
    ) as Record<string, string>;
    expect(Object.keys(exported)).toEqual([
      'KUBECONFIG',
      'BAO_ADDR',
      'NODE_EXTRA_CA_CERTS',
      'CURL_CA_BUNDLE',
    ]);
    // Every line runs as printed, in a plain shell with only the printed exports.
    const lines = stdout.split('\n');
    const exports = lines.filter((l) => l.startsWith('export '));
    // Asynchronously: the sandbox answers from this very process, which must stay free to do so.
    const shell = (line: string) =>
      promisify(execFile)('bash', ['-c', [...exports, line].join('\n')], {
        env: { PATH: process.env.PATH, HOME: '/nonexistent-home' },
        timeout: 30_000,
      });
    const doctorLine = lines.find((l) => / doctor --kubeconfig /.test(l))!;
    const doctor = await shell(`${doctorLine} -o json`);
    expect(JSON.parse(doctor.stdout).status).toBe('pass');
    const curlLine = lines.find((l) => l.startsWith('curl '))!;
    const curl = await shell(`${curlLine} -o /dev/null -w '%{http_code}'`);
    expect(curl.stdout).toBe('200');

    interrupt();
    expect(await running).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('sandbox stopped');
    expect(existsSync(exported.KUBECONFIG!)).toBe(false);
  });
});
