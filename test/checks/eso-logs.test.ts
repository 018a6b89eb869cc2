import { describe, expect, it } from 'vitest';
import type { ControllerPod } from '../../src/checks/controller-logs.js';
import {
  esoLogsStep,
  evaluateEsoLogs as evaluateEsoLogsNode,
  gatherEsoLogs,
  type EsoLogsFacts,
} from '../../src/checks/secrets/eso-logs.js';
import type { KubeObject, ListOptions } from '../../src/gateways/types.js';
import { fakeKube } from '../fakes/gateways.js';
import { GatewayError } from '../../src/gateways/errors.js';
import { aGatherContext } from '../fakes/scope.js';
import { showing } from '../support/shown.js';

const evaluateEsoLogs = showing(evaluateEsoLogsNode);

const NOW = new Date('2025-06-02T10:00:00Z');
const POD = 'external-secrets-6b8d7f9c5-w2q7j';
const epoch = (minutesAgo: number) => (NOW.getTime() - minutesAgo * 60_000) / 1000;

/** A zap JSON line as ESO ≥ v0.9 writes it (newer controller-runtime keys). */
function reconcileError(minutesAgo: number, name: string, error: string): string {
  return JSON.stringify({
    level: 'error',
    ts: epoch(minutesAgo),
    msg: 'Reconciler error',
    controller: 'externalsecret',
    controllerGroup: 'external-secrets.io',
    controllerKind: 'ExternalSecret',
    ExternalSecret: { name, namespace: 'plate-stg' },
    namespace: 'plate-stg',
    name,
    reconcileID: `5d62ed4f-ae89-4168-ab19-f81ec781c86${minutesAgo % 10}`,
    error,
    stacktrace:
      'sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller[...]).reconcileHandler\n\t...',
  });
}

/** ESO's info line for a successful sync. */
function reconciled(minutesAgo: number, namespace: string, name: string): string {
  return JSON.stringify({
    level: 'info',
    ts: epoch(minutesAgo),
    logger: 'controllers.ExternalSecret',
    msg: 'reconciled secret',
    ExternalSecret: { name, namespace },
  });
}

function aPod(lines: string[]): ControllerPod {
  return {
    name: POD,
    phase: 'Running',
    isReady: true,
    restartCount: 0,
    waitingReason: null,
    lastTermination: null,
    memoryLimit: null,
    log: { kind: 'text', text: lines.join('\n') },
    previousLog: null,
  };
}

function facts(lines: string[], overrides: Partial<EsoLogsFacts> = {}): EsoLogsFacts {
  return {
    namespace: 'external-secrets',
    selectors: ['app.kubernetes.io/name=external-secrets'],
    matchedSelector: 'app.kubernetes.io/name=external-secrets',
    pods: [aPod(lines)],
    listFailure: null,
    namespacesInScope: ['plate-prod', 'plate-stg'],
    tailLines: 200,
    sinceSeconds: 3600,
    warnings: {},
    keyed: [],
    ...overrides,
  };
}

const evaluate = (f: EsoLogsFacts) => evaluateEsoLogs(f, { now: NOW });
const LOGS_COMMAND = `kubectl logs -n external-secrets ${POD} --tail=200`;

describe('secrets.eso-logs evaluate', () => {
  it('fails on a missing OpenBao key that ESO keeps reporting, and says to add the key', () => {
    const error =
      'error processing spec.data[0] (key: staging), err: cannot find secret data for key: "DB_PASSWORD"';
    const node = evaluate(facts([12, 6, 1].map((m) => reconcileError(m, 'plate-api-stg-env', error))));
    expect(node).toMatchObject({
      id: 'secrets.eso-logs',
      title: 'External Secrets controller is running and not logging errors',
      status: 'fail',
    });
    expect(node.children![1]).toEqual({
      id: 'secrets.eso-logs:ExternalSecret plate-stg/plate-api-stg-env',
      title: 'ExternalSecret plate-stg/plate-api-stg-env',
      subject: 'ExternalSecret plate-stg/plate-api-stg-env',
      dependsOn: ['ExternalSecret plate-stg/plate-api-stg-env'],
      status: 'fail',
      code: 'CONTROLLER_LOG_ERRORS',
      message: `Reconciler error: ${error} (logged 3 times, last 1m ago)`,
      hint: 'Add the missing key to the OpenBao path ExternalSecret plate-stg/plate-api-stg-env reads, or correct its remoteRef.property.',
      commands: ['kubectl describe externalsecret -n plate-stg plate-api-stg-env', LOGS_COMMAND],
    });
  });

  it('groups retries whose error text differs only in volatile parts', () => {
    const lines = [3, 2, 1].map((m) =>
      reconcileError(
        m,
        'plate-api-stg-env',
        `could not get secret data from provider at 2025-06-02T09:5${m}:00Z`,
      ),
    );
    expect(evaluate(facts(lines)).children).toHaveLength(2);
  });

  it('recognises a sealed OpenBao behind a store that fails validation (older `reconciler kind` keys)', () => {
    const line = (minutesAgo: number) =>
      JSON.stringify({
        level: 'error',
        ts: epoch(minutesAgo),
        logger: 'controller.secretstore',
        msg: 'Reconciler error',
        'reconciler group': 'external-secrets.io',
        'reconciler kind': 'SecretStore',
        name: 'openbao-backend',
        namespace: 'plate-prod',
        error:
          'could not validate provider: invalid vault credentials: Error making API request.\n\nURL: GET http://openbao.openbao.svc:8200/v1/auth/token/lookup-self\nCode: 503. Errors:\n\n* Vault is sealed',
      });
    const leaf = evaluate(facts([line(9), line(5), line(2)])).children![1]!;
    expect(leaf).toMatchObject({
      subject: 'SecretStore plate-prod/openbao-backend',
      status: 'fail',
      message:
        'Reconciler error: could not validate provider: invalid vault credentials: Error making API request. URL: GET http://openbao.openbao.svc:8200/v1/auth/token/lookup-self Code: 503. Errors: * Vault is sealed (logged 3 times, last 2m ago)',
      hint: 'Unseal OpenBao; External Secrets cannot read or validate anything while it is sealed.',
      commands: ['kubectl describe secretstore -n plate-prod openbao-backend', LOGS_COMMAND],
    });
  });

  it('points an ExternalSecret that only waits for its store at the store', () => {
    const error =
      'error processing spec.data[0] (key: staging), err: SecretStore "openbao-backend" is not ready';
    const leaf = evaluate(facts([9, 5, 1].map((m) => reconcileError(m, 'plate-llm-stg-env', error))))
      .children![1]!;
    expect(leaf).toMatchObject({
      status: 'fail',
      message: `Reconciler error: ${error} (logged 3 times, last 1m ago)`,
      hint: "Fix the SecretStore that ExternalSecret plate-stg/plate-llm-stg-env uses first; this error only repeats the store's failure.",
    });
  });

  it('describes a ClusterSecretStore without a namespace and blames its token on a 403', () => {
    const line = (minutesAgo: number) =>
      JSON.stringify({
        level: 'error',
        ts: epoch(minutesAgo),
        logger: 'controllers.ClusterSecretStore',
        msg: 'unable to validate store',
        clustersecretstore: '/vault-backend',
        error:
          'could not validate provider: invalid vault credentials: Error making API request.\n\nURL: GET http://vault.vault:8200/v1/auth/token/lookup-self\nCode: 403. Errors:\n\n* permission denied',
      });
    const leaf = evaluate(facts([line(3), line(2), line(1)])).children![1]!;
    expect(leaf).toMatchObject({
      subject: 'ClusterSecretStore vault-backend',
      status: 'fail',
      hint: 'Replace the OpenBao token that ClusterSecretStore vault-backend uses; OpenBao rejects it (expired, revoked or missing a policy).',
      commands: ['kubectl describe clustersecretstore vault-backend', LOGS_COMMAND],
    });
  });

  it('passes when the zap stream holds only info lines', () => {
    const info = reconciled(10, 'plate-prod', 'plate-api-prod-env');
    const node = evaluate(facts([info]));
    expect(node.status).toBe('pass');
    expect(node.children![1]!.message).toBe('no errors in 1 line from the last 1h');
  });

  it('names the default selector when no ESO controller pod exists', () => {
    const leaf = evaluate(facts([], { pods: [], matchedSelector: null })).children![0]!;
    expect(leaf).toMatchObject({
      status: 'fail',
      message: 'no pods in external-secrets match "app.kubernetes.io/name=external-secrets"',
      hint: 'Install or start the External Secrets controller in external-secrets, or set externalSecrets.podSelectors in platform.yaml to the labels its pods carry.',
      commands: ['kubectl get pods -n external-secrets --show-labels'],
    });
  });
});

describe('gatherEsoLogs', () => {
  it('reads the ESO controller pod found by the first profile selector', async () => {
    const pod: KubeObject = {
      metadata: { name: POD, namespace: 'external-secrets' },
      spec: { containers: [{ name: 'external-secrets' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ restartCount: 0 }],
      },
    };
    const listed: ListOptions[] = [];
    const kube = fakeKube({
      list: async (kind, options) => {
        expect(kind).toBe('pods');
        listed.push(options);
        return [pod];
      },
      readPodLogs: async () => '',
    });
    const f = await gatherEsoLogs(aGatherContext({ kube }));
    expect(listed).toEqual([
      { namespace: 'external-secrets', labelSelector: 'app.kubernetes.io/name=external-secrets' },
    ]);
    expect(f.pods.map((p) => [p.name, p.log])).toEqual([[POD, { kind: 'text', text: '' }]]);
  });

  it('is registered under its contract id', () => {
    expect(esoLogsStep).toMatchObject({
      id: 'secrets.eso-logs',
      gather: gatherEsoLogs,
      evaluate: evaluateEsoLogsNode,
    });
  });
});

describe('secrets.eso-logs: a crash-looping controller', () => {
  // The kubelet's answer for the current instance of a container waiting to restart (pkg/kubelet/kubelet_pods.go).
  const WAITING = new GatewayError(
    'kubernetes',
    'protocol',
    `the API server answered 400 Bad Request to GET /api/v1/namespaces/external-secrets/pods/${POD}/log: container "external-secrets" in pod "${POD}" is waiting to start: CrashLoopBackOff`,
  );
  const crashing = (
    previous: string[],
    lastTermination: ControllerPod['lastTermination'],
  ): ControllerPod => ({
    ...aPod([]),
    phase: 'Running',
    isReady: false,
    restartCount: 14,
    waitingReason: 'CrashLoopBackOff',
    lastTermination,
    memoryLimit: '128Mi',
    log: { kind: 'failed', failure: { kind: 'protocol', message: WAITING.message, permission: null } },
    previousLog: { kind: 'text', text: previous.join('\n') },
  });

  it('reads why it was OOMKilled from its previous instance instead of reporting unreadable logs', () => {
    const lastLine = reconciled(3, 'plate-stg', 'plate-api-stg-env');
    const pod = crashing([lastLine], {
      reason: 'OOMKilled',
      exitCode: 137,
      finishedAt: '2025-06-02T09:57:00Z',
    });
    const node = evaluateEsoLogs(facts([], { pods: [pod] }), { now: NOW });
    expect(node.children).toEqual([
      {
        id: `secrets.eso-logs:external-secrets/${POD}`,
        title: POD,
        subject: `Pod external-secrets/${POD}`,
        status: 'fail',
        code: 'CONTROLLER_CRASHLOOP',
        message: `waiting: CrashLoopBackOff, restarted 14 times, last exit OOMKilled (exit code 137, memory limit 128Mi); its previous instance last logged: reconciled secret`,
        hint: `Raise the memory limit of the External Secrets controller (now 128Mi) in its Helm values; pod external-secrets/${POD} is killed for running out of memory.`,
        commands: [
          `kubectl logs -n external-secrets ${POD} --previous --tail=50`,
          `kubectl describe pod -n external-secrets ${POD}`,
          'kubectl top pod -n external-secrets --containers',
        ],
      },
      {
        id: 'secrets.eso-logs:errors',
        title: 'error lines',
        subject: 'External Secrets logs',
        status: 'pass',
        message: 'no errors in 1 line from the last 1h',
      },
    ]);
  });

  it('quotes the panic of the previous instance, not the goroutine stacks after it', () => {
    const previous = [
      JSON.stringify({ level: 'info', ts: epoch(2), logger: 'setup', msg: 'starting manager' }),
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1b2c3d4]',
      '',
      'goroutine 412 [running]:',
      'github.com/external-secrets/external-secrets/pkg/controllers/secretstore.(*Reconciler).Reconcile(...)',
    ];
    const pod = crashing(previous, { reason: 'Error', exitCode: 2, finishedAt: '2025-06-02T09:58:00Z' });
    const [leaf] = evaluateEsoLogs(facts([], { pods: [pod] }), { now: NOW }).children!;
    expect(leaf).toMatchObject({
      message:
        'waiting: CrashLoopBackOff, restarted 14 times, last exit Error (exit code 2); its previous instance last logged: panic: runtime error: invalid memory address or nil pointer dereference',
      hint: `Fix what the last lines of the previous External Secrets instance name (a panic, a bad flag, an unreachable API); pod external-secrets/${POD} crashes on start.`,
    });
  });

  it('asks for the previous instance only when the container restarted and its current log says nothing', async () => {
    const reads: { previous: boolean; sinceSeconds: number | undefined }[] = [];
    const pod = (restartCount: number, state: object): KubeObject => ({
      metadata: { name: POD, namespace: 'external-secrets' },
      spec: { containers: [{ name: 'external-secrets', resources: { limits: { memory: '128Mi' } } }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'external-secrets',
            restartCount,
            state,
            lastState: {
              terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2025-06-02T09:57:00Z' },
            },
          },
        ],
      },
    });
    const gather = async (p: KubeObject) => {
      reads.length = 0;
      const kube = fakeKube({
        list: async () => [p],
        readPodLogs: async (_ns, _pod, options) => {
          reads.push({ previous: options.previous ?? false, sinceSeconds: options.sinceSeconds });
          if (!options.previous) throw WAITING;
          return 'previous text';
        },
      });
      return gatherEsoLogs(aGatherContext({ kube }));
    };
    const f = await gather(pod(14, { waiting: { reason: 'CrashLoopBackOff' } }));
    expect(reads).toEqual([
      { previous: false, sinceSeconds: 3600 },
      { previous: true, sinceSeconds: undefined },
    ]);
    expect(f.pods[0]).toMatchObject({
      memoryLimit: '128Mi',
      lastTermination: { reason: 'OOMKilled', exitCode: 137 },
      previousLog: { kind: 'text', text: 'previous text' },
    });
    await gather(pod(0, { waiting: { reason: 'ContainerCreating' } }));
    expect(reads).toEqual([{ previous: false, sinceSeconds: 3600 }]);
  });
});
