import {
  evaluateControllerLogs,
  gatherControllerLogs,
  type ControllerLogsFacts,
  type ControllerSpec,
} from '../controller-logs.js';
import type { CheckNode } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { kubectl } from '../command.js';

/** What `gatherEsoLogs` learned about the External Secrets controller pods and their recent logs. */
export type EsoLogsFacts = ControllerLogsFacts;

const spec: ControllerSpec = {
  stepId: 'secrets.eso-logs',
  title: 'External Secrets controller is running and not logging errors',
  component: 'External Secrets',
  profileKey: 'externalSecrets',
  // The platform runbook reads one controller pod by name.
  logsCommand: (facts, pod) => kubectl`logs -n ${facts.namespace} ${pod} --tail=${facts.tailLines}`,
};

/** Finds the ESO controller pods (profile.externalSecrets selectors, in order) and reads their logs. */
export function gatherEsoLogs(ctx: GatherContext): Promise<EsoLogsFacts> {
  return gatherControllerLogs(ctx, ctx.scope.profile.externalSecrets);
}

/** Pure: pod health plus de-duplicated error lines linked to the ExternalSecret/SecretStore they name. */
export function evaluateEsoLogs(facts: EsoLogsFacts, ctx: { now: Date }): CheckNode {
  return evaluateControllerLogs(spec, facts, ctx.now);
}

export const esoLogsStep = defineStep<EsoLogsFacts>({
  id: spec.stepId,
  title: spec.title,
  gather: gatherEsoLogs,
  evaluate: evaluateEsoLogs,
});
