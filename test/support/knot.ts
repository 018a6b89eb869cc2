import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, LOOPBACK, spawnDaemon, stopDaemon, waitForTcp } from './daemon.js';

/** A running knotd: where it listens (one port for UDP and TCP) and how to stop it. */
export interface RunningKnot {
  port: number;
  /** `host:port`, as `--dns-server` takes it. */
  server: string;
  close(): Promise<void>;
}

/**
 * Starts Debian's knotd as the current user, authoritative for `zones` (origin → zone file text),
 * on a free loopback port, with config, storage, control socket and zone files in a temp dir.
 * Resolves once it accepts TCP connections; `close()` stops it and removes the dir.
 */
export async function startKnot(binary: string, zones: Record<string, string>): Promise<RunningKnot> {
  const dir = await mkdtemp(path.join(tmpdir(), 'doctor-knot-'));
  const port = await freePort(true);
  for (const [origin, text] of Object.entries(zones)) await writeFile(path.join(dir, `${origin}.zone`), text);
  const socketPath = path.join(dir, 'knot.sock');
  const config = [
    'server:',
    `  rundir: "${dir}"`,
    `  listen: ${LOOPBACK}@${port}`,
    '  udp-workers: 1',
    '  tcp-workers: 1',
    '  background-workers: 1',
    'database:',
    `  storage: "${dir}"`,
    'control:',
    `  listen: "${socketPath}"`,
    'log:',
    '  - target: stderr',
    '    any: warning',
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    file: "%s.zone"',
    // Never write the zones back: the files are the test's fixtures.
    '    zonefile-sync: -1',
    '    journal-content: none',
    'zone:',
    ...Object.keys(zones).map((origin) => `  - domain: ${origin}`),
  ].join('\n');
  const configPath = path.join(dir, 'knot.conf');
  await writeFile(configPath, `${config}\n`);

  const daemon = spawnDaemon(binary, ['-c', configPath, '-s', socketPath]);
  const close = async () => {
    await stopDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForTcp(daemon, 'knotd', [port]);
  } catch (error) {
    await close();
    throw error;
  }
  return { port, server: `${LOOPBACK}:${port}`, close };
}
