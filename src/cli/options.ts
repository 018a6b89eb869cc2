import { extname } from 'node:path';
import { UserError } from '../gateways/errors.js';
import { RUNBOOK_IDS, STEP_IDS, type RunbookId, type StepId } from '../checks/result.js';
import { REPORT_EXTENSIONS, STDOUT_FORMATS, type OutputFormat } from '../report/index.js';

/** A mistake in how the doctor was called: one line for people, exit 3. */
export class UsageError extends UserError {
  override readonly name = 'UsageError';
}

/** The flags of `platform doctor` after validation (cmctl's Validate/Run split). */
export interface DoctorOptions {
  runbooks: RunbookId[];
  env?: string;
  namespaces: string[];
  kubeconfig?: string;
  context?: string;
  config?: string;
  output?: Exclude<OutputFormat, 'html'>;
  reports: { path: string; format: OutputFormat }[];
  dnsServers: string[];
  openbaoAddr?: string;
  httpPort: number;
  httpsPort: number;
  steps: StepId[];
  timeoutMs: number;
  demo?: string;
  debug: boolean;
  verbose: boolean;
  readSecrets: boolean;
  watchMs?: number;
}

/** `60s`, `2m`, `1500ms`, `90` (seconds). */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag} takes a duration like 30s, 2m or 1500ms, not "${text}"`);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(match[1]) * unitMs);
  if (ms <= 0) throw new UsageError(`${flag} must be longer than zero`);
  return ms;
}

export function parsePort(text: string, flag: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UsageError(`${flag} takes a port number from 1 to 65535, not "${text}"`);
  }
  return port;
}

/** HOST[:PORT], [IPv6]:PORT or a bare IPv6 address → `host:port` (port 53 by default). */
export function parseDnsServer(text: string): string {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return `[${bracketed[1]}]:${parsePort(bracketed[2] ?? '53', '--dns-server')}`;
  if ((text.match(/:/g) ?? []).length > 1) return `[${text}]:53`;
  const [host, port] = text.split(':');
  if (!host) throw new UsageError(`--dns-server takes HOST[:PORT], not "${text}"`);
  return `${host}:${parsePort(port ?? '53', '--dns-server')}`;
}

/** Step ids matched by `--only`/`--skip` prefixes: a runbook id or a step id (`ingress`, `ingress.dns`). */
export function stepsMatching(prefix: string, flag: string): StepId[] {
  const matched = STEP_IDS.filter((id) => id === prefix || id.startsWith(`${prefix}.`));
  if (matched.length === 0) {
    throw new UsageError(
      `${flag} ${prefix}: no such step; valid ids: ${[...RUNBOOK_IDS, ...STEP_IDS].join(', ')}`,
    );
  }
  return matched;
}

/** The steps a run executes: runbooks selected, then `--only`, then minus `--skip`. */
export function selectSteps(runbooks: RunbookId[], only: string[], skip: string[]): StepId[] {
  const inRunbooks = STEP_IDS.filter((id) => runbooks.includes(id.split('.')[0] as RunbookId));
  const onlyIds = new Set(only.flatMap((p) => stepsMatching(p, '--only')));
  const skipIds = new Set(skip.flatMap((p) => stepsMatching(p, '--skip')));
  return inRunbooks.filter((id) => (onlyIds.size === 0 || onlyIds.has(id)) && !skipIds.has(id));
}

export function parseRunbooks(names: string[]): RunbookId[] {
  for (const name of names) {
    if (!(RUNBOOK_IDS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown runbook "${name}"; valid runbooks: ${RUNBOOK_IDS.join(', ')}`);
    }
  }
  return names.length ? RUNBOOK_IDS.filter((id) => names.includes(id)) : [...RUNBOOK_IDS];
}

export function parseOutput(text: string | undefined): DoctorOptions['output'] {
  if (text === undefined) return undefined;
  if (!(STDOUT_FORMATS as readonly string[]).includes(text)) {
    throw new UsageError(
      `--output takes one of ${STDOUT_FORMATS.join(', ')}, not "${text}" (HTML: use --report FILE.html)`,
    );
  }
  return text as DoctorOptions['output'];
}

export function parseReportPath(path: string): { path: string; format: OutputFormat } {
  const format = REPORT_EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new UsageError(
      `--report ${path}: cannot tell the format from the extension; use one of ${Object.keys(REPORT_EXTENSIONS).join(' ')}`,
    );
  }
  return { path, format };
}
