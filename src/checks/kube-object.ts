/**
 * Readers for Kubernetes objects of unknown shape, shared by every check.
 *
 * The kube gateway guarantees `metadata` (see KubeObject); everything else — `spec`, `status`, the top-level
 * fields of core/v1 Events and EndpointSlices — may be any JSON value at any depth, because an API server,
 * a webhook or a half-installed CRD may hand us anything. Every function here accepts any value and never
 * throws: a value of the wrong shape reads as absent (null, [] or {}), exactly like a missing field.
 * Checks read objects into plain typed views once, with these, and judge only the views.
 */
import type { KubeObject } from '../gateways/types.js';

/** A JSON object: not null, not an array. */
export type JsonRecord = Record<string, unknown>;

/** `value` when it is a JSON object; null for null, arrays, strings, numbers and booleans. */
export function record(value: unknown): JsonRecord | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : null;
}

/**
 * The value at `path` below `value`, following own fields of JSON objects only; undefined when any step is
 * missing or not an object. Own fields only: a key such as `constructor` never reaches Object.prototype.
 */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    const rec = record(current);
    if (rec === null || !Object.hasOwn(rec, key)) return undefined;
    current = rec[key];
  }
  return current;
}

/** `value` when it is an array, else []. Its items are still of unknown shape. */
export function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The JSON objects in an array; other items (null, strings, nested arrays) are dropped. */
export function records(value: unknown): JsonRecord[] {
  return array(value).flatMap((item) => {
    const rec = record(item);
    return rec ? [rec] : [];
  });
}

/** `value` when it is a string (empty or not), else null. */
export function string(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** `value` when it is a non-empty string, else null: for names, where '' means "not set". */
export function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** `value` when it is a finite number, else null. */
export function number(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** `value` when it is a non-negative integer (a count, a port), else null. */
export function count(value: unknown): number | null {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : null;
}

/** `value` when it is a boolean, else null. */
export function boolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** The non-empty strings in an array; other items are dropped. */
export function stringArray(value: unknown): string[] {
  return array(value).flatMap((item) => (typeof item === 'string' && item !== '' ? [item] : []));
}

/** The string-valued own fields of a JSON object (label selectors, template data); others are dropped. */
export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(record(value) ?? {})) {
    // defineProperty: a `__proto__` key stays a plain field instead of replacing the prototype.
    if (typeof v === 'string')
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** An RFC 3339 time (any string Date.parse reads); null for other strings and non-strings. */
export function timestamp(value: unknown): string | null {
  return typeof value === 'string' && Number.isFinite(Date.parse(value)) ? value : null;
}

/** `table[key]` for an own key only: a lookup by outside text must not find `constructor` or `toString`. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Collapses whitespace so multi-line provider errors (Vault's `Error making API request.\n\nURL: …`) fit one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------- conditions

/**
 * A `status.conditions[]` entry as cert-manager, ESO and Argo CD write it. A status other than `True` or
 * `False` (absent, misspelt, not a string) reads as `Unknown`, as the API conventions define it.
 */
export interface Condition {
  /** `True`, `False` or `Unknown`: conditionOf never reads anything else. */
  status: string;
  /** Non-empty, else null. */
  reason: string | null;
  /** Non-empty, else null. */
  message: string | null;
}

/** The first condition of `type` in `status.conditions`, or null when the controller has not set one. */
export function conditionOf(obj: KubeObject, type: string): Condition | null {
  const found = records(at(obj.status, 'conditions')).find((c) => c.type === type);
  if (!found) return null;
  return {
    status: found.status === 'True' || found.status === 'False' ? found.status : 'Unknown',
    reason: nonEmptyString(found.reason),
    message: nonEmptyString(found.message),
  };
}

// ---------------------------------------------------------------- owners

/** Whether `obj` names `owner` (of `kind`) in its ownerReferences: by uid when the owner has one, else by name. */
export function isOwnedBy(obj: KubeObject, kind: string, owner: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some(
    (r) =>
      r.kind === kind && (owner.metadata.uid ? r.uid === owner.metadata.uid : r.name === owner.metadata.name),
  );
}

/** Names of the owners of `kind` in `metadata.ownerReferences`. */
export function ownerNames(metadata: KubeObject['metadata'], kind: string): string[] {
  return (metadata.ownerReferences ?? []).filter((o) => o.kind === kind).map((o) => o.name);
}

// ---------------------------------------------------------------- events

/** The newest event of one object, as the doctor shows it. */
export interface EventInfo {
  reason: string;
  /** On one line. */
  message: string;
  /** When it was last seen (RFC 3339), when the event says. */
  at: string | null;
  /** How often it was seen (`count`, or `series.count` of events.k8s.io events); null when not said. */
  count: number | null;
}

/**
 * The newest `Warning` event about one object (optionally of one reason), from a list of core/v1 events.
 * ESO writes the real provider error only there in newer versions, so the doctor shows it. Every top-level
 * field of an Event is read as unknown: the gateway vouches only for its metadata.
 */
export function latestWarning(
  events: readonly KubeObject[],
  object: { kind: string; name: string; namespace: string | null },
  reason?: string,
): EventInfo | null {
  let best: { info: EventInfo; time: number } | null = null;
  for (const e of events) {
    const involved = at(e, 'involvedObject');
    if (at(e, 'type') !== 'Warning') continue;
    if (at(involved, 'kind') !== object.kind || at(involved, 'name') !== object.name) continue;
    if (object.namespace !== null && (string(at(involved, 'namespace')) ?? null) !== object.namespace)
      continue;
    if (reason !== undefined && at(e, 'reason') !== reason) continue;
    const when =
      timestamp(at(e, 'series', 'lastObservedTime')) ??
      timestamp(at(e, 'lastTimestamp')) ??
      timestamp(at(e, 'eventTime')) ??
      timestamp(e.metadata.creationTimestamp);
    const time = when ? Date.parse(when) : 0;
    if (best === null || time >= best.time) {
      best = {
        info: {
          reason: string(at(e, 'reason')) ?? '',
          message: oneLine(string(at(e, 'message')) ?? ''),
          at: when,
          count: count(at(e, 'series', 'count')) ?? count(at(e, 'count')),
        },
        time,
      };
    }
  }
  return best?.info ?? null;
}
