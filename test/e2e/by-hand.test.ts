import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/checks/result.js';
import { doctorFlagsFor, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../support/run-cli.js';

/**
 * The doctor pointed at the sandbox the way `platform sandbox up` tells a person to: plain flags and
 * environment, no --demo. It proves the normal path works and that a whole run is read-only and cheap.
 */
describe('platform doctor against a running sandbox, by hand', () => {
  let sandbox: Sandbox;
  let caFile: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'healthy' });
    caFile = join(mkdtempSync(join(tmpdir(), 'pd-ca-')), 'ca.pem');
    writeFileSync(caFile, sandbox.ingressCaPem);
  });
  afterAll(() => sandbox.close());

  const flags = () => ['doctor', ...doctorFlagsFor(sandbox), '-o', 'json'];

  it('passes the healthy platform, writes nothing, and lists each kind once per scope', async () => {
    const run = await runCli(flags(), { env: { NODE_EXTRA_CA_CERTS: caFile } });
    const report = JSON.parse(run.stdout) as Report;
    expect(run.exitCode).toBe(0);
    expect(report.status).toBe('pass');
    expect(report.target.context).toBe('sandbox-healthy');
    expect(sandbox.stats.mutatingRequests).toBe(0);
    expect(sandbox.openbaoStats.writes).toEqual([]);
    const repeated = Object.entries(sandbox.stats.requests).filter(
      ([path, count]) => count > 1 && !path.endsWith('/log') && !path.includes('/proxy/'),
    );
    expect(repeated).toEqual([]);
  });

  it('under --no-read-secrets never asks the API server for a Secret, and still passes the healthy platform', async () => {
    const before = { ...sandbox.stats.requests };
    const run = await runCli([...flags(), '--no-read-secrets'], { env: { NODE_EXTRA_CA_CERTS: caFile } });
    expect(run.exitCode).toBe(0);
    const asked = Object.entries(sandbox.stats.requests)
      .filter(([path, count]) => count > (before[path] ?? 0))
      .map(([path]) => path);
    expect(asked.filter((path) => /\/secrets(\/|$)/.test(path))).toEqual([]);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary.skip).toBeGreaterThan(0);
  });

  it('fails the HTTPS step, not the run, when the sandbox CA is not trusted', async () => {
    const run = await runCli(flags());
    const report = JSON.parse(run.stdout) as Report;
    const https = report.runbooks[0]!.children!.find((s) => s.id === 'ingress.https')!;
    expect(run.exitCode).toBe(2);
    expect(https.status).toBe('fail');
    expect(
      report.runbooks
        .flatMap((r) => r.children!)
        .filter((s) => s.status !== 'pass' && s.status !== 'skip')
        .map((s) => s.id),
    ).toEqual(['ingress.https']);
  });
});
