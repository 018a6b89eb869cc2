/**
 * The shared half of the two controller-log steps (`ingress.cert-manager-logs`, `secrets.eso-logs`):
 * find the controller pods, read their recent logs, and judge pod health and error lines.
 */
import type { KubeObject } from '../gateways/types.js';
import { couldNotCheck, listFailureLeaf } from './could-not-check.js';
import { controllerCrashLoop, controllerPodsMissing, controllerPodUnhealthy, logError } from './log-hints.js';
import { attempt, type Failure } from './outcome.js';
import type { Command } from './command.js';
import { group, withUniqueIds, type CheckNode, type StepId } from './result.js';
import {
  displayText,
  groupErrors,
  parseLogText,
  type ErrorGroup,
  type KeyResolver,
  type LoggedObject,
} from './log-lines.js';
import { itemsOf, listInScope } from './listing.js';
import { KINDS, type KindName } from '../gateways/kinds.js';
import type { GatherContext } from './step.js';
import { gatherWarnings, withOwnEvents, type Warnings } from './events.js';
import { at, conditionOf, count, nonEmptyString, number, records, timestamp } from './kube-object.js';

/** Log text of one container instance, or why it could not be read. */
export type LogRead = { kind: 'text'; text: string } | { kind: 'failed'; failure: Failure };

/** One controller pod: its state, and the log text of its first container. */
export interface ControllerPod {
  name: string;
  phase: string;
  isReady: boolean;
  restartCount: number;
  /** `state.waiting.reason` of a container, e.g. `CrashLoopBackOff`. */
  waitingReason: string | null;
  lastTermination: { reason: string; exitCode: number | null; finishedAt: string | null } | null;
  /** `resources.limits.memory` of the first container, as written (`128Mi`); null when unlimited. */
  memoryLimit: string | null;
  log: LogRead;
  /**
   * The previous instance's log (`--previous`), read when the container restarted and its current instance
   * tells nothing: it is waiting to restart, its log is empty, or it could not be read. Null when not read.
   */
  previousLog: LogRead | null;
}

/** What `gatherControllerLogs` learned; plain data, judged by `evaluateControllerLogs`. */
export interface ControllerLogsFacts {
  namespace: string;
  /** The profile's selectors, in the order tried. */
  selectors: string[];
  /** The first selector that matched a pod; null when none did (or listing failed). */
  matchedSelector: string | null;
  /** Sorted by name. */
  pods: ControllerPod[];
  listFailure: Failure | null;
  /** Application namespaces of the run; null means all. Errors about other namespaces are not reported. */
  namespacesInScope: string[] | null;
  tailLines: number;
  sinceSeconds: number;
  /** Newest Warning events of pods that are not running and ready (image pulls, probes, scheduling). */
  warnings: Warnings;
  /** Objects a bare `key=` in a log line may name, in the order they are tried (see KeyResolver). */
  keyed: LoggedObject[];
}

/** A kind whose objects a bare log `key=` may name, and how leaves call it (`ClusterIssuer`). */
export interface KeyedKind {
  kind: Exclude<KindName, 'secrets'>;
  label: string;
}

/** Names the object a bare `key=` points at: `ns/name` a namespaced one, `name` a cluster-scoped one. */
function keyResolver(keyed: readonly LoggedObject[]): KeyResolver {
  return (key) => {
    const slash = key.indexOf('/');
    const [namespace, name] = slash > 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [null, key];
    return keyed.find((o) => o.namespace === namespace && o.name === name) ?? null;
  };
}

/** What differs between the cert-manager and the ESO log steps. */
export interface ControllerSpec {
  stepId: StepId;
  title: string;
  /** For people: `cert-manager`, `External Secrets`. */
  component: string;
  /** The platform.yaml key whose podSelectors pick the pods: `certManager`, `externalSecrets`. */
  profileKey: 'certManager' | 'externalSecrets';
  /** The command that shows the raw lines an error came from. */
  logsCommand(facts: ControllerLogsFacts, pod: string): Command;
}

function podOf(pod: KubeObject): Omit<ControllerPod, 'log' | 'previousLog'> {
  const statuses = records(at(pod.status, 'containerStatuses'));
  const waiting = statuses
    .map((s) => nonEmptyString(at(s, 'state', 'waiting', 'reason')))
    .find((r) => r !== null);
  const terminated = records(statuses.map((s) => at(s, 'lastState', 'terminated')))
    .map((t) => ({
      reason: nonEmptyString(t.reason) ?? 'Unknown',
      exitCode: number(t.exitCode),
      finishedAt: timestamp(t.finishedAt),
    }))
    .sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''))[0];
  const memoryLimit = at(records(at(pod.spec, 'containers'))[0], 'resources', 'limits', 'memory');
  return {
    name: pod.metadata.name,
    phase: nonEmptyString(at(pod.status, 'phase')) ?? 'Unknown',
    isReady: conditionOf(pod, 'Ready')?.status === 'True',
    restartCount: statuses.reduce((sum, s) => sum + (count(s.restartCount) ?? 0), 0),
    waitingReason: waiting ?? null,
    lastTermination: terminated ?? null,
    memoryLimit: nonEmptyString(memoryLimit) ?? (number(memoryLimit) === null ? null : String(memoryLimit)),
  };
}

/** Whether the previous instance's log is worth reading: it restarted and the current log says nothing. */
function needsPrevious(pod: Omit<ControllerPod, 'log' | 'previousLog'>, log: LogRead): boolean {
  if (pod.restartCount === 0 || pod.lastTermination === null) return false;
  return pod.waitingReason !== null || log.kind === 'failed' || log.text.trim() === '';
}

/** Lists the controller pods (selectors tried in order until one matches) and reads their logs in parallel. */
export async function gatherControllerLogs(
  ctx: GatherContext,
  target: { namespace: string; podSelectors: string[] },
  keyKinds: readonly KeyedKind[] = [],
): Promise<ControllerLogsFacts> {
  const { kube } = ctx.gateways;
  const { profile } = ctx.scope;
  const facts: ControllerLogsFacts = {
    namespace: target.namespace,
    selectors: target.podSelectors,
    matchedSelector: null,
    pods: [],
    listFailure: null,
    namespacesInScope: ctx.scope.namespaces,
    tailLines: profile.logs.tailLines,
    sinceSeconds: profile.logs.sinceSeconds,
    warnings: {},
    keyed: [],
  };
  let found: KubeObject[] = [];
  for (const selector of target.podSelectors) {
    const listed = await attempt(() =>
      kube.list('pods', { namespace: target.namespace, labelSelector: selector }, ctx.signal),
    );
    if (!listed.ok) return { ...facts, listFailure: listed.failure };
    found = listed.value ?? [];
    if (found.length > 0) {
      facts.matchedSelector = selector;
      break;
    }
  }
  const sorted = [...found].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  facts.pods = await Promise.all(
    sorted.map(async (pod): Promise<ControllerPod> => {
      const container = nonEmptyString(at(records(at(pod.spec, 'containers'))[0], 'name')) ?? undefined;
      const readLog = async (previous: boolean): Promise<LogRead> => {
        const read = await attempt(() =>
          kube.readPodLogs(
            target.namespace,
            pod.metadata.name,
            // A previous instance ended when it crashed: its last lines matter however old they are.
            previous
              ? { container, previous, tailLines: facts.tailLines, timestamps: true }
              : { container, tailLines: facts.tailLines, sinceSeconds: facts.sinceSeconds, timestamps: true },
            ctx.signal,
          ),
        );
        return read.ok ? { kind: 'text', text: read.value } : { kind: 'failed', failure: read.failure };
      };
      const state = podOf(pod);
      const log = await readLog(false);
      const previousLog = needsPrevious(state, log) ? await readLog(true) : null;
      return { ...state, log, previousLog };
    }),
  );
  const unwell = facts.pods.filter((p) => p.waitingReason !== null || !p.isReady || p.phase !== 'Running');
  facts.warnings = await gatherWarnings(
    ctx,
    unwell.map((p) => ({ kind: 'Pod', namespace: target.namespace, name: p.name })),
  );
  // Only worth listing when some line names its object by a bare key alone.
  const hasKeys = facts.pods.some((p) =>
    [p.log, p.previousLog].some((l) => l?.kind === 'text' && l.text.includes('key=')),
  );
  if (hasKeys) {
    const lists = await Promise.all(keyKinds.map((k) => listInScope(ctx, k.kind, ctx.scope.namespaces)));
    facts.keyed = keyKinds.flatMap((k, i) =>
      itemsOf(lists[i]!).map((o) => ({
        kind: k.label,
        namespace: KINDS[k.kind].namespaced ? (o.metadata.namespace ?? null) : null,
        name: o.metadata.name,
      })),
    );
  }
  return facts;
}

// The Go runtime's last words: a panic or a fatal error, then goroutine stacks.
const GO_CRASH = /^(?:panic|fatal error): /;

/** The line that says why an instance died: a Go panic, else its last error, else its last line. */
export function crashLine(text: string, now: Date): string | null {
  const lines = parseLogText(text, now);
  const crash =
    lines.findLast((l) => GO_CRASH.test(l.message)) ??
    lines.findLast((l) => l.level === 'error') ??
    lines.at(-1);
  if (!crash) return null;
  return displayText(crash.error ? `${crash.message}: ${crash.error}` : crash.message);
}

/** An error is reported as `fail` only when it is this repeated, this recent, and about an object in scope. */
export const FAIL_RULE = { minCount: 3, withinMs: 20 * 60_000 } as const;

function ago(now: Date, then: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - then.getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h ago` : `${Math.round(hours / 24)}d ago`;
}

function windowText(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : `${Math.round(seconds / 60)}m`;
}

function isInScope(g: ErrorGroup, scope: string[] | null): boolean {
  // Cluster-scoped objects (ClusterIssuer, ClusterSecretStore) serve every namespace.
  return (
    scope === null || g.object === null || g.object.namespace === null || scope.includes(g.object.namespace)
  );
}

function podLeaf(spec: ControllerSpec, facts: ControllerLogsFacts, pod: ControllerPod, now: Date): CheckNode {
  const base = {
    id: `${spec.stepId}:${facts.namespace}/${pod.name}`,
    title: pod.name,
    subject: `Pod ${facts.namespace}/${pod.name}`,
  };
  const who = { component: spec.component, namespace: facts.namespace, pod: pod.name };
  const hint = controllerPodUnhealthy(who);
  const restarts = `restarted ${pod.restartCount} ${pod.restartCount === 1 ? 'time' : 'times'}`;
  const exit = pod.lastTermination;
  const exitDetails = [
    ...(exit?.exitCode !== null && exit?.exitCode !== undefined ? [`exit code ${exit.exitCode}`] : []),
    ...(exit?.reason === 'OOMKilled' && pod.memoryLimit ? [`memory limit ${pod.memoryLimit}`] : []),
  ];
  const last = exit
    ? `, last exit ${exit.reason}${exitDetails.length ? ` (${exitDetails.join(', ')})` : ''}`
    : '';
  if (pod.waitingReason) {
    const lastWords = pod.previousLog?.kind === 'text' ? crashLine(pod.previousLog.text, now) : null;
    const said = lastWords ? `; its previous instance last logged: ${lastWords}` : '';
    const isCrashing = pod.waitingReason === 'CrashLoopBackOff' || pod.waitingReason === 'RunContainerError';
    return {
      ...base,
      status: 'fail',
      code: isCrashing ? 'CONTROLLER_CRASHLOOP' : 'CONTROLLER_NOT_READY',
      message: `waiting: ${pod.waitingReason}, ${restarts}${last}${said}`,
      ...(isCrashing
        ? controllerCrashLoop({ ...who, reason: exit?.reason ?? null, memoryLimit: pod.memoryLimit })
        : hint),
    };
  }
  if (pod.phase !== 'Running') {
    return {
      ...base,
      status: 'fail',
      code: 'CONTROLLER_NOT_READY',
      message: `phase ${pod.phase}, expected Running`,
      ...hint,
    };
  }
  if (!pod.isReady)
    return {
      ...base,
      status: 'fail',
      code: 'CONTROLLER_NOT_READY',
      message: 'running but not ready',
      ...hint,
    };
  const finishedAt = pod.lastTermination?.finishedAt ? new Date(pod.lastTermination.finishedAt) : null;
  if (
    pod.restartCount > 0 &&
    finishedAt &&
    now.getTime() - finishedAt.getTime() <= facts.sinceSeconds * 1000
  ) {
    return {
      ...base,
      status: 'warn',
      code: 'CONTROLLER_RESTARTED',
      message: `running and ready, but ${restarts}, last ${ago(now, finishedAt)} (${pod.lastTermination!.reason})`,
      ...hint,
    };
  }
  return { ...base, status: 'pass', message: 'running and ready' };
}

function subjectOf(spec: ControllerSpec, g: ErrorGroup): string {
  const { object } = g;
  return object
    ? `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`
    : `${spec.component} logs`;
}

/** Errors in logs are evidence, not proof: only one that keeps recurring now about an object in scope fails. */
function isBroken(g: ErrorGroup, now: Date): boolean {
  const isRecent = g.lastSeen !== null && now.getTime() - g.lastSeen.getTime() <= FAIL_RULE.withinMs;
  return g.object !== null && g.count >= FAIL_RULE.minCount && isRecent;
}

/**
 * One leaf for the errors about one object, led by the most frequent (a failing issuer makes several
 * controllers log several errors about it: one finding, not six); errors that name no object stand alone.
 */
function errorLeaf(
  spec: ControllerSpec,
  facts: ControllerLogsFacts,
  groups: readonly ErrorGroup[],
  now: Date,
  level: 'error' | 'warning' = 'error',
): CheckNode {
  const [g] = groups as [ErrorGroup, ...ErrorGroup[]];
  const { object } = g;
  const subject = subjectOf(spec, g);
  const text = g.error ? `${g.message}: ${g.error}` : g.message;
  const times = g.count === 1 ? 'logged once' : `logged ${g.count} times`;
  const when = g.lastSeen ? `${g.count === 1 ? ', ' : ', last '}${ago(now, g.lastSeen)}` : '';
  const others = groups.length - 1;
  const more = others > 0 ? `; and ${others} other ${level}${others === 1 ? '' : 's'} about it` : '';
  return {
    id: `${spec.stepId}:${subject}`,
    title: subject,
    subject,
    // A controller's log is a second view of the object: the object's own check, failing, explains it.
    ...(object ? { dependsOn: [subject] } : {}),
    // A warning line is a warning however often it recurs.
    status: level === 'error' && groups.some((e) => isBroken(e, now)) ? 'fail' : 'warn',
    code: level === 'error' ? 'CONTROLLER_LOG_ERRORS' : 'CONTROLLER_LOG_WARNINGS',
    message: `${text} (${times}${when})${more}`,
    ...logError({
      component: spec.component,
      object,
      text,
      logsCommand: spec.logsCommand(facts, g.pod),
      isWarning: level === 'warning',
    }),
  };
}

/** Pure judgement of one controller's pods and log lines; see FAIL_RULE for when an error line fails. */
export function evaluateControllerLogs(
  spec: ControllerSpec,
  facts: ControllerLogsFacts,
  now: Date,
): CheckNode {
  const podsSubject = {
    id: `${spec.stepId}:pods`,
    title: `${spec.component} pods`,
    subject: `pods in ${facts.namespace}`,
  };
  if (facts.listFailure) {
    const failed = { listed: 'pods' as const, namespace: facts.namespace, failure: facts.listFailure };
    return group(spec.stepId, spec.title, [listFailureLeaf(spec.stepId, failed, podsSubject)]);
  }
  if (facts.pods.length === 0) {
    return group(spec.stepId, spec.title, [
      {
        ...podsSubject,
        status: 'fail',
        code: 'CONTROLLER_PODS_MISSING',
        message: `no pods in ${facts.namespace} match ${facts.selectors.map((s) => `"${s}"`).join(' or ')}`,
        ...controllerPodsMissing({
          component: spec.component,
          namespace: facts.namespace,
          profileKey: spec.profileKey,
        }),
      },
    ]);
  }

  const podLeaves = facts.pods.map((pod) => withOwnEvents(podLeaf(spec, facts, pod, now), facts.warnings));
  const readLeaves = facts.pods.flatMap((pod): CheckNode[] => {
    if (pod.log.kind === 'text') return [];
    // A container waiting to restart has no current log (the kubelet answers 400); its previous one speaks.
    if (pod.waitingReason && pod.previousLog?.kind === 'text') return [];
    const { failure } = pod.log;
    return [
      {
        id: `${spec.stepId}:${facts.namespace}/${pod.name}:logs`,
        title: `logs of ${pod.name}`,
        subject: `logs of Pod ${facts.namespace}/${pod.name}`,
        status: 'error',
        message:
          failure.kind === 'forbidden' && failure.permission
            ? `not allowed to ${failure.permission}`
            : `could not read logs: ${failure.message}`,
        ...couldNotCheck(failure, 'the Kubernetes API'),
      },
    ];
  });

  const logs = facts.pods.flatMap((pod) =>
    [pod.log, pod.previousLog].flatMap((log) =>
      log?.kind === 'text' ? [{ pod: pod.name, lines: parseLogText(log.text, now) }] : [],
    ),
  );
  const groups = groupErrors(logs, keyResolver(facts.keyed));
  const inScope = groups.filter((g) => isInScope(g, facts.namespacesInScope));
  const byObject = new Map<string, ErrorGroup[]>();
  for (const g of inScope) {
    // Groups come most frequent first, so each object's list is led by its most frequent error.
    const key = g.object ? subjectOf(spec, g) : `${byObject.size}`;
    byObject.set(key, [...(byObject.get(key) ?? []), g]);
  }
  // Warnings count only about an object in scope that logs no error: they often precede the errors.
  const warnedAbout = new Map<string, ErrorGroup[]>();
  for (const g of groupErrors(logs, keyResolver(facts.keyed), 'warning')) {
    if (!g.object || !isInScope(g, facts.namespacesInScope) || byObject.has(subjectOf(spec, g))) continue;
    const key = subjectOf(spec, g);
    warnedAbout.set(key, [...(warnedAbout.get(key) ?? []), g]);
  }
  const errorLeaves = withUniqueIds(
    [
      ...[...byObject.values()].map((groups) => errorLeaf(spec, facts, groups, now)),
      ...[...warnedAbout.values()].map((groups) => errorLeaf(spec, facts, groups, now, 'warning')),
    ].sort((a, b) => a.subject!.localeCompare(b.subject!)),
  );

  const summaryLeaves: CheckNode[] = [];
  if (logs.length > 0 && errorLeaves.length === 0) {
    const lineCount = logs.reduce((n, l) => n + l.lines.length, 0);
    const skipped = groups.length - inScope.length;
    const others =
      skipped > 0
        ? `; ${skipped} ${skipped === 1 ? 'error' : 'errors'} about other namespaces not shown`
        : '';
    summaryLeaves.push({
      id: `${spec.stepId}:errors`,
      title: 'error lines',
      subject: `${spec.component} logs`,
      status: 'pass',
      message: `no errors in ${lineCount} ${lineCount === 1 ? 'line' : 'lines'} from the last ${windowText(facts.sinceSeconds)}${others}`,
    });
  }
  return group(spec.stepId, spec.title, [...podLeaves, ...readLeaves, ...summaryLeaves, ...errorLeaves]);
}
