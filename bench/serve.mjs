// Serves the bench platform until interrupted, for profiling and poking by hand:
//   node bench/serve.mjs --n 1000 [--latency 20] [--env FILE] [--stats FILE]
// prints (and with --env writes, as shell exports) where everything listens and the doctor command line.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { doctorFlagsFor, startSandbox } from '../dist/sandbox/index.js';
import { benchScenario } from './platform.mjs';

const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
};
const n = Number(flag('--n', 1000));
const latencyMs = Number(flag('--latency', 20));
const envFile = flag('--env', null);

const { scenario, hosts } = await benchScenario(n, { latencyMs });
const sandbox = await startSandbox({ scenario });
const caFile = join(dirname(sandbox.kubeconfigPath), 'ingress-ca.pem');
writeFileSync(caFile, sandbox.ingressCaPem);
const [dnsHost, dnsPort] = sandbox.dnsServer.split(':');
const exports = [
  `export KUBECONFIG=${sandbox.kubeconfigPath}`,
  `export NODE_EXTRA_CA_CERTS=${caFile}`,
  `export DOCTOR_FLAGS='${doctorFlagsFor(sandbox).join(' ')} -o json --timeout 120s'`,
  `export DNS_HOST=${dnsHost} DNS_PORT=${dnsPort} HTTPS_PORT=${sandbox.https.port} LB=${sandbox.https.address}`,
  `export FIRST_HOST=${hosts[0]}`,
];
if (envFile) writeFileSync(envFile, `${exports.join('\n')}\n`);
process.stdout.write(
  [
    `bench platform: ${n} hosts, ${latencyMs} ms per API request (Ctrl-C stops it)`,
    ...exports,
    'node bin/platform.js doctor $DOCTOR_FLAGS',
    '',
  ].join('\n'),
);
// --stats FILE: the servers' counters so far, rewritten every 200 ms (diff two reads to cost one run).
const statsFile = flag('--stats', null);
if (statsFile) {
  const write = () =>
    writeFileSync(
      statsFile,
      `${JSON.stringify({ api: sandbox.stats.byKind, dns: sandbox.dnsStats, endpoint: sandbox.endpointStats, openbao: sandbox.openbaoStats.requests })}\n`,
    );
  setInterval(write, 200).unref();
}
process.on('SIGINT', () => sandbox.close().then(() => process.exit(0)));
process.on('SIGTERM', () => sandbox.close().then(() => process.exit(0)));
