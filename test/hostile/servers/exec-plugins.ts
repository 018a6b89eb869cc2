/**
 * Exec credential plugins (kubeconfig `users[].user.exec`, client.authentication.k8s.io/v1) as small
 * executable shell scripts in a temp dir, each planting `token`:
 * - `hang`: records its pid, then never answers;
 * - `stderr-exit-1`: prints the token on stderr (as a confused plugin's error would) and exits 1;
 * - `not-json`: exits 0 with stdout that is not JSON but carries the token;
 * - `valid`: prints a valid ExecCredential with the token.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type PluginKind = 'hang' | 'stderr-exit-1' | 'not-json' | 'valid';

export interface Plugin {
  /** Absolute path of the executable script: the kubeconfig's `exec.command`. */
  command: string;
  /** For `hang`: the pid of the plugin process once it has started, else null. */
  pid(): Promise<number | null>;
}

export async function writePlugin(dir: string, kind: PluginKind, token: string): Promise<Plugin> {
  const command = join(dir, `${kind}-credential-plugin`);
  const pidFile = join(dir, `${kind}.pid`);
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString() },
  });
  const body: Record<PluginKind, string> = {
    // exec: the sleep keeps the shell's pid, so the pid file names the process that hangs.
    hang: `echo $$ > '${pidFile}'\nexec sleep 3600`,
    'stderr-exit-1': `echo "error: getting credentials: token ${token} has expired; run 'login' again" >&2\nexit 1`,
    'not-json': `echo "Your token is ${token}"\necho "(not an ExecCredential)"`,
    valid: `cat <<'EOF'\n${credential}\nEOF`,
  };
  await writeFile(command, `#!/bin/sh\n${body[kind]}\n`, { mode: 0o755 });
  return {
    command,
    pid: () =>
      readFile(pidFile, 'utf8').then(
        (text) => Number(text.trim()),
        () => null,
      ),
  };
}

/** Whether a process with this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
