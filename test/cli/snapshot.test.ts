import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/checks/result.js';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pd-snapshot-cli-'));
const TRY = 'try: platform doctor --from FILE, where FILE was written by platform doctor --snapshot FILE\n';

describe('platform doctor --from FILE that cannot be used', () => {
  const write = (name: string, bytes: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it.each([
    [
      'missing',
      () => join(dir, 'missing.snap'),
      /^platform: cannot read .*missing\.snap: ENOENT: no such file or directory, open '.*missing\.snap'\n$/,
    ],
    [
      'not gzip',
      () => write('plain.json', '{"format":"platform-doctor-snapshot"}'),
      /^platform: .*plain\.json is not a platform doctor snapshot: it is not gzip-compressed \(/,
    ],
    [
      'foreign',
      () => write('report.json.gz', gzipSync('{"schemaVersion":1}')),
      /^platform: .*report\.json\.gz is not a platform doctor snapshot \(no "format": "platform-doctor-snapshot"\)\n$/,
    ],
    [
      'of a newer format',
      () =>
        write(
          'newer.snap',
          gzipSync(
            JSON.stringify({ format: 'platform-doctor-snapshot', formatVersion: 7, doctorVersion: '3.0.0' }),
          ),
        ),
      /^platform: .*newer\.snap is in snapshot format 7, written by platform doctor 3\.0\.0; this doctor \(0\.1\.0\) reads format 1 and older: upgrade platform doctor to replay it\n$/,
    ],
  ])('is one line and exit 3 when the file is %s, and prints no report', async (_what, file, message) => {
    const run = await runCli(['doctor', '--from', file(), '-o', 'json']);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('');
    const [line, tryLine] = run.stderr.split(/(?<=\n)/);
    expect(line).toMatch(message);
    expect(tryLine).toBe(TRY);
  });
});

describe('flags around snapshots', () => {
  it.each([
    [
      ['--from', 'x.snap', '--demo'],
      "error: option '--from <file>' cannot be used with option '--demo [scenario]'",
    ],
    [
      ['--from', 'x.snap', '--kubeconfig', 'k'],
      "error: option '--from <file>' cannot be used with option '--kubeconfig <path>'",
    ],
    [
      ['--from', 'x.snap', '-n', 'plate-stg'],
      "error: option '--from <file>' cannot be used with option '-n, --namespace <ns>'",
    ],
    [
      ['--snapshot', 'x.snap', '--watch'],
      "error: option '--watch [interval]' cannot be used with option '--snapshot <file>'",
    ],
  ])('refuses %j with a usage error (exit 3)', async (flags, message) => {
    const run = await runCli(['doctor', ...flags]);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toBe(`${message}\ntry: platform doctor --help\n`);
  });

  it('takes --since as a duration of at most a day', async () => {
    const run = await runCli(['doctor', '--demo', '--since', '2d']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toBe(
      'platform: --since takes a duration like 30s, 2m or 1m30s, not "2d"\ntry: platform doctor --help\n',
    );
  });

  it('refuses sandbox up with both --scenario and --from', async () => {
    const run = await runCli(['sandbox', 'up', '--scenario', 'healthy', '--from', 'x.snap']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toBe(
      "error: option '--scenario <name>' cannot be used with option '--from <file>'\ntry: platform sandbox --help\n",
    );
  });
});

describe('a snapshot written by the doctor', () => {
  let file: string;
  let live: { exitCode: number; stdout: string; stderr: string };

  beforeAll(async () => {
    file = join(dir, 'gitops.snap');
    live = await runCli([
      'doctor',
      '--demo',
      'argocd-degraded',
      '--only',
      'gitops',
      '-o',
      'json',
      '--snapshot',
      file,
    ]);
  }, 60_000);

  it('says where it went, and only its owner can read it', () => {
    expect(live.stderr).toMatch(
      /^platform: wrote .*gitops\.snap \(snapshot of \d+ answers, \d+ (bytes|KB)\)\n$/,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('records the run, the report and the doctor that wrote it', () => {
    const snapshot = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
    expect(snapshot).toMatchObject({
      format: 'platform-doctor-snapshot',
      formatVersion: 1,
      doctorVersion: '0.1.0',
      recordedAt: JSON.parse(live.stdout).startedAt,
      run: { steps: ['gitops.applications'], sinceMs: 86_400_000, commandFlags: [] },
    });
    expect(snapshot.report).toEqual(JSON.parse(live.stdout));
  });

  it('replays the recorded steps by default, and any other step as "could not check"', async () => {
    const replay = await runCli(['doctor', '--from', file, '-o', 'json']);
    expect(replay.exitCode).toBe(live.exitCode);
    const report = JSON.parse(replay.stdout) as Report;
    expect(report.runbooks.map((r) => r.id)).toEqual(['gitops']);

    const dns = await runCli(['doctor', '--from', file, '--only', 'ingress.dns', '-o', 'json']);
    const step = (JSON.parse(dns.stdout) as Report).runbooks[0]!.children![0]!;
    expect(dns.exitCode).toBe(3);
    expect(step.children).toEqual([
      {
        id: 'ingress.dns:list:Ingresses in all namespaces',
        title: 'Ingresses in all namespaces',
        subject: 'Ingresses in all namespaces',
        status: 'error',
        code: 'CHECK_NOT_RECORDED',
        message: 'could not list Ingresses in all namespaces: the snapshot holds no answer to list ingresses',
        hint: 'Run the doctor against the live platform to check this; the snapshot holds no answer from the Kubernetes API.',
        commands: [],
      },
    ]);
  });

  it('re-windows what changed with --since on a replay', async () => {
    const replay = await runCli(['doctor', '--from', file, '-o', 'json', '--since', '1h']);
    const times = ((JSON.parse(replay.stdout) as Report).timeline ?? []).map((e) => Date.parse(e.time));
    const startedAt = Date.parse(JSON.parse(live.stdout).startedAt);
    expect(times.length).toBeGreaterThan(0);
    expect(times.every((t) => startedAt - t <= 3_600_000)).toBe(true);
    expect((JSON.parse(live.stdout) as Report).timeline!.length).toBeGreaterThan(times.length);
  });
});

describe('what a snapshot never holds', () => {
  it("keeps no password from a URL the run was given, nor the report's command line", async () => {
    const file = join(dir, 'userinfo.snap');
    const run = await runCli([
      'doctor',
      '--demo',
      'healthy',
      '--only',
      'gitops',
      '--openbao-addr',
      'https://doctor:CANARY-url-password-77@bao.example:8200',
      '--snapshot',
      file,
    ]);
    expect(run.exitCode).toBe(0);
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    expect(text).not.toContain('CANARY-url-password-77');
    expect(JSON.parse(text).run.scope.openbaoAddress).toBe('https://[redacted]@bao.example:8200');
    // The report's command line too: shell quoting used to hide the URL's userinfo from the redactor.
    expect(JSON.parse(text).report.commandLine).toBe(
      `platform doctor --demo healthy --only gitops --openbao-addr 'https://[redacted]@bao.example:8200' --snapshot ${file}`,
    );
  }, 60_000);
});
