import type { KubeObject } from '../../gateways/types.js';
import { appUnhealthy, argoNotInstalled, type AppProblem } from './hints.js';
import { listFailureLeaf } from '../could-not-check.js';
import type { FindingCode } from '../codes.js';
import { group, worstOf, type CheckNode, type Status } from '../result.js';
import { defineStep, type GatherContext } from '../step.js';
import { itemsOf, listInScope, type ListFailure } from '../listing.js';
import {
  at,
  conditionOf,
  count,
  lookup,
  nonEmptyString,
  number,
  oneLine,
  record,
  records,
  string,
  timestamp,
} from '../kube-object.js';

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
  stuck: 'APP_STUCK_PROGRESSING',
  'retries-exhausted': 'APP_SYNC_RETRIES_EXHAUSTED',
  wave: 'APP_SYNC_WAVE_ORDER',
  'out-of-sync': 'APP_OUT_OF_SYNC',
  warning: 'APP_WARNING_CONDITION',
};

/** What the doctor needs of an Application. */
export interface AppInfo {
  namespace: string;
  name: string;
  destinationNamespace: string | null;
  /** `spec.source.path` (the first source's for multi-source apps). */
  sourcePath: string | null;
  syncStatus: string | null;
  healthStatus: string | null;
  healthMessage: string | null;
  /** When health last changed (`status.health.lastTransitionTime`, Argo CD ≥ 2.11). */
  healthSince: string | null;
  conditions: { type: string; message: string }[];
  operation: {
    phase: string;
    message: string | null;
    /** Whether automated sync started it (`operation.initiatedBy.automated`). */
    isAutomated: boolean;
    retryCount: number;
    /** `operation.retry.limit`: negative retries forever; null when the operation does not say. */
    retryLimit: number | null;
    finishedAt: string | null;
    revision: string | null;
  } | null;
  revision: string | null;
  /** `spec.syncPolicy`: automated sync, its pruning, and the retry policy written in Git. */
  policy: {
    isAutomated: boolean;
    prunes: boolean;
    retry: { limit: number | null; duration: string | null; maxDuration: string | null } | null;
  };
  /** `argocd.argoproj.io/sync-wave`, 0 when absent (Argo CD's default). */
  syncWave: number;
  /** The app-of-apps that manages this Application (its tracking label); null when none does. */
  parent: string | null;
  /** Live resources that differ from Git, and whether each only waits to be pruned. */
  outOfSync: { kind: string; name: string; requiresPruning: boolean }[];
}

/** Reads an Argo CD Application (argoproj.io/v1alpha1). */
export function readApplication(obj: KubeObject): AppInfo {
  const status = obj.status;
  const healthMessage = nonEmptyString(at(status, 'health', 'message'));
  const state = at(status, 'operationState');
  const phase = nonEmptyString(at(state, 'phase'));
  const operationMessage = nonEmptyString(at(state, 'message'));
  const automated = at(obj.spec, 'syncPolicy', 'automated');
  const retry = at(obj.spec, 'syncPolicy', 'retry');
  const wave = Number(obj.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
  // Argo CD tracks what an app-of-apps manages by label (default) or annotation (`<app>:<group>/<kind>…`).
  const trackingId = obj.metadata.annotations?.['argocd.argoproj.io/tracking-id'];
  const parent =
    obj.metadata.labels?.['app.kubernetes.io/instance'] ?? (trackingId ? trackingId.split(':')[0]! : null);
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    destinationNamespace: nonEmptyString(at(obj.spec, 'destination', 'namespace')),
    sourcePath:
      nonEmptyString(at(obj.spec, 'source', 'path')) ??
      nonEmptyString(at(records(at(obj.spec, 'sources'))[0], 'path')),
    syncStatus: string(at(status, 'sync', 'status')),
    healthStatus: string(at(status, 'health', 'status')),
    healthMessage: healthMessage ? oneLine(healthMessage) : null,
    healthSince: timestamp(at(status, 'health', 'lastTransitionTime')),
    conditions: records(at(status, 'conditions')).map((c) => ({
      type: string(c.type) ?? '',
      message: oneLine(string(c.message) ?? ''),
    })),
    operation: phase
      ? {
          phase,
          message: operationMessage ? oneLine(operationMessage) : null,
          isAutomated: at(state, 'operation', 'initiatedBy', 'automated') === true,
          retryCount: count(at(state, 'retryCount')) ?? 0,
          retryLimit: number(at(state, 'operation', 'retry', 'limit')),
          finishedAt: timestamp(at(state, 'finishedAt')),
          revision: nonEmptyString(at(state, 'syncResult', 'revision')),
        }
      : null,
    revision: string(at(status, 'sync', 'revision')),
    policy: {
      isAutomated: record(automated) !== null,
      prunes: at(automated, 'prune') === true,
      retry: record(retry)
        ? {
            limit: number(at(retry, 'limit')),
            duration: nonEmptyString(at(retry, 'backoff', 'duration')),
            maxDuration: nonEmptyString(at(retry, 'backoff', 'maxDuration')),
          }
        : null,
    },
    syncWave: Number.isFinite(wave) ? wave : 0,
    parent: parent && parent !== obj.metadata.name ? parent : null,
    outOfSync: records(at(status, 'resources'))
      .filter((r) => r.status === 'OutOfSync')
      .map((r) => ({
        kind: string(r.kind) ?? '',
        name: string(r.name) ?? '',
        requiresPruning: r.requiresPruning === true,
      })),
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

/** An app that has been Progressing this long is stuck, not rolling out. */
export const STUCK_PROGRESSING_MS = 30 * 60_000;

/** Pure: one leaf per Application; status is the worst of its sync, health, conditions and last operation. */
export function evaluateApplications(facts: ApplicationsFacts, now: Date): CheckNode {
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
    facts.apps.map((a) => appLeaf(a, facts, now)),
    'no Argo CD Applications in scope',
  );
}

/** A compact age: `45s`, `12m`, `3h`, `5d`. */
function age(now: Date, iso: string): string {
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** ` at 3f9c2e7 2d ago`: the revision and time of the last operation, when it says them. */
function revisionAndTime(op: NonNullable<AppInfo['operation']>, now: Date): string {
  const at = op.revision ? ` at ${op.revision.slice(0, 7)}` : '';
  return `${at}${op.finishedAt ? ` ${age(now, op.finishedAt)} ago` : ''}`;
}

/**
 * Automated sync that failed and has no retry left: Argo CD will not try this revision again
 * (appcontroller.go: "Failed last sync attempt to …"). Its retry policy says how long it kept trying.
 */
function retriesExhausted(app: AppInfo): boolean {
  const op = app.operation;
  if (!op || (op.phase !== 'Failed' && op.phase !== 'Error') || !op.isAutomated) return false;
  return op.retryLimit !== null && op.retryLimit >= 0 && op.retryCount >= op.retryLimit;
}

/**
 * The `openbao-secrets-manager` app that writes this app's Secrets, when one app-of-apps syncs both and this
 * app's wave does not come after it: its pods may start before the Secrets exist. Waves order only the
 * children of one parent, so apps without a common parent are not compared.
 */
function secretsSyncedNoEarlier(app: AppInfo, apps: readonly AppInfo[]): AppInfo | null {
  if (!app.parent || !app.sourcePath?.startsWith('helm/applications/')) return null;
  const secrets = apps.find(
    (a) =>
      a !== app &&
      a.parent === app.parent &&
      a.destinationNamespace === app.destinationNamespace &&
      (a.sourcePath ?? a.name).includes('openbao-secrets-manager'),
  );
  return secrets && app.syncWave <= secrets.syncWave ? secrets : null;
}

function appLeaf(app: AppInfo, facts: ApplicationsFacts, now: Date): CheckNode {
  const subject = `Application ${app.namespace}/${app.name}`;
  const base = { id: `${ID}:${app.namespace}/${app.name}`, title: subject, subject };
  const findings: { status: Status; problem: AppProblem; text: string }[] = [];
  const gaveUp = retriesExhausted(app);
  for (const c of app.conditions) {
    const problem = lookup(ERROR_CONDITIONS, c.type);
    // The SyncError of exhausted retries repeats the operation's own message.
    if (gaveUp && c.type === 'SyncError') continue;
    if (problem) {
      findings.push({ status: 'fail', problem, text: `${c.type}: ${c.message}` });
    } else if (c.type.endsWith('Warning')) {
      findings.push({ status: 'warn', problem: 'warning', text: `${c.type}: ${c.message}` });
    }
  }
  const op = app.operation;
  if (op && gaveUp) {
    const retry = app.policy.retry;
    const backoff =
      retry?.duration && retry.maxDuration ? `, backoff ${retry.duration} up to ${retry.maxDuration}` : '';
    findings.push({
      status: 'fail',
      problem: 'retries-exhausted',
      text: `automated sync${revisionAndTime(op, now)} gave up after ${op.retryCount} ${op.retryCount === 1 ? 'retry' : 'retries'} (limit ${op.retryLimit}${backoff})${op.message ? `: ${op.message}` : ''}`,
    });
  } else if (op && (op.phase === 'Failed' || op.phase === 'Error')) {
    findings.push({
      status: 'fail',
      problem: 'sync-failed',
      text: `last sync ${op.phase}${revisionAndTime(op, now)}${op.message ? `: ${op.message}` : ''}`,
    });
  }
  const health = app.healthStatus ?? 'Unknown';
  const healthText = `health ${health}${app.healthMessage ? ` (${app.healthMessage})` : ''}`;
  const progressingFor = app.healthSince ? now.getTime() - Date.parse(app.healthSince) : 0;
  if (health === 'Degraded' || health === 'Missing')
    findings.push({ status: 'fail', problem: 'degraded', text: healthText });
  else if (health === 'Progressing' && progressingFor > STUCK_PROGRESSING_MS) {
    findings.push({
      status: 'fail',
      problem: 'stuck',
      text: `health Progressing for ${age(now, app.healthSince!)}${app.healthMessage ? ` (${app.healthMessage})` : ''}`,
    });
  } else if (health === 'Progressing' || health === 'Suspended' || health === 'Unknown') {
    findings.push({ status: 'warn', problem: 'progressing', text: healthText });
  }
  const sync = app.syncStatus ?? 'Unknown';
  // Resources Git no longer has, kept because the app does not prune: deliberate policy, not drift.
  const isKeptByPolicy =
    app.outOfSync.length > 0 && !app.policy.prunes && app.outOfSync.every((r) => r.requiresPruning);
  // Unknown sync means Argo CD could not compare at all: we cannot tell whether the app matches Git.
  if (sync === 'Unknown') findings.push({ status: 'error', problem: 'comparison', text: 'sync Unknown' });
  else if (sync === 'OutOfSync' && !isKeptByPolicy)
    findings.push({ status: 'warn', problem: 'out-of-sync', text: 'sync OutOfSync' });
  const secrets = secretsSyncedNoEarlier(app, facts.apps);
  if (secrets) {
    findings.push({
      status: 'warn',
      problem: 'wave',
      text: `syncs in wave ${app.syncWave}, not after Application ${secrets.namespace}/${secrets.name} (wave ${secrets.syncWave}) that writes its Secrets`,
    });
  }

  // Every message says what Argo CD last did; a failed operation already says it in its own finding.
  const isFailedOp = op !== null && (op.phase === 'Failed' || op.phase === 'Error');
  const last = op && !isFailedOp ? `last sync ${op.phase}${revisionAndTime(op, now)}` : null;
  if (findings.length === 0) {
    const at = app.revision ? ` at ${app.revision.slice(0, 7)}` : '';
    const kept = isKeptByPolicy
      ? `; ${app.outOfSync.length} resource${app.outOfSync.length === 1 ? '' : 's'} Git removed kept by prune: false`
      : '';
    return {
      ...base,
      status: 'pass',
      message: `${isKeptByPolicy ? 'OutOfSync by policy' : 'Synced'}, Healthy${at}${kept}${last ? `; ${last}` : ''}`,
    };
  }
  const related = app.destinationNamespace
    ? (lookup(facts.failingByNamespace, app.destinationNamespace) ?? [])
    : [];
  const status = worstOf(findings.map((f) => f.status));
  const worst = findings.find((f) => f.status === status) as (typeof findings)[number];
  const relatedText = related.length
    ? ` — ${app.destinationNamespace} has failing ${related.map((r) => (r.why ? `${r.subject} (${r.why})` : r.subject)).join(', ')}`
    : '';
  // A Degraded (or stuck) app whose namespace holds a failing object is usually that object's fault.
  const isRelated = related.length > 0 && (worst.problem === 'degraded' || worst.problem === 'stuck');
  const lastText = last ? `; ${last}` : '';
  return {
    ...base,
    status,
    message: `${findings.map((f) => f.text).join('; ')}${lastText}${relatedText}`,
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
  evaluate: (facts, { now }) => evaluateApplications(facts, now),
});
