import {
  evaluateControllerLogs,
  gatherControllerLogs,
  type ControllerLogsFacts,
  type ControllerSpec,
  type KeyedKind,
} from '../controller-logs.js';
import type { CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { kubectl } from '../command.js';

/** What `gatherCertManagerLogs` learned about the cert-manager controller pods and their recent logs. */
export type CertManagerLogsFacts = ControllerLogsFacts;

const spec: ControllerSpec = {
  stepId: 'ingress.cert-manager-logs',
  title: 'cert-manager controller is running and not logging errors',
  component: 'cert-manager',
  profileKey: 'certManager',
  // The platform runbook's own command: every controller replica, by the selector that found them.
  logsCommand: (facts) =>
    kubectl`logs -n ${facts.namespace} -l ${facts.matchedSelector ?? ''} --tail=${facts.tailLines}`,
};

/** What cert-manager's work queue keys name: issuers first, as their controllers log the bare key most. */
const KEYED_KINDS: KeyedKind[] = [
  { kind: 'clusterissuers', label: 'ClusterIssuer' },
  { kind: 'issuers', label: 'Issuer' },
  { kind: 'certificates', label: 'Certificate' },
];

/** Finds the cert-manager controller pods (profile.certManager selectors, in order) and reads their logs. */
export function gatherCertManagerLogs(ctx: GatherContext): Promise<CertManagerLogsFacts> {
  return gatherControllerLogs(ctx, ctx.scope.profile.certManager, KEYED_KINDS);
}

/** Pure: pod health plus de-duplicated error lines linked to the Challenge/Order/Certificate they name. */
export function evaluateCertManagerLogs(facts: CertManagerLogsFacts, ctx: { now: Date }): CheckNode {
  return evaluateControllerLogs(spec, facts, ctx.now);
}

export const certManagerLogsStep = defineStep<CertManagerLogsFacts>({
  id: spec.stepId,
  title: spec.title,
  gather: gatherCertManagerLogs,
  evaluate: evaluateCertManagerLogs,
});
