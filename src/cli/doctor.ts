import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Report, ResultNode } from '../checks/result.js';
import type { Scope } from '../checks/step.js';
import { loadConfig, selectProfile } from '../config/load.js';
import { assembleReport, runDoctor, type RunOptions } from '../engine/run.js';
import { createDnsGateway } from '../gateways/dns.js';
import { errorMessage, isGatewayError } from '../gateways/errors.js';
import { createHttpGateway } from '../gateways/http.js';
import { createKubeGateway } from '../gateways/kube.js';
import { createOpenBaoGateway } from '../gateways/openbao.js';
import { Sensitive } from '../gateways/sensitive.js';
import type { Gateways } from '../gateways/types.js';
import { renderers } from '../report/index.js';
import type { RenderOptions } from '../report/types.js';
import { runbooks } from '../runbooks/index.js';
import type { Runbook } from '../runbooks/types.js';
import type { Sandbox } from '../sandbox/index.js';
import { supportsColor, supportsUnicode } from '../ui/theme.js';
import { EXIT, exitCodeFor } from './exit-code.js';
import type { CliIO } from './io.js';
import { UsageError, type DoctorOptions } from './options.js';
import { writeFileAtomically } from './report-file.js';
import { watchPlain } from './watch.js';

const STEP_TIMEOUT_MS = 20_000;
const STEP_CONCURRENCY = 4;

/** `platform doctor`: resolve config and target, check reachability, run, render. Returns the exit code. */
export async function doctorCommand(options: DoctorOptions, io: CliIO, toolVersion: string): Promise<number> {
  const loaded = loadConfig(options.config, io.cwd);
  const profile = selectProfile(loaded?.config ?? null, options.env);
  // Under the live UI, debug lines would tear Ink's frame: hold them and print them once it has exited.
  const heldDebug: string[] = [];
  const isLive = isInteractive(options, io);
  const debug = options.debug
    ? (line: string) => (isLive ? heldDebug.push(line) : io.stderr.write(`[debug] ${line}\n`))
    : undefined;
  let sandbox: Sandbox | undefined;
  try {
    if (options.demo !== undefined) {
      // Only --demo needs the sandbox servers and their certificate library.
      const { startSandbox } = await import('../sandbox/index.js');
      sandbox = await startSandbox({ scenario: options.demo });
    }
    const gateways = createGateways(options, io, profile, sandbox, debug);
    const scope = buildScope(options, io, profile, sandbox);
    const target: Report['target'] = {
      context: gateways.kube.target.context,
      cluster: gateways.kube.target.cluster,
      env: profile.name,
    };
    const plan = planRunbooks(options);
    const runOptions: RunOptions = {
      plan,
      gateways,
      scope,
      target,
      deadlineMs: options.timeoutMs,
      stepTimeoutMs: Math.min(STEP_TIMEOUT_MS, options.timeoutMs),
      concurrency: STEP_CONCURRENCY,
      toolVersion,
      debug,
    };

    const unreachable = await preflight(gateways, options.timeoutMs);
    if (unreachable) {
      io.stderr.write(`platform: ${unreachable}\n`);
      const report = assembleReport(
        plan.map((r) => notChecked(r, unreachable)),
        {
          startedAt: new Date(),
          durationMs: 0,
          target,
          toolVersion,
        },
      );
      // Machine consumers still get a report, so a monitoring file never goes stale silently.
      if (options.output && options.output !== 'tree')
        io.stdout.write(renderers[options.output](report, renderOptions(options, io)));
      await writeReports(options, io, report);
      return EXIT.couldNotCheck;
    }

    const render = renderOptions(options, io);
    if (isLive) {
      const { runInteractive } = await import('../ui/interactive.js');
      const report = await runInteractive({
        run: runOptions,
        render,
        watchMs: options.watchMs,
        interrupted: io.interrupted,
        saveReport: async (finished) => {
          const path = resolve(io.cwd, `platform-doctor-${finished.startedAt.replace(/[:.]/g, '-')}.md`);
          await writeFileAtomically(path, renderers.markdown(finished, { ...render, color: false }));
          return path;
        },
      });
      for (const line of heldDebug) io.stderr.write(`[debug] ${line}\n`);
      await writeReports(options, io, report);
      return exitCodeFor(report.status);
    }
    if (options.watchMs !== undefined) {
      return await watchPlain(runOptions, options.watchMs, io, {
        output: options.output ?? 'tree',
        render,
        afterRun: (report) => writeReports(options, io, report),
      });
    }
    const report = await runDoctor(runOptions);
    io.stdout.write(renderers[options.output ?? 'tree'](report, render));
    await writeReports(options, io, report);
    return exitCodeFor(report.status);
  } finally {
    await sandbox?.close();
  }
}

/**
 * The live Ink tree needs a terminal for output and for keys. Under CI (even with a pseudo-terminal) Ink
 * draws only its last frame and nobody presses `q`, so CI gets the plain tree instead.
 */
function isInteractive(options: DoctorOptions, io: CliIO): boolean {
  const ci = io.env.CI !== undefined && io.env.CI !== 'false' && io.env.CI !== '0';
  return Boolean(io.stdout.isTTY) && io.stdinIsTTY && options.output === undefined && !ci;
}

function createGateways(
  options: DoctorOptions,
  io: CliIO,
  profile: Scope['profile'],
  sandbox: Sandbox | undefined,
  debug: ((line: string) => void) | undefined,
): Gateways {
  const requestTimeoutMs = Math.min(10_000, options.timeoutMs);
  return {
    kube: createKubeGateway({
      kubeconfigPath: sandbox?.kubeconfigPath ?? options.kubeconfig,
      context: sandbox?.context ?? options.context ?? profile.context ?? undefined,
      requestTimeoutMs,
      // Every namespace is in scope: one cluster-wide list per kind serves every per-namespace question.
      preferClusterWideLists: options.namespaces.length === 0 && profile.namespaces === null,
      env: io.env,
      trace: debug,
    }),
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
  const kubectlFlags = sandbox
    ? ''
    : [
        options.kubeconfig && `--kubeconfig ${options.kubeconfig}`,
        options.context && `--context ${options.context}`,
      ]
        .filter(Boolean)
        .join(' ');
  return {
    profile,
    namespaces: options.namespaces.length ? options.namespaces : profile.namespaces,
    readSecrets: options.readSecrets,
    ports: sandbox
      ? { http: sandbox.http.port, https: sandbox.https.port }
      : { http: options.httpPort, https: options.httpsPort },
    openbaoAddress: options.openbaoAddr ?? env.BAO_ADDR ?? env.VAULT_ADDR ?? profile.openbao.address,
    openbaoToken: token ? new Sensitive(token) : null,
    openbaoCaPem: caPath ? readCaFile(caPath, 'the OpenBao CA certificate') : null,
    kubectlFlags,
  };
}

function readCaFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${errorMessage(error)}`);
  }
}

function planRunbooks(options: DoctorOptions): Runbook[] {
  return runbooks
    .map((r) => ({ ...r, steps: r.steps.filter((s) => options.steps.includes(s.id)) }))
    .filter((r) => r.steps.length > 0);
}

/** Asks the API server for its version; returns the one-line reason when it cannot be reached. */
async function preflight(gateways: Gateways, timeoutMs: number): Promise<string | null> {
  try {
    await gateways.kube.readVersion(AbortSignal.timeout(Math.min(timeoutMs, 10_000)));
    return null;
  } catch (error) {
    if (isGatewayError(error)) return error.message;
    throw error;
  }
}

function notChecked(runbook: Runbook, reason: string): ResultNode {
  return {
    id: runbook.id,
    title: runbook.title,
    status: 'error',
    message: `not checked: ${reason}`,
    hint: 'Check the kubeconfig context and that the API server is reachable from here (kubectl cluster-info).',
    commands: ['kubectl cluster-info', 'kubectl config current-context'],
  };
}

function renderOptions(options: DoctorOptions, io: CliIO): RenderOptions {
  return {
    color: supportsColor(io.env, Boolean(io.stdout.isTTY)),
    unicode: supportsUnicode(io.env),
    verbose: options.verbose,
    width: io.stdout.columns,
  };
}

async function writeReports(options: DoctorOptions, io: CliIO, report: Report): Promise<void> {
  for (const { path, format } of options.reports) {
    const render: RenderOptions = { color: false, unicode: true, verbose: true };
    try {
      await writeFileAtomically(resolve(io.cwd, path), renderers[format](report, render));
    } catch (error) {
      throw new UsageError(`cannot write the report ${path}: ${errorMessage(error)}`);
    }
  }
}
