import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/checks/result.js';
import { changesBetween } from '../../src/report/changes.js';
import { main } from '../../src/cli.js';

const report = (status: 'pass' | 'fail', startedAt: string): Report => ({
  schemaVersion: 1,
  tool: { name: 'platform-doctor', version: '0.1.0' },
  startedAt,
  durationMs: 10,
  target: { context: 'c', cluster: 'k', env: null },
  status,
  summary: { pass: status === 'pass' ? 2 : 1, warn: 0, fail: status === 'fail' ? 1 : 0, error: 0, skip: 0 },
  runbooks: [
    {
      id: 'ingress',
      title: 'Ingress',
      status,
      children: [
        {
          id: 'ingress.dns',
          title: 'DNS',
          status,
          children: [
            {
              id: 'ingress.dns:a',
              title: 'a',
              subject: 'host a',
              status: 'pass',
              message: 'resolves to 1.2.3.4',
            },
            {
              id: 'ingress.dns:b',
              title: 'b',
              subject: 'host b',
              status,
              message: status === 'fail' ? 'does not resolve (NXDOMAIN)' : 'resolves to 1.2.3.4',
            },
          ],
        },
      ],
    },
  ],
});

const plain = { color: false, unicode: true, verbose: false };

describe('--watch in plain mode', () => {
  it('prints only the leaves whose status changed, then the summary', () => {
    expect(
      changesBetween(
        report('pass', '2026-11-26T09:00:00.000Z'),
        report('fail', '2026-11-26T09:01:00.000Z'),
        plain,
      ),
    ).toBe('09:01:00 ✖ host b pass → fail: does not resolve (NXDOMAIN)\n09:01:00 1 failed · 1 passed (2)\n');
  });

  it('says so when nothing changed', () => {
    expect(
      changesBetween(
        report('pass', '2026-11-26T09:00:00.000Z'),
        report('pass', '2026-11-26T09:01:00.000Z'),
        plain,
      ),
    ).toBe('09:01:00 no changes · 2 passed (2)\n');
  });

  it('reruns until interrupted and prints one compact JSON report per run', async () => {
    let stdout = '';
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const running = main(
      ['doctor', '--demo', 'healthy', '--only', 'gitops', '--watch', '200ms', '-o', 'json'],
      {
        stdout: { write: (text: string) => (stdout += text), isTTY: false },
        stderr: { write: () => true },
        stdinIsTTY: false,
        env: {},
        cwd: process.cwd(),
        startedMs: performance.now(),
        interrupted,
      },
    );
    const deadline = Date.now() + 15_000;
    while (stdout.trim().split('\n').length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    interrupt();
    expect(await running).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect((JSON.parse(line) as Report).status).toBe('pass');
  });
});
