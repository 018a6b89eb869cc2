// Runs commands in child processes and times them: the built doctor through its real entry (bin/platform.js),
// and the shell tools of the manual runbook.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PLATFORM_BIN = fileURLToPath(new URL('../bin/platform.js', import.meta.url));
const RSS_PROBE = fileURLToPath(new URL('./rss-probe.mjs', import.meta.url));

/** Runs `command args`, resolving with exit code, output and wall time (spawn to exit). Never rejects. */
export function run(command, args, { env = process.env, input } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    if (input !== undefined) child.stdin.end(input);
    child.on('error', (error) => resolve({ exitCode: 127, stdout: '', stderr: String(error), wallMs: NaN }));
    child.on('close', (code, signal) =>
      resolve({
        exitCode: code ?? 128,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallMs: performance.now() - started,
      }),
    );
  });
}

/**
 * Runs `platform <args>` as a user would (node bin/platform.js), with a preload that reports the process's
 * peak RSS and CPU time at exit. `nodeFlags` go before the script (e.g. --cpu-prof).
 */
export async function runPlatform(args, { env = process.env, nodeFlags = [] } = {}) {
  const result = await run(process.execPath, [...nodeFlags, '--import', RSS_PROBE, PLATFORM_BIN, ...args], {
    env,
  });
  const match = /\n?\[bench\] maxrss-kb (\d+) cpu-ms (\d+) origin-ms (\d+) exit-ms (\d+)\n?/.exec(
    result.stderr,
  );
  return {
    ...result,
    stderr: match ? result.stderr.replace(match[0], '') : result.stderr,
    peakRssMb: match ? Number(match[1]) / 1024 : NaN,
    cpuMs: match ? Number(match[2]) : NaN,
    /** Epoch ms of the process's start and of its exit. */
    startedAtMs: match ? Number(match[3]) : NaN,
    exitedAtMs: match ? Number(match[4]) : NaN,
  };
}

/**
 * Splits a doctor run's wall time at the report's startedAt and startedAt + durationMs: before the run
 * (node start-up, module loading, config, preflight), the run, and after it (rendering, writing, exit).
 */
export function phases(result, report) {
  const runStart = Date.parse(report.startedAt);
  return {
    beforeMs: runStart - result.startedAtMs,
    runMs: report.durationMs,
    afterMs: result.exitedAtMs - (runStart + report.durationMs),
  };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
