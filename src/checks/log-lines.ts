/**
 * Parses controller log lines in every format cert-manager and External Secrets Operator have written, and
 * groups error lines into de-duplicated, secret-free signatures. Pure: the caller passes `now`.
 *
 * Formats (one stream may mix them; cert-manager < v1.15 in JSON mode still wrote some klog lines):
 * - klog header `E0512 19:24:44.860101       1 sync.go:210] …` followed by
 *   - old logr/klogr quoted pairs: `cert-manager/controller/orders "msg"="…" "error"="…" "k"="v"`,
 *   - new structured klog: `"msg" err="…" key="value" key=value`,
 *   - or free text;
 * - component-base JSON (`ts` epoch milliseconds, `v` on info lines, `err` on error lines, no `level`);
 * - zap JSON (`level`, `ts` epoch seconds, `error`);
 * - anything else is kept as an `unknown` line.
 * A Kubernetes `timestamps=true` prefix (`2024-05-30T01:13:12.302627123Z `) is stripped and wins as the time.
 */
import { lookup } from './kube-object.js';

export type LogLevel = 'error' | 'warning' | 'info' | 'unknown';

/** One parsed log line. `fields` holds the structured key/values other than the message and the error. */
export interface LogLine {
  level: LogLevel;
  time: Date | null;
  message: string;
  error: string | null;
  fields: Record<string, string>;
}

const K8S_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;
const KLOG_HEADER = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})\s+\d+ [^\]\s]+\] ?(.*)$/;
const KLOG_LEVELS: Record<string, LogLevel> = { I: 'info', W: 'warning', E: 'error', F: 'error' };
const DAY_MS = 86_400_000;

/** Parses one line; never throws. `now` supplies the year klog headers leave out. */
export function parseLogLine(raw: string, now: Date): LogLine {
  let line = raw.trimEnd();
  let prefixTime: Date | null = null;
  const stamp = K8S_TIMESTAMP.exec(line);
  if (stamp) {
    prefixTime = validDate(new Date(stamp[1]!));
    line = line.slice(stamp[0].length);
  }
  const parsed = line.startsWith('{') ? parseJson(line) : parseKlog(line, now);
  const result = parsed ?? { level: 'unknown', time: null, message: line, error: null, fields: {} };
  return prefixTime ? { ...result, time: prefixTime } : result;
}

/** Splits a log text into parsed lines, skipping blank ones. */
export function parseLogText(text: string, now: Date): LogLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => parseLogLine(l, now));
}

function parseKlog(line: string, now: Date): LogLine | null {
  const m = KLOG_HEADER.exec(line);
  if (!m) return null;
  const [, severity, month, day, hh, mm, ss, micros, rest] = m;
  const time = klogTime(now, Number(month), Number(day), Number(hh), Number(mm), Number(ss), Number(micros));
  const body = parseKlogBody(rest!);
  return { level: KLOG_LEVELS[severity!]!, time, ...body };
}

/**
 * klog headers carry no year and are written in the container's zone, which is UTC in the upstream images.
 * The year is the one that puts the line at or before `now` (a day of slack for clock skew), so a line
 * from 31 December read on 1 January lands in the previous year.
 */
function klogTime(
  now: Date,
  month: number,
  day: number,
  h: number,
  m: number,
  s: number,
  micros: number,
): Date {
  const at = (year: number) => new Date(Date.UTC(year, month - 1, day, h, m, s, Math.floor(micros / 1000)));
  const sameYear = at(now.getUTCFullYear());
  return sameYear.getTime() > now.getTime() + DAY_MS ? at(now.getUTCFullYear() - 1) : sameYear;
}

function parseKlogBody(rest: string): Pick<LogLine, 'message' | 'error' | 'fields'> {
  const oldStyle = rest.indexOf('"msg"=');
  if (oldStyle >= 0) {
    // logr/klogr before cert-manager v1.12: an optional logger path, then "key"="value" pairs.
    const pairs = parsePairs(rest.slice(oldStyle), true);
    const logger = rest.slice(0, oldStyle).trim();
    if (logger) pairs.logger = logger;
    return splitMessage(pairs);
  }
  if (rest.startsWith('"')) {
    const msg = readQuoted(rest, 0);
    if (msg) {
      const pairs = parsePairs(rest.slice(msg.end), false);
      return splitMessage({ ...pairs, msg: msg.value });
    }
  }
  return { message: rest, error: null, fields: {} };
}

function splitMessage(pairs: Record<string, string>): Pick<LogLine, 'message' | 'error' | 'fields'> {
  const { msg = '', err, error, ...fields } = pairs;
  return { message: msg, error: error ?? err ?? null, fields };
}

/** Reads `key=value` pairs; values are Go-quoted strings or bare tokens. `quotedKeys` for the logr form. */
function parsePairs(text: string, quotedKeys: boolean): Record<string, string> {
  const pairs: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i++;
    if (i >= text.length) break;
    let key: string;
    if (quotedKeys && text[i] === '"') {
      const q = readQuoted(text, i);
      if (!q) break;
      key = q.value;
      i = q.end;
    } else {
      const eq = text.indexOf('=', i);
      const space = text.indexOf(' ', i);
      if (eq < 0 || (space >= 0 && space < eq)) break;
      key = text.slice(i, eq);
      i = eq;
    }
    if (text[i] !== '=') break;
    i++;
    if (text[i] === '"') {
      const q = readQuoted(text, i);
      if (!q) break;
      pairs[key] = q.value;
      i = q.end;
    } else {
      const end = text.indexOf(' ', i);
      pairs[key] = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
  }
  return pairs;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

/** Reads a Go `%q` string starting at `start` (which must be a quote); null when it is not closed. */
function readQuoted(text: string, start: number): { value: string; end: number } | null {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      value += ESCAPES[next] ?? next;
    } else {
      value += c;
    }
  }
  return null;
}

const ZAP_LEVELS: Record<string, LogLevel> = {
  error: 'error',
  dpanic: 'error',
  panic: 'error',
  fatal: 'error',
  warn: 'warning',
  warning: 'warning',
  info: 'info',
  debug: 'info',
};

function parseJson(line: string): LogLine | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  // The stack trace is dropped: multi-line Go frames that say nothing about the cluster.
  const {
    level,
    ts,
    msg,
    error,
    err,
    v,
    stacktrace: _stacktrace,
    ...rest
  } = value as Record<string, unknown>;
  const errorText = typeof error === 'string' ? error : typeof err === 'string' ? err : null;
  let parsedLevel: LogLevel;
  if (typeof level === 'string') parsedLevel = lookup(ZAP_LEVELS, level.toLowerCase()) ?? 'info';
  // component-base JSON has no level: error entries carry `err`, info entries carry `v`.
  else if (errorText !== null) parsedLevel = 'error';
  else if (v !== undefined) parsedLevel = 'info';
  else parsedLevel = 'unknown';
  return {
    level: parsedLevel,
    time: jsonTime(ts),
    message: typeof msg === 'string' ? msg : '',
    error: errorText,
    fields: flatten(rest),
  };
}

/**
 * zap writes epoch seconds, component-base epoch milliseconds, and zap can be configured for ISO 8601.
 * Seconds and milliseconds are told apart by size: 1e11 seconds is the year 5138, 1e11 ms is 1973.
 */
function jsonTime(ts: unknown): Date | null {
  if (typeof ts === 'number') return validDate(new Date(ts > 1e11 ? ts : ts * 1000));
  if (typeof ts === 'string') return validDate(new Date(ts));
  return null;
}

/** Null for an Invalid Date: a time field that says nothing (`2026-13-45T…`, `1e300`) reads as no time. */
function validDate(date: Date): Date | null {
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Nesting kept in fields; a hostile line nests 20 000 levels in 100 KB, which recursion must not follow. */
const MAX_FIELD_DEPTH = 8;

/** Nested objects (controller-runtime's `"ExternalSecret":{"name":…,"namespace":…}`) become dotted keys. */
function flatten(obj: Record<string, unknown>, prefix = '', depth = 0): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < MAX_FIELD_DEPTH)
      Object.assign(out, flatten(v as Record<string, unknown>, `${key}.`, depth + 1));
    else out[key] = typeof v === 'string' ? v : jsonText(v, MAX_FIELD_DEPTH - depth);
  }
  return out;
}

/** JSON.stringify's text for `value`, with nesting below `depth` levels cut to `[…]` or `{…}`. */
function jsonText(value: unknown, depth: number): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (depth <= 0) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) return `[${value.map((v) => jsonText(v, depth - 1)).join(',')}]`;
  const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v, depth - 1)}`);
  return `{${entries.join(',')}}`;
}

// ---------------------------------------------------------------- linking lines to objects

/** The Kubernetes object a log line is about; `namespace` is null for cluster-scoped objects. */
export interface LoggedObject {
  kind: string;
  namespace: string | null;
  name: string;
}

const ESO_KINDS = [
  'ExternalSecret',
  'SecretStore',
  'ClusterSecretStore',
  'PushSecret',
  'ClusterExternalSecret',
];

/**
 * Finds the object a line names: cert-manager's `resource_kind/_namespace/_name`, controller-runtime's
 * `ExternalSecret: {name, namespace}` or older `externalsecret: "ns/name"`, or `controllerKind`/`reconciler kind`
 * with `namespace` and `name`. Null when the line names none.
 */
export function loggedObject(
  fields: Record<string, string>,
  resolveKey: KeyResolver = () => null,
): LoggedObject | null {
  if (fields.resource_kind && fields.resource_name) {
    return {
      kind: fields.resource_kind,
      namespace: fields.resource_namespace || null,
      name: fields.resource_name,
    };
  }
  for (const kind of ESO_KINDS) {
    // controller-runtime's own key (`ExternalSecret`), or the reconciler's lower-case one (`secretstore`).
    for (const key of [kind, kind.toLowerCase()]) {
      const name = fields[`${key}.name`];
      if (name) return { kind, namespace: fields[`${key}.namespace`] || null, name };
    }
    const ref = fields[kind] ?? fields[kind.toLowerCase()];

    if (ref) {
      const slash = ref.lastIndexOf('/');
      return { kind, namespace: slash > 0 ? ref.slice(0, slash) : null, name: ref.slice(slash + 1) };
    }
  }
  const kind = fields.controllerKind ?? fields['reconciler kind'];
  if (kind && fields.name) return { kind, namespace: fields.namespace || null, name: fields.name };
  return fields.key ? resolveKey(fields.key) : null;
}

/**
 * cert-manager before v1.16 logged a work item only as `key="namespace/name"` (or `key="name"` for
 * cluster-scoped kinds), without its kind: the caller names the object from what it knows exists.
 */
export type KeyResolver = (key: string) => LoggedObject | null;

// ---------------------------------------------------------------- grouping errors

/** Error lines that share an object and an error signature, counted. Holds no raw text. */
export interface ErrorGroup {
  object: LoggedObject | null;
  /** The latest occurrence as `displayText` prints it. */
  message: string;
  error: string | null;
  count: number;
  lastSeen: Date | null;
  /** The pod that logged the latest occurrence. */
  pod: string;
}

/**
 * Longest message or error text that may reach the report: a real controller error (the 429 with its
 * rate-limit URL, a wrapped Vault API error) fits whole; a flood of text does not.
 */
export const MAX_TEXT = 1000;

// Vault/OpenBao tokens and bearer credentials: never let one reach a report, even if a controller logged it.
const SECRET_LIKE: [RegExp, string][] = [
  [/\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{8,}/g, '<token>'],
  [/\b(Bearer|X-Vault-Token:?)\s+\S+/gi, '$1 <redacted>'],
];

// Parts that differ between retries of one error: times, ids, hashes, generated name suffixes.
const VOLATILE: [RegExp, string][] = [
  [
    /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: ?(?:Z|[+-]\d{2}:?\d{2}|UTC))*(?: m=[+-][\d.]+)?/g,
    '<time>',
  ],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b[0-9a-f]{16,}\b/gi, '<hash>'],
  [/\b\d{6,}\b/g, '<n>'],
];

const replaceAll = (text: string, rules: [RegExp, string][]) =>
  rules.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);

/**
 * Log text as the report may show it: one line, secret-like tokens redacted, at most about MAX_TEXT
 * characters. Long text loses its middle, not its end (wrapped Go errors put the root cause last), and
 * is cut between words, so a word or a URL is either whole or left out.
 */
export function displayText(text: string): string {
  const out = replaceAll(text.replace(/\s+/g, ' ').trim(), SECRET_LIKE);
  if (out.length <= MAX_TEXT) return out;
  const headEnd = out.lastIndexOf(' ', Math.floor(MAX_TEXT * 0.6));
  const tailStart = out.indexOf(' ', out.length - Math.floor(MAX_TEXT * 0.35));
  // One token longer than the budget: nothing to cut between, so the token goes and says so.
  if (headEnd <= 0 || tailStart < 0 || tailStart <= headEnd) {
    return `(${out.length} characters without a break, left out)`;
  }
  return `${out.slice(0, headEnd)} … ${out.slice(tailStart + 1)}`;
}

/** What makes two error lines "the same error": the text with volatile parts collapsed. */
export function errorSignature(text: string): string {
  return replaceAll(text.replace(/\s+/g, ' ').trim(), VOLATILE);
}

/** Groups the lines of one level (errors by default) of several pods; most frequent first, then by message. */
export function groupErrors(
  logs: readonly { pod: string; lines: readonly LogLine[] }[],
  resolveKey?: KeyResolver,
  level: 'error' | 'warning' = 'error',
): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const { pod, lines } of logs) {
    for (const line of lines) {
      if (line.level !== level) continue;
      const object = loggedObject(line.fields, resolveKey);
      const message = line.message || '(no message)';
      const key = JSON.stringify([
        object?.kind,
        object?.namespace,
        object?.name,
        errorSignature(message),
        line.error === null ? null : errorSignature(line.error),
      ]);
      const latest = {
        message: displayText(message),
        error: line.error === null ? null : displayText(line.error),
      };
      const group = groups.get(key);
      if (!group) {
        groups.set(key, { object, ...latest, count: 1, lastSeen: line.time, pod });
        continue;
      }
      group.count += 1;
      if (line.time && (!group.lastSeen || line.time >= group.lastSeen)) {
        Object.assign(group, latest, { lastSeen: line.time, pod });
      }
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.message.localeCompare(b.message));
}
