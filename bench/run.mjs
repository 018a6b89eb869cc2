// Benchmarks with targets: `npm run bench` (builds first). Scales the healthy sandbox platform to many
// namespaces and hosts, runs the built doctor in a child process against it through the normal CLI path,
// and checks that it lists each kind once whatever the size, stays fast, and keeps its memory bounded.
// Reading each SecretStore's token is one GET per store: reported, not a target.
// Exit code 1 when a target is missed. Flags: --copies N (default 100).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KINDS } from '../dist/gateways/kinds.js';
import { loadScenario } from '../dist/sandbox/load.js';
import { doctorFlagsFor, startSandbox } from '../dist/sandbox/index.js';

const copies = Number(process.argv[process.argv.indexOf('--copies') + 1]) || 100;
// On the 2-core reference machine, 100 copies (200 extra hosts, ~2,800 leaves) take about 10 s and
// 370 MB peak RSS (186 MB for the healthy platform alone).
const TARGETS = { runMs: 20_000, peakRssMb: 450 };

/** The healthy scenario with `n` more copies of the plate-stg namespace, each with its own two hosts. */
async function scaledScenario(n) {
  const base = await loadScenario('healthy');
  const stgObjects = base.kubernetes.objects.filter((o) => o.metadata?.namespace === 'plate-stg');
  const objects = [...base.kubernetes.objects];
  const records = [...(base.dns.records ?? [])];
  const hosts = { ...(base.endpoint.hosts ?? {}) };
  for (let k = 1; k <= n; k += 1) {
    const rename = (text) =>
      text
        .replaceAll('plate-stg', `plate-stg-${k}`)
        .replaceAll('stg.cocdev.co.kr', `stg${k}.cocdev.co.kr`)
        .replaceAll('llm.cocdev.co.kr', `llm${k}.cocdev.co.kr`)
        .replaceAll('stg-cocdev-co-kr', `stg${k}-cocdev-co-kr`)
        .replaceAll('llm-cocdev-co-kr', `llm${k}-cocdev-co-kr`);
    for (const object of stgObjects) {
      const copy = JSON.parse(rename(JSON.stringify(object)));
      delete copy.metadata.uid;
      objects.push(copy);
    }
    for (const host of ['stg', 'llm']) {
      const name = `${host}${k}.cocdev.co.kr`;
      records.push({ name, type: 'A', value: base.endpoint.address ?? '127.0.10.10', ttl: 300 });
      hosts[name] = hosts[`${host}.cocdev.co.kr`];
    }
  }
  return {
    ...base,
    name: `healthy-x${n}`,
    kubernetes: { ...base.kubernetes, objects },
    dns: { ...base.dns, records },
    endpoint: { ...base.endpoint, hosts },
  };
}

/** Runs the built doctor in a child process (so its memory is its own) and reports its peak RSS. */
function runDoctor(args, env) {
  const wrapper = `
    const { main } = await import(${JSON.stringify(new URL('../dist/cli.js', import.meta.url).href)});
    process.on('exit', () => process.stderr.write('maxrss-kb ' + process.resourceUsage().maxRSS + '\\n'));
    process.exitCode = await main(${JSON.stringify(args)});`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', wrapper],
      { env, maxBuffer: 256 << 20 },
      (error, stdout, stderr) => {
        const rss = /maxrss-kb (\d+)/.exec(stderr);
        if (!stdout) process.stderr.write(stderr);
        resolve({
          exitCode: error ? error.code : 0,
          stdout,
          peakRssMb: rss ? Math.round(Number(rss[1]) / 1024) : NaN,
        });
      },
    );
  });
}

const PLURALS = new Set(Object.values(KINDS).map((k) => k.plural));

async function measure(n) {
  const sandbox = await startSandbox({ scenario: await scaledScenario(n) });
  const caFile = join(mkdtempSync(join(tmpdir(), 'pd-bench-')), 'ca.pem');
  writeFileSync(caFile, sandbox.ingressCaPem);
  const started = performance.now();
  const run = await runDoctor(['doctor', ...doctorFlagsFor(sandbox), '-o', 'json', '--timeout', '120s'], {
    ...process.env,
    NODE_EXTRA_CA_CERTS: caFile,
  });
  const runMs = performance.now() - started;
  const report = JSON.parse(run.stdout);
  const requests = Object.entries(sandbox.stats.requests);
  // A collection path ends with a kind's plural; a page of a long list asks the same path again.
  const listPaths = requests.filter(([path]) => PLURALS.has(path.split('/').at(-1)));
  const secretGets = requests.filter(([path]) => /\/secrets\/[^/]+$/.test(path));
  await sandbox.close();
  return {
    copies: n,
    exitCode: run.exitCode,
    leaves: Object.values(report.summary).reduce((a, b) => a + b, 0),
    summary: report.summary,
    runMs: Math.round(runMs),
    apiRequests: requests.reduce((sum, [, count]) => sum + count, 0),
    distinctListPaths: listPaths.length,
    listRequestsWithPages: listPaths.reduce((sum, [, count]) => sum + count, 0),
    tokenSecretReads: secretGets.length,
    peakRssMb: run.peakRssMb,
  };
}

const small = await measure(1);
const large = await measure(copies);
console.log(JSON.stringify({ small, large, targets: TARGETS }, null, 2));

const missed = [
  large.exitCode !== 0 && `the scaled healthy platform should pass, exit code was ${large.exitCode}`,
  large.runMs > TARGETS.runMs && `run took ${large.runMs} ms, target ${TARGETS.runMs} ms`,
  large.peakRssMb > TARGETS.peakRssMb && `peak RSS ${large.peakRssMb} MB, target ${TARGETS.peakRssMb} MB`,
  large.distinctListPaths !== small.distinctListPaths &&
    `lists grew with the platform: ${small.distinctListPaths} kinds/scopes at 1 copy, ${large.distinctListPaths} at ${copies}`,
].filter(Boolean);
for (const line of missed) console.error(`bench: target missed: ${line}`);
console.log(missed.length ? `bench: ${missed.length} target(s) missed` : 'bench: all targets met');
process.exitCode = missed.length ? 1 : 0;
