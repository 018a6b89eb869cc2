import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError, errorMessage } from '../gateways/errors.js';
import { configSchema, resolveProfile, type ConfigFile, type Profile } from './schema.js';

/** A config file that cannot be used; the message names the file and the bad key. */
export class ConfigError extends UserError {
  override readonly name = 'ConfigError';
}

/**
 * Reads the config: `--config PATH` (must exist), else ./platform.yaml when present, else none.
 * Errors point at the key: `platform.yaml: environments.prod.namespaces: expected array, received string`.
 * `isFindingCode` tells the codes a `mute:` entry may name (the registry lives with the checks).
 */
export function loadConfig(
  explicitPath: string | undefined,
  cwd: string,
  isFindingCode: (code: string) => boolean = () => true,
): { path: string; config: ConfigFile } | null {
  const path = explicitPath ? resolve(cwd, explicitPath) : resolve(cwd, 'platform.yaml');
  if (!existsSync(path)) {
    if (explicitPath) throw new ConfigError(`${explicitPath}: no such file`);
    return null;
  }
  const name = explicitPath ?? 'platform.yaml';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'EACCES'
          ? 'permission denied'
          : errorMessage(error);
    throw new ConfigError(`${name}: ${why}`);
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const where = first.linePos?.[0] ? ` (line ${first.linePos[0].line})` : '';
    // yaml repeats the position at the end of its first line; we already put it after the file name.
    const reason = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${name}${where}: ${reason}`);
  }
  const parsed = configSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ConfigError(`${name}: ${key}: ${issue.message}`);
  }
  checkMutes(parsed.data, name, isFindingCode);
  return { path, config: parsed.data };
}

/** A mute of a misspelt code or environment would silently mute nothing: both are errors. */
function checkMutes(config: ConfigFile, name: string, isFindingCode: (code: string) => boolean): void {
  const environments = Object.keys(config.environments ?? {});
  (config.mute ?? []).forEach((m, i) => {
    if (!isFindingCode(m.code)) {
      throw new ConfigError(
        `${name}: mute.${i}.code: unknown finding code ${m.code} (docs/findings.md lists them)`,
      );
    }
    if (m.env !== undefined && !environments.includes(m.env)) {
      const known = environments.length
        ? `known: ${environments.join(', ')}`
        : 'the file defines no environments';
      throw new ConfigError(`${name}: mute.${i}.env: environment "${m.env}" is not in the config (${known})`);
    }
  });
}

/**
 * Picks the profile: `--env NAME` (must exist), else the file's `defaultEnv`, else the only profile,
 * else none (discovery with defaults).
 */
export function selectProfile(config: ConfigFile | null, env: string | undefined): Profile {
  const environments = config?.environments ?? {};
  const names = Object.keys(environments);
  if (env !== undefined && !(env in environments)) {
    const known = names.length ? `known: ${names.join(', ')}` : 'no config file defines environments';
    throw new ConfigError(`environment "${env}" is not in the config (${known})`);
  }
  const name = env ?? config?.defaultEnv ?? (names.length === 1 ? names[0]! : undefined);
  if (name !== undefined && !(name in environments)) {
    throw new ConfigError(`defaultEnv "${name}" is not one of the environments (${names.join(', ')})`);
  }
  return resolveProfile(name ?? null, name ? environments[name] : undefined, config?.logs, config?.mute);
}
