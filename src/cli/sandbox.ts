import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listScenarios } from '../sandbox/load.js';
import { doctorFlagsFor, startSandbox } from '../sandbox/index.js';
import { EXIT } from './exit-code.js';
import type { CliIO } from './io.js';
import { checkScenarioName } from './scenario-name.js';

/** `platform sandbox list`: one line per scenario. */
export async function sandboxList(io: CliIO): Promise<number> {
  const scenarios = await listScenarios();
  const width = Math.max(...scenarios.map((s) => s.name.length));
  for (const s of scenarios) io.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
  return EXIT.ok;
}

/** `platform sandbox up`: serve a scenario until interrupted, printing how to use it by hand. */
export async function sandboxUp(scenario: string, io: CliIO): Promise<number> {
  await checkScenarioName(scenario, '--scenario');
  const sandbox = await startSandbox({ scenario });
  // Next to the kubeconfig, so it goes when the sandbox removes its temp folder.
  const caFile = join(dirname(sandbox.kubeconfigPath), 'ingress-ca.pem');
  writeFileSync(caFile, sandbox.ingressCaPem);
  io.stdout.write(
    [
      `sandbox "${scenario}" is up (Ctrl-C stops it)`,
      '',
      `export KUBECONFIG=${sandbox.kubeconfigPath}`,
      `export BAO_ADDR=${sandbox.openbao.address}`,
      `export NODE_EXTRA_CA_CERTS=${caFile}   # trust the sandbox ACME CA for the HTTPS probe`,
      '',
      `kubectl get ingress -A`,
      `platform doctor ${doctorFlagsFor(sandbox).join(' ')}`,
      `dig @${sandbox.dnsServer.split(':')[0]} -p ${sandbox.dnsServer.split(':')[1]} stg.cocdev.co.kr`,
      '',
    ].join('\n'),
  );
  await io.interrupted;
  await sandbox.close();
  io.stdout.write('sandbox stopped\n');
  return EXIT.ok;
}
