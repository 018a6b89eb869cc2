/**
 * Bad input on the command line: refused at once with exit 3, one `platform: …` line naming the flag and
 * value and a `try:` line, never "this is a bug"; unknown scenarios list the ones there are. And one
 * input that looks odd but is right: `--timeout 1m30s`, Go's (kubectl's) duration form.
 *
 * Each case points the doctor at a working (empty) cluster, so a flag that is wrongly accepted shows up as
 * a run that goes ahead, not as some other error.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ROOT,
  canary,
  describeRun,
  expectContract,
  runDoctor,
  tempDir,
  track,
  useHostileCleanup,
  usageErrorProblems,
  writeKubeconfig,
} from './harness.js';
import { startKubeApi } from './servers/kube-api.js';

useHostileCleanup();

const SCENARIOS = readdirSync(join(ROOT, 'scenarios'))
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.replace(/\.yaml$/, ''));

async function emptyCluster() {
  const api = track(await startKubeApi());
  const dir = await tempDir('cli');
  const token = canary('kubeBearer');
  const kubeconfig = await writeKubeconfig(dir, { server: api.url, caPem: api.ca.certPem, token });
  return { token, kubeconfig };
}

/** For a refused scenario name: the platform: line lists every scenario there is. */
function listsScenarios(stderr: string): string[] {
  const line = stderr.split('\n')[0] ?? '';
  const missing = SCENARIOS.filter((name) => !line.includes(name));
  return missing.length > 0 ? [`the platform: line does not list the scenarios ${missing.join(', ')}`] : [];
}

describe('bad input on the command line', () => {
  it.each<[string, string[], string[]]>([
    ['a --dns-server that is a host name', ['--dns-server', 'example.com'], ['--dns-server', 'example.com']],
    [
      'a --dns-server that is not an IP address',
      ['--dns-server', '999.1.1.1'],
      ['--dns-server', '999.1.1.1'],
    ],
    [
      'a --dns-server with two ports',
      ['--dns-server', '127.0.0.1:53:53'],
      ['--dns-server', '127.0.0.1:53:53'],
    ],
    ['a --timeout beyond any timer', ['--timeout', '99999999999h'], ['--timeout', '99999999999h']],
    ['an --http-port in exponent notation', ['--http-port', '1e3'], ['--http-port', '1e3']],
    ['an --http-port in hex', ['--http-port', '0x50'], ['--http-port', '0x50']],
  ])('refuses %s with one line and exit 3', async (_what, flags, mentions) => {
    const { kubeconfig } = await emptyCluster();
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, '--only', 'gitops', '--timeout', '3s', ...flags],
      hardLimitMs: 15_000,
    });
    expect(usageErrorProblems(run, mentions), describeRun(run)).toEqual([]);
  });

  it.each<[string, string[], string]>([
    ['an unknown --demo scenario', ['doctor', '--demo', 'nosuch', '--timeout', '3s'], 'nosuch'],
    ['a runbook name given to --demo', ['doctor', '--timeout', '3s', '--demo', 'secrets'], 'secrets'],
    ['an unknown sandbox up --scenario', ['sandbox', 'up', '--scenario', 'nosuch'], 'nosuch'],
  ])('refuses %s with one line that lists the scenarios, exit 3', async (_what, args, name) => {
    const run = await runDoctor({ args, hardLimitMs: 15_000 });
    expect([...usageErrorProblems(run, [name]), ...listsScenarios(run.stderr)], describeRun(run)).toEqual([]);
  });
});

describe('odd but right input on the command line', () => {
  it('accepts --timeout 1m30s, the Go and kubectl duration form', async () => {
    const { token, kubeconfig } = await emptyCluster();
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, '--only', 'gitops', '--timeout', '1m30s', '-o', 'json'],
      hardLimitMs: 15_000,
    });
    // The run itself takes a second; the deadline that matters here is that it ran at all.
    await expectContract(run, { exitCode: 0, secrets: [token], deadlineMs: 10_000 });
  });
});
