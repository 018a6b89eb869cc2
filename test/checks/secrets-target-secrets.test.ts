import { describe, expect, it } from 'vitest';
import {
  evaluateTargetSecrets as evaluateTargetSecretsNode,
  gatherTargetSecrets,
  type PodFacts,
  type TargetFacts,
  type TargetSecretsFacts,
} from '../../src/checks/secrets/target-secrets.js';
import { readExternalSecret } from '../../src/checks/secrets/model.js';
import type { BaoProbe } from '../../src/checks/secrets/bao.js';
import { aGatherContext } from '../fakes/scope.js';
import { SEALED, baoOf, kubeOf, loadObjects, noDns } from './secrets-fixtures.js';
import { showing } from '../support/shown.js';

const evaluateTargetSecrets = showing(evaluateTargetSecretsNode);

const ES = loadObjects('secrets/externalsecrets.yaml').map(readExternalSecret);
const [apiStg, webStg, apiProd, shared, llm] = ES as [
  (typeof ES)[0],
  (typeof ES)[0],
  (typeof ES)[0],
  (typeof ES)[0],
  (typeof ES)[0],
];
const ALL = [
  ...loadObjects('secrets/stores.yaml'),
  ...loadObjects('secrets/cluster-stores.yaml'),
  ...loadObjects('secrets/externalsecrets.yaml'),
  ...loadObjects('secrets/secrets.yaml'),
  ...loadObjects('secrets/pods.yaml'),
];
const facts = (targets: TargetFacts[], pods: PodFacts[] = []): TargetSecretsFacts => ({
  isEsoInstalled: true,
  listFailures: [],
  targets,
  pods,
});
const sealedProbe: BaoProbe = {
  store: 'SecretStore plate-prod/openbao',
  server: 'openbao/openbao:8200',
  address: 'http://openbao.openbao.svc:8200',
  service: { namespace: 'openbao', name: 'openbao' },
  health: { ok: true, value: SEALED },
  token: null,
};
const owned = (keys: string[], ownedBy: string[]) => ({ kind: 'found' as const, keys, ownedBy });

describe('secrets.target-secrets evaluate', () => {
  it.each([
    [
      'a Secret with every mapped key, owned by its ExternalSecret',
      { es: apiStg, secret: owned(['DB_PASSWORD', 'DB_USER'], ['plate-api-stg-env']), probe: null },
      'exists with the 2 keys ExternalSecret plate-stg/plate-api-stg-env maps; owned by it',
    ],
    [
      'a dataFrom Secret merged into (existence only)',
      { es: shared, secret: owned(['FEATURE_FLAGS'], []), probe: null },
      'exists with 1 keys (decided by dataFrom or templates); creationPolicy Merge',
    ],
    [
      'a templated Secret carrying the template keys',
      { es: llm, secret: owned(['DATABASE_URL'], ['plate-llm-stg-env']), probe: null },
      'exists with the 1 keys ExternalSecret plate-stg/plate-llm-stg-env maps; owned by it',
    ],
  ])('passes %s', (_name, target, message) => {
    const [leaf] = evaluateTargetSecrets(facts([target])).children!;
    expect(leaf).toMatchObject({ status: 'pass', message });
  });

  it('fails a missing Secret and names OpenBao as the likely root cause', () => {
    const [leaf] = evaluateTargetSecrets(
      facts([{ es: apiProd, secret: { kind: 'missing' }, probe: sealedProbe }]),
    ).children!;
    expect(leaf).toEqual({
      id: 'secrets.target-secrets:plate-prod/plate-api-prod-env',
      title: 'Secret plate-prod/plate-api-prod-env',
      subject: 'Secret plate-prod/plate-api-prod-env',
      dependsOn: ['ExternalSecret plate-prod/plate-api-prod-env'],
      status: 'fail',
      code: 'TARGET_SECRET_MISSING',
      message:
        'does not exist; ExternalSecret plate-prod/plate-api-prod-env should create it — likely caused by: OpenBao sealed',
      hint: 'Unseal OpenBao openbao/openbao:8200 with the unseal keys (bao operator unseal); nothing can read secrets while it is sealed.',
      commands: ['kubectl exec -n openbao svc/openbao -- bao status'],
    });
  });

  it.each([
    [
      'a missing Secret',
      { es: apiProd, secret: { kind: 'missing' as const }, probe: null },
      'fail',
      'does not exist; ExternalSecret plate-prod/plate-api-prod-env should create it',
      'Make ExternalSecret plate-prod/plate-api-prod-env sync (see secrets.externalsecrets); it creates Secret plate-prod/plate-api-prod-env.',
      [
        'kubectl get secrets -n plate-prod',
        'kubectl describe externalsecret -n plate-prod plate-api-prod-env',
        'kubectl get events -n plate-prod --field-selector involvedObject.kind=ExternalSecret,involvedObject.name=plate-api-prod-env',
      ],
    ],
    [
      'a missing Merge target',
      { es: shared, secret: { kind: 'missing' as const }, probe: null },
      'fail',
      'does not exist; ExternalSecret plate-stg/shared-config has creationPolicy Merge and never creates it',
      'Create Secret plate-stg/plate-shared yourself: ExternalSecret plate-stg/shared-config has creationPolicy Merge and only adds keys to it.',
      ['kubectl get secrets -n plate-stg'],
    ],
    [
      'a Secret lacking a mapped key',
      { es: webStg, secret: owned(['OTHER'], ['plate-web-stg-env']), probe: null },
      'fail',
      'lacks SESSION_KEY mapped by ExternalSecret plate-stg/plate-web-stg-env (has OTHER)',
      'Make ExternalSecret plate-stg/plate-web-stg-env sync again (see secrets.externalsecrets); Secret plate-stg/plate-web-stg-env lacks keys it maps.',
      [
        `kubectl get secret -n plate-stg plate-web-stg-env -o 'go-template={{range $k, $v := .data}}{{$k}}{{"\\n"}}{{end}}'`,
        'kubectl describe externalsecret -n plate-stg plate-web-stg-env',
        'kubectl get events -n plate-stg --field-selector involvedObject.kind=ExternalSecret,involvedObject.name=plate-web-stg-env',
      ],
    ],
    [
      'a Secret that its Owner ExternalSecret does not own',
      { es: apiStg, secret: owned(['DB_PASSWORD', 'DB_USER'], []), probe: null },
      'warn',
      'has no ExternalSecret owner, but ExternalSecret plate-stg/plate-api-stg-env has creationPolicy Owner',
      'Find out what manages Secret plate-stg/plate-api-stg-env; ExternalSecret plate-stg/plate-api-stg-env (creationPolicy Owner) does not own it.',
      ["kubectl get secret -n plate-stg plate-api-stg-env -o 'jsonpath={.metadata.ownerReferences}'"],
    ],
    [
      'a Secret nobody may list',
      {
        es: apiStg,
        secret: {
          kind: 'unknown' as const,
          failure: {
            kind: 'forbidden' as const,
            message: 'secrets is forbidden',
            permission: 'list secrets in plate-stg',
          },
        },
        probe: null,
      },
      'error',
      'could not list Secrets in plate-stg: secrets is forbidden',
      'Grant "list secrets in plate-stg" to the identity running the doctor, or run it with a kubeconfig that has it.',
      ['kubectl auth can-i list secrets -n plate-stg'],
    ],
  ])('judges %s', (_name, target, status, message, hint, commands) => {
    const [leaf] = evaluateTargetSecrets(facts([target])).children!;
    expect(leaf).toMatchObject({ status, message, hint, commands });
  });

  it('fails a pod stuck on CreateContainerConfigError and links it to the ExternalSecret that provides the Secret', () => {
    const pod: PodFacts = {
      namespace: 'plate-stg',
      name: 'plate-web-5c4b7d9f8-abcde',
      stuckMessage: "container web: couldn't find key SESSION_KEY in Secret plate-stg/plate-web-stg-env",
      missing: [{ secret: 'plate-web-stg-env', key: 'SESSION_KEY' }],
      providedBy: 'plate-web-stg-env',
      probe: null,
    };
    const [leaf] = evaluateTargetSecrets(facts([], [pod])).children!;
    expect(leaf).toEqual({
      id: 'secrets.target-secrets:pod:plate-stg/plate-web-5c4b7d9f8-abcde',
      title: 'Pod plate-stg/plate-web-5c4b7d9f8-abcde',
      subject: 'Pod plate-stg/plate-web-5c4b7d9f8-abcde',
      dependsOn: ['Secret plate-stg/plate-web-stg-env', 'ExternalSecret plate-stg/plate-web-stg-env'],
      status: 'fail',
      code: 'POD_SECRET_MISSING',
      message:
        "container web: couldn't find key SESSION_KEY in Secret plate-stg/plate-web-stg-env; ExternalSecret plate-stg/plate-web-stg-env provides plate-web-stg-env",
      hint: 'Make ExternalSecret plate-stg/plate-web-stg-env provide Secret plate-stg/plate-web-stg-env with key SESSION_KEY; the pod starts once it exists.',
      commands: [
        'kubectl describe pod -n plate-stg plate-web-5c4b7d9f8-abcde',
        'kubectl describe externalsecret -n plate-stg plate-web-stg-env',
      ],
    });
  });

  it('warns about a running pod whose Secret is gone and that no ExternalSecret provides', () => {
    const pod: PodFacts = {
      namespace: 'plate-stg',
      name: 'plate-worker-6f5d4c3b2-zzzzz',
      stuckMessage: null,
      missing: [{ secret: 'plate-worker-env', key: null }],
      providedBy: null,
      probe: null,
    };
    const [leaf] = evaluateTargetSecrets(facts([], [pod])).children!;
    expect(leaf).toMatchObject({
      status: 'warn',
      message: 'references missing Secret plate-worker-env; it will not start again until they exist',
      hint: 'Create Secret plate-stg/plate-worker-env, or fix the reference in pod plate-worker-6f5d4c3b2-zzzzz; no ExternalSecret in plate-stg creates it.',
      commands: ['kubectl describe pod -n plate-stg plate-worker-6f5d4c3b2-zzzzz'],
    });
  });
});

describe('gatherTargetSecrets', () => {
  it('under --no-read-secrets lists no Secret, skips target Secrets and still reports pods the kubelet says are stuck', async () => {
    const kube = kubeOf({ objects: ALL });
    const openbao = baoOf({ health: SEALED });
    const result = await gatherTargetSecrets(
      aGatherContext({ kube, openbao, dns: noDns() }, { readSecrets: false }),
    );
    expect(kube.calls.filter((c) => c.startsWith('secrets@') || c.startsWith('read '))).toEqual([]);
    expect(result.targets.every((t) => t.secret.kind === 'not-read')).toBe(true);
    expect(result.pods.every((p) => p.stuckMessage !== null)).toBe(true);
    const node = evaluateTargetSecrets(result);
    expect(node.children!.find((c) => c.status === 'skip')!.message).toBe(
      'not checked: --no-read-secrets keeps the doctor away from Secrets',
    );
  });

  it('finds target Secrets by key names, skips optional references, and links stuck pods to their ExternalSecret', async () => {
    const kube = kubeOf({ objects: ALL });
    const openbao = baoOf({ health: SEALED });
    const result = await gatherTargetSecrets(aGatherContext({ kube, openbao, dns: noDns() }));
    expect(result.targets.map((t) => [t.es.key, t.secret.kind])).toEqual([
      ['plate-prod/plate-api-prod-env', 'missing'],
      ['plate-stg/plate-api-stg-env', 'found'],
      ['plate-stg/plate-llm-stg-env', 'missing'],
      ['plate-stg/plate-web-stg-env', 'found'],
      ['plate-stg/shared-config', 'found'],
    ]);
    expect(result.targets[1]!.secret).toEqual({
      kind: 'found',
      keys: ['DB_PASSWORD', 'DB_USER'],
      ownedBy: ['plate-api-stg-env'],
    });
    expect(result.pods).toEqual([
      {
        namespace: 'plate-prod',
        name: 'plate-api-7d9f8c6b5-x2x9q',
        stuckMessage: 'container api: secret "plate-api-prod-env" not found',
        missing: [{ secret: 'plate-api-prod-env', key: null }],
        providedBy: 'plate-api-prod-env',
        probe: expect.objectContaining({
          server: 'openbao/openbao:8200',
          health: { ok: true, value: SEALED },
        }),
      },
      {
        namespace: 'plate-stg',
        name: 'plate-web-5c4b7d9f8-abcde',
        stuckMessage: "container web: couldn't find key SESSION_KEY in Secret plate-stg/plate-web-stg-env",
        missing: [{ secret: 'plate-web-stg-env', key: 'SESSION_KEY' }],
        providedBy: 'plate-web-stg-env',
        probe: expect.objectContaining({ server: 'openbao/openbao:8200' }),
      },
      {
        namespace: 'plate-stg',
        name: 'plate-worker-6f5d4c3b2-zzzzz',
        stuckMessage: null,
        missing: [{ secret: 'plate-worker-env', key: null }],
        providedBy: null,
        probe: null,
      },
    ]);
    // Every store is asked once, however many ExternalSecrets and pods point at it.
    expect(openbao.calls.filter((c) => c.endsWith('health'))).toEqual([
      'https://127.0.0.1:6443/api/v1/namespaces/openbao/services/openbao:8200/proxy health',
      'https://127.0.0.1:6443/api/v1/namespaces/openbao/services/openbao:8200/proxy health',
    ]);
    const node = evaluateTargetSecrets(result);
    expect(
      node.children!.find((c) => c.subject === 'Pod plate-prod/plate-api-7d9f8c6b5-x2x9q')!.message,
    ).toBe(
      'container api: secret "plate-api-prod-env" not found; ExternalSecret plate-prod/plate-api-prod-env provides plate-api-prod-env — likely caused by: OpenBao sealed',
    );
  });

  it('checks pods even when ESO is not installed', async () => {
    const kube = kubeOf({
      objects: [...loadObjects('secrets/pods.yaml'), ...loadObjects('secrets/secrets.yaml')],
      missingKinds: ['externalsecrets', 'secretstores', 'clustersecretstores'],
    });
    const node = evaluateTargetSecrets(
      await gatherTargetSecrets(aGatherContext({ kube }, { namespaces: ['plate-stg'] })),
    );
    expect(node.children!.map((c) => [c.subject, c.status])).toEqual([
      ['Pod plate-stg/plate-web-5c4b7d9f8-abcde', 'fail'],
      ['Pod plate-stg/plate-worker-6f5d4c3b2-zzzzz', 'warn'],
    ]);
  });
});
