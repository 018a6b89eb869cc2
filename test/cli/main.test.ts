import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

describe('platform doctor in-process', () => {
  it('prints the plain tree, not the live UI, on a terminal under CI: nobody would press q there', async () => {
    const run = await runCli(['doctor', '--demo', 'healthy', '--only', 'gitops'], {
      tty: true,
      env: { CI: 'true', NO_COLOR: '1' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(
      'platform doctor · context sandbox-healthy · cluster sandbox-healthy',
    );
    expect(run.stdout).toContain('✔ Argo CD Applications are Synced and Healthy (9 passed)');
  });

  it('says which environment is unknown and lists the known ones', async () => {
    const run = await runCli(['doctor', '--config', 'examples/platform.yaml', '--env', 'dev']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toBe(
      'platform: environment "dev" is not in the config (known: prod, stg)\ntry: platform doctor --help\n',
    );
  });

  it('writes the requested reports and keeps going in machine formats when the cluster is unreachable', async () => {
    const run = await runCli([
      'doctor',
      '--kubeconfig',
      'test/fixtures/kubeconfig-unreachable.yaml',
      '-o',
      'json',
      '--timeout',
      '5s',
    ]);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(
      /^platform: cannot reach the API server at https:\/\/127\.0\.0\.1:1: connection refused\n$/,
    );
    const report = JSON.parse(run.stdout);
    expect(report.status).toBe('error');
    expect(report.runbooks.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      ['ingress', 'error'],
      ['gateway', 'error'],
      ['secrets', 'error'],
      ['gitops', 'error'],
    ]);
  });
});
