import { describe, expect, it } from 'vitest';
import {
  evaluateExternalSecrets as evaluateExternalSecretsNode,
  gatherExternalSecrets,
  type ExternalSecretFacts,
  type ExternalSecretsFacts,
} from '../../src/checks/secrets/externalsecrets.js';
import { readExternalSecret } from '../../src/checks/secrets/model.js';
import { classifyProviderError } from '../../src/checks/secrets/hints.js';
import type { BaoProbe } from '../../src/checks/secrets/bao.js';
import { GatewayError } from '../../src/gateways/errors.js';
import { aGatherContext } from '../fakes/scope.js';
import { HEALTHY, NOW, SEALED, baoOf, kubeOf, loadObjects, noDns } from './secrets-fixtures.js';
import { showing } from '../support/shown.js';

const evaluateExternalSecrets = showing(evaluateExternalSecretsNode);

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
  ...loadObjects('secrets/events.yaml'),
  ...loadObjects('secrets/secrets.yaml'),
];

const READY_STORE = {
  kind: 'found' as const,
  ready: { status: 'True', reason: 'Valid', message: 'store validated' },
  tokenKey: 'token',
};
const facts = (items: ExternalSecretFacts[]): ExternalSecretsFacts => ({
  esoNamespace: 'external-secrets',
  isEsoInstalled: true,
  listFailures: [],
  items,
});
const item = (over: Partial<ExternalSecretFacts> & Pick<ExternalSecretFacts, 'es'>): ExternalSecretFacts => ({
  store: READY_STORE,
  updateFailed: null,
  probe: null,
  readsThrough: [],
  ...over,
});
const sealedProbe: BaoProbe = {
  store: 'SecretStore plate-prod/openbao',
  server: 'openbao/openbao:8200',
  address: 'http://openbao.openbao.svc:8200',
  service: { namespace: 'openbao', name: 'openbao' },
  health: { ok: true, value: SEALED },
  token: null,
};
const failing = (message: string) => ({
  ...apiProd,
  ready: { status: 'False', reason: 'SecretSyncedError', message },
});
const ES_COMMANDS = [
  'kubectl describe externalsecret -n plate-prod plate-api-prod-env',
  'kubectl get events -n plate-prod --field-selector involvedObject.kind=ExternalSecret,involvedObject.name=plate-api-prod-env',
];

describe('secrets.externalsecrets evaluate', () => {
  it.each([
    [
      'the new wording with its interval',
      apiStg,
      'Ready (SecretSynced: secret synced); refreshed 10m ago, every 30m',
    ],
    [
      'the old "Secret was synced" wording and the default 1h interval',
      { ...webStg, refreshTime: '2025-03-01T09:00:00Z' },
      'Ready (SecretSynced: Secret was synced); refreshed 1h ago, every 1h',
    ],
    [
      'refresh disabled with "0", however old the refresh',
      shared,
      'Ready (SecretSynced: secret synced); refreshed 28d ago, refresh disabled',
    ],
    ['a compound interval', llm, 'Ready (SecretSynced: secret synced); refreshed 1h ago, every 1h30m'],
    [
      'CreatedOnce, never refreshed again',
      { ...apiStg, refreshPolicy: 'CreatedOnce', refreshTime: '2025-01-01T00:00:00Z' },
      'Ready (SecretSynced: secret synced); refreshed 59d ago, refresh policy CreatedOnce',
    ],
  ])('passes %s', (_name, es, message) => {
    const [leaf] = evaluateExternalSecrets(facts([item({ es })]), { now: NOW }).children!;
    expect(leaf).toEqual({
      id: `secrets.externalsecrets:${es.key}`,
      title: `ExternalSecret ${es.key}`,
      subject: `ExternalSecret ${es.key}`,
      status: 'pass',
      message,
    });
  });

  it('warns when the last refresh is older than twice the interval (default 1h when unset)', () => {
    const [leaf] = evaluateExternalSecrets(facts([item({ es: webStg })]), { now: NOW }).children!;
    expect(leaf).toMatchObject({
      status: 'warn',
      message: 'last refreshed 5h ago, more than twice its refresh interval 1h',
      hint: 'Check the ESO controller in external-secrets; it has stopped refreshing ExternalSecret plate-stg/plate-web-stg-env.',
      commands: [
        'kubectl get pods -n external-secrets',
        'kubectl describe externalsecret -n plate-stg plate-web-stg-env',
        'kubectl get events -n plate-stg --field-selector involvedObject.kind=ExternalSecret,involvedObject.name=plate-web-stg-env',
      ],
    });
  });

  it('points a failing ExternalSecret at a sealed OpenBao as the likely root cause', () => {
    const [leaf] = evaluateExternalSecrets(
      facts([item({ es: failing('could not get secret data from provider'), probe: sealedProbe })]),
      { now: NOW },
    ).children!;
    expect(leaf).toEqual({
      id: 'secrets.externalsecrets:plate-prod/plate-api-prod-env',
      title: 'ExternalSecret plate-prod/plate-api-prod-env',
      subject: 'ExternalSecret plate-prod/plate-api-prod-env',
      status: 'fail',
      code: 'EXTERNAL_SECRET_SYNC_FAILED',
      message:
        'not Ready (SecretSyncedError: could not get secret data from provider) — likely caused by: OpenBao sealed',
      hint: 'Unseal OpenBao openbao/openbao:8200 with the unseal keys (bao operator unseal); nothing can read secrets while it is sealed.',
      commands: ['kubectl exec -n openbao svc/openbao -- bao status'],
    });
  });

  it('names the dead store token as root cause and gives the resync as a write the human runs', () => {
    const probe: BaoProbe = {
      ...sealedProbe,
      health: { ok: true, value: HEALTHY },
      token: { kind: 'lookup', source: 'store', lookup: { kind: 'denied', errors: ['permission denied'] } },
    };
    const [leaf] = evaluateExternalSecrets(
      facts([item({ es: failing('could not get secret data from provider'), probe })]),
      { now: NOW },
    ).children!;
    expect(leaf).toMatchObject({
      status: 'fail',
      message:
        'not Ready (SecretSyncedError: could not get secret data from provider) — likely caused by: the OpenBao token of SecretStore plate-prod/openbao is expired or revoked',
      hint: 'Recreate the OpenBao token of SecretStore plate-prod/openbao with scripts/openbao/create-token.sh, then force a resync (this writes): kubectl annotate externalsecret -n plate-prod plate-api-prod-env force-sync=$(date +%s) --overwrite',
      commands: ['kubectl exec -n openbao svc/openbao -- bao token lookup'],
    });
  });

  it.each([
    [
      'the very old form carrying the key, with the UpdateFailed event naming an unready store',
      item({
        es: apiProd,
        store: {
          kind: 'found',
          ready: { status: 'False', reason: 'InvalidProviderConfig', message: 'unable to validate store' },
          tokenKey: 'token',
        },
        updateFailed: {
          reason: 'UpdateFailed',
          message: 'error processing spec.data[0] (key: production), err: SecretStore "openbao" is not ready',
          at: null,
          count: null,
        },
      }),
      'not Ready (SecretSyncedError: could not get secret data from provider: key "production" from ExternalSecret "plate-api-prod-env"); event UpdateFailed: error processing spec.data[0] (key: production), err: SecretStore "openbao" is not ready; SecretStore plate-prod/openbao is not Ready',
      'Fix SecretStore plate-prod/openbao first (see secrets.stores); ExternalSecret plate-prod/plate-api-prod-env cannot sync until it is Ready.',
    ],
    [
      'a missing store',
      item({ es: failing('could not get secret data from provider'), store: { kind: 'missing' } }),
      'not Ready (SecretSyncedError: could not get secret data from provider); SecretStore plate-prod/openbao does not exist',
      'Create SecretStore plate-prod/openbao, or fix spec.secretStoreRef of ExternalSecret plate-prod/plate-api-prod-env.',
    ],
    [
      'a path that does not exist in OpenBao',
      item({
        es: failing('could not get secret data from provider'),
        updateFailed: {
          reason: 'UpdateFailed',
          message: 'error processing spec.data[0] (key: production), err: Secret does not exist',
          at: null,
          count: null,
        },
      }),
      'not Ready (SecretSyncedError: could not get secret data from provider); event UpdateFailed: error processing spec.data[0] (key: production), err: Secret does not exist',
      'Write the secret ExternalSecret plate-prod/plate-api-prod-env maps in OpenBao, or fix its remoteRef.key.',
    ],
    [
      'a property missing from the secret',
      item({
        es: failing('could not get secret data from provider'),
        updateFailed: {
          reason: 'UpdateFailed',
          message:
            'error processing spec.data[0] (key: production), err: cannot find secret data for key: "DB_PASSWORD"',
          at: null,
          count: null,
        },
      }),
      'not Ready (SecretSyncedError: could not get secret data from provider); event UpdateFailed: error processing spec.data[0] (key: production), err: cannot find secret data for key: "DB_PASSWORD"',
      'Add the missing key to the OpenBao secret, or fix remoteRef.property in ExternalSecret plate-prod/plate-api-prod-env.',
    ],
    [
      'a 403 on the read',
      item({
        es: failing('could not get secret data from provider'),
        updateFailed: {
          reason: 'UpdateFailed',
          message:
            'cannot read secret data from Vault: Error making API request. URL: GET https://bao:8200/v1/server/data/production Code: 403. Errors: * 1 error occurred: * permission denied',
          at: null,
          count: null,
        },
      }),
      'not Ready (SecretSyncedError: could not get secret data from provider); event UpdateFailed: cannot read secret data from Vault: Error making API request. URL: GET https://bao:8200/v1/server/data/production Code: 403. Errors: * 1 error occurred: * permission denied',
      'Allow the token of SecretStore plate-prod/openbao to read the paths ExternalSecret plate-prod/plate-api-prod-env maps (see secrets.openbao).',
    ],
    [
      'a Merge target that nobody created',
      item({
        es: {
          ...apiProd,
          ready: {
            status: 'False',
            reason: 'SecretMissing',
            message: 'secret will not be created due to CreationPolicy=Merge',
          },
        },
      }),
      'not Ready (SecretMissing: secret will not be created due to CreationPolicy=Merge)',
      'Create the target Secret of ExternalSecret plate-prod/plate-api-prod-env first: with creationPolicy Merge, ESO only merges into it.',
    ],
    [
      'an error the doctor does not recognise',
      item({ es: failing('could not update secret, target is immutable') }),
      'not Ready (SecretSyncedError: could not update secret, target is immutable)',
      'Read the events of ExternalSecret plate-prod/plate-api-prod-env and the ESO logs (secrets.eso-logs), and fix the error they name.',
    ],
  ])('fails %s', (_name, it_, message, hint) => {
    const [leaf] = evaluateExternalSecrets(facts([it_]), { now: NOW }).children!;
    expect(leaf).toMatchObject({ status: 'fail', message, hint, commands: ES_COMMANDS });
  });

  it('warns when a synced ExternalSecret depends on a store that is no longer Ready', () => {
    const [leaf] = evaluateExternalSecrets(
      facts([
        item({
          es: apiStg,
          store: {
            kind: 'found',
            ready: { status: 'False', reason: 'InvalidProviderConfig', message: 'unable to validate store' },
            tokenKey: 'token',
          },
        }),
      ]),
      { now: NOW },
    ).children!;
    expect(leaf).toMatchObject({
      status: 'warn',
      message:
        'Ready (SecretSynced: secret synced), but SecretStore plate-stg/openbao is not Ready; the next refresh will fail',
      hint: 'Fix SecretStore plate-stg/openbao first (see secrets.stores); ExternalSecret plate-stg/plate-api-stg-env cannot sync until it is Ready.',
    });
  });

  it('warns, not fails, while ESO has not reconciled an ExternalSecret', () => {
    const [leaf] = evaluateExternalSecrets(facts([item({ es: { ...apiStg, ready: null } })]), {
      now: NOW,
    }).children!;
    expect(leaf).toMatchObject({
      status: 'warn',
      message: 'no Ready condition yet',
      hint: 'Check that the ESO controller is running; it has not reconciled ExternalSecret plate-stg/plate-api-stg-env yet.',
    });
  });

  it('skips with the reason when ESO is not installed', () => {
    expect(evaluateExternalSecrets({ ...facts([]), isEsoInstalled: false }, { now: NOW })).toMatchObject({
      status: 'skip',
      message: 'External Secrets Operator is not installed',
    });
  });
});

describe('gatherExternalSecrets', () => {
  it('reads UpdateFailed events and asks OpenBao (through the API server proxy) only for ExternalSecrets that are not Ready', async () => {
    const kube = kubeOf({ objects: ALL });
    const openbao = baoOf({ health: SEALED });
    const result = await gatherExternalSecrets(aGatherContext({ kube, openbao, dns: noDns() }));
    const prod = result.items.find((i) => i.es.key === 'plate-prod/plate-api-prod-env')!;
    expect(prod.updateFailed?.message).toBe(
      'error processing spec.data[0] (key: production), err: SecretStore "openbao" is not ready',
    );
    expect(prod.store).toEqual({
      kind: 'found',
      ready: { status: 'False', reason: 'InvalidProviderConfig', message: 'unable to validate store' },
      tokenKey: 'token',
    });
    expect(prod.probe).toMatchObject({
      server: 'openbao/openbao:8200',
      health: { ok: true, value: SEALED },
      token: null,
    });
    expect(result.items.filter((i) => i.probe !== null)).toHaveLength(1);
    expect(openbao.calls).toEqual([
      'https://127.0.0.1:6443/api/v1/namespaces/openbao/services/openbao:8200/proxy health',
    ]);
    const node = evaluateExternalSecrets(result, { now: NOW });
    expect(node.children!.find((c) => c.id.endsWith('plate-api-prod-env'))!.message).toMatch(
      / — likely caused by: OpenBao sealed$/,
    );
  });

  it('keeps an unreadable store list as "unknown", never as a missing store', async () => {
    const kube = kubeOf({ objects: ALL, forbidden: ['secretstores@plate-stg'] });
    const result = await gatherExternalSecrets(aGatherContext({ kube }, { namespaces: ['plate-stg'] }));
    expect(result.items[0]!.store).toEqual({
      kind: 'unknown',
      failure: {
        kind: 'forbidden',
        message: 'secretstores is forbidden',
        permission: 'list secretstores in plate-stg',
      },
    });
  });

  it('lets a non-gateway error propagate so the engine reports a crash', async () => {
    const kube = kubeOf({ objects: ALL });
    kube.list = async () => {
      throw new TypeError('boom');
    };
    await expect(gatherExternalSecrets(aGatherContext({ kube }))).rejects.toThrow('boom');
  });

  it('keeps an OpenBao gateway error as an unreachable root cause', async () => {
    const kube = kubeOf({ objects: ALL });
    const openbao = baoOf({
      health: new GatewayError('openbao', 'unavailable', 'service "openbao" has no endpoints'),
    });
    const result = await gatherExternalSecrets(
      aGatherContext({ kube, openbao, dns: noDns() }, { namespaces: ['plate-prod'] }),
    );
    const node = evaluateExternalSecrets(result, { now: NOW });
    expect(node.children![0]).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        / — likely caused by: OpenBao unreachable \(service "openbao" has no endpoints\)$/,
      ),
      hint: 'Bring OpenBao openbao/openbao:8200 back: check its pods, Service and network path.',
      commands: [
        'kubectl get pods -n openbao',
        'kubectl get endpoints -n openbao openbao',
        'kubectl exec -n openbao svc/openbao -- bao status',
      ],
    });
  });
});

describe('classifyProviderError', () => {
  const es = { isStore: false, tokenKey: 'token', properties: ['DB_PASSWORD', 'JWT_SECRET'] };
  it.each([
    // runtime/esutils/resolvers/secret_ref.go: the store's token Secret lacks its key.
    [
      'the token key, which no remoteRef asks for',
      'error processing spec.data[0] (key: staging), err: cannot find secret data for key: "token"',
      es,
      'token-secret',
    ],
    // providers/v1/vault/client_get.go: the OpenBao secret lacks a property.
    [
      'a mapped property',
      'error processing spec.data[0] (key: staging), err: cannot find secret data for key: "DB_PASSWORD"',
      es,
      'key-missing',
    ],
    [
      'any key, read by a store',
      'cannot find secret data for key: "bao-token"',
      { ...es, isStore: true },
      'token-secret',
    ],
    [
      'the token Secret itself',
      'cannot get Kubernetes secret "openbao-token" from namespace "plate-stg": secrets "openbao-token" not found',
      es,
      'token-secret',
    ],
  ] as const)('reads a missing %s as %s', (_, text, reader, problem) => {
    expect(classifyProviderError(text, reader)).toBe(problem);
  });
});
