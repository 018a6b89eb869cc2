import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/checks/result.js';
import { runCli } from '../support/run-cli.js';

function configDir(until: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-mute-'));
  writeFileSync(
    join(dir, 'platform.yaml'),
    [
      'mute:',
      '  - code: DNS_WRONG_TARGET',
      "    subject: 'host stg.cocdev.co.kr'",
      '    reason: old load balancer kept for the migration (OPS-412)',
      `    until: ${until}`,
      '',
    ].join('\n'),
  );
  return dir;
}

const leafOf = (report: Report, id: string) =>
  report.runbooks
    .flatMap((r) => r.children ?? [])
    .flatMap((s) => s.children ?? [])
    .find((l) => l.id === id);

describe('platform.yaml mutes against the demo platform', () => {
  it('mutes the stale DNS record of dns-mismatch: skipped with the reason, exit 0, no cause', async () => {
    const run = await runCli(['doctor', '--demo', 'dns-mismatch', '-o', 'json'], {
      cwd: configDir('2099-12-31'),
    });
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(leafOf(report, 'ingress.dns:stg.cocdev.co.kr')).toMatchObject({
      status: 'skip',
      code: 'DNS_WRONG_TARGET',
      message:
        'muted until 2099-12-31: old load balancer kept for the migration (OPS-412) (was fail: resolves to 127.0.10.9, load balancer is 127.0.10.10)',
    });
    expect(report.causes).toEqual([]);
  });

  it('lets go after the until day: the finding fails again and the expired mute is a warning', async () => {
    const run = await runCli(['doctor', '--demo', 'dns-mismatch', '-o', 'json'], {
      cwd: configDir('2020-06-30'),
    });
    expect(run.exitCode).toBe(2);
    const report = JSON.parse(run.stdout) as Report;
    expect(leafOf(report, 'ingress.dns:stg.cocdev.co.kr')).toMatchObject({ status: 'fail' });
    expect(leafOf(report, 'ingress.dns:mute DNS_WRONG_TARGET host stg.cocdev.co.kr')).toMatchObject({
      status: 'warn',
      code: 'MUTE_EXPIRED',
      message:
        'expired after 2020-06-30 (old load balancer kept for the migration (OPS-412)); DNS_WRONG_TARGET findings on host stg.cocdev.co.kr count again',
    });
  });
});
