import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './cli/exit-code.js';
import { processIO, type CliIO } from './cli/io.js';
import {
  UsageError,
  flagValue,
  parseOutput,
  parseReportPath,
  parseRunbooks,
  selectSteps,
  type DoctorOptions,
} from './cli/options.js';
import { UserError, errorMessage } from './gateways/errors.js';
import { redact } from './gateways/redact.js';
import { SCREEN_TEXT_LIMIT, displayable } from './text.js';
import { formatIpEndpoint, parseDuration, parseHttpUrl, parseIpEndpoint, parsePort } from './values.js';
import { FORMATS, STDOUT_FORMATS } from './report/index.js';
import { RUNBOOK_IDS } from './runbooks/index.js';
import { TOOL_VERSION } from './cli/version.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Raw commander values for `doctor`, before validation. */
interface DoctorFlags {
  env?: string;
  namespace: string[];
  kubeconfig?: string;
  context?: string;
  config?: string;
  output?: string;
  report: string[];
  dnsServer: string[];
  openbaoAddr?: string;
  httpPort: string;
  httpsPort: string;
  only: string[];
  skip: string[];
  timeout: string;
  demo?: string | true;
  debug?: boolean;
  verbose?: boolean;
  readSecrets: boolean;
  watch?: string | true;
  since?: string;
  snapshot?: string;
  from?: string;
}

/** Flags → validated options; every mistake is a UsageError naming the flag. */
export function validateDoctorFlags(runbookNames: string[], flags: DoctorFlags): DoctorOptions {
  const runbooks = parseRunbooks(runbookNames);
  const steps = selectSteps(runbooks, flags.only, flags.skip);
  if (steps.length === 0) throw new UsageError('--only/--skip leave no step to run');
  return {
    runbooks,
    env: flags.env,
    namespaces: flags.namespace,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    config: flags.config,
    output: parseOutput(flags.output),
    reports: flags.report.map(parseReportPath),
    dnsServers: flags.dnsServer.map((text) =>
      formatIpEndpoint(flagValue('--dns-server', (t) => parseIpEndpoint(t, 53), text)),
    ),
    openbaoAddr:
      flags.openbaoAddr === undefined
        ? undefined
        : flagValue('--openbao-addr', parseHttpUrl, flags.openbaoAddr),
    httpPort: flagValue('--http-port', parsePort, flags.httpPort),
    httpsPort: flagValue('--https-port', parsePort, flags.httpsPort),
    steps,
    timeoutMs: flagValue('--timeout', parseDuration, flags.timeout),
    demo: flags.demo === true ? 'healthy' : flags.demo,
    debug: Boolean(flags.debug),
    verbose: Boolean(flags.verbose),
    readSecrets: flags.readSecrets,
    watchMs:
      flags.watch === undefined
        ? undefined
        : flags.watch === true
          ? 60_000
          : flagValue('--watch', parseDuration, flags.watch),
    sinceMs: flags.since === undefined ? undefined : flagValue('--since', parseDuration, flags.since),
    snapshot: flags.snapshot,
    from: flags.from,
    hasStepSelection: runbookNames.length > 0 || flags.only.length > 0 || flags.skip.length > 0,
  };
}

function buildProgram(
  io: CliIO,
  invocation: { startedMs: number; argv: string[] },
  done: (code: number) => void,
): Command {
  const program = new Command('platform')
    .description('Diagnoses the GitOps platform: ingress, certificates, DNS, secrets from OpenBao, Argo CD')
    .version(TOOL_VERSION, '--version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('doctor')
    .description('run the runbooks and print a pass/fail tree with hints and next commands')
    .argument('[runbook...]', `${RUNBOOK_IDS.join(' | ')} (default: all)`)
    .option('--env <name>', 'environment profile from the config file')
    .option('-n, --namespace <ns>', 'limit application namespaces (repeatable)', collect, [])
    .option('--kubeconfig <path>', 'kubeconfig file, as kubectl (KUBECONFIG honoured)')
    .option('--context <name>', 'kubeconfig context, as kubectl')
    .option('--config <path>', 'config file (default ./platform.yaml when present)')
    .addOption(
      new Option('-o, --output <format>', `${STDOUT_FORMATS.join('|')} (default: interactive on a TTY)`),
    )
    .option(
      '--report <file>',
      `also write a report; format from ${Object.values(FORMATS)
        .map((f) => f.extension)
        .join(' ')} (repeatable)`,
      collect,
      [],
    )
    .option(
      '--dns-server <host[:port]>',
      'resolver to query (repeatable; default: the system resolvers)',
      collect,
      [],
    )
    .option(
      '--openbao-addr <url>',
      'OpenBao address (else BAO_ADDR / VAULT_ADDR, else each SecretStore server)',
    )
    .option('--http-port <n>', 'port of the ingress HTTP probe', '80')
    .option('--https-port <n>', 'port of the ingress HTTPS probe', '443')
    .option('--only <id>', 'run only steps whose id starts with this (repeatable)', collect, [])
    .option('--skip <id>', 'skip steps whose id starts with this (repeatable)', collect, [])
    .option('--timeout <duration>', 'overall deadline', '60s')
    .option('--demo [scenario]', 'run against the built-in sandbox platform (default scenario: healthy)')
    .option('--no-read-secrets', 'never read Secret data (token checks use BAO_TOKEN/VAULT_TOKEN or skip)')
    .addOption(
      new Option('--watch [interval]', 'rerun every interval (default 60s) until interrupted').conflicts(
        'snapshot',
      ),
    )
    .option('--since <duration>', 'window of "What changed" (default 24h, at most 24h)')
    .option('--snapshot <file>', 'also write every answer the run used and the report to FILE (gzip JSON)')
    .addOption(
      new Option('--from <file>', 'replay a snapshot offline instead of asking a platform').conflicts([
        'demo',
        'kubeconfig',
        'context',
        'env',
        'config',
        'namespace',
        'dnsServer',
        'httpPort',
        'httpsPort',
        'openbaoAddr',
        'watch',
        'snapshot',
        'readSecrets',
      ]),
    )
    .option('-v, --verbose', 'expand passing checks too')
    .option('--debug', 'stack traces and request traces on stderr')
    .action(async (runbookNames: string[], flags: DoctorFlags) => {
      const options = validateDoctorFlags(runbookNames, flags);
      // Loaded on use: --help and --version should not pay for the Kubernetes client and the sandbox.
      const { doctorCommand } = await import('./cli/doctor.js');
      done(await doctorCommand(options, io, { toolVersion: TOOL_VERSION, ...invocation }));
    });

  const sandbox = program.command('sandbox').description('the built-in sandbox platform (no cluster needed)');
  sandbox
    .command('up')
    .description('start the sandbox and keep it running; prints how to point kubectl and the doctor at it')
    .addOption(new Option('--scenario <name>', 'scenario to serve (default: healthy)').conflicts('from'))
    .option('--from <file>', 'serve a snapshot written by platform doctor --snapshot')
    .action(async (flags: { scenario?: string; from?: string }) => {
      const { sandboxUp } = await import('./cli/sandbox.js');
      done(
        await sandboxUp(
          flags.from === undefined ? { scenario: flags.scenario ?? 'healthy' } : { from: flags.from },
          io,
          TOOL_VERSION,
        ),
      );
    });
  sandbox
    .command('list')
    .description('list the scenarios')
    .action(async () => {
      const { sandboxList } = await import('./cli/sandbox.js');
      done(await sandboxList(io));
    });
  return program;
}

/** A line for the terminal: credentials removed, one line, control characters visible, bounded. */
function forStderr(text: string): string {
  return displayable(redact(text), SCREEN_TEXT_LIMIT);
}

/**
 * Runs the CLI and resolves to the exit code. Errors for people are one line (plus a "try" line);
 * unexpected errors say they are a bug, with the stack only under --debug.
 */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const startedMs = io.startedMs;
  let exitCode: number = EXIT.ok;
  const debug = argv.includes('--debug');
  try {
    await buildProgram(io, { startedMs, argv }, (code) => (exitCode = code)).parseAsync(argv, {
      from: 'user',
    });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.ok;
      // Commander already printed its one-line message.
      io.stderr.write(`try: platform ${argv[0] === 'sandbox' ? 'sandbox' : 'doctor'} --help\n`);
      return EXIT.couldNotCheck;
    }
    if (error instanceof UserError) {
      io.stderr.write(`platform: ${forStderr(error.message)}\n${error.tryLine}\n`);
      return EXIT.couldNotCheck;
    }
    io.stderr.write(`platform: unexpected error (this is a bug): ${forStderr(errorMessage(error))}\n`);
    if (debug && error instanceof Error) io.stderr.write(`${redact(error.stack ?? '')}\n`);
    else io.stderr.write('rerun with --debug for the stack trace\n');
    return EXIT.couldNotCheck;
  }
}
