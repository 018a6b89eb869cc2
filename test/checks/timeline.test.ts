import { describe, expect, it } from 'vitest';
import type { ResultNode } from '../../src/checks/result.js';
import {
  TIMELINE_LIMIT,
  collectTimeline,
  eventTime,
  relateChanges,
  type TimelineChange,
  type TimelineInput,
} from '../../src/checks/timeline.js';
import type { KubeObject } from '../../src/gateways/types.js';

const NOW = new Date('2026-11-26T14:20:00Z');
const DAY_MS = 86_400_000;
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

const input = (objects: KubeObject[], extra: Partial<TimelineInput> = {}): TimelineInput => ({
  objects,
  baoServers: [],
  baoTokens: [],
  ...extra,
});
const collect = (objects: KubeObject[], extra: Partial<TimelineInput> = {}, windowMs = DAY_MS) =>
  collectTimeline(input(objects, extra), NOW, windowMs);
const plain = (changes: TimelineChange[]) =>
  changes.map(({ time, kind, subject, message }) => ({ time, kind, subject, message }));

/** The crash-loop story: a sync, the pod it rolled out, the Service in front of it. */
const app: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'plate-api-prod', namespace: 'argocd' },
  spec: { destination: { namespace: 'plate-prod' } },
  status: {
    resources: [{ group: 'apps', kind: 'Deployment', namespace: 'plate-prod', name: 'plate-api-prod' }],
    history: [
      {
        id: 7,
        revision: '3f9c2e7a1b4d8f6e0c5a9b2d7e1f4a8c6b3d9e05',
        deployedAt: at(2 * 24 * 60),
        deployStartedAt: at(2 * 24 * 60),
      },
      {
        id: 8,
        revision: 'a91c3d7e5f2b8a4c6d0e1f3a5b7c9d2e4f6a8b0c',
        deployStartedAt: at(53),
        deployedAt: at(52),
        initiatedBy: { automated: true },
      },
    ],
    operationState: {
      phase: 'Succeeded',
      startedAt: at(53),
      finishedAt: at(52),
      syncResult: { revision: 'a91c3d7e5f2b8a4c6d0e1f3a5b7c9d2e4f6a8b0c' },
    },
    health: {
      status: 'Degraded',
      message: 'Deployment "plate-api-prod" exceeded its progress deadline',
      lastTransitionTime: at(42),
    },
  },
};
const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'plate-api-prod-5f7b9c4d8-q8w3n',
    namespace: 'plate-prod',
    labels: { 'app.kubernetes.io/name': 'plate-api', 'app.kubernetes.io/instance': 'plate-api-prod' },
  },
  status: {
    startTime: at(51),
    containerStatuses: [
      {
        name: 'api',
        restartCount: 14,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: at(4), finishedAt: at(4) } },
      },
    ],
  },
};
const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'plate-api-prod', namespace: 'plate-prod' },
  spec: {
    selector: { 'app.kubernetes.io/name': 'plate-api', 'app.kubernetes.io/instance': 'plate-api-prod' },
  },
};
const backOff: KubeObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'plate-api-prod-5f7b9c4d8-q8w3n.187c3aa2c3d4e5f6', namespace: 'plate-prod' },
  involvedObject: { kind: 'Pod', name: 'plate-api-prod-5f7b9c4d8-q8w3n', namespace: 'plate-prod' },
  type: 'Warning',
  reason: 'BackOff',
  message:
    'Back-off restarting failed container api in pod plate-api-prod-5f7b9c4d8-q8w3n_plate-prod(0d000000-0000-4000-8000-000000000004)',
  count: 212,
  firstTimestamp: at(50),
  lastTimestamp: at(1),
} as KubeObject;

describe('collectTimeline', () => {
  it('merges a sync, the pod it rolled out and the kubelet events into one list, newest first', () => {
    expect(plain(collect([app, pod, service, backOff]))).toEqual([
      {
        time: at(1),
        kind: 'event.warning',
        subject: 'Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n',
        message:
          'BackOff: Back-off restarting failed container api in pod plate-api-prod-5f7b9c4d8-q8w3n_plate-prod(0d000000-0000-4000-8000-000000000004) (×212)',
      },
      {
        time: at(4),
        kind: 'pod.crashed',
        subject: 'Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n',
        message: 'container api exited with code 1 (Error); now CrashLoopBackOff, 14 restarts',
      },
      {
        time: at(42),
        kind: 'argocd.unhealthy',
        subject: 'Application argocd/plate-api-prod',
        message: 'health became Degraded: Deployment "plate-api-prod" exceeded its progress deadline',
      },
      {
        time: at(51),
        kind: 'pod.started',
        subject: 'Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n',
        message: 'pod started',
      },
      {
        time: at(52),
        kind: 'argocd.sync',
        subject: 'Application argocd/plate-api-prod',
        message: 'Argo CD synced plate-api-prod to a91c3d7 (automated, took 60s)',
      },
    ]);
  });

  it('says which objects each change touches: what the app deploys, and the Services in front of a pod', () => {
    const changes = collect([app, pod, service, backOff]);
    const touches = (kind: string) => changes.find((c) => c.kind === kind)!.touches;
    expect(touches('argocd.sync')).toEqual([
      'Application argocd/plate-api-prod',
      'Deployment plate-prod/plate-api-prod',
      'Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n',
    ]);
    expect(touches('pod.crashed')).toEqual([
      'Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n',
      'Service plate-prod/plate-api-prod',
    ]);
    expect(touches('event.warning')).toEqual([
      'Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n',
      'Service plate-prod/plate-api-prod',
    ]);
  });

  it("reads a rollout from the deployment controller's ScalingReplicaSet events, touching the new pods and their Service", () => {
    const scaled = (name: string, minutesAgo: number, message: string): KubeObject =>
      ({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: 'plate-prod' },
        involvedObject: { kind: 'Deployment', name: 'plate-api-prod', namespace: 'plate-prod' },
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message,
        lastTimestamp: at(minutesAgo),
      }) as KubeObject;
    const newPod: KubeObject = {
      ...pod,
      metadata: {
        ...pod.metadata,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'plate-api-prod-5f7b9c4d8',
            uid: 'rs-5f7b',
            controller: true,
          },
        ],
      },
    };
    const changes = collect([
      newPod,
      service,
      // Kubernetes 1.28 and later add "from %d"; older controllers end at "to %d".
      scaled('up', 52, 'Scaled up replica set plate-api-prod-5f7b9c4d8 to 1 from 0'),
      scaled('down', 50, 'Scaled down replica set plate-api-prod-7c6d5b4a3 to 0'),
    ]).filter((c) => c.kind.startsWith('deployment.'));
    expect(
      changes.map(({ kind, subject, message, touches }) => ({ kind, subject, message, touches })),
    ).toEqual([
      {
        kind: 'deployment.scaled-down',
        subject: 'Deployment plate-prod/plate-api-prod',
        message: 'Scaled down replica set plate-api-prod-7c6d5b4a3 to 0',
        touches: ['Deployment plate-prod/plate-api-prod'],
      },
      {
        kind: 'deployment.scaled-up',
        subject: 'Deployment plate-prod/plate-api-prod',
        message: 'Scaled up replica set plate-api-prod-5f7b9c4d8 to 1 from 0',
        touches: [
          'Deployment plate-prod/plate-api-prod',
          'Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n',
          'Service plate-prod/plate-api-prod',
        ],
      },
    ]);
  });

  it('reports a failed sync with its revision, message and retries, and a user-initiated one by name', () => {
    const failed: KubeObject = {
      ...app,
      metadata: { name: 'plate-api-stg', namespace: 'argocd' },
      status: {
        history: [
          {
            revision: '4f2c1e9b7a3d5c8e0f1a2b3c4d5e6f7a8b9c0d1e',
            deployStartedAt: at(182),
            deployedAt: at(181),
            initiatedBy: { username: 'alice' },
          },
        ],
        operationState: {
          phase: 'Failed',
          message: 'one or more objects failed to apply',
          retryCount: 5,
          startedAt: at(22),
          finishedAt: at(20),
          syncResult: { revision: '7b21e4c9d0a3f58e6c1b9d2a4f7e0c3b5a8d6e91' },
        },
        conditions: [{ type: 'SyncError', message: 'Failed last sync attempt', lastTransitionTime: at(20) }],
      },
    };
    expect(plain(collect([failed]))).toEqual([
      {
        time: at(20),
        kind: 'argocd.condition',
        subject: 'Application argocd/plate-api-stg',
        message: 'SyncError: Failed last sync attempt',
      },
      {
        time: at(20),
        kind: 'argocd.sync-failed',
        subject: 'Application argocd/plate-api-stg',
        message:
          'Argo CD sync of plate-api-stg to 7b21e4c failed: one or more objects failed to apply (retried 5 times)',
      },
      {
        time: at(181),
        kind: 'argocd.sync',
        subject: 'Application argocd/plate-api-stg',
        message: 'Argo CD synced plate-api-stg to 4f2c1e9 (by alice, took 60s)',
      },
    ]);
  });

  it('keeps a succeeded operation out when history already holds that sync, and in when it does not', () => {
    const withoutHistory = { ...app, status: { operationState: app.status.operationState } };
    expect(plain(collect([withoutHistory]))).toEqual([
      {
        time: at(52),
        kind: 'argocd.sync',
        subject: 'Application argocd/plate-api-prod',
        message: 'Argo CD synced plate-api-prod to a91c3d7',
      },
    ]);
    expect(collect([app]).filter((c) => c.kind === 'argocd.sync')).toHaveLength(1);
  });

  it('reads cert-manager issuance, failures and ACME objects, and relates an Order to its Certificate', () => {
    const cert: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'stg-tls', namespace: 'plate-stg', uid: 'c1' },
      spec: { secretName: 'stg-tls' },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'DoesNotExist',
            message: 'Issuing certificate as Secret does not exist',
            lastTransitionTime: at(90),
          },
          {
            type: 'Issuing',
            status: 'False',
            reason: 'Failed',
            message:
              'The certificate request has failed to complete and will be retried: order is in "errored" state',
            lastTransitionTime: at(30),
          },
        ],
        lastFailureTime: at(30),
        failedIssuanceAttempts: 3,
      },
    };
    const request: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'CertificateRequest',
      metadata: {
        name: 'stg-tls-3',
        namespace: 'plate-stg',
        uid: 'r3',
        ownerReferences: [
          {
            apiVersion: 'cert-manager.io/v1',
            kind: 'Certificate',
            name: 'stg-tls',
            uid: 'c1',
            controller: true,
          },
        ],
      },
      status: {
        failureTime: at(31),
        conditions: [{ type: 'Ready', status: 'False', reason: 'Failed', message: 'order errored' }],
      },
    };
    const order: KubeObject = {
      apiVersion: 'acme.cert-manager.io/v1',
      kind: 'Order',
      metadata: {
        name: 'stg-tls-3-1234',
        namespace: 'plate-stg',
        creationTimestamp: at(35),
        ownerReferences: [
          {
            apiVersion: 'cert-manager.io/v1',
            kind: 'CertificateRequest',
            name: 'stg-tls-3',
            uid: 'r3',
            controller: true,
          },
        ],
      },
      status: {
        state: 'errored',
        reason: 'Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited',
        failureTime: at(31),
      },
    };
    const changes = collect([cert, request, order]);
    expect(plain(changes)).toEqual([
      {
        time: at(30),
        kind: 'certificate.failed',
        subject: 'Certificate plate-stg/stg-tls',
        message:
          'issuance failed: The certificate request has failed to complete and will be retried: order is in "errored" state',
      },
      {
        time: at(31),
        kind: 'certificaterequest.failed',
        subject: 'CertificateRequest plate-stg/stg-tls-3',
        message: 'request failed: Failed: order errored',
      },
      {
        time: at(31),
        kind: 'order.failed',
        subject: 'Order plate-stg/stg-tls-3-1234',
        message: 'order errored: Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited',
      },
      {
        time: at(35),
        kind: 'order.created',
        subject: 'Order plate-stg/stg-tls-3-1234',
        message: 'ACME order created; now errored',
      },
      {
        time: at(90),
        kind: 'certificate.not-ready',
        subject: 'Certificate plate-stg/stg-tls',
        message: 'not Ready: DoesNotExist: Issuing certificate as Secret does not exist',
      },
    ]);
    expect(changes.find((c) => c.kind === 'order.failed')!.touches).toEqual([
      'Order plate-stg/stg-tls-3-1234',
      'CertificateRequest plate-stg/stg-tls-3',
      'Certificate plate-stg/stg-tls',
    ]);
  });

  it('reads ExternalSecret refreshes and sync failures, SecretStore readiness and the ESO Updated event', () => {
    const es: KubeObject = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'plate-api-stg-env', namespace: 'plate-stg' },
      spec: {
        secretStoreRef: { name: 'openbao-backend', kind: 'SecretStore' },
        target: { name: 'plate-api-stg-env' },
      },
      status: {
        refreshTime: at(44),
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'SecretSyncedError',
            message: 'could not get secret data from provider',
            lastTransitionTime: at(14),
          },
        ],
      },
    };
    const store: KubeObject = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: 'openbao-backend', namespace: 'plate-stg' },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Valid',
            message: 'store validated',
            lastTransitionTime: at(600),
          },
        ],
      },
    };
    const updated = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'plate-api-stg-env.1', namespace: 'plate-stg' },
      involvedObject: { kind: 'ExternalSecret', name: 'plate-api-stg-env', namespace: 'plate-stg' },
      type: 'Normal',
      reason: 'Updated',
      message: 'secret updated',
      lastTimestamp: at(44),
    } as KubeObject;
    expect(plain(collect([es, store, updated]))).toEqual([
      {
        time: at(14),
        kind: 'externalsecret.failed',
        subject: 'ExternalSecret plate-stg/plate-api-stg-env',
        message: 'sync failed: SecretSyncedError: could not get secret data from provider',
      },
      {
        time: at(44),
        kind: 'externalsecret.refreshed',
        subject: 'ExternalSecret plate-stg/plate-api-stg-env',
        message: 'refreshed Secret plate-api-stg-env from SecretStore openbao-backend',
      },
      {
        time: at(44),
        kind: 'externalsecret.updated',
        subject: 'ExternalSecret plate-stg/plate-api-stg-env',
        message: 'secret updated',
      },
      {
        time: at(600),
        kind: 'secretstore.ready',
        subject: 'SecretStore plate-stg/openbao-backend',
        message: 'Ready (Valid)',
      },
    ]);
  });

  it('marks a sealed OpenBao at the run and a token expiry ahead, and nothing for a denied lookup', () => {
    const changes = collect([], {
      baoServers: [
        {
          server: 'openbao/openbao:8200',
          health: {
            httpStatus: 503,
            initialized: true,
            sealed: true,
            standby: false,
            version: '2.2.0',
            clusterName: null,
          },
        },
      ],
      baoTokens: [
        {
          holder: 'Secret plate-prod/openbao-token',
          lookup: {
            kind: 'valid',
            ttlSeconds: 7200,
            expireTime: at(-120),
            policies: [],
            renewable: true,
            tokenType: 'service',
          },
        },
        {
          holder: 'Secret plate-stg/openbao-token',
          lookup: { kind: 'denied', errors: ['permission denied'] },
        },
      ],
    });
    expect(plain(changes)).toEqual([
      {
        time: at(-120),
        kind: 'openbao.token-expiry',
        subject: 'Secret plate-prod/openbao-token',
        message: 'OpenBao token (renewable) expires',
      },
      {
        time: NOW.toISOString(),
        kind: 'openbao.sealed',
        subject: 'OpenBao openbao/openbao:8200',
        message: 'sealed (seen by this run)',
      },
    ]);
  });

  it('keeps only what happened within the window, and drops the same entry seen twice (two lists of one kind)', () => {
    const hourMs = 3_600_000;
    const changes = collect([app, app, pod], {}, hourMs);
    expect(changes.map((c) => c.kind)).toEqual([
      'pod.crashed',
      'argocd.unhealthy',
      'pod.started',
      'argocd.sync',
    ]);
    expect(collect([app], {}, 30 * 60_000).map((c) => c.kind)).toEqual([]);
  });

  it('keeps the newest entries up to the limit and clips long messages', () => {
    const events = Array.from({ length: TIMELINE_LIMIT + 5 }, (_, i) => ({
      ...backOff,
      metadata: { name: `e${i}`, namespace: 'plate-prod' },
      message: 'x'.repeat(2000),
      lastTimestamp: at(i + 1),
    })) as KubeObject[];
    const changes = collect(events);
    expect(changes).toHaveLength(TIMELINE_LIMIT);
    expect(changes[0]!.time).toBe(at(1));
    expect(changes.at(-1)!.time).toBe(at(TIMELINE_LIMIT));
    expect(changes[0]!.message.length).toBeLessThanOrEqual(512);
    expect(changes[0]!.message).toMatch(/more characters\)$/);
  });

  it('never throws on objects of the wrong shape', () => {
    const hostile = [
      {
        kind: 'Application',
        metadata: { name: 'a', namespace: 'argocd' },
        status: { history: 'nope', operationState: [1], health: 7 },
      },
      {
        kind: 'Pod',
        metadata: { name: 'p' },
        status: { containerStatuses: [null, 'x', { lastState: { terminated: 'y' } }] },
      },
      { kind: 'Event', metadata: { name: 'e' }, involvedObject: null },
      { kind: 'Certificate', metadata: { name: 'c' }, status: { conditions: {} } },
    ] as unknown as KubeObject[];
    expect(collect(hostile)).toEqual([]);
  });
});

describe('eventTime', () => {
  it.each([
    [
      'series.lastObservedTime first (events.k8s.io recorder)',
      { series: { count: 3, lastObservedTime: at(2) }, eventTime: at(9) },
      at(2),
    ],
    ['then lastTimestamp (legacy recorder)', { lastTimestamp: at(3), firstTimestamp: at(9) }, at(3)],
    ['then firstTimestamp', { firstTimestamp: at(4) }, at(4)],
    [
      'then eventTime (null legacy fields)',
      { firstTimestamp: null, lastTimestamp: null, eventTime: at(5) },
      at(5),
    ],
    ['then the creation of the Event object', { metadata: { name: 'e', creationTimestamp: at(6) } }, at(6)],
  ])('reads %s', (_name, fields, expected) => {
    expect(eventTime({ metadata: { name: 'e' }, ...fields } as KubeObject)).toBe(expected);
  });
});

describe('relateChanges', () => {
  const leaf = (
    id: string,
    status: ResultNode['status'],
    subject: string,
    more: Partial<ResultNode> = {},
  ): ResultNode => ({
    id,
    title: subject,
    status,
    subject,
    ...more,
  });
  const tree = (...leaves: ResultNode[]): ResultNode[] => [
    { id: 'ingress', title: 'Ingress', status: 'fail', children: leaves },
  ];
  const changes = collect([app, pod, service, backOff]);

  it('names, under a failing leaf, the nearest earlier change that can cause one, not its symptoms', () => {
    const [runbook] = relateChanges(
      tree(
        leaf('ingress.resources:svc', 'fail', 'Service plate-prod/plate-api-prod', {
          dependsOn: ['Deployment plate-prod/plate-api-prod'],
        }),
      ),
      changes,
      NOW,
    );
    expect(runbook!.children![0]!.after).toEqual({
      time: at(52),
      kind: 'argocd.sync',
      subject: 'Application argocd/plate-api-prod',
      message: 'Argo CD synced plate-api-prod to a91c3d7 (automated, took 60s)',
    });
  });

  it('matches through what a leaf covers, and leaves passing, erroring and untouched leaves alone', () => {
    const [runbook] = relateChanges(
      tree(
        leaf('a', 'warn', 'Ingress plate-prod/web', {
          covers: ['Pod plate-prod/plate-api-prod-5f7b9c4d8-q8w3n'],
        }),
        leaf('b', 'pass', 'Application argocd/plate-api-prod'),
        leaf('c', 'error', 'Application argocd/plate-api-prod'),
        leaf('d', 'fail', 'Service plate-stg/other'),
      ),
      changes,
      NOW,
    );
    expect(runbook!.children!.map((c) => c.after?.kind ?? null)).toEqual(['argocd.sync', null, null, null]);
  });

  it('takes no change from after the run', () => {
    const later = collect([app]).map((c) => ({
      ...c,
      time: new Date(NOW.getTime() + 3_600_000).toISOString(),
    }));
    const [runbook] = relateChanges(tree(leaf('a', 'fail', 'Application argocd/plate-api-prod')), later, NOW);
    expect(runbook!.children![0]!.after).toBeUndefined();
  });
});
