import type { KubeObject } from '../../gateways/types.js';
import { appUnhealthy, argoNotInstalled, type AppProblem } from './hints.js';
import { listFailureLeaf } from '../could-not-check.js';
import type { FindingCode } from '../codes.js';
import { group, worstOf, type CheckNode, type Status } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { itemsOf, listInScope, type ListFailure } from '../listing.js';
import { at, conditionOf, lookup, nonEmptyString, oneLine, records, string } from '../kube-object.js';

const ID = 'gitops.applications';
const TITLE = 'Argo CD Applications are Synced and Healthy';

/** Condition types that mean Argo CD cannot render, compare, sync or delete the app, and what they call for. */
const ERROR_CONDITIONS: Record<string, AppProblem> = {
  InvalidSpecError: 'spec',
  ComparisonError: 'comparison',
  UnknownError: 'comparison',
  SyncError: 'sync-failed',
  DeletionError: 'sync-failed',
};

/** The finding code of each kind of Application problem. */
const PROBLEM_CODES: Record<AppProblem, FindingCode> = {
  spec: 'APP_SPEC_INVALID',
  comparison: 'APP_COMPARISON_FAILED',
  'sync-failed': 'APP_SYNC_FAILED',
  degraded: 'APP_DEGRADED',
  related: 'APP_DEGRADED',
  progressing: 'APP_PROGRESSING',
  'out-of-sync': 'APP_OUT_OF_SYNC',
  warning: 'APP_WARNING_CONDITION',
};

/** What the doctor needs of an Application. */
export interface AppInfo {
  namespace: string;
  name: string;
  destinationNamespace: string | null;
  syncStatus: string | null;
  healthStatus: string | null;
  healthMessage: string | null;
  conditions: { type: string; message: string }[];
  operation: { phase: string; message: string | null } | null;
  revision: string | null;
}

/** Reads an Argo CD Application (argoproj.io/v1alpha1). */
export function readApplication(obj: KubeObject): AppInfo {
  const status = obj.status;
  const healthMessage = nonEmptyString(at(status, 'health', 'message'));
  const phase = nonEmptyString(at(status, 'operationState', 'phase'));
  const operationMessage = nonEmptyString(at(status, 'operationState', 'message'));
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    destinationNamespace: nonEmptyString(at(obj.spec, 'destination', 'namespace')),
    syncStatus: string(at(status, 'sync', 'status')),
    healthStatus: string(at(status, 'health', 'status')),
    healthMessage: healthMessage ? oneLine(healthMessage) : null,
    conditions: records(at(status, 'conditions')).map((c) => ({
      type: string(c.type) ?? '',
      message: oneLine(string(c.message) ?? ''),
    })),
    operation: phase ? { phase, message: operationMessage ? oneLine(operationMessage) : null } : null,
    revision: string(at(status, 'sync', 'revision')),
  };
}

/** What `gatherApplications` learned. */
export interface ApplicationsFacts {
  argocdNamespace: string;
  isArgoInstalled: boolean;
  listFailure: ListFailure | null;
  apps: AppInfo[];
  /** Per destination namespace: failing ExternalSecrets and Ingresses. */
  failingByNamespace: Record<string, FailingObject[]>;
}

/** An object of another runbook seen failing: `ExternalSecret plate-stg/x`, and why when its name does not say. */
export interface FailingObject {
  subject: string;
  why: string | null;
}

/**
 * Lists Applications in every namespace (apps-in-any-namespace), falling back to the Argo CD namespace when
 * a cluster-wide list is forbidden; then the ExternalSecrets and Ingresses of each destination namespace.
 */
export async function gatherApplications(ctx: GatherContext): Promise<ApplicationsFacts> {
  const argocdNamespace = ctx.scope.profile.argocd.namespace;
  let listed = await listInScope(ctx, 'applications', null);
  if (listed.kind === 'failed' && listed.failures[0].failure.kind === 'forbidden') {
    listed = await listInScope(ctx, 'applications', [argocdNamespace]);
  }
  const base = { argocdNamespace, failingByNamespace: {} };
  if (listed.kind === 'failed') {
    return { ...base, isArgoInstalled: true, listFailure: listed.failures[0], apps: [] };
  }
  if (listed.kind === 'not-served') return { ...base, isArgoInstalled: false, listFailure: null, apps: [] };

  const scope = ctx.scope.namespaces;
  const apps = itemsOf(listed)
    // Outside the control-plane namespace only apps Argo CD reconciles (apps-in-any-namespace) have a status.
    .filter((o) => o.metadata.namespace === argocdNamespace || at(o.status, 'sync') !== undefined)
    .map(readApplication)
    .filter(
      (a) => scope === null || a.destinationNamespace === null || scope.includes(a.destinationNamespace),
    )
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));

  const destinations = [
    ...new Set(apps.map((a) => a.destinationNamespace).filter((n): n is string => n !== null)),
  ];
  const failing = await Promise.all(
    destinations.map(async (namespace) => [namespace, await failingIn(ctx, namespace)] as const),
  );
  return {
    ...base,
    isArgoInstalled: true,
    listFailure: null,
    apps,
    failingByNamespace: Object.fromEntries(failing),
  };
}

/** Objects of the other runbooks that are visibly failing in a namespace; unreadable kinds are left out. */
async function failingIn(ctx: GatherContext, namespace: string): Promise<FailingObject[]> {
  const [externalSecrets, ingresses] = await Promise.all([
    listInScope(ctx, 'externalsecrets', [namespace]),
    listInScope(ctx, 'ingresses', [namespace]),
  ]);
  const found: FailingObject[] = [];
  for (const es of itemsOf(externalSecrets)) {
    if (conditionOf(es, 'Ready')?.status === 'False')
      found.push({ subject: `ExternalSecret ${namespace}/${es.metadata.name}`, why: null });
  }
  for (const ing of itemsOf(ingresses)) {
    const lb = records(at(ing.status, 'loadBalancer', 'ingress'));
    if (!lb.some((e) => Object.keys(e).length > 0)) {
      found.push({ subject: `Ingress ${namespace}/${ing.metadata.name}`, why: 'no load balancer address' });
    }
  }
  return found.sort((a, b) => a.subject.localeCompare(b.subject));
}

/** Pure: one leaf per Application; status is the worst of its sync, health, conditions and last operation. */
export function evaluateApplications(facts: ApplicationsFacts): CheckNode {
  if (!facts.isArgoInstalled) {
    return {
      id: ID,
      title: TITLE,
      status: 'skip',
      code: 'ARGOCD_NOT_INSTALLED',
      message: 'Argo CD is not installed',
      hint: argoNotInstalled(),
    };
  }
  if (facts.listFailure) return group(ID, TITLE, [listFailureLeaf(ID, facts.listFailure)]);
  return group(
    ID,
    TITLE,
    facts.apps.map((a) => appLeaf(a, facts)),
    'no Argo CD Applications in scope',
  );
}

function appLeaf(app: AppInfo, facts: ApplicationsFacts): CheckNode {
  const subject = `Application ${app.namespace}/${app.name}`;
  const base = { id: `${ID}:${app.namespace}/${app.name}`, title: subject, subject };
  const findings: { status: Status; problem: AppProblem; text: string }[] = [];
  for (const c of app.conditions) {
    const problem = lookup(ERROR_CONDITIONS, c.type);
    if (problem) {
      findings.push({ status: 'fail', problem, text: `${c.type}: ${c.message}` });
    } else if (c.type.endsWith('Warning')) {
      findings.push({ status: 'warn', problem: 'warning', text: `${c.type}: ${c.message}` });
    }
  }
  if (app.operation && (app.operation.phase === 'Failed' || app.operation.phase === 'Error')) {
    findings.push({
      status: 'fail',
      problem: 'sync-failed',
      text: `last sync ${app.operation.phase}${app.operation.message ? `: ${app.operation.message}` : ''}`,
    });
  }
  const health = app.healthStatus ?? 'Unknown';
  const healthText = `health ${health}${app.healthMessage ? ` (${app.healthMessage})` : ''}`;
  if (health === 'Degraded' || health === 'Missing')
    findings.push({ status: 'fail', problem: 'degraded', text: healthText });
  else if (health === 'Progressing' || health === 'Suspended' || health === 'Unknown') {
    findings.push({ status: 'warn', problem: 'progressing', text: healthText });
  }
  const sync = app.syncStatus ?? 'Unknown';
  // Unknown sync means Argo CD could not compare at all: we cannot tell whether the app matches Git.
  if (sync === 'Unknown') findings.push({ status: 'error', problem: 'comparison', text: 'sync Unknown' });
  else if (sync === 'OutOfSync')
    findings.push({ status: 'warn', problem: 'out-of-sync', text: 'sync OutOfSync' });

  if (findings.length === 0) {
    const at = app.revision ? ` at ${app.revision.slice(0, 7)}` : '';
    return { ...base, status: 'pass', message: `Synced, Healthy${at}` };
  }
  const related = app.destinationNamespace
    ? (lookup(facts.failingByNamespace, app.destinationNamespace) ?? [])
    : [];
  const status = worstOf(findings.map((f) => f.status));
  const worst = findings.find((f) => f.status === status) as (typeof findings)[number];
  const relatedText = related.length
    ? ` — ${app.destinationNamespace} has failing ${related.map((r) => (r.why ? `${r.subject} (${r.why})` : r.subject)).join(', ')}`
    : '';
  // A Degraded app whose namespace holds a failing object is usually that object's fault: point there.
  const isRelated = related.length > 0 && worst.problem === 'degraded';
  return {
    ...base,
    status,
    message: `${findings.map((f) => f.text).join('; ')}${relatedText}`,
    code: PROBLEM_CODES[worst.problem],
    ...(isRelated ? { dependsOn: related.map((r) => r.subject) } : {}),
    ...appUnhealthy(
      app,
      isRelated ? 'related' : worst.problem,
      related[0]?.subject ?? null,
      facts.argocdNamespace,
    ),
  };
}

/** `gitops.applications`: every Argo CD Application in scope is Synced and Healthy. */
export const applicationsStep = defineStep<ApplicationsFacts>({
  id: ID,
  title: TITLE,
  gather: gatherApplications,
  evaluate: (facts) => evaluateApplications(facts),
});
