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
    while (!stdout.includes('platform doctor ') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const exported = Object.fromEntries(
      [...stdout.matchAll(/^export (\w+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]),
    ) as Record<string, string>;
    expect(Object.keys(exported)).toEqual(['KUBECONFIG', 'BAO_ADDR', 'NODE_EXTRA_CA_CERTS']);
    const doctorLine = /^platform (doctor .*)$/m.exec(stdout)![1]!;
    const doctor = await runCli([...doctorLine.split(' '), '-o', 'json'], {
      env: {
        KUBECONFIG: exported.KUBECONFIG,
        NODE_EXTRA_CA_CERTS: exported.NODE_EXTRA_CA_CERTS,
        BAO_ADDR: exported.BAO_ADDR,
      },
    });
    expect(doctor.exitCode).toBe(0);
    expect(JSON.parse(doctor.stdout).status).toBe('pass');

    interrupt();
    expect(await running).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('sandbox stopped');
    expect(existsSync(exported.KUBECONFIG!)).toBe(false);
  });
});
