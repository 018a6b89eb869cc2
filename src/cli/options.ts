import { extname } from 'node:path';
import { UserError } from '../gateways/errors.js';
import type { RunbookId, StepId } from '../checks/result.js';
import { RUNBOOK_IDS, STEP_IDS } from '../runbooks/index.js';
import {
  FORMATS,
  STDOUT_FORMATS,
  formatOfFile,
  type OutputFormat,
  type StdoutFormat,
} from '../report/index.js';
import { InvalidValue } from '../values.js';

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
  output?: StdoutFormat;
  reports: { path: string; format: OutputFormat }[];
  /** `IP:PORT` (IPv6 in brackets). */
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
  /** `--since`: the window of "What changed"; undefined: 24h, or the window a `--from` snapshot recorded. */
  sinceMs?: number;
  /** `--snapshot FILE`: write every answer the run used, and the report, to FILE. */
  snapshot?: string;
  /** `--from FILE`: replay a snapshot instead of asking a platform. */
  from?: string;
  /** Whether runbooks, `--only` or `--skip` chose the steps (else a replay runs the recorded ones). */
  hasStepSelection: boolean;
}

/** The window of "What changed" when neither `--since` nor a snapshot says otherwise. */
export const DEFAULT_SINCE_MS = 24 * 3_600_000;

/** Runs a parser from ../values.ts for `flag`: a value it refuses is a UsageError naming the flag. */
export function flagValue<T>(flag: string, parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof InvalidValue) throw new UsageError(`${flag} ${error.message}`);
    throw error;
  }
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
  const inRunbooks = STEP_IDS.filter((id) => runbooks.includes(id.split('.')[0]!));
  const onlyIds = new Set(only.flatMap((p) => stepsMatching(p, '--only')));
  const skipIds = new Set(skip.flatMap((p) => stepsMatching(p, '--skip')));
  return inRunbooks.filter((id) => (onlyIds.size === 0 || onlyIds.has(id)) && !skipIds.has(id));
}

export function parseRunbooks(names: string[]): RunbookId[] {
  for (const name of names) {
    if (!RUNBOOK_IDS.includes(name)) {
      throw new UsageError(`unknown runbook "${name}"; valid runbooks: ${RUNBOOK_IDS.join(', ')}`);
    }
  }
  return names.length ? RUNBOOK_IDS.filter((id) => names.includes(id)) : [...RUNBOOK_IDS];
}

export function parseOutput(text: string | undefined): DoctorOptions['output'] {
  if (text === undefined) return undefined;
  const format = STDOUT_FORMATS.find((name) => name === text);
  if (!format) {
    const filesOnly = (Object.keys(FORMATS) as OutputFormat[]).filter((f) => !FORMATS[f].onStdout);
    const files = filesOnly.map((f) => `--report FILE${FORMATS[f].extension}`).join(', ');
    throw new UsageError(
      `--output takes one of ${STDOUT_FORMATS.join(', ')}, not "${text}" (${files} for the others)`,
    );
  }
  return format;
}

export function parseReportPath(path: string): { path: string; format: OutputFormat } {
  const format = formatOfFile(extname(path));
  if (!format) {
    const extensions = Object.values(FORMATS).map((f) => f.extension);
    throw new UsageError(
      `--report ${path}: cannot tell the format from the extension; use one of ${extensions.join(' ')}`,
    );
  }
  return { path, format };
}
