import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listScenarios } from '../sandbox/load.js';
import { shellQuote } from '../text.js';
import { doctorFlagsFor, startSandbox } from '../sandbox/index.js';
import { EXIT } from './exit-code.js';
import type { CliIO } from './io.js';
import { checkScenarioName } from './scenario-name.js';
import { readSnapshotFile } from './snapshot.js';

/** The doctor's own entry point, so the printed line runs as printed whether or not `platform` is on PATH. */
const BIN = fileURLToPath(new URL('../../bin/platform.js', import.meta.url));

/** `platform sandbox list`: one line per scenario. */
export async function sandboxList(io: CliIO): Promise<number> {
  const scenarios = await listScenarios();
  const width = Math.max(...scenarios.map((s) => s.name.length));
  for (const s of scenarios) io.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
  return EXIT.ok;
}

/** What `sandbox up` serves: a scenario by name, or a snapshot written by `platform doctor --snapshot`. */
export type SandboxSource = { scenario: string } | { from: string };

/** `platform sandbox up`: serve a scenario or a snapshot until interrupted, printing how to use it by hand. */
export async function sandboxUp(source: SandboxSource, io: CliIO, toolVersion: string): Promise<number> {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let scenario: string;
  let note: string[] = [];
  if ('from' in source) {
    const snapshot = await readSnapshotFile(source.from, io, toolVersion);
    const { scenarioFromRecording } = await import('../sandbox/from-recording.js');
    const { context, cluster } = snapshot.run.target;
    const served = scenarioFromRecording(snapshot.answers, {
      name: 'snapshot',
      description: `the platform as platform doctor ${snapshot.doctorVersion} saw ${context ?? cluster ?? 'it'} at ${snapshot.recordedAt}`,
    });
    sandbox = await startSandbox({ scenario: served, servedAt: new Date(snapshot.recordedAt) });
    scenario = `snapshot ${source.from}`;
    note = [
      `objects, events and logs as recorded at ${snapshot.recordedAt}; Secret values and tokens were never recorded`,
    ];
  } else {
    await checkScenarioName(source.scenario, '--scenario');
    sandbox = await startSandbox({ scenario: source.scenario });
    scenario = source.scenario;
  }
  // Next to the kubeconfig, so it goes when the sandbox removes its temp folder.
  const caFile = join(dirname(sandbox.kubeconfigPath), 'ingress-ca.pem');
  writeFileSync(caFile, sandbox.ingressCaPem);
  const [dnsHost, dnsPort] = sandbox.dnsServer.split(':');
  const { address, port } = sandbox.https;
  io.stdout.write(
    [
      `sandbox "${scenario}" is up (Ctrl-C stops it)`,
      ...note,
      '',
      `export KUBECONFIG=${shellQuote([sandbox.kubeconfigPath])}`,
      `export BAO_ADDR=${shellQuote([sandbox.openbao.address])}`,
      `export NODE_EXTRA_CA_CERTS=${shellQuote([caFile])}   # the doctor's HTTPS probe trusts the sandbox ACME CA`,
      `export CURL_CA_BUNDLE=${shellQuote([caFile])}   # so do the curl commands it prints`,
      '',
      'kubectl get ingress -A',
      shellQuote([process.execPath, BIN, 'doctor', ...doctorFlagsFor(sandbox)]),
      `dig @${dnsHost} -p ${dnsPort} stg.cocdev.co.kr`,
      `curl -sI --resolve stg.cocdev.co.kr:${port}:${address} https://stg.cocdev.co.kr:${port}/`,
      '',
    ].join('\n'),
  );
  await io.interrupted;
  await sandbox.close();
  io.stdout.write('sandbox stopped\n');
  return EXIT.ok;
}
