import { describe, expect, it } from 'vitest';
import {
  evaluateStores as evaluateStoresNode,
  gatherStores,
  type StoreFacts,
  type StoresFacts,
} from '../../src/checks/secrets/stores.js';
import { readStore } from '../../src/checks/secrets/model.js';
import { aGatherContext } from '../fakes/scope.js';
import { HEALTHY, SEALED, baoOf, kubeOf, loadObjects, noDns } from './secrets-fixtures.js';
import { showing, shown } from '../support/shown.js';

const evaluateStores = showing(evaluateStoresNode);

const STORES = loadObjects('secrets/stores.yaml');
const CLUSTER_STORES = loadObjects('secrets/cluster-stores.yaml');
const ALL = [
  ...STORES,
  ...CLUSTER_STORES,
  ...loadObjects('secrets/events.yaml'),
  ...loadObjects('secrets/secrets.yaml'),
];

type StoreFactsIn = Omit<StoreFacts, 'probe'> & Partial<Pick<StoreFacts, 'probe'>>;
const facts = (stores: StoreFactsIn[]): StoresFacts => ({
  isEsoInstalled: true,
  listFailures: [],
  stores: stores.map((store) => ({ probe: null, ...store })),
});
const stg = readStore(STORES[0]!, 'SecretStore');
const prod = readStore(STORES[1]!, 'SecretStore');

describe('secrets.stores evaluate', () => {
  it('passes a Ready store whose token Secret holds the key, describing the provider settings', () => {
    const node = evaluateStores(
      facts([
        { store: stg, warning: null, eventsFailure: null, tokenSecret: { kind: 'found', keys: ['token'] } },
      ]),
    );
    expect(node.status).toBe('pass');
    expect(node.children).toEqual([
      {
        id: 'secrets.stores:plate-stg/openbao',
        title: 'SecretStore plate-stg/openbao',
        subject: 'SecretStore plate-stg/openbao',
        status: 'pass',
        message: 'Ready (Valid: store validated); server http://openbao.openbao.svc:8200, path server, KV v2',
      },
      {
        id: 'secrets.stores:plate-stg/openbao:token-secret',
        title: 'token Secret of SecretStore plate-stg/openbao',
        subject: 'Secret plate-stg/openbao-token',
        status: 'pass',
        message: 'holds key token for SecretStore plate-stg/openbao',
      },
    ]);
  });

  it('fails a store that is not Ready and shows the warning event where ESO ≥ 0.20 hides the real error', () => {
    const [leaf] = shown(
      evaluateStoresNode(
        facts([
          {
            store: prod,
            warning: {
              reason: 'InvalidProviderConfig',
              message: 'invalid vault credentials: Code: 403. Errors: * permission denied',
              at: null,
              count: null,
            },
            eventsFailure: null,
            tokenSecret: null,
          },
        ]),
      ),
      { flags: ['--context', 'prod'] },
    ).children!;
    expect(leaf).toEqual({
      id: 'secrets.stores:plate-prod/openbao',
      title: 'SecretStore plate-prod/openbao',
      subject: 'SecretStore plate-prod/openbao',
      dependsOn: ['OpenBao token of SecretStore plate-prod/openbao', 'Secret plate-prod/openbao-token'],
      status: 'fail',
      code: 'STORE_NOT_READY',
      message:
        'not Ready (InvalidProviderConfig: unable to validate store); event InvalidProviderConfig: invalid vault credentials: Code: 403. Errors: * permission denied; server http://openbao.openbao.svc.cluster.local:8200, path server, KV v2',
      hint: 'Recreate the OpenBao token of SecretStore plate-prod/openbao with scripts/openbao/create-token.sh; OpenBao rejects the current one.',
      commands: [
        'kubectl --context prod describe secretstore -n plate-prod openbao',
        'kubectl --context prod get events -n plate-prod --field-selector involvedObject.kind=SecretStore,involvedObject.name=openbao',
      ],
    });
  });

  it.each([
    [
      'an old ValidationFailed message carrying a timeout',
      readStore(STORES[2]!, 'SecretStore'),
      null,
      'not Ready (ValidationFailed: unable to validate store: invalid vault credentials: context deadline exceeded); server https://bao.example.test:8200, path kv, KV v1',
      'Make OpenBao at https://bao.example.test:8200 reachable from the ESO controller; SecretStore plate-dev/legacy cannot connect to it.',
    ],
    [
      'a TLS error in the event (kubriX#1403)',
      prod,
      'invalid vault credentials: Get "https://vault.demo/v1/auth/token/lookup-self": tls: failed to verify certificate: x509: certificate is valid for ingress.local, not vault.demo',
      'not Ready (InvalidProviderConfig: unable to validate store); event InvalidProviderConfig: invalid vault credentials: Get "https://vault.demo/v1/auth/token/lookup-self": tls: failed to verify certificate: x509: certificate is valid for ingress.local, not vault.demo; server http://openbao.openbao.svc.cluster.local:8200, path server, KV v2',
      'Give SecretStore plate-prod/openbao the CA that signs the certificate of http://openbao.openbao.svc.cluster.local:8200 (caBundle or caProvider), or fix the certificate OpenBao serves.',
    ],
    [
      'a missing token Secret',
      prod,
      'cannot get Kubernetes secret "openbao-token": secrets "openbao-token" not found',
      'not Ready (InvalidProviderConfig: unable to validate store); event InvalidProviderConfig: cannot get Kubernetes secret "openbao-token": secrets "openbao-token" not found; server http://openbao.openbao.svc.cluster.local:8200, path server, KV v2',
      'Create Secret plate-prod/openbao-token with key token (scripts/openbao/create-token.sh): SecretStore plate-prod/openbao reads its OpenBao token there, in Kubernetes, before it ever asks OpenBao.',
    ],
    [
      // ESO's Kubernetes-side resolver (runtime/esutils/resolvers/secret_ref.go), which a store hits before OpenBao.
      'a token Secret without the key its store names',
      prod,
      'cannot find secret data for key: "token"',
      'not Ready (InvalidProviderConfig: unable to validate store); event InvalidProviderConfig: cannot find secret data for key: "token"; server http://openbao.openbao.svc.cluster.local:8200, path server, KV v2',
      'Create Secret plate-prod/openbao-token with key token (scripts/openbao/create-token.sh): SecretStore plate-prod/openbao reads its OpenBao token there, in Kubernetes, before it ever asks OpenBao.',
    ],
    [
      'no event to explain it',
      prod,
      null,
      'not Ready (InvalidProviderConfig: unable to validate store); server http://openbao.openbao.svc.cluster.local:8200, path server, KV v2',
      "Fix the provider settings of SecretStore plate-prod/openbao; its warning event names the provider's error.",
    ],
  ])('fails with a fitting hint for %s', (_name, store, event, message, hint) => {
    const [leaf] = evaluateStores(
      facts([
        {
          store,
          warning: event ? { reason: 'InvalidProviderConfig', message: event, at: null, count: null } : null,
          eventsFailure: null,
          tokenSecret: null,
        },
      ]),
    ).children!;
    expect(leaf).toMatchObject({ status: 'fail', message, hint });
  });

  it('warns about a store ESO has not reconciled, naming a non-token auth method', () => {
    const [leaf] = evaluateStores(
      facts([
        {
          store: readStore(STORES[3]!, 'SecretStore'),
          warning: null,
          eventsFailure: null,
          tokenSecret: null,
        },
      ]),
    ).children!;
    expect(leaf).toMatchObject({
      status: 'warn',
      message:
        'no Ready condition yet; server http://openbao.openbao.svc:8200, path server, KV v2, auth kubernetes',
      hint: 'Check that the ESO controller is running; it has not reconciled SecretStore plate-dev/k8s-auth yet.',
    });
  });

  it.each([
    [
      { kind: 'missing' as const },
      'fail',
      'does not exist; SecretStore plate-stg/openbao reads its OpenBao token from key token',
      'Create the token Secret plate-stg/openbao-token with scripts/openbao/create-token.sh; SecretStore plate-stg/openbao reads it.',
      ['kubectl get secrets -n plate-stg'],
    ],
    [
      { kind: 'found' as const, keys: ['vault-token'] },
      'fail',
      'has no key token (keys: vault-token); SecretStore plate-stg/openbao reads its OpenBao token from it',
      'Recreate the token Secret plate-stg/openbao-token with scripts/openbao/create-token.sh; SecretStore plate-stg/openbao reads its key token.',
      [
        `kubectl get secret -n plate-stg openbao-token -o 'go-template={{range $k, $v := .data}}{{$k}}{{"\\n"}}{{end}}'`,
      ],
    ],
    [
      {
        kind: 'error' as const,
        failure: {
          kind: 'forbidden' as const,
          message: 'secrets is forbidden',
          permission: 'list secrets in plate-stg',
        },
      },
      'error',
      'could not list Secrets in plate-stg: secrets is forbidden',
      'Grant "list secrets in plate-stg" to the identity running the doctor, or run it with a kubeconfig that has it.',
      ['kubectl auth can-i list secrets -n plate-stg'],
    ],
  ])('judges the token Secret %j', (tokenSecret, status, message, hint, commands) => {
    const [, leaf] = evaluateStores(
      facts([{ store: stg, warning: null, eventsFailure: null, tokenSecret }]),
    ).children!;
    expect(leaf).toMatchObject({
      subject: 'Secret plate-stg/openbao-token',
      status,
      message,
      hint,
      commands,
    });
  });

  it('fails a ClusterSecretStore whose tokenSecretRef has no namespace', () => {
    const store = readStore(CLUSTER_STORES[1]!, 'ClusterSecretStore');
    const [, leaf] = evaluateStores(
      facts([{ store, warning: null, eventsFailure: null, tokenSecret: null }]),
    ).children!;
    expect(leaf).toEqual({
      id: 'secrets.stores:no-namespace:token-secret',
      title: 'token Secret of ClusterSecretStore no-namespace',
      subject: 'ClusterSecretStore no-namespace tokenSecretRef',
      status: 'fail',
      code: 'TOKEN_SECRET_NO_NAMESPACE',
      message: 'auth.tokenSecretRef openbao-shared-token has no namespace; a ClusterSecretStore needs one',
      hint: 'Add namespace to auth.tokenSecretRef of ClusterSecretStore no-namespace; a ClusterSecretStore must say where its token Secret lives.',
      commands: ['kubectl get clustersecretstore no-namespace -o yaml'],
    });
  });

  it('fails when External Secrets Operator is not installed', () => {
    const node = evaluateStores({ isEsoInstalled: false, listFailures: [], stores: [] });
    expect(node.status).toBe('fail');
    expect(node.children![0]).toMatchObject({
      subject: 'CRD secretstores.external-secrets.io',
      message:
        'External Secrets Operator is not installed (the cluster serves no external-secrets.io store kind)',
      hint: 'Install External Secrets Operator, or point the doctor at the cluster that runs it.',
      commands: ['kubectl api-resources --api-group=external-secrets.io'],
    });
  });

  it('skips when no store is in scope', () => {
    expect(evaluateStores(facts([]))).toMatchObject({
      status: 'skip',
      message: 'no SecretStores or ClusterSecretStores in scope',
    });
  });
});

describe('gatherStores', () => {
  it('reads v1 and v1beta1 stores, events of unready stores only, and token Secret key names', async () => {
    const kube = kubeOf({ objects: ALL });
    const openbao = baoOf({ health: HEALTHY });
    const result = await gatherStores(
      aGatherContext({ kube, openbao, dns: noDns() }, { namespaces: ['plate-stg', 'plate-prod'] }),
    );
    expect(result.stores.map((s) => s.store.subject)).toEqual([
      'ClusterSecretStore no-namespace',
      'ClusterSecretStore openbao-shared',
      'SecretStore plate-prod/openbao',
      'SecretStore plate-stg/openbao',
    ]);
    const prodFacts = result.stores[2]!;
    expect(prodFacts.warning?.message).toContain(
      'Code: 403. Errors: * 1 error occurred: * permission denied',
    );
    expect(prodFacts.tokenSecret).toEqual({ kind: 'found', keys: ['vault-token'] });
    expect(result.stores[1]!.tokenSecret).toEqual({ kind: 'found', keys: ['token'] });
    expect(result.stores[0]!.tokenSecret).toBeNull();
    // Ready stores cause no event list; unready ones list their namespace (`default` for cluster stores).
    expect(kube.calls.filter((c) => c.startsWith('events'))).toEqual(['events@default', 'events@plate-prod']);
  });

  it('asks OpenBao about unready stores only, and names a sealed server as the likely cause', async () => {
    const kube = kubeOf({ objects: ALL });
    const openbao = baoOf({ health: SEALED });
    const result = await gatherStores(
      aGatherContext({ kube, openbao, dns: noDns() }, { namespaces: ['plate-prod'] }),
    );
    const prod = result.stores.find((s) => s.store.subject === 'SecretStore plate-prod/openbao')!;
    expect(prod.probe?.health).toEqual({ ok: true, value: SEALED });
    const leaf = evaluateStores(result).children!.find((c) => c.id === 'secrets.stores:plate-prod/openbao')!;
    expect(leaf.status).toBe('fail');
    expect(leaf.message).toMatch(/ — likely caused by: OpenBao sealed$/);
    expect(leaf.hint).toMatch(/^Unseal OpenBao /);
    expect(result.stores.filter((s) => s.store.ready?.status === 'True').every((s) => s.probe === null)).toBe(
      true,
    );
  });

  it('reports ESO as not installed when no store kind is served', async () => {
    const kube = kubeOf({ objects: [], missingKinds: ['secretstores', 'clustersecretstores'] });
    const result = await gatherStores(aGatherContext({ kube }));
    expect(result).toEqual({ isEsoInstalled: false, listFailures: [], stores: [] });
  });

  it('keeps a forbidden list as an error, not as "no stores"', async () => {
    const kube = kubeOf({ objects: ALL, forbidden: ['secretstores@plate-prod'] });
    const openbao = baoOf({ health: HEALTHY });
    const result = await gatherStores(
      aGatherContext({ kube, openbao, dns: noDns() }, { namespaces: ['plate-prod'] }),
    );
    const node = evaluateStores(result);
    expect(node.children![0]).toMatchObject({
      id: 'secrets.stores:list:SecretStores in plate-prod',
      status: 'error',
      message: 'not allowed to list secretstores in plate-prod',
      commands: ['kubectl auth can-i list secretstores -n plate-prod'],
    });
  });
});
