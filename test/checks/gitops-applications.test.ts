import { describe, expect, it } from 'vitest';
import {
  evaluateApplications as evaluateApplicationsNode,
  gatherApplications,
  readApplication,
  type ApplicationsFacts,
} from '../../src/checks/gitops/applications.js';
import { gitops } from '../../src/runbooks/gitops.js';
import { GatewayError } from '../../src/gateways/errors.js';
import { fakeKube } from '../fakes/gateways.js';
import { aGatherContext } from '../fakes/scope.js';
import { kubeOf, loadObjects } from './secrets-fixtures.js';
import { shown } from '../support/shown.js';

const NOW = new Date('2025-03-03T12:00:00Z');
const evaluateApplications = (f: ApplicationsFacts) => shown(evaluateApplicationsNode(f, NOW));

const APPS = loadObjects('gitops/applications.yaml');
const [ingressProd, secretsProd, ingressStg, plateStg, teamApp] = APPS.map(readApplication) as ReturnType<
  typeof readApplication
>[];

const facts = (over: Partial<ApplicationsFacts>): ApplicationsFacts => ({
  argocdNamespace: 'argocd',
  isArgoInstalled: true,
  listFailure: null,
  apps: [],
  failingByNamespace: {},
  ...over,
});

describe('gitops.applications evaluate', () => {
  it.each([
    ['a Synced, Healthy app', ingressProd!, 'pass', 'Synced, Healthy at 3f2a9c1', undefined],
    [
      'a ComparisonError with sync Unknown while health says Healthy',
      ingressStg!,
      'fail',
      'ComparisonError: Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = helm/ingress-stg: app path does not exist; sync Unknown',
      'Fix what stops Argo CD rendering Application argocd/ingress-stg (chart, values or repo access), then refresh it.',
    ],
    [
      'a failed last sync while Progressing and OutOfSync',
      plateStg!,
      'fail',
      'last sync Failed: one or more objects failed to apply, reason: Deployment.apps "plate-api-stg" is invalid: spec.template.spec.containers[0].image: Required value; health Progressing (waiting for healthy state of /Service/plate-api-stg); sync OutOfSync',
      'Fix the resource the last sync of Application argocd/plate-stg could not apply, then sync it again.',
    ],
    [
      'a warning condition on an app outside the argocd namespace',
      teamApp!,
      'warn',
      'SharedResourceWarning: ConfigMap/shared is part of applications argocd/plate-stg and team-a/team-app',
      'Read the warning conditions of Application team-a/team-app and resolve them.',
    ],
  ])('judges %s', (_name, app, status, message, hint) => {
    const [leaf] = evaluateApplications(facts({ apps: [app] })).children!;
    expect(leaf).toMatchObject({ subject: `Application ${app.namespace}/${app.name}`, status, message });
    expect(leaf!.hint).toBe(hint);
  });

  it('points a Degraded app at the failing ExternalSecret in its destination namespace', () => {
    const [leaf] = evaluateApplications(
      facts({
        apps: [secretsProd!],
        failingByNamespace: {
          'plate-prod': [{ subject: 'ExternalSecret plate-prod/plate-api-prod-env', why: null }],
        },
      }),
    ).children!;
    expect(leaf).toEqual({
      id: 'gitops.applications:argocd/openbao-secrets-manager-prod',
      title: 'Application argocd/openbao-secrets-manager-prod',
      subject: 'Application argocd/openbao-secrets-manager-prod',
      dependsOn: ['ExternalSecret plate-prod/plate-api-prod-env'],
      status: 'fail',
      code: 'APP_DEGRADED',
      message:
        'health Degraded (could not get secret data from provider); sync OutOfSync — plate-prod has failing ExternalSecret plate-prod/plate-api-prod-env',
      hint: 'Start with ExternalSecret plate-prod/plate-api-prod-env: it is failing in the destination namespace of Application argocd/openbao-secrets-manager-prod (see the runbooks above).',
      commands: [
        'argocd app get openbao-secrets-manager-prod',
        'kubectl describe application -n argocd openbao-secrets-manager-prod',
      ],
    });
  });

  it('names apps outside the control-plane namespace as namespace/name for the argocd CLI', () => {
    const [leaf] = shown(evaluateApplicationsNode(facts({ apps: [teamApp!] }), NOW), {
      flags: ['--context', 'prod'],
    }).children!;
    expect(leaf!.commands).toEqual([
      'argocd app get team-a/team-app',
      'kubectl --context prod describe application -n team-a team-app',
    ]);
  });

  it.each([
    ['Suspended', 'warn'],
    ['Missing', 'fail'],
    ['Unknown', 'warn'],
  ])('treats health %s as %s', (health, status) => {
    const [leaf] = evaluateApplications(
      facts({ apps: [{ ...ingressProd!, healthStatus: health }] }),
    ).children!;
    expect(leaf).toMatchObject({ status, message: `health ${health}` });
  });

  it('skips when Argo CD is not installed', () => {
    expect(evaluateApplications(facts({ isArgoInstalled: false }))).toEqual({
      id: 'gitops.applications',
      title: 'Argo CD Applications are Synced and Healthy',
      status: 'skip',
      code: 'ARGOCD_NOT_INSTALLED',
      message: 'Argo CD is not installed',
      hint: 'Install Argo CD, or point the doctor at the cluster that runs it.',
    });
  });

  it('reports a forbidden list as an error with the permission', () => {
    const node = evaluateApplications(
      facts({
        listFailure: {
          listed: 'applications',
          namespace: 'argocd',
          failure: {
            kind: 'forbidden',
            message: 'applications is forbidden',
            permission: 'list applications.argoproj.io in argocd',
          },
        },
      }),
    );
    expect(node.children![0]).toMatchObject({
      status: 'error',
      id: 'gitops.applications:list:Applications in argocd',
      message: 'not allowed to list applications.argoproj.io in argocd',
      commands: ['kubectl auth can-i list applications.argoproj.io -n argocd'],
    });
  });
});

describe('gatherApplications', () => {
  const related = [
    ...loadObjects('secrets/externalsecrets.yaml'),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'plate-ingress', namespace: 'plate-stg' },
      status: { loadBalancer: { ingress: [{}] } },
    },
  ];

  it('lists apps in every namespace, ignores unreconciled strays, and collects failing objects per destination', async () => {
    const kube = kubeOf({ objects: [...APPS, ...related] });
    const result = await gatherApplications(aGatherContext({ kube }));
    expect(result.apps.map((a) => `${a.namespace}/${a.name}`)).toEqual([
      'argocd/ingress-prod',
      'argocd/ingress-stg',
      'argocd/openbao-secrets-manager-prod',
      'argocd/plate-stg',
      'team-a/team-app',
    ]);
    expect(result.failingByNamespace).toEqual({
      'plate-prod': [{ subject: 'ExternalSecret plate-prod/plate-api-prod-env', why: null }],
      'plate-stg': [{ subject: 'Ingress plate-stg/plate-ingress', why: 'no load balancer address' }],
      'team-a': [],
    });
  });

  it('falls back to the Argo CD namespace when listing across namespaces is forbidden', async () => {
    const calls: string[] = [];
    const kube = fakeKube({
      list: async (kind, options) => {
        calls.push(`${kind}@${options.namespace ?? '*'}`);
        if (options.namespace === undefined) {
          throw new GatewayError('kubernetes', 'forbidden', 'applications is forbidden', {
            permission: 'list applications',
          });
        }
        return kind === 'applications' ? APPS.filter((a) => a.metadata.namespace === options.namespace) : [];
      },
    });
    const result = await gatherApplications(aGatherContext({ kube }, { namespaces: ['plate-prod'] }));
    expect(calls.slice(0, 2)).toEqual(['applications@*', 'applications@argocd']);
    expect(result.apps.map((a) => a.name)).toEqual(['ingress-prod', 'openbao-secrets-manager-prod']);
  });

  it('skips when the Application kind is not served', async () => {
    const kube = kubeOf({ objects: [], missingKinds: ['applications'] });
    expect(evaluateApplications(await gatherApplications(aGatherContext({ kube })))).toMatchObject({
      status: 'skip',
      message: 'Argo CD is not installed',
    });
  });

  it('is the only step of the gitops runbook', () => {
    expect(gitops.steps.map((s) => s.id)).toEqual(['gitops.applications']);
  });
});

describe('gitops.applications: Argo CD as the seed runs it', () => {
  const app = (over: { metadata?: object; spec?: object; status?: object }) =>
    readApplication({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'openbao-secrets-manager-prod', namespace: 'argocd', ...over.metadata },
      spec: {
        destination: { server: 'https://kubernetes.default.svc', namespace: 'plate-prod' },
        source: { path: 'shared-configs/openbao-secrets-manager' },
        syncPolicy: {
          automated: { prune: false, selfHeal: true },
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
        },
        ...over.spec,
      },
      status: {
        sync: { status: 'Synced', revision: '3f9c2e7a1b4d8f6e0c5a9b2d7e1f4a8c6b3d9e05' },
        health: { status: 'Healthy' },
        operationState: {
          phase: 'Succeeded',
          message: 'successfully synced (all tasks run)',
          operation: { initiatedBy: { automated: true }, retry: { limit: 5 } },
          finishedAt: '2025-03-01T12:00:00Z',
          syncResult: { revision: '3f9c2e7a1b4d8f6e0c5a9b2d7e1f4a8c6b3d9e05' },
        },
        ...over.status,
      },
    } as never);
  const judge = (...apps: ReturnType<typeof app>[]) => evaluateApplications(facts({ apps })).children!;

  it('says which revision the last sync applied and when', () => {
    expect(judge(app({}))[0]).toMatchObject({
      status: 'pass',
      message: 'Synced, Healthy at 3f9c2e7; last sync Succeeded at 3f9c2e7 2d ago',
    });
  });

  it('fails automated sync that used up its retries, with the retry policy and the apply error', () => {
    // controller/appcontroller.go: the operation message after the last retry, then the SyncError condition.
    const message =
      'one or more objects failed to apply, reason: admission webhook "validate.externalsecret.external-secrets.io" denied the request: duplicate secretKey found: DB_PASSWORD (retried 5 times).';
    const gaveUp = app({
      status: {
        sync: { status: 'OutOfSync', revision: '8d1e4b2c7a9f3e6d5c4b3a2f1e0d9c8b7a6f5e4d' },
        conditions: [
          {
            type: 'SyncError',
            message: `Failed last sync attempt to [8d1e4b2c7a9f3e6d5c4b3a2f1e0d9c8b7a6f5e4d]: ${message}`,
          },
        ],
        operationState: {
          phase: 'Failed',
          message,
          retryCount: 5,
          operation: { initiatedBy: { automated: true }, retry: { limit: 5 } },
          finishedAt: '2025-03-03T11:40:00Z',
          syncResult: { revision: '8d1e4b2c7a9f3e6d5c4b3a2f1e0d9c8b7a6f5e4d' },
        },
      },
    });
    expect(judge(gaveUp)[0]).toMatchObject({
      status: 'fail',
      code: 'APP_SYNC_RETRIES_EXHAUSTED',
      message: `automated sync at 8d1e4b2 20m ago gave up after 5 retries (limit 5, backoff 10s up to 5m): ${message}; sync OutOfSync`,
      hint: 'Fix the resource the last sync of Application argocd/openbao-secrets-manager-prod could not apply, then sync it by hand or push a new commit: automated sync used up its retries and does not try this revision again.',
    });
  });

  it('passes prune: false leaving what Git removed, and ignoreDifferences, as the policy they are', () => {
    const kept = app({
      spec: { ignoreDifferences: [{ kind: 'Secret', jsonPointers: ['/data'] }] },
      status: {
        sync: { status: 'OutOfSync', revision: '3f9c2e7a1b4d8f6e0c5a9b2d7e1f4a8c6b3d9e05' },
        resources: [
          {
            kind: 'ExternalSecret',
            name: 'plate-old-env',
            namespace: 'plate-prod',
            status: 'OutOfSync',
            requiresPruning: true,
          },
          { kind: 'ExternalSecret', name: 'plate-api-prod-env', namespace: 'plate-prod', status: 'Synced' },
        ],
      },
    });
    expect(judge(kept)[0]).toMatchObject({
      status: 'pass',
      message:
        'OutOfSync by policy, Healthy at 3f9c2e7; 1 resource Git removed kept by prune: false; last sync Succeeded at 3f9c2e7 2d ago',
    });
  });

  it('fails an app Progressing for more than 30 minutes, and only warns before', () => {
    const progressing = (since: string) =>
      app({
        status: {
          health: { status: 'Progressing', message: 'Waiting for certificate', lastTransitionTime: since },
        },
      });
    expect(judge(progressing('2025-03-03T11:00:00Z'))[0]).toMatchObject({
      status: 'fail',
      code: 'APP_STUCK_PROGRESSING',
      message: 'health Progressing for 1h (Waiting for certificate); last sync Succeeded at 3f9c2e7 2d ago',
    });
    expect(judge(progressing('2025-03-03T11:50:00Z'))[0]).toMatchObject({
      status: 'warn',
      code: 'APP_PROGRESSING',
    });
  });

  it('warns when an app of one parent syncs no later than the secrets app that writes its Secrets', () => {
    const child = { labels: { 'app.kubernetes.io/instance': 'platform-root' } };
    const secrets = app({ metadata: { ...child, annotations: { 'argocd.argoproj.io/sync-wave': '1' } } });
    const api = (annotations: Record<string, string>) =>
      app({
        metadata: { name: 'plate-api-prod', ...child, annotations },
        spec: { source: { path: 'helm/applications/plate-api' } },
      });
    expect(judge(secrets, api({}))[1]).toMatchObject({
      status: 'warn',
      code: 'APP_SYNC_WAVE_ORDER',
      message:
        'syncs in wave 0, not after Application argocd/openbao-secrets-manager-prod (wave 1) that writes its Secrets; last sync Succeeded at 3f9c2e7 2d ago',
    });
    expect(judge(secrets, api({ 'argocd.argoproj.io/sync-wave': '2' }))[1]).toMatchObject({ status: 'pass' });
    // Without a common parent, waves order nothing between them.
    const orphan = app({
      metadata: { name: 'plate-api-prod' },
      spec: { source: { path: 'helm/applications/plate-api' } },
    });
    expect(judge(secrets, orphan)[1]).toMatchObject({ status: 'pass' });
  });
});
