/**
 * "What changed": one time-ordered list of the changes the platform itself recorded, collected as a pure
 * function of what a run read (the objects the kube gateway listed, Events included, and OpenBao's answers),
 * and a pure step that names, under each failing leaf, the nearest earlier change touching it.
 *
 * Where each time comes from (docs: /work/shared/reference/timeline-sources.md, upstream sources cited there):
 * - Argo CD Application: `status.history[].deployedAt` (appended after each successful sync),
 *   `status.operationState.{startedAt,finishedAt,phase}`, `status.health.lastTransitionTime`,
 *   `status.conditions[].lastTransitionTime`;
 * - Pod: `status.startTime`, `containerStatuses[].state.running.startedAt` (a restart when restartCount > 0),
 *   `lastState.terminated.finishedAt` (the previous instance's end);
 * - cert-manager: Certificate `Issuing`/`Ready` condition transitions, `lastFailureTime`, `notBefore` when no
 *   `Issued` transition is kept; CertificateRequest `failureTime`; Order `failureTime` and creation; Challenge
 *   creation;
 * - External Secrets: ExternalSecret `refreshTime` (set only on success) and `Ready` transitions, the
 *   `Updated` event; SecretStore `Ready` transitions;
 * - Events: every `Warning`, at kubectl's robust time (series.lastObservedTime, lastTimestamp, eventTime,
 *   creationTimestamp); a Deployment's `ScalingReplicaSet` (a rollout: the deployment controller's "Scaled up
 *   replica set %s to %d from %d", before Kubernetes 1.28 without "from %d");
 * - OpenBao: a sealed server (seen at the run), a token's `expire_time`.
 */
import { z } from 'zod';
import type { BaoHealth, KubeObject, TokenLookup } from '../gateways/types.js';
import { clip, oneLine } from '../text.js';
import {
  at,
  nonEmptyString,
  number,
  record,
  records,
  string,
  stringArray,
  stringRecord,
  timestamp,
} from './kube-object.js';
import { listInScope, type Listing } from './listing.js';
import type { ResultNode } from './result.js';
import type { GatherContext } from './step.js';

/** How a change reads at a glance: something moved, something broke, something recovered, or a plain fact. */
export type Tone = 'change' | 'problem' | 'recovery' | 'info';

/**
 * Every kind of entry, as data: its tone, and whether it is a change a failure may follow from (a deploy, an
 * issuance, a token running out) rather than a symptom of one. Only those are named under failing leaves.
 */
export const TIMELINE_KINDS = {
  'argocd.sync': { tone: 'change', isCause: true },
  'argocd.sync-failed': { tone: 'problem', isCause: true },
  'argocd.sync-running': { tone: 'info', isCause: true },
  'argocd.unhealthy': { tone: 'problem', isCause: false },
  'argocd.healthy': { tone: 'recovery', isCause: false },
  'argocd.condition': { tone: 'problem', isCause: false },
  'deployment.scaled-up': { tone: 'change', isCause: true },
  'deployment.scaled-down': { tone: 'info', isCause: false },
  'pod.started': { tone: 'info', isCause: false },
  'pod.restarted': { tone: 'problem', isCause: false },
  'pod.crashed': { tone: 'problem', isCause: false },
  'certificate.issuing': { tone: 'change', isCause: true },
  'certificate.issued': { tone: 'change', isCause: true },
  'certificate.failed': { tone: 'problem', isCause: false },
  'certificate.ready': { tone: 'recovery', isCause: false },
  'certificate.not-ready': { tone: 'problem', isCause: false },
  'certificaterequest.failed': { tone: 'problem', isCause: false },
  'order.created': { tone: 'info', isCause: false },
  'order.failed': { tone: 'problem', isCause: false },
  'challenge.created': { tone: 'info', isCause: false },
  'externalsecret.refreshed': { tone: 'info', isCause: false },
  'externalsecret.updated': { tone: 'change', isCause: true },
  'externalsecret.failed': { tone: 'problem', isCause: false },
  'externalsecret.synced': { tone: 'recovery', isCause: false },
  'secretstore.ready': { tone: 'recovery', isCause: false },
  'secretstore.not-ready': { tone: 'problem', isCause: false },
  'event.warning': { tone: 'problem', isCause: false },
  'openbao.sealed': { tone: 'problem', isCause: false },
  'openbao.token-expiry': { tone: 'change', isCause: true },
} as const satisfies Record<string, { tone: Tone; isCause: boolean }>;

export type TimelineKind = keyof typeof TIMELINE_KINDS;

/** The tone of a kind; `info` for a kind this doctor does not know (a newer report read by an older doctor). */
export function toneOf(kind: string): Tone {
  return Object.hasOwn(TIMELINE_KINDS, kind) ? TIMELINE_KINDS[kind as TimelineKind].tone : 'info';
}

export const timelineEntrySchema = z
  .strictObject({
    time: z.iso.datetime().describe('When it happened, as the platform recorded it (UTC).'),
    kind: z
      .string()
      .describe(
        `What happened: ${Object.keys(TIMELINE_KINDS).join(', ')}. New kinds may be added within schema version 1.`,
      ),
    subject: z.string().describe('The object it happened to, e.g. `Application argocd/plate-api-stg`.'),
    message: z.string().describe('What happened, one line, at most 512 characters.'),
  })
  .meta({ id: 'timelineEntry' });

/** One entry of "What changed", as reports carry it. */
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/** An entry with the subjects it touches (itself, the objects an app deploys, the Service a pod backs). */
export interface TimelineChange extends TimelineEntry {
  kind: TimelineKind;
  touches: string[];
}

/** Longest message an entry carries. */
export const TIMELINE_TEXT_LIMIT = 512;
/** Most entries a report carries: the newest are kept. */
export const TIMELINE_LIMIT = 200;
/** Clocks disagree a little: an entry stamped this far after the run still counts as before it. */
const CLOCK_SKEW_MS = 60_000;

/** What a run read that has times in it. */
export interface TimelineInput {
  /** Every object the run listed, of any kind (Events included), as the kube gateway returned them. */
  objects: readonly KubeObject[];
  /** Each OpenBao server's health, by the server's label (`openbao/openbao:8200`). */
  baoServers: readonly { server: string; health: BaoHealth }[];
  /** Each token lookup, by who holds the token (`Secret plate-prod/openbao-token`, `BAO_TOKEN`). */
  baoTokens: readonly { holder: string; lookup: TokenLookup }[];
}

/**
 * The Events the timeline reads besides what the steps listed: one list per namespace in scope (one
 * cluster-wide list when every namespace is). The kube gateway shares it with steps that list Events too.
 */
export function gatherTimelineEvents(ctx: GatherContext): Promise<Listing<KubeObject>> {
  return listInScope(ctx, 'events', ctx.scope.namespaces);
}

/**
 * The changes in [now - windowMs, now], newest first, at most TIMELINE_LIMIT; a token expiry up to windowMs
 * ahead is kept too (it is about to change). Texts are one line and clipped; the engine redacts them.
 */
export function collectTimeline(input: TimelineInput, now: Date, windowMs: number): TimelineChange[] {
  const objects = unique(input.objects);
  const context = new Context(objects);
  const all = [
    ...objects.flatMap((obj) => changesOf(obj, context)),
    ...input.baoServers.flatMap(({ server, health }) => sealedChange(server, health, now)),
    ...input.baoTokens.flatMap(({ holder, lookup }) => tokenChange(holder, lookup)),
  ];
  const from = now.getTime() - windowMs;
  const to = now.getTime() + CLOCK_SKEW_MS;
  const inWindow = all.filter((c) => {
    const t = Date.parse(c.time);
    const until = c.kind === 'openbao.token-expiry' ? now.getTime() + windowMs : to;
    return t >= from && t <= until;
  });
  const seen = new Set<string>();
  return inWindow
    .map((c) => ({ ...c, message: clip(oneLine(c.message), TIMELINE_TEXT_LIMIT) }))
    .sort(newestFirst)
    .filter((c) => {
      const key = `${c.time}|${c.kind}|${c.subject}|${c.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .slice(0, TIMELINE_LIMIT);
}

/** Newest first; ties in a stable order (kind, subject, message) so every run prints the same list. */
export function newestFirst(a: TimelineEntry, b: TimelineEntry): number {
  return (
    Date.parse(b.time) - Date.parse(a.time) ||
    compare(a.kind, b.kind) ||
    compare(a.subject, b.subject) ||
    compare(a.message, b.message)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The report's form of a change: the four public fields. */
export function toEntry({ time, kind, subject, message }: TimelineEntry): TimelineEntry {
  return { time, kind, subject, message };
}

// ---------------------------------------------------------------- relating failures to changes

/**
 * The finished tree with `after` set on every failing or warning leaf that a change touches: the nearest
 * change at or before `now` (of a kind that can cause failures) whose subjects meet the leaf's subject, what
 * it covers or what it depends on. Pure: the report and the timeline in, a new tree out.
 */
export function relateChanges(
  runbooks: readonly ResultNode[],
  changes: readonly TimelineChange[],
  now: Date,
): ResultNode[] {
  const causes = changes.filter(
    (c) => TIMELINE_KINDS[c.kind].isCause && Date.parse(c.time) <= now.getTime() + CLOCK_SKEW_MS,
  );
  if (causes.length === 0) return [...runbooks];
  const relate = (node: ResultNode): ResultNode => {
    if (node.children?.length) return { ...node, children: node.children.map(relate) };
    if (node.status !== 'fail' && node.status !== 'warn') return node;
    const mine = new Set([node.subject, ...(node.covers ?? []), ...(node.dependsOn ?? [])]);
    const nearest = causes
      .filter((c) => c.touches.some((s) => mine.has(s)))
      .reduce<TimelineChange | null>(
        (best, c) => (best === null || Date.parse(c.time) > Date.parse(best.time) ? c : best),
        null,
      );
    return nearest ? { ...node, after: toEntry(nearest) } : node;
  };
  return runbooks.map(relate);
}

// ---------------------------------------------------------------- reading objects

/** `Kind ns/name`, or `Kind name` for a cluster-scoped object: how leaves name their subjects. */
function subjectOf(kind: string, namespace: string | null | undefined, name: string): string {
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

function selfSubject(obj: KubeObject): string {
  return subjectOf(obj.kind ?? 'Object', obj.metadata.namespace, obj.metadata.name);
}

function unique(objects: readonly KubeObject[]): KubeObject[] {
  const seen = new Set<string>();
  return objects.filter((obj) => {
    const group = (obj.apiVersion ?? '').includes('/') ? obj.apiVersion!.split('/')[0] : '';
    const key = `${group}|${obj.kind}|${obj.metadata.namespace ?? ''}|${obj.metadata.name}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** An RFC 3339 time normalised to ISO 8601 with milliseconds; null when it is not one. */
function isoTime(value: unknown): string | null {
  const text = timestamp(value);
  return text === null ? null : new Date(Date.parse(text)).toISOString();
}

/** A git revision as people quote it: the first 7 characters of a full SHA, anything else as it is. */
export function shortRevision(revision: string): string {
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision;
}

/** What the other objects say about one: the Services a pod backs, the objects an Application deploys. */
class Context {
  /** Services by namespace: a pod is only ever behind Services of its own namespace. */
  readonly #services = new Map<string, KubeObject[]>();
  readonly #byInstance = new Map<string, KubeObject[]>();
  readonly #owners = new Map<string, KubeObject>();
  readonly #bySubject = new Map<string, KubeObject>();
  /** Pods by the `ReplicaSet namespace/name` that controls them. */
  readonly #podsByReplicaSet = new Map<string, KubeObject[]>();

  constructor(objects: readonly KubeObject[]) {
    for (const obj of objects) {
      if (obj.kind === 'Service') append(this.#services, obj.metadata.namespace ?? '', obj);
      if (obj.kind === 'Pod') {
        for (const ref of obj.metadata.ownerReferences ?? []) {
          if (ref.kind === 'ReplicaSet')
            append(this.#podsByReplicaSet, subjectOf('ReplicaSet', obj.metadata.namespace, ref.name), obj);
        }
      }
      if (obj.metadata.uid) this.#owners.set(obj.metadata.uid, obj);
      this.#bySubject.set(selfSubject(obj), obj);
      // Argo CD's default tracking label names the Application that deployed the object.
      const app = obj.metadata.labels?.['app.kubernetes.io/instance'];
      if (app) append(this.#byInstance, app, obj);
    }
  }

  /** The Services in the pod's namespace whose selector matches its labels. */
  servicesOf(pod: KubeObject): string[] {
    const labels = pod.metadata.labels ?? {};
    return (this.#services.get(pod.metadata.namespace ?? '') ?? [])
      .filter((svc) => {
        const selector = Object.entries(stringRecord(at(svc.spec, 'selector')));
        return selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
      })
      .map(selfSubject);
  }

  /** Objects labelled as deployed by Application `app` into `namespace`. */
  deployedBy(app: string, namespace: string | null): string[] {
    return (this.#byInstance.get(app) ?? [])
      .filter((o) => namespace === null || o.metadata.namespace === namespace)
      .map(selfSubject);
  }

  /** The chain of controlling owners above an object (a Challenge's Order, CertificateRequest, Certificate). */
  ownersOf(obj: KubeObject): string[] {
    const out: string[] = [];
    let current: KubeObject | undefined = obj;
    for (let depth = 0; current && depth < 5; depth++) {
      const refs: KubeObject['metadata']['ownerReferences'] = current.metadata.ownerReferences ?? [];
      const ref: NonNullable<typeof refs>[number] | undefined = refs.find((r) => r.controller) ?? refs[0];
      if (!ref) break;
      out.push(subjectOf(ref.kind, current.metadata.namespace, ref.name));
      current = ref.uid ? this.#owners.get(ref.uid) : undefined;
    }
    return out;
  }

  /** The listed pods a ReplicaSet controls, and the Services in front of them. */
  podsOfReplicaSet(namespace: string | null, replicaSet: string): string[] {
    return (this.#podsByReplicaSet.get(subjectOf('ReplicaSet', namespace, replicaSet)) ?? []).flatMap(
      (pod) => [selfSubject(pod), ...this.servicesOf(pod)],
    );
  }

  /** What a change of `obj` touches besides itself. */
  touchesOf(obj: KubeObject): string[] {
    if (obj.kind === 'Pod') return this.servicesOf(obj);
    return this.ownersOf(obj);
  }

  /** What a change of the object named `subject` touches besides itself, when the run listed it. */
  touchesOfSubject(subject: string): string[] {
    const obj = this.#bySubject.get(subject);
    return obj ? this.touchesOf(obj) : [];
  }
}

function append<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

function changesOf(obj: KubeObject, context: Context): TimelineChange[] {
  switch (obj.kind) {
    case 'Application':
      return applicationChanges(obj, context);
    case 'Pod':
      return podChanges(obj, context);
    case 'Certificate':
      return certificateChanges(obj);
    case 'CertificateRequest':
      return certificateRequestChanges(obj, context);
    case 'Order':
      return orderChanges(obj, context);
    case 'Challenge':
      return challengeChanges(obj, context);
    case 'ExternalSecret':
      return externalSecretChanges(obj);
    case 'SecretStore':
    case 'ClusterSecretStore':
      return storeChanges(obj);
    case 'Event':
      return eventChanges(obj, context);
    default:
      return [];
  }
}

function change(
  time: string | null,
  kind: TimelineKind,
  subject: string,
  message: string,
  touches: readonly string[] = [],
): TimelineChange[] {
  if (time === null) return [];
  return [{ time, kind, subject, message, touches: [...new Set([subject, ...touches])] }];
}

/** `lastTransitionTime`, `status`, `reason`, `message` of a condition of one type; null without one. */
function conditionWithTime(obj: KubeObject, type: string) {
  const found = records(at(obj.status, 'conditions')).find((c) => c.type === type);
  if (!found) return null;
  return {
    time: isoTime(found.lastTransitionTime),
    status: string(found.status) ?? 'Unknown',
    reason: nonEmptyString(found.reason),
    message: nonEmptyString(found.message),
  };
}

/**
 * The last flip of the `Ready` condition (its lastTransitionTime moves only then): `up` when it became True,
 * `down` with the reason and message when it became False; nothing while it is Unknown.
 */
function readyFlip(
  obj: KubeObject,
  kinds: { up: TimelineKind; down: TimelineKind },
  upText: (reason: string | null) => string,
  downText: string,
  touches: readonly string[] = [],
): TimelineChange[] {
  const ready = conditionWithTime(obj, 'Ready');
  if (!ready || ready.status === 'Unknown') return [];
  const isUp = ready.status === 'True';
  const why = reasoned(ready.reason, ready.message) || 'no reason given';
  return change(
    ready.time,
    isUp ? kinds.up : kinds.down,
    selfSubject(obj),
    isUp ? upText(ready.reason) : `${downText}: ${why}`,
    touches,
  );
}

/** `reason: message`, or whichever of the two there is. */
function reasoned(reason: string | null, message: string | null): string {
  return [reason, message].filter(Boolean).join(': ');
}

// ---------------------------------------------------------------- Argo CD

function applicationChanges(app: KubeObject, context: Context): TimelineChange[] {
  const name = app.metadata.name;
  const subject = selfSubject(app);
  const destination = nonEmptyString(at(app.spec, 'destination', 'namespace'));
  const managed = [
    ...records(at(app.status, 'resources')),
    ...records(at(app.status, 'operationState', 'syncResult', 'resources')),
  ].flatMap((r) => {
    const kind = nonEmptyString(r.kind);
    const resourceName = nonEmptyString(r.name);
    return kind && resourceName ? [subjectOf(kind, nonEmptyString(r.namespace), resourceName)] : [];
  });
  const touches = [...managed, ...context.deployedBy(name, destination)];
  const revisionOf = (entry: unknown): string | null => {
    const one = nonEmptyString(at(entry, 'revision'));
    if (one) return shortRevision(one);
    // Multi-source apps record one revision per source.
    const revisions = stringArray(at(entry, 'revisions'));
    return revisions.length ? revisions.map(shortRevision).join(', ') : null;
  };
  const initiator = (entry: unknown): string | null => {
    const by = at(entry, 'initiatedBy');
    if (at(by, 'automated') === true) return 'automated';
    const user = nonEmptyString(at(by, 'username'));
    return user ? `by ${user}` : null;
  };

  const history = records(at(app.status, 'history'));
  const out = history.flatMap((entry) => {
    const revision = revisionOf(entry) ?? 'an unknown revision';
    const started = isoTime(entry.deployStartedAt);
    const deployed = isoTime(entry.deployedAt);
    const took = started && deployed ? `took ${seconds(Date.parse(deployed) - Date.parse(started))}` : null;
    const how = [initiator(entry), took].filter(Boolean).join(', ');
    return change(
      deployed,
      'argocd.sync',
      subject,
      `Argo CD synced ${name} to ${revision}${how ? ` (${how})` : ''}`,
      touches,
    );
  });

  const op = record(at(app.status, 'operationState'));
  if (op) {
    const phase = nonEmptyString(op.phase);
    const revision = revisionOf(at(op, 'syncResult')) ?? revisionOf(at(op, 'operation', 'sync'));
    const to = revision ? ` to ${revision}` : '';
    const finished = isoTime(op.finishedAt);
    const message = nonEmptyString(op.message);
    const retries = number(op.retryCount);
    const retried = retries ? ` (retried ${retries} times)` : '';
    if (phase === 'Failed' || phase === 'Error') {
      out.push(
        ...change(
          finished ?? isoTime(op.startedAt),
          'argocd.sync-failed',
          subject,
          `Argo CD sync of ${name}${to} ${phase === 'Error' ? 'could not run' : 'failed'}${message ? `: ${message}` : ''}${retried}`,
          touches,
        ),
      );
    } else if (phase === 'Running' || phase === 'Terminating') {
      out.push(
        ...change(
          isoTime(op.startedAt),
          'argocd.sync-running',
          subject,
          `Argo CD sync of ${name}${to} started${message ? `: ${message}` : ''}`,
          touches,
        ),
      );
    } else if (phase === 'Succeeded' && finished) {
      // A successful full sync is in history too; only a sync history does not hold (dry run, partial) is new.
      const inHistory = history.some((h) => isoTime(h.deployedAt) === finished);
      if (!inHistory) {
        out.push(...change(finished, 'argocd.sync', subject, `Argo CD synced ${name}${to}`, touches));
      }
    }
  }

  const health = nonEmptyString(at(app.status, 'health', 'status'));
  const healthTime = isoTime(at(app.status, 'health', 'lastTransitionTime'));
  if (health) {
    const healthMessage = nonEmptyString(at(app.status, 'health', 'message'));
    out.push(
      ...change(
        healthTime,
        health === 'Healthy' ? 'argocd.healthy' : 'argocd.unhealthy',
        subject,
        `health became ${health}${healthMessage ? `: ${healthMessage}` : ''}`,
      ),
    );
  }
  for (const c of records(at(app.status, 'conditions'))) {
    const type = nonEmptyString(c.type);
    if (!type) continue;
    out.push(
      ...change(
        isoTime(c.lastTransitionTime),
        'argocd.condition',
        subject,
        reasoned(type, string(c.message)),
      ),
    );
  }
  return out;
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s` : `${Math.round(s / 60)}m`;
}

// ---------------------------------------------------------------- pods

function podChanges(pod: KubeObject, context: Context): TimelineChange[] {
  const subject = selfSubject(pod);
  const touches = context.touchesOf(pod);
  const out = change(isoTime(at(pod.status, 'startTime')), 'pod.started', subject, 'pod started', touches);
  for (const s of records(at(pod.status, 'containerStatuses'))) {
    const container = nonEmptyString(s.name) ?? 'a container';
    const restarts = number(s.restartCount) ?? 0;
    const waiting = nonEmptyString(at(s, 'state', 'waiting', 'reason'));
    const running = isoTime(at(s, 'state', 'running', 'startedAt'));
    if (restarts > 0) {
      out.push(
        ...change(
          running,
          'pod.restarted',
          subject,
          `container ${container} restarted (restart ${restarts})`,
          touches,
        ),
      );
    }
    const last = record(at(s, 'lastState', 'terminated'));
    if (last) {
      const exit = number(last.exitCode);
      const reason = nonEmptyString(last.reason);
      const signal = number(last.signal);
      const how = [
        exit !== null ? `exited with code ${exit}` : 'terminated',
        reason ? `(${reason})` : null,
        signal ? `on signal ${signal}` : null,
      ]
        .filter(Boolean)
        .join(' ');
      const now = waiting ? `; now ${waiting}` : '';
      const count = restarts > 0 ? `, ${restarts} restart${restarts === 1 ? '' : 's'}` : '';
      out.push(
        ...change(
          isoTime(last.finishedAt),
          'pod.crashed',
          subject,
          `container ${container} ${how}${now}${count}`,
          touches,
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------- cert-manager

function certificateChanges(cert: KubeObject): TimelineChange[] {
  const subject = selfSubject(cert);
  const secretName = nonEmptyString(at(cert.spec, 'secretName'));
  const touches = secretName ? [subjectOf('Secret', cert.metadata.namespace, secretName)] : [];
  const out: TimelineChange[] = [];
  const issuing = conditionWithTime(cert, 'Issuing');
  let issuedAt: string | null = null;
  if (issuing?.status === 'True') {
    out.push(
      ...change(
        issuing.time,
        'certificate.issuing',
        subject,
        `issuance started: ${issuing.message ?? issuing.reason ?? 'no reason given'}`,
        touches,
      ),
    );
  } else if (issuing?.status === 'False' && issuing.reason === 'Issued') {
    issuedAt = issuing.time;
  } else if (issuing?.status === 'False' && issuing.reason !== null) {
    out.push(
      ...change(
        issuing.time,
        'certificate.failed',
        subject,
        `issuance failed: ${issuing.message ?? issuing.reason}`,
        touches,
      ),
    );
  }
  const revision = number(at(cert.status, 'revision'));
  const notAfter = isoTime(at(cert.status, 'notAfter'));
  issuedAt ??= isoTime(at(cert.status, 'notBefore'));
  out.push(
    ...change(
      issuedAt,
      'certificate.issued',
      subject,
      `certificate issued${revision !== null ? ` (revision ${revision})` : ''}${notAfter ? `, valid until ${notAfter.slice(0, 10)}` : ''}`,
      touches,
    ),
  );
  const failed = isoTime(at(cert.status, 'lastFailureTime'));
  if (failed && failed !== issuing?.time) {
    const attempts = number(at(cert.status, 'failedIssuanceAttempts'));
    out.push(
      ...change(
        failed,
        'certificate.failed',
        subject,
        `issuance failed${attempts ? ` (attempt ${attempts})` : ''}`,
        touches,
      ),
    );
  }
  out.push(
    ...readyFlip(
      cert,
      { up: 'certificate.ready', down: 'certificate.not-ready' },
      () => 'Ready',
      'not Ready',
      touches,
    ),
  );
  return out;
}

function certificateRequestChanges(cr: KubeObject, context: Context): TimelineChange[] {
  const ready = conditionWithTime(cr, 'Ready');
  const why = ready ? reasoned(ready.reason, ready.message) : '';
  return change(
    isoTime(at(cr.status, 'failureTime')),
    'certificaterequest.failed',
    selfSubject(cr),
    `request failed${why ? `: ${why}` : ''}`,
    context.touchesOf(cr),
  );
}

function orderChanges(order: KubeObject, context: Context): TimelineChange[] {
  const subject = selfSubject(order);
  const touches = context.touchesOf(order);
  const state = nonEmptyString(at(order.status, 'state'));
  const reason = nonEmptyString(at(order.status, 'reason'));
  return [
    ...change(
      isoTime(order.metadata.creationTimestamp),
      'order.created',
      subject,
      `ACME order created${state ? `; now ${state}` : ''}`,
      touches,
    ),
    ...change(
      isoTime(at(order.status, 'failureTime')),
      'order.failed',
      subject,
      `order ${state ?? 'failed'}${reason ? `: ${reason}` : ''}`,
      touches,
    ),
  ];
}

function challengeChanges(challenge: KubeObject, context: Context): TimelineChange[] {
  const domain = nonEmptyString(at(challenge.spec, 'dnsName'));
  const type = nonEmptyString(at(challenge.spec, 'type'));
  const state = nonEmptyString(at(challenge.status, 'state'));
  const reason = nonEmptyString(at(challenge.status, 'reason'));
  const parts = [
    `${type ?? 'ACME'} challenge${domain ? ` for ${domain}` : ''} created`,
    state ? `; now ${state}` : '',
    reason ? `: ${reason}` : '',
  ];
  return change(
    isoTime(challenge.metadata.creationTimestamp),
    'challenge.created',
    selfSubject(challenge),
    parts.join(''),
    context.touchesOf(challenge),
  );
}

// ---------------------------------------------------------------- External Secrets

function externalSecretChanges(es: KubeObject): TimelineChange[] {
  const subject = selfSubject(es);
  const target = nonEmptyString(at(es.spec, 'target', 'name')) ?? es.metadata.name;
  const store = nonEmptyString(at(es.spec, 'secretStoreRef', 'name'));
  const storeKind = nonEmptyString(at(es.spec, 'secretStoreRef', 'kind')) ?? 'SecretStore';
  const touches = [
    subjectOf('Secret', es.metadata.namespace, target),
    ...(store
      ? [subjectOf(storeKind, storeKind === 'ClusterSecretStore' ? null : es.metadata.namespace, store)]
      : []),
  ];
  const out = change(
    isoTime(at(es.status, 'refreshTime')),
    'externalsecret.refreshed',
    subject,
    `refreshed Secret ${target}${store ? ` from ${storeKind} ${store}` : ''}`,
    touches,
  );
  out.push(
    ...readyFlip(
      es,
      { up: 'externalsecret.synced', down: 'externalsecret.failed' },
      (reason) => `synced${reason ? ` (${reason})` : ''}`,
      'sync failed',
      touches,
    ),
  );
  return out;
}

function storeChanges(store: KubeObject): TimelineChange[] {
  return readyFlip(
    store,
    { up: 'secretstore.ready', down: 'secretstore.not-ready' },
    (reason) => `Ready${reason ? ` (${reason})` : ''}`,
    'not Ready',
  );
}

// ---------------------------------------------------------------- Events

/** When an event was last seen, as kubectl works it out (printers.go printEvent), then its creation. */
export function eventTime(event: KubeObject): string | null {
  const seriesTime =
    at(event, 'series') !== undefined ? isoTime(at(event, 'series', 'lastObservedTime')) : null;
  return (
    seriesTime ??
    isoTime(at(event, 'lastTimestamp')) ??
    isoTime(at(event, 'firstTimestamp')) ??
    isoTime(at(event, 'eventTime')) ??
    isoTime(event.metadata.creationTimestamp)
  );
}

/** How many times an event was seen: `series.count`, else `count`, else 1 (printers.go). */
function eventCount(event: KubeObject): number {
  return number(at(event, 'series', 'count')) ?? (number(at(event, 'count')) || 1);
}

/** The deployment controller's `ScalingReplicaSet` message (`pkg/controller/deployment/sync.go`). */
const SCALED = /^Scaled (up|down) replica set (\S+) to \d+/;

function eventChanges(event: KubeObject, context: Context): TimelineChange[] {
  const involved = at(event, 'involvedObject');
  const kind = nonEmptyString(at(involved, 'kind'));
  const name = nonEmptyString(at(involved, 'name'));
  if (!kind || !name) return [];
  const namespace = nonEmptyString(at(involved, 'namespace'));
  const subject = subjectOf(kind, namespace, name);
  const reason = nonEmptyString(at(event, 'reason'));
  const message = oneLine(string(at(event, 'message')) ?? '');
  const times = eventCount(event);
  const counted = times > 1 ? ` (×${times})` : '';
  const touches = context.touchesOfSubject(subject);
  if (at(event, 'type') === 'Warning') {
    return change(
      eventTime(event),
      'event.warning',
      subject,
      `${reasoned(reason, message)}${counted}`,
      touches,
    );
  }
  const scaled = kind === 'Deployment' && reason === 'ScalingReplicaSet' ? SCALED.exec(message) : null;
  if (scaled) {
    const [, direction, replicaSet = ''] = scaled;
    return change(
      eventTime(event),
      direction === 'up' ? 'deployment.scaled-up' : 'deployment.scaled-down',
      subject,
      message,
      [...touches, ...context.podsOfReplicaSet(namespace, replicaSet)],
    );
  }
  // ESO writes `Updated` only after a real write to the target Secret: the secret data changed.
  if (kind === 'ExternalSecret' && reason === 'Updated') {
    return change(
      eventTime(event),
      'externalsecret.updated',
      subject,
      `${message || 'secret updated'}`,
      touches,
    );
  }
  return [];
}

// ---------------------------------------------------------------- OpenBao

function sealedChange(server: string, health: BaoHealth, now: Date): TimelineChange[] {
  if (!health.sealed) return [];
  // OpenBao does not say since when it is sealed: the entry is what this run saw.
  return change(now.toISOString(), 'openbao.sealed', `OpenBao ${server}`, 'sealed (seen by this run)');
}

function tokenChange(holder: string, lookup: TokenLookup): TimelineChange[] {
  if (lookup.kind !== 'valid' || lookup.expireTime === null) return [];
  return change(
    isoTime(lookup.expireTime),
    'openbao.token-expiry',
    holder,
    `OpenBao token ${lookup.renewable ? '(renewable) ' : ''}expires`,
  );
}
