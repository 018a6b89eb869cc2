import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO_DIR, listScenarios, loadScenario } from '../../src/sandbox/load.js';

const dir = join(import.meta.dirname, '../fixtures/scenarios');
const now = new Date('2026-11-26T09:00:00Z');

const objectsOf = async (name: string) =>
  (await loadScenario(name, { dir, now })).kubernetes.objects as any[];
const find = (objects: any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('listScenarios', () => {
  it('lists every scenario with its description, sorted by name', async () => {
    expect(await listScenarios(dir)).toEqual([
      { name: 'base', description: 'Test base — one host, one certificate, one ExternalSecret' },
      {
        name: 'eso-v1beta1',
        description: 'Test child — an ESO older than 0.16 that serves only external-secrets.io/v1beta1',
      },
      {
        name: 'forbidden-certs',
        description: 'Test child — the doctor may not read certificates in shop, nor use the OpenBao proxy',
      },
    ]);
  });

  it('reads the package scenarios folder by default', () => {
    expect(DEFAULT_SCENARIO_DIR).toBe(join(import.meta.dirname, '../../scenarios/'));
  });
});

describe('loadScenario', () => {
  it('renders relative times as RFC3339 UTC, also inside longer strings', async () => {
    const objects = await objectsOf('forbidden-certs');
    expect(find(objects, 'Ingress', 'web').metadata.creationTimestamp).toBe('2026-11-24T09:00:00Z');
    expect(find(objects, 'Certificate', 'api-tls').metadata.creationTimestamp).toBe('2026-11-26T08:59:15Z');
    expect(find(objects, 'Ingress', 'api').metadata.creationTimestamp).toBe('2026-11-24T21:00:00Z');
    expect(find(objects, 'Certificate', 'shop-tls').status.conditions[0].message).toBe(
      'Certificate expired on 2026-11-25T09:00:00Z',
    );
  });

  it('renders klog header times, epoch seconds and epoch milliseconds for log fixtures', async () => {
    const { kubernetes } = await loadScenario('base', { dir, now });
    expect(kubernetes.logs['cert-manager/cert-manager-6d9f-abcde']!['cert-manager-controller']).toEqual([
      'I1126 07:00:00.000000       1 controller.go:100] "starting controller" logger="cert-manager.controller"',
      `E1126 08:55:00.000000       1 sync.go:190] "propagation check failed" err="wrong status code '404', expected '200'" logger="cert-manager.challenges"`,
      '{"ts":1795683480000.000,"caller":"acme.go:236","msg":"certificate issued","v":0}',
    ]);
    expect(kubernetes.logs['shop/worker-0']!.app![1]).toBe(
      '{"level":"info","ts":1795683000.000000,"msg":"job done"}',
    );
  });

  it("renders Go's RFC1123 and Let's Encrypt's UTC forms for status messages", async () => {
    const dir2 = await mkdtemp(join(tmpdir(), 'pd-times-'));
    await writeFile(
      join(dir2, 'times.yaml'),
      "description: x\nkubernetes:\n  logs: { a/b: { c: ['expired on {{rfc1123:now-1d}}', 'retry after {{utc:now+2d}}'] } }\n",
    );
    const { kubernetes } = await loadScenario('times', { dir: dir2, now });
    expect(kubernetes.logs['a/b']!.c).toEqual([
      'expired on Wed, 25 Nov 2026 09:00:00 UTC',
      'retry after 2026-11-28 09:00:00 UTC',
    ]);
  });

  it('applies schema defaults and names the scenario', async () => {
    const scenario = await loadScenario('base', { dir, now });
    expect(scenario.name).toBe('base');
    expect(scenario.endpoint.hosts!['shop.example.test']).toEqual({
      certificate: { kind: 'valid' },
      redirectToHttps: true,
      paths: {},
    });
    expect(scenario.faults).toBeUndefined();
  });

  it('replaces base objects by identity, drops removed ones and keeps the rest in base order', async () => {
    const objects = await objectsOf('forbidden-certs');
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Ingress/shop/web',
      'Ingress/shop/api',
      'Certificate/shop/shop-tls',
      'Certificate/shop/api-tls',
      'ExternalSecret/shop/shop-env',
      'Secret/shop/shop-tls',
      'Secret/shop/shop-env',
      'Service/openbao/openbao',
      'Service/shop/web',
      'Pod/cert-manager/cert-manager-6d9f-abcde',
      'Pod/shop/worker-0',
    ]);
    expect(find(objects, 'Certificate', 'shop-tls').status.conditions[0].reason).toBe('Expired');
  });

  it('replaces an ExternalSecret of another version of the same group instead of adding a second one', async () => {
    const objects = await objectsOf('eso-v1beta1');
    const externalSecrets = objects.filter((o) => o.kind === 'ExternalSecret');
    expect(externalSecrets.map((o) => o.apiVersion)).toEqual(['external-secrets.io/v1beta1']);
  });

  it('replaces the lines of an overridden container and keeps its other containers', async () => {
    const { kubernetes } = await loadScenario('forbidden-certs', { dir, now });
    expect(kubernetes.logs['shop/worker-0']).toEqual({
      app: ['2026-11-26T08:59:30Z replaced line'],
      'app:previous': ['2026-11-26T08:54:00Z panic: connection refused'],
    });
    expect(kubernetes.remove).toEqual([]);
  });

  it('deep-merges endpoint, openbao and dns, and takes the child faults whole', async () => {
    const scenario = await loadScenario('forbidden-certs', { dir, now });
    expect(scenario.endpoint).toEqual({
      address: '127.0.10.11',
      hosts: { 'shop.example.test': { certificate: { kind: 'expired' }, redirectToHttps: true, paths: {} } },
    });
    expect(scenario.openbao.service).toEqual({ namespace: 'openbao', name: 'openbao', port: 8200 });
    expect(scenario.dns.records).toEqual([
      { name: 'shop.example.test', type: 'A', value: '127.0.10.11', ttl: 300 },
    ]);
    expect(scenario.faults).toEqual({
      forbid: [
        { verb: 'list', resource: 'certificates.cert-manager.io', namespace: 'shop' },
        { verb: '*', resource: 'services/proxy' },
      ],
      latencyMs: 5,
    });
    expect(scenario.description).toBe(
      'Test child — the doctor may not read certificates in shop, nor use the OpenBao proxy',
    );
    expect(scenario.sources).toEqual(['test fixture']);
  });

  it('names the available scenarios when asked for an unknown one', async () => {
    await expect(loadScenario('nope', { dir, now })).rejects.toThrow(
      'unknown scenario "nope"; available: base, eso-v1beta1, forbidden-certs',
    );
  });
});

describe('loadScenario with broken files', () => {
  let broken: string;
  beforeAll(async () => {
    broken = await mkdtemp(join(tmpdir(), 'scenarios-'));
    await writeFile(join(broken, 'typo.yaml'), 'description: x\nfaults:\n  forbidd: []\n');
    await writeFile(
      join(broken, 'bad-verb.yaml'),
      'description: x\nfaults:\n  forbid:\n    - { verb: delete, resource: secrets }\n',
    );
    await writeFile(
      join(broken, 'bad-time.yaml'),
      "description: x\nkubernetes:\n  logs: { a/b: { c: ['{{now-2w}}'] } }\n",
    );
    await writeFile(join(broken, 'loop-a.yaml'), 'description: a\nextends: loop-b\n');
    await writeFile(join(broken, 'loop-b.yaml'), 'description: b\nextends: loop-a\n');
    await writeFile(join(broken, 'orphan.yaml'), 'description: o\nextends: missing\n');
  });
  afterAll(() => rm(broken, { recursive: true, force: true }));

  it.each([
    ['typo', 'typo.yaml: faults.forbidd: unknown key'],
    [
      'bad-verb',
      'bad-verb.yaml: faults.forbid[0].verb: Invalid option: expected one of "get"|"list"|"watch"|"*"',
    ],
    ['bad-time', 'bad-time.yaml: kubernetes.logs.a/b.c[0]: unknown template {{now-2w}}'],
    ['loop-a', 'scenario "loop-a" extends itself: loop-a → loop-b → loop-a'],
    [
      'orphan',
      'orphan.yaml: extends unknown scenario "missing"; available: bad-time, bad-verb, loop-a, loop-b, orphan, typo',
    ],
  ])('rejects %s, naming the file and the key path', async (name, message) => {
    const error = await loadScenario(name, { dir: broken, now }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message.replace(`${broken}/`, '')).toBe(message);
  });
});
