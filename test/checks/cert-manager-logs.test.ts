import { describe, expect, it } from 'vitest';
import type { ControllerPod } from '../../src/checks/controller-logs.js';
import {
  certManagerLogsStep,
  evaluateCertManagerLogs as evaluateCertManagerLogsNode,
  gatherCertManagerLogs,
  type CertManagerLogsFacts,
} from '../../src/checks/ingress/cert-manager-logs.js';
import { GatewayError } from '../../src/gateways/errors.js';
import type { KubeObject, ListOptions, PodLogOptions } from '../../src/gateways/types.js';
import { fakeKube } from '../fakes/gateways.js';
import { aGatherContext } from '../fakes/scope.js';
import { showing, shown } from '../support/shown.js';

const evaluateCertManagerLogs = showing(evaluateCertManagerLogsNode);

const NOW = new Date('2025-06-02T10:00:00Z');
const POD = 'cert-manager-5c7d9b8f6-p9x2k';
const CHALLENGE = 'stg-cocdev-co-kr-tls-3-1375982045-2837461190';

/** A klog structured line `minutesAgo` before NOW. */
function klog(severity: 'I' | 'W' | 'E', minutesAgo: number, rest: string): string {
  const t = new Date(NOW.getTime() - minutesAgo * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const header = `${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}.000000`;
  return `${severity}${header}       1 sync.go:190] ${rest}`;
}

const propagation = (minutesAgo: number, ns = 'plate-stg', name = CHALLENGE) =>
  klog(
    'E',
    minutesAgo,
    `"propagation check failed" err="wrong status code '404', expected '200'" logger="cert-manager.challenges" resource_name="${name}" resource_namespace="${ns}" resource_kind="Challenge" resource_version="v1" dnsName="stg.cocdev.co.kr" type="HTTP-01"`,
  );
const issuerOk = (minutesAgo: number) =>
  klog(
    'I',
    minutesAgo,
    '"skipping re-verifying ACME account as cached registration details look sufficient" logger="cert-manager.controller" resource_name="letsencrypt-prod" resource_namespace="" resource_kind="ClusterIssuer" resource_version="v1"',
  );

function aPod(
  overrides: Partial<ControllerPod> = {},
  lines: string[] = [issuerOk(30), issuerOk(5)],
): ControllerPod {
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
    ...overrides,
  };
}

function facts(overrides: Partial<CertManagerLogsFacts> = {}): CertManagerLogsFacts {
  return {
    namespace: 'cert-manager',
    selectors: [
      'app=cert-manager',
      'app.kubernetes.io/name=cert-manager,app.kubernetes.io/component=controller',
    ],
    matchedSelector: 'app=cert-manager',
    pods: [aPod()],
    listFailure: null,
    namespacesInScope: null,
    tailLines: 200,
    sinceSeconds: 3600,
    warnings: {},
    keyed: [],
    ...overrides,
  };
}

const evaluate = (f: CertManagerLogsFacts) => evaluateCertManagerLogs(f, { now: NOW });
const LOGS_COMMAND = 'kubectl logs -n cert-manager -l app=cert-manager --tail=200';

describe('ingress.cert-manager-logs evaluate', () => {
  it('passes with a running, ready pod whose recent lines hold no errors', () => {
    expect(evaluate(facts())).toEqual({
      id: 'ingress.cert-manager-logs',
      title: 'cert-manager controller is running and not logging errors',
      status: 'pass',
      children: [
        {
          id: `ingress.cert-manager-logs:cert-manager/${POD}`,
          title: POD,
          subject: `Pod cert-manager/${POD}`,
          status: 'pass',
          message: 'running and ready',
        },
        {
          id: 'ingress.cert-manager-logs:errors',
          title: 'error lines',
          subject: 'cert-manager logs',
          status: 'pass',
          message: 'no errors in 2 lines from the last 1h',
        },
      ],
    });
  });

  it('fails on an error that keeps recurring right now for a Challenge, naming it and the runbook command', () => {
    const node = evaluate(facts({ pods: [aPod({}, [propagation(15), propagation(8), propagation(2)])] }));
    expect(node.status).toBe('fail');
    expect(node.children![1]).toEqual({
      id: `ingress.cert-manager-logs:Challenge plate-stg/${CHALLENGE}`,
      title: `Challenge plate-stg/${CHALLENGE}`,
      subject: `Challenge plate-stg/${CHALLENGE}`,
      // A log is a second view of its object: the Challenge's own check explains it.
      dependsOn: [`Challenge plate-stg/${CHALLENGE}`],
      status: 'fail',
      code: 'CONTROLLER_LOG_ERRORS',
      message:
        "propagation check failed: wrong status code '404', expected '200' (logged 3 times, last 2m ago)",
      hint: `Make the HTTP-01 solver for Challenge plate-stg/${CHALLENGE} reachable through ingress-nginx; the self-check did not get 200 from /.well-known/acme-challenge/.`,
      commands: [`kubectl describe challenge -n plate-stg ${CHALLENGE}`, LOGS_COMMAND],
    });
  });

  it.each([
    ['once', [propagation(2)], 'logged once, 2m ago'],
    [
      'repeatedly but not in the last 20 minutes',
      [propagation(50), propagation(40), propagation(30)],
      'logged 3 times, last 30m ago',
    ],
  ])('only warns about an error seen %s', (_case, lines, when) => {
    const node = evaluate(facts({ pods: [aPod({}, lines)] }));
    expect(node.status).toBe('warn');
    expect(node.children![1]).toMatchObject({
      status: 'warn',
      message: `propagation check failed: wrong status code '404', expected '200' (${when})`,
    });
  });

  it('warns, with the logs command only, about an error that names no object', () => {
    const line = klog(
      'E',
      1,
      '"re-queuing item due to error processing" err="ACME client for issuer not initialised/available" logger="cert-manager.controller"',
    );
    const node = evaluate(facts({ pods: [aPod({}, [line, line, line])] }));
    expect(node.children![1]).toEqual({
      id: 'ingress.cert-manager-logs:cert-manager logs',
      title: 'cert-manager logs',
      subject: 'cert-manager logs',
      status: 'warn',
      code: 'CONTROLLER_LOG_ERRORS',
      message:
        're-queuing item due to error processing: ACME client for issuer not initialised/available (logged 3 times, last 1m ago)',
      hint: 'Read the cert-manager log lines around this error; it names no object.',
      commands: [LOGS_COMMAND],
    });
  });

  it('leaves out errors about namespaces outside the run and says how many it left out', () => {
    const node = evaluate(
      facts({
        namespacesInScope: ['plate-prod'],
        pods: [aPod({}, [propagation(3), propagation(2), propagation(1)])],
      }),
    );
    expect(node.status).toBe('pass');
    expect(node.children![1]!.message).toBe(
      'no errors in 3 lines from the last 1h; 1 error about other namespaces not shown',
    );
  });

  it('recognises the ACME rate limit in the old logr form and says to wait it out', () => {
    const line = (minutesAgo: number) =>
      klog(
        'E',
        minutesAgo,
        'cert-manager/controller/orders "msg"="failed to create Order resource due to bad request, marking Order as failed" "error"="429 urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many new orders recently: see https://letsencrypt.org/docs/rate-limits/" "resource_kind"="Order" "resource_name"="stg-cocdev-co-kr-tls-3-1375982045" "resource_namespace"="plate-stg" "resource_version"="v1"',
      );
    const leaf = evaluate(facts({ pods: [aPod({}, [line(9), line(4), line(1)])] })).children![1]!;
    expect(leaf).toMatchObject({
      subject: 'Order plate-stg/stg-cocdev-co-kr-tls-3-1375982045',
      status: 'fail',
      hint: "Wait until the Let's Encrypt rate limit in the error resets, and fix what made the earlier orders fail before retrying.",
      commands: ['kubectl describe order -n plate-stg stg-cocdev-co-kr-tls-3-1375982045', LOGS_COMMAND],
    });
  });

  it('folds two different errors about one object into one leaf, led by the more frequent', () => {
    const other = klog(
      'E',
      1,
      `"error waiting for authorization" err="acme: authorization error" logger="cert-manager.controller.acceptChallenge" resource_name="${CHALLENGE}" resource_namespace="plate-stg" resource_kind="Challenge"`,
    );
    const node = evaluate(
      facts({ pods: [aPod({}, [propagation(9), propagation(4), other, propagation(2)])] }),
    );
    expect(node.children!.map((c) => c.id)).toEqual([
      `ingress.cert-manager-logs:cert-manager/${POD}`,
      `ingress.cert-manager-logs:Challenge plate-stg/${CHALLENGE}`,
    ]);
    expect(node.children![1]).toMatchObject({
      status: 'fail',
      message:
        "propagation check failed: wrong status code '404', expected '200' (logged 3 times, last 2m ago); and 1 other error about it",
    });
  });

  it('names the ClusterIssuer a bare key points at, and folds its errors into one leaf (cert-manager < v1.16)', () => {
    // pkg/controller/controller.go before cert-manager v1.16 logged the work item as key="name" only.
    const requeue = (minutesAgo: number, err: string) =>
      klog(
        'E',
        minutesAgo,
        `"re-queuing item due to error processing" err="${err}" logger="cert-manager.controller" key="letsencrypt-prod"`,
      );
    const errors = [
      requeue(14, 'ACME client for issuer not initialised/available'),
      requeue(9, 'ACME client for issuer not initialised/available'),
      requeue(5, 'ACME client for issuer not initialised/available'),
      requeue(3, 'Get \\"https://acme-v02.api.letsencrypt.org/directory\\": context deadline exceeded'),
    ];
    const node = evaluate(
      facts({
        pods: [aPod({}, errors)],
        keyed: [{ kind: 'ClusterIssuer', namespace: null, name: 'letsencrypt-prod' }],
      }),
    );
    expect(node.children![1]).toEqual({
      id: 'ingress.cert-manager-logs:ClusterIssuer letsencrypt-prod',
      title: 'ClusterIssuer letsencrypt-prod',
      subject: 'ClusterIssuer letsencrypt-prod',
      dependsOn: ['ClusterIssuer letsencrypt-prod'],
      status: 'fail',
      code: 'CONTROLLER_LOG_ERRORS',
      message:
        're-queuing item due to error processing: ACME client for issuer not initialised/available (logged 3 times, last 5m ago); and 1 other error about it',
      hint: 'Check the status and events of ClusterIssuer letsencrypt-prod; cert-manager fails on it.',
      commands: ['kubectl describe clusterissuer letsencrypt-prod', LOGS_COMMAND],
    });
    expect(node.children).toHaveLength(2);
  });

  it('warns about warning lines that name an object in scope and log no error, and ignores the others', () => {
    // cert-manager's certificate-shim warns when an Ingress TLS entry cannot become a Certificate.
    const shim = klog(
      'W',
      4,
      '"skipping ingress TLS entry" err="TLS entry 1 for hosts [docs.cocdev.co.kr] must specify a secretName" logger="cert-manager.controller" resource_name="plate-ingress" resource_namespace="plate-stg" resource_kind="Ingress" resource_version="v1"',
    );
    const elsewhere = klog(
      'W',
      3,
      '"skipping ingress TLS entry" err="no secretName" logger="cert-manager.controller" resource_name="other" resource_namespace="team-a" resource_kind="Ingress" resource_version="v1"',
    );
    const nameless = klog('W', 2, '"leader election lost, restarting" logger="cert-manager.controller"');
    const node = evaluate(
      facts({ pods: [aPod({}, [shim, elsewhere, nameless])], namespacesInScope: ['plate-stg'] }),
    );
    expect(node.children!.map((c) => c.id)).toEqual([
      `ingress.cert-manager-logs:cert-manager/${POD}`,
      'ingress.cert-manager-logs:Ingress plate-stg/plate-ingress',
    ]);
    expect(node.children![1]).toMatchObject({
      status: 'warn',
      code: 'CONTROLLER_LOG_WARNINGS',
      message:
        'skipping ingress TLS entry: TLS entry 1 for hosts [docs.cocdev.co.kr] must specify a secretName (logged once, 4m ago)',
      hint: 'Check the status and events of Ingress plate-stg/plate-ingress; cert-manager warns about it.',
    });
  });

  it('fails when no pod matches any selector, listing the selectors tried', () => {
    expect(evaluate(facts({ pods: [], matchedSelector: null })).children).toEqual([
      {
        id: 'ingress.cert-manager-logs:pods',
        title: 'cert-manager pods',
        subject: 'pods in cert-manager',
        status: 'fail',
        code: 'CONTROLLER_PODS_MISSING',
        message:
          'no pods in cert-manager match "app=cert-manager" or "app.kubernetes.io/name=cert-manager,app.kubernetes.io/component=controller"',
        hint: 'Install or start the cert-manager controller in cert-manager, or set certManager.podSelectors in platform.yaml to the labels its pods carry.',
        commands: ['kubectl get pods -n cert-manager --show-labels'],
      },
    ]);
  });

  it('reports error, not fail, when listing pods is forbidden, and names the permission', () => {
    const node = shown(
      evaluateCertManagerLogsNode(
        facts({
          pods: [],
          matchedSelector: null,
          listFailure: {
            kind: 'forbidden',
            message: 'pods is forbidden',
            permission: 'list pods in cert-manager',
          },
        }),
        { now: NOW },
      ),
      { flags: ['--context', 'prod'] },
    );
    expect(node.status).toBe('error');
    expect(node.children![0]).toMatchObject({
      status: 'error',
      message: 'not allowed to list pods in cert-manager',
      hint: 'Grant "list pods in cert-manager" to the identity running the doctor, or run it with a kubeconfig that has it.',
      commands: ['kubectl --context prod auth can-i list pods -n cert-manager'],
    });
  });

  it('reports an error leaf for a pod whose logs may not be read, and still judges the pod', () => {
    const node = evaluate(
      facts({
        pods: [
          aPod({
            log: {
              kind: 'failed',
              failure: {
                kind: 'forbidden',
                message: 'forbidden',
                permission: 'get pods/log in cert-manager',
              },
            },
          }),
        ],
      }),
    );
    expect(node.children).toEqual([
      expect.objectContaining({ status: 'pass', message: 'running and ready' }),
      {
        id: `ingress.cert-manager-logs:cert-manager/${POD}:logs`,
        title: `logs of ${POD}`,
        subject: `logs of Pod cert-manager/${POD}`,
        status: 'error',
        code: 'CHECK_FORBIDDEN',
        message: 'not allowed to get pods/log in cert-manager',
        hint: 'Grant "get pods/log in cert-manager" to the identity running the doctor, or run it with a kubeconfig that has it.',
        commands: ['kubectl auth can-i get pods --subresource=log -n cert-manager'],
      },
    ]);
  });

  it.each([
    [
      'waiting for its image',
      { waitingReason: 'ImagePullBackOff', phase: 'Pending' },
      'fail',
      'waiting: ImagePullBackOff, restarted 0 times',
    ],
    ['pending', { phase: 'Pending' }, 'fail', 'phase Pending, expected Running'],
    ['not ready', { isReady: false }, 'fail', 'running but not ready'],
    [
      'restarted within the log window',
      {
        restartCount: 1,
        lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2025-06-02T09:48:00Z' },
      },
      'warn',
      'running and ready, but restarted 1 time, last 12m ago (OOMKilled)',
    ],
    [
      'restarted long ago',
      {
        restartCount: 2,
        lastTermination: { reason: 'Error', exitCode: 1, finishedAt: '2025-05-20T09:48:00Z' },
      },
      'pass',
      'running and ready',
    ],
  ] as const)('judges a controller pod %s', (_case, overrides, status, message) => {
    const leaf = evaluate(facts({ pods: [aPod(overrides)] })).children![0]!;
    expect(leaf).toMatchObject({ status, message });
    if (status !== 'pass') {
      expect(leaf.hint).toBe(
        `Find out from its events and previous logs why cert-manager pod cert-manager/${POD} is not running steadily.`,
      );
      expect(leaf.commands).toEqual([
        `kubectl describe pod -n cert-manager ${POD}`,
        `kubectl logs -n cert-manager ${POD} --previous --tail=50`,
      ]);
    }
  });

  it("adds the pod's own Warning event to a pod that is not running, such as the image it cannot pull", () => {
    const pod = aPod({ waitingReason: 'ImagePullBackOff', phase: 'Pending', isReady: false }, []);
    const message =
      'Failed to pull image "quay.io/jetstack/cert-manager-controller:v1.16.9": rpc error: code = NotFound desc = failed to pull and unpack image "quay.io/jetstack/cert-manager-controller:v1.16.9": failed to resolve reference "quay.io/jetstack/cert-manager-controller:v1.16.9": quay.io/jetstack/cert-manager-controller:v1.16.9: not found';
    const warnings = { [`Pod cert-manager/${POD}`]: { reason: 'Failed', message, at: null, count: 4 } };
    const [leaf] = evaluate(facts({ pods: [pod], warnings })).children!;
    expect(leaf).toMatchObject({
      status: 'fail',
      code: 'CONTROLLER_NOT_READY',
      message: `waiting: ImagePullBackOff, restarted 0 times; event Failed (×4): ${message}`,
    });
  });

  it('never copies a token-shaped value from a log line into the report', () => {
    const leaked = klog('E', 1, '"lookup failed" err="token s.CANARY-prod-token-4f9c2a71 rejected"');
    const text = JSON.stringify(evaluate(facts({ pods: [aPod({}, [leaked])] })));
    expect(text).not.toContain('CANARY');
    expect(text).toContain('lookup failed: token <token> rejected');
  });
});

describe('gatherCertManagerLogs', () => {
  const controller: KubeObject = {
    metadata: { name: POD, namespace: 'cert-manager' },
    spec: { containers: [{ name: 'cert-manager-controller' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: 'cert-manager-controller',
          restartCount: 1,
          state: { running: {} },
          lastState: { terminated: { reason: 'OOMKilled', finishedAt: '2025-06-02T09:48:00Z' } },
        },
      ],
    },
  };

  it('tries the selectors in order and reads the first container of each matching pod', async () => {
    const listed: (string | undefined)[] = [];
    const reads: [string, string, PodLogOptions][] = [];
    const kube = fakeKube({
      list: async (_kind, options: ListOptions) => {
        listed.push(options.labelSelector);
        return options.labelSelector === 'app=cert-manager' ? [] : [controller];
      },
      readPodLogs: async (ns, pod, options) => {
        reads.push([ns, pod, options]);
        return 'log text';
      },
    });
    const f = await gatherCertManagerLogs(aGatherContext({ kube }, { namespaces: ['plate-stg'] }));
    expect(listed).toEqual([
      'app=cert-manager',
      'app.kubernetes.io/name=cert-manager,app.kubernetes.io/component=controller',
    ]);
    expect(reads).toEqual([
      [
        'cert-manager',
        POD,
        { container: 'cert-manager-controller', tailLines: 200, sinceSeconds: 3600, timestamps: true },
      ],
    ]);
    expect(f).toEqual<CertManagerLogsFacts>({
      namespace: 'cert-manager',
      selectors: [
        'app=cert-manager',
        'app.kubernetes.io/name=cert-manager,app.kubernetes.io/component=controller',
      ],
      matchedSelector: 'app.kubernetes.io/name=cert-manager,app.kubernetes.io/component=controller',
      pods: [
        {
          name: POD,
          phase: 'Running',
          isReady: true,
          restartCount: 1,
          waitingReason: null,
          lastTermination: { reason: 'OOMKilled', exitCode: null, finishedAt: '2025-06-02T09:48:00Z' },
          memoryLimit: null,
          log: { kind: 'text', text: 'log text' },
          previousLog: null,
        },
      ],
      listFailure: null,
      namespacesInScope: ['plate-stg'],
      tailLines: 200,
      sinceSeconds: 3600,
      warnings: {},
      keyed: [],
    });
  });

  it('lists the objects a bare key may name only when a line carries one', async () => {
    const listed: string[] = [];
    const gather = (text: string) =>
      gatherCertManagerLogs(
        aGatherContext({
          kube: fakeKube({
            list: async (kind) => {
              listed.push(kind);
              if (kind === 'pods') return [controller];
              if (kind === 'clusterissuers') return [{ metadata: { name: 'letsencrypt-prod' } }];
              return [];
            },
            readPodLogs: async () => text,
          }),
        }),
      );
    await gather('no keys here');
    expect(listed).toEqual(['pods']);
    listed.length = 0;
    const f = await gather(
      'E0203 21:49:52.058394       1 controller.go:157] "re-queuing item" key="letsencrypt-prod"',
    );
    expect(listed.sort()).toEqual(['certificates', 'clusterissuers', 'issuers', 'pods']);
    expect(f.keyed).toEqual([{ kind: 'ClusterIssuer', namespace: null, name: 'letsencrypt-prod' }]);
  });

  it('keeps a forbidden pod list as a failure with its permission, without reading logs', async () => {
    const kube = fakeKube({
      list: async () => {
        throw new GatewayError('kubernetes', 'forbidden', 'pods is forbidden', {
          permission: 'list pods in cert-manager',
        });
      },
    });
    const f = await gatherCertManagerLogs(aGatherContext({ kube }));
    expect(f.listFailure).toEqual({
      kind: 'forbidden',
      message: 'pods is forbidden',
      permission: 'list pods in cert-manager',
    });
    expect(f.pods).toEqual([]);
  });

  it('keeps a failed log read per pod and lets a non-gateway error crash the step', async () => {
    const timeout = fakeKube({
      list: async () => [controller],
      readPodLogs: async () => {
        throw new GatewayError('kubernetes', 'timeout', 'no answer within 5s');
      },
    });
    const f = await gatherCertManagerLogs(aGatherContext({ kube: timeout }));
    expect(f.pods[0]!.log).toEqual({
      kind: 'failed',
      failure: { kind: 'timeout', message: 'no answer within 5s', permission: null },
    });

    const bug = fakeKube({
      list: async () => [controller],
      readPodLogs: async () => {
        throw new TypeError('boom');
      },
    });
    await expect(gatherCertManagerLogs(aGatherContext({ kube: bug }))).rejects.toThrow('boom');
  });

  it('is registered under its contract id with gather and evaluate', () => {
    expect(certManagerLogsStep).toMatchObject({
      id: 'ingress.cert-manager-logs',
      gather: gatherCertManagerLogs,
    });
  });
});
