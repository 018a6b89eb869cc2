/**
 * The hostile suite's shared pieces: run the real built binary in a child process and measure it (wall
 * time from spawn to exit, exit code or signal, peak RSS, stdout size), then check the contract every case
 * shares (`expectContract`): it stops in time, with the right exit code, always writes its report, leaks
 * no planted credential, prints no raw control character, stays small, and never blames itself for a
 * sick environment.
 *
 * A case fails with the list of every broken promise, and the run described once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'platform.js');
const DIST_CLI = join(ROOT, 'dist', 'platform', 'bin.js');
const RSS_PROBE = fileURLToPath(new URL('./rss-probe.mjs', import.meta.url));

const MB = 1024 * 1024;
/** Slack the contract allows past `--timeout`, measured from spawn to exit. */
export const DEADLINE_SLACK_MS = 1000;
/** Kept when a child runs far past its deadline, so a hung doctor costs the suite seconds, not minutes. */
const HARD_KILL_AFTER_DEADLINE_MS = 4000;
const STDOUT_CAP = 64 * MB;

// ------------------------------------------------------------------ cleanup

type Cleanup = () => unknown;
const cleanups: Cleanup[] = [];

/** Runs `fn` after the current test, pass or fail (last registered, first run). */
export function defer(fn: Cleanup): void {
  cleanups.push(fn);
}

/** Registers the after-each cleanup for a test file: servers, temp dirs and children go, even on failure. */
export function useHostileCleanup(): void {
  afterEach(async () => {
    const errors: unknown[] = [];
    while (cleanups.length > 0) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
}

/** A server with `close()`, closed after the test. */
export function track<T extends { close(): Promise<void> }>(server: T): T {
  defer(() => server.close());
  return server;
}

/** A fresh temp directory, removed after the test. */
export async function tempDir(label = 'case'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hostile-${label}-`));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// ------------------------------------------------------------------ canaries

/**
 * A planted credential: a label and 32 random letters and digits, so every encoding of it (base64,
 * base64url, URL-encoding, JSON) is unambiguous and a partial leak of 16 characters is still found.
 */
export function canary(label: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(32);
  return `${label}${[...bytes].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

interface Needle {
  how: string;
  text: string;
}

/** Ways a secret can show up in text: itself, any 16-character piece, base64 and base64url at each alignment. */
function needlesFor(secret: string): Needle[] {
  const needles: Needle[] = [{ how: 'as is', text: secret }];
  for (let i = 0; i + 16 <= secret.length; i += 4) {
    needles.push({ how: `partly (characters ${i}–${i + 16})`, text: secret.slice(i, i + 16) });
  }
  for (let shift = 0; shift < 3; shift += 1) {
    const encoded = Buffer.concat([Buffer.alloc(shift), Buffer.from(secret)]).toString('base64');
    // Drop the quantum that mixes in the unknown bytes before, and the one that depends on what follows.
    const core = encoded.slice(shift === 0 ? 0 : 4, -4);
    if (core.length >= 12) {
      needles.push({ how: `base64 (offset ${shift})`, text: core });
      needles.push({
        how: `base64url (offset ${shift})`,
        text: core.replaceAll('+', '-').replaceAll('/', '_'),
      });
    }
  }
  return needles;
}

/** Where (which encoding) `secret` appears in `text`; null when it does not. */
export function findSecret(text: string, secret: string): string | null {
  for (const needle of needlesFor(secret)) if (text.includes(needle.text)) return needle.how;
  return null;
}

// ------------------------------------------------------------------ control characters

/**
 * Characters a terminal acts on: C0 except newline and tab, DEL, C1, and the bidi embeddings, overrides and
 * isolates that reorder what is shown (Trojan Source).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/**
 * The raw control characters in `text`, summarised: each code point with its count, and where the first one
 * is (with a little context). Empty when there is none.
 */
export function rawControls(text: string): string[] {
  const counts = new Map<string, number>();
  let first: string | null = null;
  for (const match of text.matchAll(CONTROL)) {
    const code = `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    counts.set(code, (counts.get(code) ?? 0) + 1);
    first ??= `first at ${match.index} near ${JSON.stringify(text.slice(Math.max(0, match.index - 25), match.index + 25))}`;
  }
  if (counts.size === 0) return [];
  const list = [...counts].map(([code, n]) => `${code}×${n}`).join(' ');
  return [`${list}; ${first}`];
}

// ------------------------------------------------------------------ running the binary

export interface SpawnOptions {
  args: string[];
  /** Added to the base environment (PATH, HOME, LANG, NO_COLOR, TMPDIR); nothing else is inherited. */
  env?: Record<string, string>;
  cwd?: string;
  /** TMPDIR for the child; a fresh temp dir when not given. */
  tmpdir?: string;
  /** Kill (SIGKILL, whole process group) after this long; default the deadline plus 4 s. */
  hardLimitMs?: number;
  /** Send `signal` to the doctor's pid once `when` resolves (a delay in ms, or a condition polled every 20 ms). */
  interrupt?: { signal: NodeJS.Signals; when: number | (() => boolean) };
}

export interface DoctorRun {
  args: string[];
  cwd: string;
  tmpdir: string;
  exitCode: number | null;
  /** Set when the process died of a signal rather than exiting. */
  signal: NodeJS.Signals | null;
  /** Spawn to exit, in ms. */
  wallMs: number;
  /** The harness had to kill it (it ran past the hard limit). */
  killed: boolean;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  /** Peak RSS in MB: the child's own maxRSS at exit, else the highest VmHWM sampled from /proc. */
  peakRssMb: number | null;
  /** For `interrupt`: whether the doctor was still running when the signal was sent, and when it was. */
  interruptedAtMs: number | null;
}

/**
 * `--timeout` from the args in ms, in Go's duration form (`3s`, `1500ms`, `1m30s`, `2h`); 60 s when absent.
 * A value that is not a duration gives NaN (the case is about a bad flag, and sets its own hard limit).
 */
export function deadlineOf(args: string[]): number {
  const at = args.lastIndexOf('--timeout');
  const text = at >= 0 ? args[at + 1] : undefined;
  if (text === undefined) return 60_000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return NaN;
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}

function assertBuilt(): void {
  if (!existsSync(DIST_CLI)) {
    throw new Error(`${DIST_CLI} is missing: run \`npm run build\` before the hostile suite`);
  }
}

let warnedStale = false;
function warnIfStale(): void {
  if (warnedStale) return;
  warnedStale = true;
  const built = statSync(DIST_CLI).mtimeMs;
  const newest = (dir: string): number => {
    let latest = 0;
    for (const entry of readdirSyncSafe(dir)) {
      const path = join(dir, entry);
      const stat = statSync(path);
      latest = Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs);
    }
    return latest;
  };
  if (newest(join(ROOT, 'src')) > built) {
    console.warn('hostile suite: dist/ is older than src/; the binary under test is stale (npm run build)');
  }
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const running = new Set<ChildProcess>();

/** Kills a child's whole process group (the doctor and anything it spawned, such as an exec plugin). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function sampleHwmKb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `node bin/platform.js ARGS` in its own process group, with a minimal environment: nothing from the
 * developer's shell (KUBECONFIG, BAO_ADDR, …) reaches it. Resolves once it has exited and its output is in.
 */
export async function runDoctor(options: SpawnOptions): Promise<DoctorRun> {
  assertBuilt();
  warnIfStale();
  const deadlineMs = deadlineOf(options.args);
  const cwd = options.cwd ?? (await tempDir('cwd'));
  const childTmp = options.tmpdir ?? (await tempDir('tmp'));
  const home = await tempDir('home');
  const rssFile = join(await tempDir('rss'), 'maxrss');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    TMPDIR: childTmp,
    HOSTILE_RSS_FILE: rssFile,
    ...options.env,
  };
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', RSS_PROBE, BIN, ...options.args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  defer(() => {
    killGroup(child);
    running.delete(child);
  });

  let stdoutBytes = 0;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (stdoutBytes <= STDOUT_CAP) out.push(chunk);
  });
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));

  let hwmKb = 0;
  const sampler = setInterval(() => (hwmKb = Math.max(hwmKb, sampleHwmKb(child.pid!))), 50);
  let killed = false;
  const hardLimit = setTimeout(
    () => {
      killed = true;
      killGroup(child);
    },
    options.hardLimitMs ??
      Math.min((Number.isFinite(deadlineMs) ? deadlineMs : 60_000) + HARD_KILL_AFTER_DEADLINE_MS, 120_000),
  );

  let interruptedAtMs: number | null = null;
  let poll: NodeJS.Timeout | undefined;
  if (options.interrupt) {
    const { signal, when } = options.interrupt;
    const send = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      interruptedAtMs = performance.now() - started;
      child.kill(signal);
    };
    if (typeof when === 'number') poll = setTimeout(send, when);
    else {
      poll = setInterval(() => {
        if (child.exitCode !== null || child.signalCode !== null) return clearInterval(poll);
        if (when()) {
          clearInterval(poll);
          send();
        }
      }, 20);
    }
  }

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, at: performance.now() })),
  );
  const { code, signal, at } = await exited;
  clearTimeout(hardLimit);
  clearInterval(sampler);
  if (poll) clearTimeout(poll);
  // A grandchild (an exec plugin) may hold the pipes open after the doctor exits: wait a little, then go on.
  await Promise.race([
    new Promise((done) => child.once('close', done)),
    new Promise((done) => setTimeout(done, 1000)),
  ]);
  running.delete(child);

  const probed = await readFile(rssFile, 'utf8').then(Number, () => 0);
  const peakKb = Math.max(probed, hwmKb);
  return {
    args: options.args,
    cwd,
    tmpdir: childTmp,
    exitCode: code,
    signal,
    wallMs: Math.round(at - started),
    killed,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    stdoutBytes,
    peakRssMb: peakKb > 0 ? Math.round(peakKb / 1024) : null,
    interruptedAtMs: interruptedAtMs === null ? null : Math.round(interruptedAtMs),
  };
}

/** A short description of a run for failure messages. */
export function describeRun(run: DoctorRun): string {
  const ended = run.signal
    ? `killed by ${run.signal}${run.killed ? ' (hard limit)' : ''}`
    : `exit ${run.exitCode}`;
  const clip = (text: string) =>
    text.length > 1500 ? `${text.slice(0, 1500)}… (${text.length} chars)` : text;
  return [
    `platform ${run.args.join(' ')}`,
    `${ended} after ${run.wallMs} ms, peak RSS ${run.peakRssMb ?? '?'} MB, stdout ${run.stdoutBytes} bytes`,
    `stderr: ${JSON.stringify(clip(run.stderr))}`,
    `stdout: ${JSON.stringify(clip(run.stdout))}`,
  ].join('\n  ');
}

// ------------------------------------------------------------------ report files

type Format = 'tree' | 'json' | 'markdown' | 'junit' | 'prometheus' | 'html';

const EXTENSIONS: Record<string, Format> = {
  '.md': 'markdown',
  '.json': 'json',
  '.xml': 'junit',
  '.prom': 'prometheus',
  '.html': 'html',
  '.txt': 'tree',
};

function formatOfPath(path: string): Format | null {
  const match = /\.[a-z]+$/i.exec(path);
  return match ? (EXTENSIONS[match[0].toLowerCase()] ?? null) : null;
}

function outputFormat(args: string[]): Format {
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '-o' || args[i] === '--output') return args[i + 1] as Format;
    const inline = /^--output=(.+)$/.exec(args[i]!);
    if (inline) return inline[1] as Format;
  }
  return 'tree';
}

function reportPaths(args: string[]): string[] {
  return args.flatMap((arg, i) => (arg === '--report' && args[i + 1] ? [args[i + 1]!] : []));
}

/** Report file names in every format, for `--report` flags in `dir`. */
export function allReports(dir: string, base = 'report'): string[] {
  return Object.keys(EXTENSIONS).map((ext) => join(dir, `${base}${ext}`));
}

/** `--report FILE` flags for each path. */
export function reportFlags(paths: string[]): string[] {
  return paths.flatMap((path) => ['--report', path]);
}

/**
 * The flags every bounded hostile run ends with: a 3 s `--timeout`, `-o output` when given (else the plain
 * tree), and a `--report` in `dir` for every format.
 */
export function boundedRun(dir: string, output?: string): string[] {
  return ['--timeout', '3s', ...(output ? ['-o', output] : []), ...reportFlags(allReports(dir))];
}

const STATUSES = ['pass', 'warn', 'fail', 'error', 'skip'];

/** The JSON report(s) in `text`: one document, or one per line (`--watch -o json`); null when not JSON. */
export function parseJsonReports(text: string): unknown[] | null {
  try {
    return [JSON.parse(text)];
  } catch {
    try {
      return text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
    } catch {
      return null;
    }
  }
}

/** What is wrong with `text` as a report in `format` (empty when it looks right). */
function formatProblems(text: string, format: Format, where: string, expectDown: boolean): string[] {
  const problems: string[] = [];
  if (text.trim() === '') return [`${where} is empty`];
  switch (format) {
    case 'json': {
      // One report (pretty-printed), or with --watch one compact report per line.
      const reports = parseJsonReports(text);
      if (reports === null) problems.push(`${where}: not JSON`);
      else if (reports.some((r) => !STATUSES.includes(String((r as { status?: unknown }).status))))
        problems.push(`${where}: JSON report without a status`);
      break;
    }
    case 'prometheus':
      if (!/^platform_doctor_up [01]$/m.test(text)) problems.push(`${where}: no platform_doctor_up sample`);
      else if (expectDown && !/^platform_doctor_up 0$/m.test(text))
        problems.push(`${where}: platform_doctor_up is not 0 although nothing could be checked`);
      break;
    case 'junit':
      if (!text.startsWith('<?xml') || !text.includes('<testsuites'))
        problems.push(`${where}: not a JUnit XML document`);
      break;
    case 'html':
      if (!/<html[\s>]/i.test(text)) problems.push(`${where}: not an HTML document`);
      break;
    case 'markdown':
    case 'tree':
      break;
  }
  return problems;
}

// ------------------------------------------------------------------ the shared contract

/**
 * A server that must not receive some credentials: by default it is no credential's own server, so it
 * must receive none of `Contract.secrets` and no credential header at all. A server that is the rightful
 * holder of some credential (OpenBao and its X-Vault-Token) names the secrets it must not see and the
 * headers it may.
 */
export interface Collected {
  name: string;
  requests: () => unknown[];
  /** The credentials it must not receive; default every one of the contract's. */
  secrets?: string[];
  /** Credential headers it may receive (lower case), e.g. `x-vault-token` for OpenBao itself. */
  allowHeaders?: string[];
}

export interface Contract {
  /** The Nagios exit code the case calls for. */
  exitCode: number;
  /** Allowed wall time; default the run's `--timeout` (plus the one-second slack). */
  deadlineMs?: number;
  /** Planted credentials: none may appear in stdout, stderr or any report, in any encoding. */
  secrets?: string[];
  /** A server that hung: its `host:port` (or URL) must be named in the output, on a line with a duration. */
  hung?: string;
  /** Places that must have received nothing carrying a credential (a redirect's target). */
  collectors?: Collected[];
  /** Nothing could be checked: Prometheus output must say `platform_doctor_up 0`. */
  nothingChecked?: boolean;
  /** Peak RSS bound in MB (default 300). */
  maxRssMb?: number;
  /** Output size bound in bytes for stdout and each report file (default 1 MB). */
  maxOutputBytes?: number;
  /** Extra texts to scan with the reports, e.g. files the case wrote elsewhere. */
  alsoScan?: { name: string; text: string }[];
}

/** Everything a test wants to scan: stdout, stderr and each `--report` file that exists. */
async function outputsOf(run: DoctorRun): Promise<{ name: string; text: string; format: Format | null }[]> {
  const outputs: { name: string; text: string; format: Format | null }[] = [
    { name: 'stdout', text: run.stdout, format: outputFormat(run.args) },
    { name: 'stderr', text: run.stderr, format: null },
  ];
  for (const path of reportPaths(run.args)) {
    const full = resolve(run.cwd, path);
    const text = await readFile(full, 'utf8').catch(() => null);
    if (text !== null) outputs.push({ name: `report ${path}`, text, format: formatOfPath(path) });
  }
  return outputs;
}

/** Texts in which a hung server must be named together with the wait: lines, and JSON messages. */
function messageLines(run: DoctorRun): string[] {
  const lines = run.stderr.split('\n');
  if (outputFormat(run.args) !== 'json') return [...lines, ...run.stdout.split('\n')];
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { message?: unknown; hint?: unknown; children?: unknown[]; runbooks?: unknown[] };
    if (typeof n.message === 'string') texts.push(n.message);
    if (typeof n.hint === 'string') texts.push(n.hint);
    for (const child of [...(n.children ?? []), ...(n.runbooks ?? [])]) walk(child);
  };
  const reports = parseJsonReports(run.stdout);
  if (reports === null) texts.push(...run.stdout.split('\n'));
  else reports.forEach(walk);
  return [...lines, ...texts];
}

const DURATION = /\b\d+(?:\.\d+)?\s?(?:ms|s|sec|secs|seconds?)\b/;

/**
 * Every broken promise of the shared contract, as one line each (empty when the run kept them all).
 */
export async function contractProblems(run: DoctorRun, contract: Contract): Promise<string[]> {
  const problems: string[] = [];
  const deadline = contract.deadlineMs ?? deadlineOf(run.args);
  const maxBytes = contract.maxOutputBytes ?? MB;
  const maxRss = contract.maxRssMb ?? 300;

  // Stops in time, by itself, with the right code.
  if (run.signal) {
    problems.push(
      `died of ${run.signal}${run.killed ? ' (killed by the harness: it ran far past its deadline)' : ''}`,
    );
  }
  if (run.wallMs > deadline + DEADLINE_SLACK_MS) {
    problems.push(`took ${run.wallMs} ms, more than the deadline ${deadline} ms + ${DEADLINE_SLACK_MS} ms`);
  }
  if (run.exitCode !== contract.exitCode)
    problems.push(`exit code ${run.exitCode}, expected ${contract.exitCode}`);

  // Bounded.
  if (run.peakRssMb === null) problems.push('peak RSS was not measured');
  else if (run.peakRssMb >= maxRss) problems.push(`peak RSS ${run.peakRssMb} MB, bound ${maxRss} MB`);
  if (run.stdoutBytes >= maxBytes) problems.push(`stdout is ${run.stdoutBytes} bytes, bound ${maxBytes}`);

  // The report: stdout in the chosen format, and every --report file.
  const outputs = await outputsOf(run);
  const down = Boolean(contract.nothingChecked);
  if (run.stdoutBytes > STDOUT_CAP)
    problems.push(`stdout (${run.stdoutBytes} bytes) is too large to check its format`);
  else problems.push(...formatProblems(run.stdout, outputFormat(run.args), 'stdout', down));
  for (const path of reportPaths(run.args)) {
    const found = outputs.find((o) => o.name === `report ${path}`);
    if (!found) {
      problems.push(`--report ${path} was not written`);
      continue;
    }
    problems.push(...formatProblems(found.text, found.format!, found.name, down));
    const size = Buffer.byteLength(found.text);
    if (size >= maxBytes) problems.push(`${found.name} is ${size} bytes, bound ${maxBytes}`);
  }

  const scanned = [...outputs, ...(contract.alsoScan ?? []).map((o) => ({ ...o, format: null }))];

  // No planted credential anywhere, in any encoding.
  for (const secret of contract.secrets ?? []) {
    for (const output of scanned) {
      const how = findSecret(output.text, secret);
      if (how) problems.push(`credential ${secret.slice(0, 12)}… leaked in ${output.name} (${how})`);
    }
  }

  // No credential went anywhere but its own server.
  for (const collector of contract.collectors ?? []) {
    for (const request of collector.requests()) {
      const text = JSON.stringify(request);
      for (const secret of collector.secrets ?? contract.secrets ?? []) {
        const how = findSecret(text, secret);
        if (how)
          problems.push(
            `${collector.name} received credential ${secret.slice(0, 12)}… (${how}): ${text.slice(0, 200)}`,
          );
      }
      const headers = (request as { headers?: Record<string, unknown> }).headers ?? {};
      for (const name of ['authorization', 'x-vault-token', 'proxy-authorization', 'cookie']) {
        if (headers[name] !== undefined && !(collector.allowHeaders ?? []).includes(name))
          problems.push(`${collector.name} received a ${name} header: ${text.slice(0, 200)}`);
      }
    }
  }

  // No raw control characters: JSON may carry them escaped only.
  for (const output of scanned) {
    for (const found of rawControls(output.text))
      problems.push(`raw control character in ${output.name}: ${found}`);
  }

  // An environment fault is never the doctor's bug.
  for (const output of scanned) {
    if (/this is a bug/i.test(output.text)) problems.push(`"this is a bug" in ${output.name}`);
  }

  // A hung server is named, with how long the doctor waited: on stdout or stderr, or in a report when the
  // stdout format carries no messages (Prometheus).
  if (contract.hung) {
    const reportLines = scanned
      .filter((o) => o.name.startsWith('report '))
      .flatMap((o) => o.text.split('\n'));
    const named = [...messageLines(run), ...reportLines].filter((line) => line.includes(contract.hung!));
    if (!named.some((line) => DURATION.test(line))) {
      problems.push(
        `the hung server ${contract.hung} is not named together with the wait (lines naming it: ${JSON.stringify(named.slice(0, 2))})`,
      );
    }
  }
  return problems;
}

/**
 * The promises every hostile case checks, asserted at once: the test fails with every broken one listed,
 * and the run (command, exit, time, RSS, output) described once.
 */
export async function expectContract(
  run: DoctorRun,
  contract: Contract,
  extra: string[] = [],
): Promise<void> {
  const problems = [...(await contractProblems(run, contract)), ...extra];
  expect(problems, describeRun(run)).toEqual([]);
}

/**
 * A mistake on the command line or in local files: exit 3 at once, stderr exactly one `platform: …` line
 * and one `try: …` line, nothing on stdout, and never "this is a bug".
 */
export function usageErrorProblems(run: DoctorRun, mentions: string[] = []): string[] {
  const problems: string[] = [];
  if (run.signal) problems.push(`died of ${run.signal}`);
  if (run.exitCode !== 3) problems.push(`exit code ${run.exitCode}, expected 3`);
  if (run.wallMs > 5000) problems.push(`took ${run.wallMs} ms for a usage error`);
  const lines = run.stderr.replace(/\n$/, '').split('\n');
  if (lines.length !== 2)
    problems.push(`stderr has ${lines.length} lines, expected a platform: line and a try: line`);
  if (!/^platform: \S/.test(lines[0] ?? '')) problems.push('stderr does not start with "platform: "');
  if (!/^try: platform /.test(lines[1] ?? ''))
    problems.push('the second stderr line is not "try: platform …"');
  if (run.stdout !== '') problems.push('stdout is not empty');
  if (/this is a bug/i.test(run.stderr)) problems.push('"this is a bug" on stderr');
  for (const found of rawControls(run.stderr)) problems.push(`raw control character on stderr: ${found}`);
  for (const mention of mentions) {
    if (!(lines[0] ?? '').includes(mention)) problems.push(`the platform: line does not mention ${mention}`);
  }
  return problems;
}

export function expectUsageError(run: DoctorRun, mentions: string[] = []): void {
  expect(usageErrorProblems(run, mentions), describeRun(run)).toEqual([]);
}

/**
 * A bad local file (config, kubeconfig) is the environment's fault, not the caller's: the same two stderr
 * lines as a usage error, but a report on stdout that says nothing could be checked, so a monitoring
 * file never keeps a stale value.
 */
export function expectConfigError(run: DoctorRun, mentions: string[] = []): void {
  const problems = usageErrorProblems(run, mentions).filter((p) => p !== 'stdout is not empty');
  if (!run.stdout.includes('not checked: '))
    problems.push('stdout has no report saying what was not checked');
  expect(problems, describeRun(run)).toEqual([]);
}

// ------------------------------------------------------------------ kubeconfigs

export interface KubeconfigSpec {
  server: string;
  caPem?: string;
  insecure?: boolean;
  token?: string;
  client?: { certPem: string; keyPem: string };
  /** `users[].user.exec`: a client.authentication.k8s.io/v1 exec plugin. */
  exec?: { command: string; args?: string[] };
  username?: string;
  password?: string;
}

/** Writes a one-context kubeconfig (JSON is YAML) into `dir` and returns its path. */
export async function writeKubeconfig(dir: string, spec: KubeconfigSpec): Promise<string> {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const user: Record<string, unknown> = {};
  if (spec.token) user.token = spec.token;
  if (spec.client) {
    user['client-certificate-data'] = b64(spec.client.certPem);
    user['client-key-data'] = b64(spec.client.keyPem);
  }
  if (spec.username) user.username = spec.username;
  if (spec.password) user.password = spec.password;
  if (spec.exec) {
    user.exec = {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: spec.exec.command,
      args: spec.exec.args ?? [],
      interactiveMode: 'Never',
    };
  }
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'hostile',
        cluster: {
          server: spec.server,
          ...(spec.caPem ? { 'certificate-authority-data': b64(spec.caPem) } : {}),
          ...(spec.insecure ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: 'doctor', user }],
    contexts: [{ name: 'hostile', context: { cluster: 'hostile', user: 'doctor' } }],
    'current-context': 'hostile',
  };
  const path = join(dir, 'kubeconfig');
  await writeFile(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}
