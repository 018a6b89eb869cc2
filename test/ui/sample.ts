import { group, summarize, worstOf, type Report, type ResultNode } from '../../src/checks/result.js';
import type { PlannedRunbook } from '../../src/engine/events.js';
import type { RunProgress as RunEvent } from '../../src/ui/state.js';
import { reduce, initialState, type DoctorAction, type DoctorState } from '../../src/ui/state.js';

/** A small dns-mismatch-like run: one failing host beside passing ones, and a passing runbook. */
export const PLAN: PlannedRunbook[] = [
  {
    id: 'ingress',
    title: 'Ingress, certificates and DNS',
    steps: [
      { id: 'ingress.resources', title: 'Ingresses are admitted and have an address' },
      { id: 'ingress.dns', title: 'DNS records point at the ingress load balancer' },
    ],
  },
  {
    id: 'secrets',
    title: 'Secrets from OpenBao',
    steps: [{ id: 'secrets.stores', title: 'SecretStores are ready' }],
  },
];

export const TARGET: Report['target'] = { context: 'kind-demo', cluster: 'demo', env: 'stg' };

const leaf = (id: string, subject: string, extra: Partial<ResultNode> = {}): ResultNode => ({
  id,
  title: subject,
  subject,
  status: 'pass',
  ...extra,
});

export const RESOURCES: ResultNode = {
  ...group('ingress.resources', 'Ingresses are admitted and have an address', [
    leaf('ingress.resources:plate-stg/plate-ingress', 'Ingress plate-stg/plate-ingress', {
      message: 'address 127.0.10.10',
    }),
    leaf('ingress.resources:plate-prod/plate-ingress', 'Ingress plate-prod/plate-ingress', {
      message: 'address 127.0.10.10',
    }),
  ]),
  durationMs: 42,
};

export const DNS_FAILING: ResultNode = {
  ...group('ingress.dns', 'DNS records point at the ingress load balancer', [
    leaf('ingress.dns:cocdev.co.kr', 'host cocdev.co.kr', { message: 'resolves to 127.0.10.10' }),
    leaf('ingress.dns:stg.cocdev.co.kr', 'host stg.cocdev.co.kr', {
      status: 'fail',
      code: 'DNS_WRONG_TARGET',
      message: 'resolves to 127.0.10.9, load balancer is 127.0.10.10',
      hint: 'Update the A record of stg.cocdev.co.kr to 127.0.10.10; it still points at an old address.',
      commands: ['dig +short stg.cocdev.co.kr', 'kubectl get ingress -n plate-stg -o wide'],
    }),
    leaf('ingress.dns:llm.cocdev.co.kr', 'host llm.cocdev.co.kr', { message: 'resolves to 127.0.10.10' }),
  ]),
  durationMs: 1234,
};

export const DNS_FIXED: ResultNode = {
  ...group('ingress.dns', 'DNS records point at the ingress load balancer', [
    leaf('ingress.dns:cocdev.co.kr', 'host cocdev.co.kr', { message: 'resolves to 127.0.10.10' }),
    leaf('ingress.dns:stg.cocdev.co.kr', 'host stg.cocdev.co.kr', { message: 'resolves to 127.0.10.10' }),
    leaf('ingress.dns:llm.cocdev.co.kr', 'host llm.cocdev.co.kr', { message: 'resolves to 127.0.10.10' }),
  ]),
  durationMs: 15,
};

export const STORES: ResultNode = {
  ...group('secrets.stores', 'SecretStores are ready', [
    leaf('secrets.stores:plate-stg/openbao', 'SecretStore plate-stg/openbao', {
      message: 'Valid: store validated',
    }),
  ]),
  durationMs: 7,
};

/** The report the engine would assemble from these step nodes. */
export function reportOf(steps: { resources: ResultNode; dns: ResultNode; stores: ResultNode }): Report {
  const runbooks = [
    group('ingress', PLAN[0]!.title, [steps.resources, steps.dns]),
    group('secrets', PLAN[1]!.title, [steps.stores]),
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'platform-doctor', version: '0.1.0' },
    startedAt: '2025-01-01T03:00:00.000Z',
    durationMs: 1300,
    target: TARGET,
    status: worstOf(runbooks.map((r) => r.status)),
    summary: summarize(runbooks),
    runbooks,
  };
}

/** The events of one whole run, in the order the engine sends them. */
export function runEvents(dns: ResultNode = DNS_FAILING): RunEvent[] {
  return [
    { type: 'run-started', plan: PLAN, target: TARGET },
    { type: 'step-started', runbook: 'ingress', step: 'ingress.resources' },
    { type: 'step-started', runbook: 'ingress', step: 'ingress.dns' },
    { type: 'step-finished', runbook: 'ingress', step: 'ingress.resources', node: RESOURCES },
    { type: 'step-started', runbook: 'secrets', step: 'secrets.stores' },
    { type: 'step-finished', runbook: 'secrets', step: 'secrets.stores', node: STORES },
    { type: 'step-finished', runbook: 'ingress', step: 'ingress.dns', node: dns },
    { type: 'done', report: reportOf({ resources: RESOURCES, dns, stores: STORES }) },
  ];
}

/** Reduces events (stamped 100ms apart from 1000) and then the given actions. */
export function stateAfter(events: RunEvent[], actions: DoctorAction[] = [], verbose = false): DoctorState {
  const fromEvents = events.reduce<DoctorState>(
    (state, event, i) => reduce(state, { type: 'run-event', event, atMs: 1000 + i * 100 }),
    initialState({ verbose }),
  );
  return actions.reduce(reduce, fromEvents);
}
