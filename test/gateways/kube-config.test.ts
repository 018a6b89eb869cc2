import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKubeGateway, KubeConfigError } from '../../src/gateways/kube.js';
import { kubeconfigFor, startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver.js';

let dir: string;

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KubeConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a KubeConfigError');
}

afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-config-'));
  return dir;
}

describe('kubeconfig resolution', () => {
  it('uses --kubeconfig and ignores KUBECONFIG when both are given', () => {
    freshDir();
    const explicit = write(
      'explicit',
      kubeconfigFor({ server: 'https://explicit:6443', context: 'e', namespace: 'plate-stg' }),
    );
    const listed = write('listed', kubeconfigFor({ server: 'https://listed:6443', context: 'l' }));
    const kube = createKubeGateway({ kubeconfigPath: explicit, env: { KUBECONFIG: listed, HOME: dir } });
    expect(kube.target).toEqual({
      context: 'e',
      cluster: 'test-cluster',
      server: 'https://explicit:6443',
      user: 'tester',
      namespace: 'plate-stg',
      inCluster: false,
    });
  });

  it('takes current-context from the first KUBECONFIG file that sets one', () => {
    freshDir();
    const first = write(
      'first',
      kubeconfigFor({ server: 'https://first:6443', context: 'a', currentContext: null }),
    );
    const second = write(
      'second',
      kubeconfigFor({ server: 'https://second:6443', context: 'b', cluster: 'other' }),
    );
    const third = write(
      'third',
      kubeconfigFor({ server: 'https://third:6443', context: 'c', cluster: 'third' }),
    );
    const kube = createKubeGateway({ env: { KUBECONFIG: [first, second, third].join(':'), HOME: dir } });
    expect(kube.target).toMatchObject({ context: 'b', cluster: 'other', server: 'https://second:6443' });
  });

  it('lets the first KUBECONFIG file win when two files define the same cluster name', () => {
    freshDir();
    const first = write('first', kubeconfigFor({ server: 'https://first:6443', context: 'a' }));
    const second = write('second', kubeconfigFor({ server: 'https://second:6443', context: 'b' }));
    const kube = createKubeGateway({ env: { KUBECONFIG: `${first}:${second}`, HOME: dir }, context: 'b' });
    expect(kube.target).toMatchObject({
      context: 'b',
      cluster: 'test-cluster',
      server: 'https://first:6443',
    });
  });

  it('skips KUBECONFIG entries that do not exist, as kubectl does', () => {
    freshDir();
    const real = write('real', kubeconfigFor({ server: 'https://real:6443' }));
    const kube = createKubeGateway({ env: { KUBECONFIG: `${path.join(dir, 'gone')}:${real}`, HOME: dir } });
    expect(kube.target.server).toBe('https://real:6443');
  });

  it('says which files were listed when no KUBECONFIG entry exists', () => {
    freshDir();
    const gone = [path.join(dir, 'a'), path.join(dir, 'b')];
    expect(configError(() => createKubeGateway({ env: { KUBECONFIG: gone.join(':'), HOME: dir } }))).toBe(
      `no kubeconfig found: none of the files in KUBECONFIG exist (${gone.join(', ')})`,
    );
  });

  it('falls back to ~/.kube/config when KUBECONFIG is unset', () => {
    freshDir();
    write('.kube/config', kubeconfigFor({ server: 'https://home:6443', context: 'home' }));
    expect(createKubeGateway({ env: { HOME: dir } }).target).toMatchObject({
      context: 'home',
      server: 'https://home:6443',
    });
  });

  it('lets --context override the current-context', () => {
    freshDir();
    const config = kubeconfigFor({ server: 'https://a:6443', context: 'a' });
    (config.contexts as unknown[]).push({
      name: 'b',
      context: { cluster: 'test-cluster', user: 'tester', namespace: 'ns-b' },
    });
    const file = write('config', config);
    expect(createKubeGateway({ kubeconfigPath: file, context: 'b', env: {} }).target).toMatchObject({
      context: 'b',
      namespace: 'ns-b',
    });
  });

  it('names a missing --kubeconfig file', () => {
    freshDir();
    const missing = path.join(dir, 'nonexistent');
    expect(configError(() => createKubeGateway({ kubeconfigPath: missing, env: {} }))).toBe(
      `kubeconfig ${missing}: no such file`,
    );
  });

  it('lists the available contexts when the requested one does not exist', () => {
    freshDir();
    const a = write('a', kubeconfigFor({ server: 'https://a:6443', context: 'a' }));
    const b = write('b', kubeconfigFor({ server: 'https://b:6443', context: 'b', cluster: 'b' }));
    expect(configError(() => createKubeGateway({ env: { KUBECONFIG: `${a}:${b}` }, context: 'prod' }))).toBe(
      'context "prod" not found in kubeconfig (available: a, b)',
    );
  });

  it('asks for --context when the kubeconfig sets no current-context', () => {
    freshDir();
    const file = write(
      'config',
      kubeconfigFor({ server: 'https://a:6443', context: 'a', currentContext: null }),
    );
    expect(configError(() => createKubeGateway({ kubeconfigPath: file, env: {} }))).toBe(
      'kubeconfig sets no current-context: pass --context (available: a)',
    );
  });

  it('names a certificate-authority file that does not exist before any request is made', () => {
    freshDir();
    const config = kubeconfigFor({ server: 'https://a:6443' });
    (config.clusters as { cluster: Record<string, unknown> }[])[0]!.cluster['certificate-authority'] =
      'ca.pem';
    const file = write('config', config);
    expect(configError(() => createKubeGateway({ kubeconfigPath: file, env: {} }))).toBe(
      `cluster "test-cluster": certificate-authority ${path.join(dir, 'ca.pem')}: no such file`,
    );
  });

  it('reports a malformed kubeconfig in one line without quoting the file', () => {
    freshDir();
    const file = write('config', 'users:\n- name: u\n  user:\n    token: canary-token-value\n   bad: [\n');
    const message = configError(() => createKubeGateway({ kubeconfigPath: file, env: {} }));
    expect(message).toBe(`kubeconfig ${file}: bad indentation of a mapping entry (5:4)`);
  });

  it('explains where to put credentials when there is no kubeconfig and no service account', () => {
    freshDir();
    expect(
      configError(() =>
        createKubeGateway({ env: { HOME: dir }, serviceAccountDir: path.join(dir, 'no-sa') }),
      ),
    ).toBe('no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run inside a pod');
  });
});

describe('in-cluster service account', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer();
  });
  afterAll(() => server.close());

  it('uses the pod token, CA and namespace when no kubeconfig exists', async () => {
    freshDir();
    write('sa/token', 'in-cluster-token\n');
    write('sa/ca.crt', server.ca.certPem);
    write('sa/namespace', 'plate-stg');
    server.on('GET', '/version', { status: 200, json: { gitVersion: 'v1.31.2' } });
    const port = new URL(server.url).port;
    const kube = createKubeGateway({
      env: { HOME: dir, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
      serviceAccountDir: path.join(dir, 'sa'),
    });
    expect(kube.target).toEqual({
      context: null,
      cluster: null,
      server: `https://127.0.0.1:${port}`,
      user: null,
      namespace: 'plate-stg',
      inCluster: true,
    });
    await expect(kube.readVersion(AbortSignal.timeout(5000))).resolves.toBe('v1.31.2');
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer in-cluster-token');
  });

  it('prefers ~/.kube/config over the service account, as kubectl does', () => {
    freshDir();
    write('sa/token', 'in-cluster-token');
    write('.kube/config', kubeconfigFor({ server: 'https://home:6443' }));
    const kube = createKubeGateway({
      env: { HOME: dir, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: path.join(dir, 'sa'),
    });
    expect(kube.target).toMatchObject({ server: 'https://home:6443', inCluster: false });
  });
});
