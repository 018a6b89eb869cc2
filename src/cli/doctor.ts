import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Report } from '../checks/result.js';
import type { Scope } from '../checks/step.js';
import { ConfigError, loadConfig, selectProfile } from '../config/load.js';
import { isFindingCode } from '../checks/codes.js';
import { assembleReport, notCheckedRunbook } from '../engine/run.js';
import type { CommandTarget } from '../engine/commands.js';
import { DoctorSession } from '../engine/session.js';
import { createDnsGateway } from '../gateways/dns.js';
import { UserError, errorMessage } from '../gateways/errors.js';
import { createHttpGateway } from '../gateways/http.js';
import { createKubeGateway } from '../gateways/kube.js';
import { createOpenBaoGateway } from '../gateways/openbao.js';
import { Recorder, type TokenNames } from '../gateways/recording.js';
import { redact } from '../gateways/redact.js';
import { Sensitive } from '../gateways/sensitive.js';
import type { Gateways } from '../gateways/types.js';
import { FORMATS } from '../report/index.js';
import { supportsColor, supportsUnicode } from '../report/theme.js';
import type { RenderOptions } from '../report/types.js';
import { runbooks } from '../runbooks/index.js';
import type { Runbook } from '../runbooks/types.js';
import type { Sandbox } from '../sandbox/index.js';
import { displayable, shellQuote } from '../text.js';
import { InvalidValue, parseHttpUrl } from '../values.js';
import { exitCodeFor } from './exit-code.js';
import type { CliIO } from './io.js';
import { DEFAULT_SINCE_MS, UsageError, type DoctorOptions } from './options.js';
import { checkScenarioName } from './scenario-name.js';
import { ProgressLine } from './progress.js';
import { writeFileAtomically } from './report-file.js';
import { readSnapshotFile, recordedRun, replayTarget, writeSnapshotFile } from './snapshot.js';
import type { Snapshot } from '../engine/snapshot.js';
import { STEP_IDS } from '../runbooks/index.js';
import { watchPlain } from './watch.js';

const STEP_TIMEOUT_MS = 20_000;

/** The invocation around a command: the tool's version, and when it started (the deadline counts from here). */
export interface Invocation {
  toolVersion: string;
  /** `performance.now()` when `main` began: `--timeout` covers everything after it. */
  startedMs: number;
  /** The arguments after `platform`, as given. */
  argv: string[];
}

/** `platform doctor --env stg …`, shell-quoted, with any credential in it (a URL password) removed. */
export function commandLineOf(argv: readonly string[]): string {
  // Each word before quoting: quoting escapes the `:` and `@` of `https://user:pw@host`, hiding it from redact.
  return shellQuote(['platform', ...argv.map(redact)]);
}

/**
 * `platform doctor`: resolve config and target, run, render, write reports. Returns the exit code.
 * Whatever the environment does (no config, no kubeconfig, an API server that never answers, Ctrl-C), a
 * report is printed and written; a mistake in the flags is the only way out without one.
 */
export async function doctorCommand(
  options: DoctorOptions,
  io: CliIO,
  invocation: Invocation,
): Promise<number> {
  if (options.demo !== undefined) await checkScenarioName(options.demo, '--demo');
  // A snapshot that cannot be used is one clear error before anything runs, not a report.
  const snapshot =
    options.from === undefined ? undefined : await readSnapshotFile(options.from, io, invocation.toolVersion);
  const plan = planRunbooks(options, snapshot);
  const isLive = isInteractive(options, io);
  const render = renderOptions(options, io);
  // Under the live UI, debug lines would tear Ink's frame: hold them and print them once it has exited.
  const heldDebug: string[] = [];
  const debug = options.debug
    ? (line: string) => {
        const text = `[debug] ${displayable(redact(line), 10_000)}`;
        if (isLive) heldDebug.push(text);
        else io.stderr.write(`${text}\n`);
      }
    : undefined;
  const target: Report['target'] = {
    context: options.context ?? null,
    cluster: null,
    env: options.env ?? null,
  };
  const output = async (report: Report) => {
    io.stdout.write(FORMATS[options.output ?? 'tree'].render(report, render));
    await writeReports(options, io, report);
  };

  let sandbox: Sandbox | undefined;
  let session: DoctorSession | undefined;
  let isInterrupted = false;
  // Ctrl-C, SIGTERM, SIGHUP: stop the run; what finished is reported and the demo sandbox cleaned up.
  void io.interrupted.then(() => {
    isInterrupted = true;
    session?.stop();
  });
  try {
    let created: PreparedTarget;
    try {
      if (snapshot) {
        created = replayedTarget(snapshot);
      } else {
        const loaded = loadConfig(options.config, io.cwd, isFindingCode);
        const profile = selectProfile(loaded?.config ?? null, options.env);
        if (options.demo !== undefined) {
          // Only --demo needs the sandbox servers and their certificate library.
          const { startSandbox } = await import('../sandbox/index.js');
          sandbox = await startSandbox({ scenario: options.demo });
        }
        created = createTarget(options, io, profile, sandbox, debug);
      }
    } catch (error) {
      // The environment is at fault (config, kubeconfig): monitoring still gets a report that says so.
      if (error instanceof UserError && !(error instanceof UsageError)) {
        await output(notCheckedReport(plan, error.message, target, invocation));
      }
      throw error;
    }

    // Every answer passes through the recorder: the timeline reads what the run listed, --snapshot writes it.
    const recorder = new Recorder(created.gateways, created.tokens);
    if (created.scope.openbaoToken && created.tokenHolder) {
      recorder.tokens.name(created.scope.openbaoToken, { holder: created.tokenHolder });
    }
    const sinceMs = options.sinceMs ?? snapshot?.run.sinceMs ?? DEFAULT_SINCE_MS;
    const saveSnapshot = async (report: Report) => {
      if (options.snapshot === undefined) return;
      const run = recordedRun({
        steps: plan.flatMap((r) => r.steps.map((step) => step.id)),
        target: created.target,
        commandTarget: created.commandTarget,
        recorder,
        kube: created.gateways.kube.target,
        dnsResolvers: created.gateways.dns.resolvers,
        sinceMs,
        scope: created.scope,
      });
      await writeSnapshotFile(options.snapshot, io, {
        recorder,
        run,
        report,
        doctorVersion: invocation.toolVersion,
      });
    };
    session = new DoctorSession({
      plan,
      gateways: recorder.gateways,
      scope: created.scope,
      target: created.target,
      commandTarget: created.commandTarget,
      ...(created.now ? { now: created.now } : {}),
      timeline: { windowMs: sinceMs, reads: recorder },
      timeoutMs: options.timeoutMs,
      stepTimeoutMs: Math.min(STEP_TIMEOUT_MS, options.timeoutMs),
      toolVersion: invocation.toolVersion,
      commandLine: commandLineOf(invocation.argv),
      debug,
    });
    if (isInterrupted) session.stop();
    // A person waits at a terminal: say what is going on, on stderr, and erase it before the report.
    if (!isLive && io.stderr.isTTY)
      session.subscribe(new ProgressLine((t) => io.stderr.write(t), render.unicode).onEvent);

    if (isLive) {
      const live = session;
      const { runInteractive } = await import('../ui/interactive.js');
      const { report, copied } = await runInteractive({
        session: live,
        render,
        writeToTerminal: (text) => io.stdout.write(text),
        start: () =>
          options.watchMs === undefined
            ? live.run()
            : // Under the live UI a stderr line would tear the frame: the files are announced after it.
              live.watch(options.watchMs, (r) => writeReports(options, io, r, true)),
        saveReport: async (finished) => {
          const path = resolve(io.cwd, `platform-doctor-${finished.startedAt.replace(/[:.]/g, '-')}.md`);
          await writeFileAtomically(path, FORMATS.markdown.render(finished, { ...render, color: false }));
          return path;
        },
      });
      for (const line of heldDebug) io.stderr.write(`${line}\n`);
      // Not every terminal takes OSC 52: what was copied is printed where it can be selected.
      for (const command of copied) io.stdout.write(`copied: ${command}\n`);
      await writeReports(options, io, report);
      await saveSnapshot(report);
      return exitCodeFor(report.status);
    }
    if (options.watchMs !== undefined) {
      let runs = 0;
      return await watchPlain(session, options.watchMs, io, {
        output: options.output ?? 'tree',
        render,
        afterRun: (report) => writeReports(options, io, report, runs++ > 0),
      });
    }
    const leftMs = invocation.startedMs + options.timeoutMs - performance.now();
    const report = await session.run(Math.max(1, Math.floor(leftMs)));
    const unreachable = report.runbooks.find((r) => r.message?.startsWith('not checked: '))?.message;
    if (unreachable && !isInterrupted)
      io.stderr.write(`platform: ${displayable(unreachable.slice(13), 2048)}\n`);
    await output(report);
    await saveSnapshot(report);
    return exitCodeFor(report.status);
  } finally {
    // Cleanup is bounded too: a server that never lets go must not hold the exit.
    await within(CLEANUP_MS, Promise.all([session?.close(), sandbox?.close()]));
  }
}

/** How long closing connections, children and the demo sandbox may take after the report is out. */
const CLEANUP_MS = 500;

function within(ms: number, work: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    work.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

/** A report in which every planned runbook is an `error`: nothing could be checked, and why. */
function notCheckedReport(
  plan: readonly Runbook[],
  reason: string,
  target: Report['target'],
  invocation: Invocation,
): Report {
  return assembleReport(
    plan.map((r) => notCheckedRunbook(r, reason)),
    {
      startedAt: new Date(),
      durationMs: 0,
      target,
      toolVersion: invocation.toolVersion,
      commandLine: commandLineOf(invocation.argv),
    },
  );
}

/**
 * The live Ink tree needs a terminal for output and for keys. Under CI (even with a pseudo-terminal) Ink
 * draws only its last frame and nobody presses `q`, so CI gets the plain tree instead.
 */
function isInteractive(options: DoctorOptions, io: CliIO): boolean {
  const ci = io.env.CI !== undefined && io.env.CI !== 'false' && io.env.CI !== '0';
  return Boolean(io.stdout.isTTY) && io.stdinIsTTY && options.output === undefined && !ci;
}

/** What a run needs of its target, live or replayed. */
interface PreparedTarget {
  gateways: Gateways;
  scope: Scope;
  target: Report['target'];
  commandTarget: CommandTarget;
  /** A replay's clock: the recorded run's. */
  now?: () => Date;
  /** Token names shared with the replaying gateways. */
  tokens?: TokenNames;
  /** Where `scope.openbaoToken` came from (`BAO_TOKEN`), so a recording names it. */
  tokenHolder?: string;
}

/** `--from`: the recorded target, answered by the snapshot, on the recorded clock. */
function replayedTarget(snapshot: Snapshot): PreparedTarget {
  const { replay, ...rest } = replayTarget(snapshot);
  return { ...rest, gateways: replay.gateways, tokens: replay.tokens };
}

/** The gateways, the scope and the report's target for this invocation. */
function createTarget(
  options: DoctorOptions,
  io: CliIO,
  profile: Scope['profile'],
  sandbox: Sandbox | undefined,
  debug: ((line: string) => void) | undefined,
): PreparedTarget {
  const requestTimeoutMs = Math.min(10_000, options.timeoutMs);
  const context = options.context ?? profile.context ?? undefined;
  const kube = createKubeGateway({
    kubeconfigPath: sandbox?.kubeconfigPath ?? options.kubeconfig,
    context: sandbox?.context ?? context,
    requestTimeoutMs,
    // Every namespace is in scope: one cluster-wide list per kind serves every per-namespace question.
    preferClusterWideLists: options.namespaces.length === 0 && profile.namespaces === null,
    env: io.env,
    trace: debug,
  });
  const gateways: Gateways = {
    kube,
    dns: createDnsGateway({
      servers: sandbox ? [sandbox.dnsServer] : options.dnsServers.length ? options.dnsServers : undefined,
      timeoutMs: Math.min(2_000, options.timeoutMs),
    }),
    http: createHttpGateway({
      timeoutMs: Math.min(5_000, options.timeoutMs),
      // The probe passes its own CA list, which hides Node's NODE_EXTRA_CA_CERTS: add that file back by hand.
      extraCaPem: sandbox
        ? [sandbox.ingressCaPem]
        : io.env.NODE_EXTRA_CA_CERTS
          ? [readCaFile(io.env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS')]
          : [],
    }),
    openbao: createOpenBaoGateway({ timeoutMs: Math.min(5_000, options.timeoutMs), trace: debug }),
  };
  const env = sandbox ? {} : io.env;
  return {
    gateways,
    scope: buildScope(options, io, profile, sandbox),
    tokenHolder: env.BAO_TOKEN ? 'BAO_TOKEN' : 'VAULT_TOKEN',
    target: { context: kube.target.context, cluster: kube.target.cluster, env: profile.name },
    // Printed kubectl commands must reach the cluster examined here; the demo sandbox is gone by then.
    commandTarget: {
      flags: sandbox
        ? []
        : [
            ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
            ...(context ? ['--context', context] : []),
          ],
    },
  };
}

function buildScope(
  options: DoctorOptions,
  io: CliIO,
  profile: Scope['profile'],
  sandbox: Sandbox | undefined,
): Scope {
  // A demo must never send sandbox tokens to a real OpenBao named in the user's shell.
  const env = sandbox ? {} : io.env;
  const token = env.BAO_TOKEN ?? env.VAULT_TOKEN;
  const caPath = env.BAO_CACERT ?? env.VAULT_CACERT;
  return {
    profile,
    namespaces: options.namespaces.length ? options.namespaces : profile.namespaces,
    readSecrets: options.readSecrets,
    ports: sandbox
      ? { http: sandbox.http.port, https: sandbox.https.port }
      : { http: options.httpPort, https: options.httpsPort },
    openbaoAddress:
      options.openbaoAddr ?? envUrl(env, 'BAO_ADDR') ?? envUrl(env, 'VAULT_ADDR') ?? profile.openbao.address,
    openbaoToken: token ? new Sensitive(token) : null,
    openbaoCaPem: caPath ? readCaFile(caPath, 'the OpenBao CA certificate') : null,
  };
}

/** An OpenBao address from the environment: a mistake there is a configuration error, not a broken store. */
function envUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  try {
    return parseHttpUrl(value);
  } catch (error) {
    if (error instanceof InvalidValue) throw new ConfigError(`${name} ${error.message}`);
    throw error;
  }
}

function readCaFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${what} ${path}: ${errorMessage(error)}`);
  }
}

/** The selected steps; a replay without a selection runs the steps the recorded run ran (those this doctor knows). */
function planRunbooks(options: DoctorOptions, snapshot: Snapshot | undefined): Runbook[] {
  const recorded = snapshot?.run.steps.filter((id) => STEP_IDS.includes(id));
  const steps = snapshot && !options.hasStepSelection && recorded?.length ? recorded : options.steps;
  return runbooks
    .map((r) => ({ ...r, steps: r.steps.filter((s) => steps.includes(s.id)) }))
    .filter((r) => r.steps.length > 0);
}

function renderOptions(options: DoctorOptions, io: CliIO): RenderOptions {
  return {
    color: supportsColor(io.env, Boolean(io.stdout.isTTY)),
    unicode: supportsUnicode(io.env),
    verbose: options.verbose,
    width: io.stdout.columns,
  };
}

/** Writes every `--report FILE`; says on stderr what it wrote unless `quiet` (the later runs of --watch). */
async function writeReports(options: DoctorOptions, io: CliIO, report: Report, quiet = false): Promise<void> {
  for (const { path, format } of options.reports) {
    const render: RenderOptions = { color: false, unicode: true, verbose: true };
    try {
      await writeFileAtomically(resolve(io.cwd, path), FORMATS[format].render(report, render));
    } catch (error) {
      throw new ConfigError(`cannot write the report ${path}: ${errorMessage(error)}`);
    }
    if (!quiet) io.stderr.write(`platform: wrote ${displayable(path, 1024)} (${format})\n`);
  }
}
