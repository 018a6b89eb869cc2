import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/gateways/errors.js';
import { Recorder, serverLabel } from '../../src/gateways/recording.js';
import { replayGateways } from '../../src/gateways/replay.js';
import { Sensitive } from '../../src/gateways/sensitive.js';
import type { BaoEndpoint, KubeObject, SecretSummary } from '../../src/gateways/types.js';
import { FAKE_TARGET, fakeDns, fakeGateways, fakeHttp, fakeKube, fakeOpenBao } from '../fakes/gateways.js';

const signal = () => AbortSignal.timeout(5_000);
const TOKEN = 'hvs.CANARYrecordingtoken0123456789';
const PASSWORD = 'CANARY-literal-env-password';
const endpoint: BaoEndpoint = {
  address: 'https://127.0.0.1:6443/api/v1/namespaces/openbao/services/openbao:8200/proxy',
  label: 'openbao/openbao:8200 via the API server proxy',
  via: 'service-proxy',
  headers: { Authorization: new Sensitive('Bearer sandbox-apiserver-credential-xyz') },
};
const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'api', namespace: 'plate-stg' },
  spec: {
    containers: [
      {
        name: 'api',
        env: [
          { name: 'DB_PASSWORD', value: PASSWORD },
          { name: 'JWT', valueFrom: {} },
        ],
      },
    ],
  },
  status: { message: `quoted ${TOKEN} back` },
};
const secret: SecretSummary = {
  metadata: { name: 'openbao-token', namespace: 'plate-stg' },
  type: 'Opaque',
  keys: ['token'],
};

/** A recorder over fakes that answer one run of the secrets step. */
function recorded() {
  const recorder = new Recorder(
    fakeGateways({
      kube: fakeKube({
        readVersion: async () => 'v1.32.4',
        list: async (kind) => (kind === 'pods' ? [pod] : null),
        listSecrets: async () => [secret],
        readSecretValue: async (_ns, _name, key) => (key === 'token' ? new Sensitive(TOKEN) : null),
        readPodLogs: async () => `level=error msg="token ${TOKEN} rejected"\n`,
        serviceProxy: () => endpoint,
        canI: async () => {
          throw new GatewayError('kubernetes', 'forbidden', 'not allowed', {
            permission: 'create selfsubjectaccessreviews',
          });
        },
      }),
      openbao: fakeOpenBao({
        readHealth: async () => ({
          httpStatus: 200,
          initialized: true,
          sealed: false,
          standby: false,
          version: '2.2.0',
          clusterName: null,
        }),
        lookupToken: async (_e, token) => {
          if (token.reveal() !== TOKEN) throw new Error('the recorder must pass the real token through');
          return {
            kind: 'valid',
            ttlSeconds: 60,
            expireTime: '2026-11-26T15:00:00Z',
            policies: ['default'],
            renewable: true,
            tokenType: 'service',
          };
        },
      }),
      dns: fakeDns({ resolve: async () => [{ resolver: '127.0.0.53:53', answer: { kind: 'nxdomain' } }] }),
      http: fakeHttp({
        probeHttps: async () => ({ tls: { kind: 'failed', reason: 'connection refused' }, replies: [] }),
      }),
    }),
  );
  return recorder;
}

async function oneRun(recorder: Recorder) {
  const { kube, openbao, dns, http } = recorder.gateways;
  await kube.readVersion(signal());
  await kube.list('pods', { namespace: 'plate-stg' }, signal());
  await kube.list('certificates', {}, signal());
  await kube.listSecrets({ namespace: 'plate-stg' }, signal());
  const token = await kube.readSecretValue('plate-stg', 'openbao-token', 'token', signal());
  await kube.readSecretValue('plate-stg', 'openbao-token', 'other', signal());
  await kube.readPodLogs('external-secrets', 'eso-0', { tailLines: 10 }, signal());
  await kube.canI('list', { group: '', resource: 'secrets' }, signal()).catch(() => {});
  const proxied = kube.serviceProxy('openbao', 'openbao', 8200);
  await openbao.readHealth(proxied, signal());
  await openbao.lookupToken(proxied, token!, signal());
  await dns.resolve('stg.cocdev.co.kr', signal());
  await http.probeHttps({ address: '127.0.10.10', port: 443, host: 'stg.cocdev.co.kr' }, ['/'], signal());
}

describe('Recorder', () => {
  it('passes every call through and keeps each question with its answer, naming tokens by their holder', async () => {
    const recorder = recorded();
    await oneRun(recorder);
    const answers = recorder.answers().map(({ system, call, args }) => [system, call, args]);
    expect(answers).toEqual([
      ['kubernetes', 'readVersion', []],
      ['kubernetes', 'list', ['pods', { namespace: 'plate-stg' }]],
      ['kubernetes', 'list', ['certificates', {}]],
      ['kubernetes', 'listSecrets', [{ namespace: 'plate-stg' }]],
      ['kubernetes', 'readSecretValue', ['plate-stg', 'openbao-token', 'token']],
      ['kubernetes', 'readSecretValue', ['plate-stg', 'openbao-token', 'other']],
      ['kubernetes', 'readPodLogs', ['external-secrets', 'eso-0', { tailLines: 10 }]],
      ['kubernetes', 'canI', ['list', { group: '', resource: 'secrets' }]],
      ['kubernetes', 'serviceProxy', ['openbao', 'openbao', 8200, 'http']],
      ['openbao', 'readHealth', [endpoint.address]],
      [
        'openbao',
        'lookupToken',
        [endpoint.address, { holder: 'Secret plate-stg/openbao-token', key: 'token' }],
      ],
      ['dns', 'resolve', ['stg.cocdev.co.kr']],
      ['http', 'probeHttps', [{ address: '127.0.10.10', port: 443, host: 'stg.cocdev.co.kr' }, ['/']]],
    ]);
  });

  it('keeps what the run listed and asked OpenBao for the timeline', async () => {
    const recorder = recorded();
    await oneRun(recorder);
    expect(recorder.listedObjects()).toEqual([pod]);
    expect(recorder.baoAnswers()).toEqual({
      servers: [{ server: 'openbao/openbao:8200', health: expect.objectContaining({ sealed: false }) }],
      tokens: [
        { holder: 'Secret plate-stg/openbao-token', lookup: expect.objectContaining({ kind: 'valid' }) },
      ],
    });
  });

  it('stores no token, credential or literal env value, and redacts text that quotes one', async () => {
    const recorder = recorded();
    await oneRun(recorder);
    const stored = JSON.stringify(recorder.recordedAnswers());
    for (const secretText of [TOKEN, PASSWORD, 'sandbox-apiserver-credential-xyz']) {
      expect(stored.includes(secretText), secretText).toBe(false);
    }
    const find = (call: string, arg?: string) =>
      recorder.recordedAnswers().find((a) => a.call === call && (arg === undefined || a.args.includes(arg)))!;
    expect(find('readSecretValue', 'token').value).toEqual({ present: true });
    expect(find('readSecretValue', 'other').value).toEqual({ present: false });
    expect(find('readPodLogs').value).toBe('level=error msg="token [redacted] rejected"\n');
    expect(find('serviceProxy').value).toEqual({
      address: endpoint.address,
      label: endpoint.label,
      via: 'service-proxy',
    });
    const [recordedPod] = find('list', 'pods').value as KubeObject[];
    expect(recordedPod!.spec.containers[0].env).toEqual([
      { name: 'DB_PASSWORD', value: '[redacted]' },
      { name: 'JWT', valueFrom: {} },
    ]);
    // The live answers are untouched: checks still see what the API server said.
    expect(pod.spec.containers[0].env[0].value).toBe(PASSWORD);
  });

  it('records a failure as its GatewayError, a later answer replaces it, and a full forget starts afresh', async () => {
    let fail = true;
    const recorder = new Recorder(
      fakeGateways({
        kube: fakeKube({
          list: async () => {
            if (fail)
              throw new GatewayError('kubernetes', 'forbidden', 'no', {
                permission: 'list pods in x',
                httpStatus: 403,
              });
            return [];
          },
          forget: () => {},
        }),
      }),
    );
    await recorder.gateways.kube.list('pods', {}, signal()).catch(() => {});
    expect(recorder.answers()[0]!.error).toEqual({
      kind: 'forbidden',
      message: 'no',
      permission: 'list pods in x',
      httpStatus: 403,
    });
    fail = false;
    await recorder.gateways.kube.list('pods', {}, signal());
    expect(recorder.answers()).toEqual([
      { system: 'kubernetes', call: 'list', args: ['pods', {}], value: [] },
    ]);
    recorder.gateways.kube.forget(new AbortController().signal);
    expect(recorder.answers()).toHaveLength(1);
    recorder.gateways.kube.forget();
    expect(recorder.answers()).toEqual([]);
  });

  it('names the OpenBao server as leaves do', () => {
    expect(serverLabel(endpoint)).toBe('openbao/openbao:8200');
    expect(serverLabel({ label: 'bao.example:8200' })).toBe('bao.example:8200');
  });
});

describe('replayGateways', () => {
  async function replayOf() {
    const recorder = recorded();
    await oneRun(recorder);
    return replayGateways({
      answers: recorder.recordedAnswers(),
      kubeTarget: FAKE_TARGET,
      dnsResolvers: ['127.0.0.53:53'],
    });
  }

  it('answers each recorded question as it was answered, without any network', async () => {
    const { gateways } = await replayOf();
    expect(gateways.kube.target).toEqual(FAKE_TARGET);
    expect(await gateways.kube.readVersion(signal())).toBe('v1.32.4');
    expect(await gateways.kube.list('certificates', {}, signal())).toBeNull();
    expect(await gateways.kube.listSecrets({ namespace: 'plate-stg' }, signal())).toEqual([secret]);
    expect(await gateways.dns.resolve('stg.cocdev.co.kr', signal())).toEqual([
      { resolver: '127.0.0.53:53', answer: { kind: 'nxdomain' } },
    ]);
    expect(gateways.kube.serviceProxy('openbao', 'openbao', 8200)).toEqual({
      address: endpoint.address,
      label: endpoint.label,
      via: 'service-proxy',
    });
  });

  it('stands a placeholder in for a token that was there, and replays its lookups under the same holder', async () => {
    const { gateways } = await replayOf();
    const token = await gateways.kube.readSecretValue('plate-stg', 'openbao-token', 'token', signal());
    expect(token).toBeInstanceOf(Sensitive);
    expect(token!.reveal()).not.toBe(TOKEN);
    expect(await gateways.kube.readSecretValue('plate-stg', 'openbao-token', 'other', signal())).toBeNull();
    const proxied = gateways.kube.serviceProxy('openbao', 'openbao', 8200);
    expect(await gateways.openbao.lookupToken(proxied, token!, signal())).toMatchObject({
      kind: 'valid',
      ttlSeconds: 60,
    });
  });

  it('rethrows a recorded failure with its kind and permission', async () => {
    const { gateways } = await replayOf();
    const error = await gateways.kube
      .canI('list', { group: '', resource: 'secrets' }, signal())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      kind: 'forbidden',
      message: 'not allowed',
      permission: 'create selfsubjectaccessreviews',
    });
  });

  it('answers a question the snapshot does not hold as "unrecorded", and DNS and HTTP as failed lookups', async () => {
    const { gateways } = await replayOf();
    const error = await gateways.kube
      .list('pods', { namespace: 'plate-prod' }, signal())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      system: 'kubernetes',
      kind: 'unrecorded',
      message: 'the snapshot holds no answer to list pods in plate-prod',
    });
    const token = await gateways.kube.readSecretValue('plate-stg', 'openbao-token', 'token', signal());
    const direct: BaoEndpoint = {
      address: 'https://bao.example:8200',
      label: 'bao.example:8200',
      via: 'direct',
    };
    await expect(gateways.openbao.lookupToken(direct, token!, signal())).rejects.toMatchObject({
      kind: 'unrecorded',
    });
    expect(await gateways.dns.resolve('cocdev.co.kr', signal())).toEqual([
      {
        resolver: '127.0.0.53:53',
        answer: {
          kind: 'unanswered',
          reason: 'the snapshot holds no answer to a DNS lookup of cocdev.co.kr',
        },
      },
    ]);
    expect(
      await gateways.http.request(
        { address: '127.0.10.10', port: 80, host: 'x', scheme: 'http', path: '/' },
        signal(),
      ),
    ).toEqual({
      kind: 'failed',
      reason: 'the snapshot holds no answer to http://x/',
    });
  });

  it('hands out copies, so a check that changes an answer does not change the next one', async () => {
    const { gateways } = await replayOf();
    const first = (await gateways.kube.listSecrets({ namespace: 'plate-stg' }, signal()))[0]!;
    first.keys.push('mutated');
    expect((await gateways.kube.listSecrets({ namespace: 'plate-stg' }, signal()))[0]!.keys).toEqual([
      'token',
    ]);
  });
});
