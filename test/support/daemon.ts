import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

/** Real servers in tests listen on this address only. */
export const LOOPBACK = '127.0.0.1';

const START_TIMEOUT_MS = 10_000;
const KILL_AFTER_MS = 3000;

/** A loopback port free for TCP, and for UDP too when `withUdp` (DNS serves both on one port). */
export async function freePort(withUdp = false): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const tcp = net.createServer();
    await new Promise<void>((resolve) => tcp.listen(0, LOOPBACK, resolve));
    const { port } = tcp.address() as net.AddressInfo;
    const isFree = !withUdp || (await isUdpFree(port));
    await new Promise((resolve) => tcp.close(resolve));
    if (isFree) return port;
  }
  throw new Error('no free loopback port');
}

async function isUdpFree(port: number): Promise<boolean> {
  const udp = dgram.createSocket('udp4');
  const isFree = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, LOOPBACK, () => resolve(true));
  });
  udp.close();
  return isFree;
}

/** A daemon in the foreground, its stderr kept for error messages. */
export interface Daemon {
  child: ChildProcess;
  stderr(): string;
}

/** Spawns `binary args` in the foreground; stdout is dropped, stderr kept. */
export function spawnDaemon(binary: string, args: string[]): Daemon {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr.trim() };
}

/** Resolves once every port accepts TCP connections; rejects with the daemon's stderr if it exits or is slow. */
export async function waitForTcp(daemon: Daemon, name: string, ports: number[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const pending = [...ports];
  while (pending.length > 0) {
    const { exitCode } = daemon.child;
    if (exitCode !== null) throw new Error(`${name} exited with ${exitCode}: ${daemon.stderr()}`);
    if (Date.now() > deadline) {
      throw new Error(
        `${name} did not listen on ${pending.join(', ')} within ${START_TIMEOUT_MS}ms: ${daemon.stderr()}`,
      );
    }
    if (await accepts(pending[0]!)) pending.shift();
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM, then SIGKILL after 3s; resolves when the process is gone. */
export async function stopDaemon(daemon: Daemon): Promise<void> {
  const { child } = daemon;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  await exited;
  clearTimeout(timer);
}
