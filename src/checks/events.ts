/**
 * Warning events of the objects behind a failing leaf, the way `kubectl describe` and `cmctl status` show
 * them. Steps read them only for objects already in trouble, one list per namespace (the kube gateway
 * memoizes lists, so the secrets steps and these share each namespace's list), and attach what the
 * statuses did not already say: an event that repeats a condition message adds nothing.
 */
import type { CheckNode } from './result.js';
import type { GatherContext } from './step.js';
import { itemsOf, listInScope } from './listing.js';
import { latestWarning, type EventInfo } from './kube-object.js';

/** An object whose Warning events are wanted; `namespace` null for cluster-scoped kinds. */
export interface EventObject {
  kind: string;
  namespace: string | null;
  name: string;
}

/** The newest Warning event per object, keyed by subject (`Challenge plate-stg/x`, `ClusterIssuer y`). */
export type Warnings = Record<string, EventInfo>;

/** How leaves name an object: `Kind namespace/name`, or `Kind name` when cluster-scoped. */
export function subjectOf(o: EventObject): string {
  return `${o.kind} ${o.namespace === null ? '' : `${o.namespace}/`}${o.name}`;
}

/**
 * Reads the newest Warning event of each object. Events of cluster-scoped objects are recorded in
 * `default`. A list that cannot be read leaves its objects without events: they only add to a finding.
 */
export async function gatherWarnings(ctx: GatherContext, objects: readonly EventObject[]): Promise<Warnings> {
  const where = (o: EventObject) => o.namespace ?? 'default';
  const namespaces = [...new Set(objects.map(where))].sort();
  const lists = await Promise.all(namespaces.map((ns) => listInScope(ctx, 'events', [ns])));
  const byNamespace = new Map(namespaces.map((ns, i) => [ns, itemsOf(lists[i]!)]));
  const warnings: Warnings = {};
  for (const o of objects) {
    const warning = latestWarning(byNamespace.get(where(o)) ?? [], o);
    if (warning) Object.defineProperty(warnings, subjectOf(o), { value: warning, enumerable: true });
  }
  return warnings;
}

const normalized = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Texts shorter than this are too common to count as "already said". */
const MIN_REPEAT = 20;

/**
 * Whether `event` repeats what `said` holds. Controllers wrap the error they store in a status in a prefix
 * of their own (`Accepting challenge authorization failed: <error>`), so the text after the first `: `
 * counts as a repeat too.
 */
function repeats(event: string, said: readonly string[]): boolean {
  const colon = event.indexOf(': ');
  const candidates = [event, ...(colon > 0 ? [event.slice(colon + 2)] : [])].filter(
    (c) => c.length >= MIN_REPEAT,
  );
  return said.some(
    (s) => candidates.some((c) => s.includes(c)) || (s.length >= MIN_REPEAT && event.includes(s)),
  );
}

/**
 * `; event Challenge plate-stg/x Failed (×3): …` for each of `subjects` whose newest warning says something
 * none of `known` (the leaf's message, the statuses read) already says; '' when none does. The leaf's own
 * subject is left out of the wording.
 */
export function eventsText(
  subjects: readonly string[],
  warnings: Warnings,
  known: readonly (string | null)[],
  own: string,
): string {
  const said = known.filter((k): k is string => Boolean(k)).map(normalized);
  return subjects
    .flatMap((subject) => {
      const event = Object.hasOwn(warnings, subject) ? warnings[subject] : undefined;
      if (!event?.message) return [];
      if (repeats(normalized(event.message), said)) return [];
      const times = event.count && event.count > 1 ? ` (×${event.count})` : '';
      const whose = subject === own ? '' : ` ${subject}`;
      return [`; event${whose} ${event.reason}${times}: ${event.message}`];
    })
    .join('');
}

/** A failing or warning leaf with the newest Warning event of its own subject, unless it only repeats it. */
export function withOwnEvents(leaf: CheckNode, warnings: Warnings): CheckNode {
  if ((leaf.status !== 'fail' && leaf.status !== 'warn') || leaf.subject === undefined) return leaf;
  const events = eventsText([leaf.subject], warnings, [leaf.message ?? null], leaf.subject);
  return events ? { ...leaf, message: `${leaf.message ?? ''}${events}` } : leaf;
}
