/**
 * Local files that are wrong or odd: a --config that is a folder, a platform.yaml without environments, a
 * bad OpenBao address in platform.yaml or BAO_ADDR, a kubeconfig with a password in its server URL, and a
 * --report path that is a symlink into another directory.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canary,
  contractProblems,
  describeRun,
  expectContract,
  expectConfigError,
  reportFlags,
  runDoctor,
  tempDir,
  track,
  useHostileCleanup,
  writeKubeconfig,
} from './harness.js';
import { startKubeApi, startSilentTcp } from './servers/kube-api.js';

useHostileCleanup();

/** An empty cluster: `--only gitops` passes there (no Applications in scope), exit 0. */
async function emptyCluster() {
  const api = track(await startKubeApi());
  const dir = await tempDir('files');
  const token = canary('kubeBearer');
  const kubeconfig = await writeKubeconfig(dir, { server: api.url, caPem: api.ca.certPem, token });
  return { dir, token, kubeconfig };
}

describe('a config that is not a file', () => {
  it('refuses a --config that names a folder with one line and a not-checked report, exit 3', async () => {
    const { dir, kubeconfig } = await emptyCluster();
    const folder = join(dir, 'platform.d');
    await mkdir(folder);
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, '--config', folder, '--only', 'gitops', '--timeout', '3s'],
    });
    expectConfigError(run, [folder]);
  });
});

describe('a partial platform.yaml', () => {
  it('runs with a platform.yaml that sets only logs and no environments (every field is optional)', async () => {
    const { token, kubeconfig } = await emptyCluster();
    const cwd = await tempDir('cwd');
    await writeFile(join(cwd, 'platform.yaml'), 'logs:\n  tailLines: 50\n  sinceMinutes: 30\n');
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, '--only', 'gitops', '--timeout', '3s', '-o', 'json'],
      cwd,
    });
    await expectContract(run, { exitCode: 0, secrets: [token] });
  });
});

describe('a bad OpenBao address', () => {
  it('refuses an openbao.address without a scheme in platform.yaml with one line naming the key, and a report', async () => {
    const { kubeconfig } = await emptyCluster();
    const cwd = await tempDir('cwd');
    await writeFile(
      join(cwd, 'platform.yaml'),
      'environments:\n  prod:\n    openbao:\n      address: bao.example:8200\n',
    );
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, '--only', 'secrets.openbao', '--timeout', '3s'],
      cwd,
    });
    expectConfigError(run, ['openbao.address', 'bao.example:8200']);
  });

  it('refuses a BAO_ADDR that is not an http(s) URL with one line naming BAO_ADDR, and a report', async () => {
    const { kubeconfig } = await emptyCluster();
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, '--only', 'secrets.openbao', '--timeout', '3s'],
      env: { BAO_ADDR: 'bao.example:8200', BAO_TOKEN: canary('envBaoToken') },
    });
    expectConfigError(run, ['BAO_ADDR', 'bao.example:8200']);
  });
});

describe('a kubeconfig with a password in its server URL', () => {
  it('never prints the password when the API server at that URL accepts TCP and never answers', async () => {
    const silent = track(await startSilentTcp());
    const dir = await tempDir('files');
    const password = canary('urlPassword');
    const kubeconfig = await writeKubeconfig(dir, {
      server: `https://admin:${password}@${silent.hostPort}`,
      insecure: true,
    });
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--timeout',
        '3s',
        '-o',
        'json',
        ...reportFlags([join(dir, 'r.md'), join(dir, 'r.txt'), join(dir, 'r.html')]),
      ],
    });
    await expectContract(run, {
      exitCode: 3,
      secrets: [password],
      hung: silent.hostPort,
      nothingChecked: true,
    });
  });
});

describe('a --report path that is a symlink', () => {
  it('keeps the link a link and replaces its target atomically in the other directory', async () => {
    const { token, kubeconfig } = await emptyCluster();
    const linkDir = await tempDir('links');
    const targetDir = await tempDir('textfile-collector');
    const target = join(targetDir, 'platform_doctor.prom');
    const link = join(linkDir, 'x.prom');
    await writeFile(target, '# the previous run\n');
    await symlink(target, link);
    const before = await stat(target);

    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--only',
        'gitops',
        '--timeout',
        '3s',
        ...reportFlags([link]),
      ],
    });
    const problems = await contractProblems(run, { exitCode: 0, secrets: [token] });

    const linkStat = await lstat(link).catch(() => null);
    if (!linkStat) problems.push(`${link} is gone`);
    else if (!linkStat.isSymbolicLink())
      problems.push(`${link} was replaced by a regular file: it is no longer a link`);
    else if ((await readlink(link)) !== target)
      problems.push(`${link} now points elsewhere: ${await readlink(link)}`);
    const content = existsSync(target) ? await readFile(target, 'utf8') : '';
    if (!/^platform_doctor_up /m.test(content))
      problems.push(`the link's target ${target} does not hold the new report`);
    else if ((await stat(target)).ino === before.ino)
      problems.push(`the target was rewritten in place (same inode), not replaced atomically by a rename`);
    const leftovers = [
      ...(await readdir(linkDir)).filter((n) => n !== 'x.prom').map((n) => join(linkDir, n)),
      ...(await readdir(targetDir))
        .filter((n) => n !== 'platform_doctor.prom')
        .map((n) => join(targetDir, n)),
    ];
    if (leftovers.length > 0) problems.push(`temp files left behind: ${leftovers.join(', ')}`);
    expect(problems, describeRun(run)).toEqual([]);
  });
});
