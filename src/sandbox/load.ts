import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { scenarioSchema, type Scenario } from './scenario.js';

/** The package's `scenarios/` folder: two levels up from both src/sandbox/ and dist/sandbox/. */
export const DEFAULT_SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export interface ScenarioSummary {
  name: string;
  description: string;
}

export interface LoadOptions {
  dir?: string;
  /** The sandbox's "now": relative times in the scenario are rendered against it. */
  now?: Date;
}

type Raw = Record<string, unknown>;

/** Every scenario in `dir`, sorted by name; each file is validated, so a broken one fails the listing. */
export async function listScenarios(dir = DEFAULT_SCENARIO_DIR): Promise<ScenarioSummary[]> {
  const names = await scenarioNames(dir);
  const now = new Date();
  return Promise.all(
    names.map(async (name) => ({
      name,
      description: (await readValidated(dir, name, now)).description as string,
    })),
  );
}

/**
 * Reads `<dir>/<name>.yaml`, validates it (errors name the file and the key path), resolves `extends`
 * by the merge rules of `scenarioSchema`, and renders `{{now…}}` templates against `now`.
 */
export async function loadScenario(name: string, options: LoadOptions = {}): Promise<Scenario> {
  const dir = options.dir ?? DEFAULT_SCENARIO_DIR;
  const now = options.now ?? new Date();
  const available = await scenarioNames(dir);
  if (!available.includes(name)) {
    throw new Error(`unknown scenario "${name}"; available: ${available.join(', ') || '(none)'}`);
  }
  const merged = await resolveExtends(dir, name, now, []);
  const file = scenarioFile(dir, name);
  const result = scenarioSchema.safeParse(merged);
  if (!result.success) throw new Error(`${file} (after extends): ${describeIssues(result.error.issues)}`);
  return { ...result.data, name };
}

/** The names of the scenarios in `dir`, sorted: the files, not validated (cheap, for flag checks). */
export async function scenarioNames(dir = DEFAULT_SCENARIO_DIR): Promise<string[]> {
  const entries = await readdir(dir);
  return entries
    .filter((entry) => entry.endsWith('.yaml'))
    .map((entry) => entry.slice(0, -'.yaml'.length))
    .sort();
}

function scenarioFile(dir: string, name: string): string {
  return join(dir, `${name}.yaml`);
}

/** One file, templates rendered, checked against the schema on its own so errors point at this file. */
async function readValidated(dir: string, name: string, now: Date): Promise<Raw> {
  const file = scenarioFile(dir, name);
  const parsed: unknown = parse(await readFile(file, 'utf8'));
  if (!isRecord(parsed)) throw new Error(`${file}: expected a mapping at the top level`);
  const rendered = renderTimes(parsed, now, file, []) as Raw;
  const result = scenarioSchema.safeParse(rendered);
  if (!result.success) throw new Error(`${file}: ${describeIssues(result.error.issues)}`);
  return rendered;
}

async function resolveExtends(dir: string, name: string, now: Date, chain: string[]): Promise<Raw> {
  if (chain.includes(name))
    throw new Error(`scenario "${name}" extends itself: ${[...chain, name].join(' → ')}`);
  const own = await readValidated(dir, name, now);
  if (typeof own.extends !== 'string') return own;
  const available = await scenarioNames(dir);
  if (!available.includes(own.extends)) {
    throw new Error(
      `${scenarioFile(dir, name)}: extends unknown scenario "${own.extends}"; available: ${available.join(', ')}`,
    );
  }
  const base = await resolveExtends(dir, own.extends, now, [...chain, name]);
  return mergeScenario(base, own);
}

/**
 * Merges raw (pre-default) files so defaults never override a base value. Top-level keys that describe the
 * scenario itself (description, sources, expect) are the child's own; `extends` is dropped once resolved.
 */
function mergeScenario(base: Raw, child: Raw): Raw {
  const { extends: _resolved, ...merged } = child;
  merged.kubernetes = mergeKubernetes(asRecord(base.kubernetes), asRecord(child.kubernetes));
  for (const key of ['openbao', 'dns', 'endpoint'] as const) {
    merged[key] = deepMerge(asRecord(base[key]), asRecord(child[key]));
  }
  merged.faults = child.faults ?? base.faults;
  if (merged.faults === undefined) delete merged.faults;
  return merged;
}

function mergeKubernetes(base: Raw, child: Raw): Raw {
  const removed = new Set(((child.remove as Raw[] | undefined) ?? []).map((key) => removeKey(key)));
  const overrides = new Map(((child.objects as Raw[] | undefined) ?? []).map((obj) => [objectKey(obj), obj]));
  const objects: Raw[] = [];
  for (const obj of (base.objects as Raw[] | undefined) ?? []) {
    const key = objectKey(obj);
    if (removed.has(looseKey(obj))) continue;
    objects.push(overrides.get(key) ?? obj);
    overrides.delete(key);
  }
  objects.push(...overrides.values());
  const logs: Record<string, Raw> = { ...(base.logs as Record<string, Raw> | undefined) };
  for (const [pod, containers] of Object.entries((child.logs as Record<string, Raw> | undefined) ?? {})) {
    logs[pod] = { ...logs[pod], ...containers };
  }
  return { objects, remove: [], logs };
}

/** Objects are identified by (API group, kind, namespace, name): a version bump still replaces the base object. */
function objectKey(obj: Raw): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return `${group}|${looseKey(obj)}`;
}

function looseKey(obj: Raw): string {
  const meta = asRecord(obj.metadata);
  return `${text(obj.kind)}|${text(meta.namespace)}|${text(meta.name)}`;
}

function removeKey(key: Raw): string {
  return `${text(key.kind)}|${text(key.namespace)}|${text(key.name)}`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function deepMerge(base: Raw, child: Raw): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(child)) {
    const current = out[key];
    out[key] = isRecord(value) && isRecord(current) ? deepMerge(current, value) : value;
  }
  return out;
}

const TEMPLATE = /\{\{([^{}]*)\}\}/g;
const TIME_EXPRESSION = /^(?:(klog|epoch|epochms|rfc1123|utc):)?now(?:([+-])(\d+)([smhd]))?$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Renders `{{now}}`, `{{now-2d}}`, `{{klog:now-5m}}`, `{{epoch:now-5m}}`, `{{epochms:now-5m}}` and
 * `{{rfc1123:now-1d}}` and `{{utc:now+2d}}` in every string.
 */
function renderTimes(value: unknown, now: Date, file: string, path: (string | number)[]): unknown {
  if (typeof value === 'string') {
    return value.replace(TEMPLATE, (whole, expression: string) => {
      const match = TIME_EXPRESSION.exec(expression.trim());
      if (!match) throw new Error(`${file}: ${formatPath(path)}: unknown template ${whole}`);
      const [, format, sign, amount, unit] = match;
      const offset = sign
        ? Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS] * (sign === '-' ? -1 : 1)
        : 0;
      return formatTime(new Date(now.getTime() + offset), format);
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => renderTimes(item, now, file, [...path, i]));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renderTimes(v, now, file, [...path, k])]),
    );
  }
  return value;
}

function formatTime(time: Date, format: string | undefined): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  switch (format) {
    case 'klog':
      // klog's header: Lmmdd hh:mm:ss.uuuuuu, the severity letter is written by the scenario.
      return (
        `${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())} ` +
        `${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())}.` +
        pad(time.getUTCMilliseconds() * 1000, 6)
      );
    case 'epoch':
      // zap's epoch encoder (ESO): seconds with a fraction.
      return (time.getTime() / 1000).toFixed(6);
    case 'epochms':
      // component-base's JSON logger (cert-manager): milliseconds with a fraction.
      return time.getTime().toFixed(3);
    case 'utc':
      // Let's Encrypt's `retry after 2026-08-15 19:14:33 UTC`.
      return time
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, ' UTC');
    case 'rfc1123':
      // Go's time.RFC1123 as cert-manager writes it in `Certificate expired on …`: Mon, 02 Jun 2025 10:00:00 UTC.
      return time.toUTCString().replace('GMT', 'UTC');
    default:
      return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

function describeIssues(issues: readonly Issue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        return issue.keys.map((key) => `${formatPath([...path, key])}: unknown key`).join('; ');
      }
      return `${formatPath(path)}: ${issue.message}`;
    })
    .join('; ');
}

function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Raw {
  return isRecord(value) ? value : {};
}
