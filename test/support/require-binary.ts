import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';

/** The Debian package that provides each binary the real-server tests need. */
const PACKAGES = { knotd: 'knot', nginx: 'nginx', openssl: 'openssl' } as const;

export type BinaryName = keyof typeof PACKAGES;

/** sbin directories are often missing from a non-root PATH, yet that is where Debian puts the daemons. */
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/bin'];

/** Absolute path of an executable `name` on PATH or in the sbin directories; null when there is none. */
export function findBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Gate for a suite that runs a real binary. Present: its path and `describe`. Missing: under
 * `CI=true` this throws (so the suite fails and names the Debian package); elsewhere it returns
 * `describe.skip` and says on the console what to install.
 */
export function requireBinary(
  name: BinaryName,
  env: NodeJS.ProcessEnv = process.env,
): { path: string; describe: typeof describe } {
  const found = findBinary(name, env);
  if (found) return { path: found, describe };
  const advice = `${name} is not installed; install the Debian package "${PACKAGES[name]}" (apt-get install ${PACKAGES[name]})`;
  if (env['CI'] === 'true') throw new Error(`${advice}: real-server tests cannot run in CI without it`);
  console.warn(`skipping the suites that need ${name}: ${advice}`);
  return { path: name, describe: describe.skip as typeof describe };
}
