// `npm run bench` (builds first): issue #11, "1,000 hosts in a couple of seconds, far ahead of a shell loop".
// For each N it serves the bench platform (bench/platform.mjs: N hosts over 20 namespaces, 20 ms per API
// request) from the sandbox, times the seed's manual runbook scripted with real kubectl/dig/curl, then the
// built doctor (`node bin/platform.js doctor … -o json`, a child process so its memory is its own) several
// times, and reads what each run cost from the sandbox servers' counters. Then `platform --version` against
// `node -e 0`, and a healthy demo run with the sandbox already up.
// Prints one table, then every target with its verdict; exits 1 when a target is missed or a run was not
// healthy.
// Flags: --n 100,1000 (default both)  --runs 3 (doctor runs per N)  --json FILE (raw results)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { doctorFlagsFor, startSandbox } from '../dist/sandbox/index.js';
import { median, phases, run, runPlatform } from './child.mjs';
import { runManualRunbook } from './manual.mjs';
import { benchScenario, LB_ADDRESS } from './platform.mjs';

/** The targets of issue #11. `at`: the N a target is judged at (every N measured when absent). */
const TARGETS = {
  wallMs: { at: 1000, max: 2500, what: 'doctor wall time, median of runs, full run with -o json' },
  peakRssMb: { at: 1000, max: 250, what: 'doctor peak RSS' },
  speedup: { at: 1000, min: 10, what: 'manual runbook wall ÷ doctor wall, measured in the same run' },
  apiRequestsFlat: { what: 'API requests, per kind, the same at every N' },
  connectionsPerHost: {
    max: 1,
    what: 'TCP connections per host per run, on each of the HTTP and HTTPS ports',
  },
  dnsQueriesPerHost: { max: 2, what: 'DNS queries per host per resolver' },
  versionRatio: { max: 1.3, what: '`platform --version` ÷ `node -e 0`, medians of 10' },
  demoRunMs: { max: 400, what: 'full healthy demo run (-o json), sandbox already up, median of 5' },
};

const LATENCY_MS = 20;
const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
};
const sizes = String(flag('--n', '100,1000'))
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const runs = Number(flag('--runs', 3)) || 3;
const jsonOut = flag('--json', null);

/** The sandbox's counters, copied so later requests do not change them. */
function counters(sandbox) {
  return structuredClone({
    api: sandbox.stats.byKind,
    dns: sandbox.dnsStats,
    endpoint: sandbox.endpointStats,
    openbao: sandbox.openbaoStats.requests,
  });
}

/** after − before, for nested records of counts; zero entries dropped. */
function delta(after, before = {}) {
  const out = {};
  for (const [key, value] of Object.entries(after)) {
    if (typeof value === 'number') {
      const d = value - (before[key] ?? 0);
      if (d !== 0) out[key] = d;
    } else if (value && typeof value === 'object') {
      out[key] = delta(value, before[key] ?? {});
    }
  }
  return out;
}

const sum = (record) => Object.values(record).reduce((a, b) => a + b, 0);

async function measure(n, tempDir) {
  const { scenario, hosts } = await benchScenario(n, { latencyMs: LATENCY_MS });
  const startedAt = performance.now();
  const sandbox = await startSandbox({ scenario });
  const sandboxStartMs = performance.now() - startedAt;
  const caFile = join(tempDir, `ca-${n}.pem`);
  await writeFile(caFile, sandbox.ingressCaPem);
  try {
    // The manual loop first: it also makes the endpoint build every host's TLS context, which it does
    // lazily, so that work does not land inside the first timed doctor run.
    const esoPod = scenario.kubernetes.objects.find(
      (o) => o.kind === 'Pod' && o.metadata.labels?.['app.kubernetes.io/name'] === 'external-secrets',
    ).metadata.name;
    const manual = await runManualRunbook({ sandbox, hosts, caFile, esoPod, lbAddress: LB_ADDRESS });

    const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile };
    const args = ['doctor', ...doctorFlagsFor(sandbox), '-o', 'json', '--timeout', '120s'];
    const doctorRuns = [];
    for (let i = 0; i < runs; i += 1) {
      const before = counters(sandbox);
      // This process serves the platform: its CPU time during the run is the platform's share of the CPUs.
      const served = process.cpuUsage();
      const result = await runPlatform(args, { env });
      const { user, system } = process.cpuUsage(served);
      const cost = delta(counters(sandbox), before);
      let report = null;
      try {
        report = JSON.parse(result.stdout);
      } catch {
        // reported below as an unhealthy run
      }
      doctorRuns.push({
        exitCode: result.exitCode,
        wallMs: result.wallMs,
        peakRssMb: result.peakRssMb,
        cpuMs: result.cpuMs,
        platformCpuMs: (user + system) / 1000,
        stderr: result.stderr.slice(0, 2000),
        cost,
        summary: report?.summary ?? null,
        phases: report ? phases(result, report) : null,
        leaves: report ? sum(report.summary) : NaN,
        steps: report
          ? Object.fromEntries(report.runbooks.flatMap((r) => r.children.map((s) => [s.id, s.durationMs])))
          : {},
      });
    }
    const wallMs = median(doctorRuns.map((r) => r.wallMs));
    const cost = doctorRuns[0].cost;
    return {
      n,
      hosts: hosts.length,
      hostNames: hosts,
      sandboxStartMs,
      wallMs,
      peakRssMb: Math.max(...doctorRuns.map((r) => r.peakRssMb)),
      cpuMs: median(doctorRuns.map((r) => r.cpuMs)),
      platformCpuMs: median(doctorRuns.map((r) => r.platformCpuMs)),
      cost,
      // Every run should cost the same; if not, the table shows the first and this says so.
      costVaries: doctorRuns.some((r) => JSON.stringify(r.cost) !== JSON.stringify(cost)),
      leaves: doctorRuns[0].leaves,
      manual,
      speedup: manual.wallMs / wallMs,
      runs: doctorRuns,
    };
  } finally {
    await sandbox.close();
  }
}

/** `platform --version` and `node -e 0`, interleaved so drift affects both alike. */
async function measureStartup(times = 10) {
  const node = [];
  const version = [];
  await run(process.execPath, ['-e', '0']);
  await runPlatform(['--version']);
  for (let i = 0; i < times; i += 1) {
    node.push((await run(process.execPath, ['-e', '0'])).wallMs);
    version.push(
      (await run(process.execPath, [join(import.meta.dirname, '..', 'bin', 'platform.js'), '--version']))
        .wallMs,
    );
  }
  return { nodeMs: median(node), versionMs: median(version), ratio: median(version) / median(node) };
}

/** A full run of the healthy demo platform against a sandbox that is already serving. */
async function measureDemo(tempDir, times = 5) {
  const sandbox = await startSandbox({ scenario: 'healthy' });
  const caFile = join(tempDir, 'ca-demo.pem');
  await writeFile(caFile, sandbox.ingressCaPem);
  try {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile };
    const args = ['doctor', ...doctorFlagsFor(sandbox), '-o', 'json'];
    const results = [];
    for (let i = 0; i < times; i += 1) results.push(await runPlatform(args, { env }));
    const split = results.flatMap((r) => {
      try {
        return [phases(r, JSON.parse(r.stdout))];
      } catch {
        return [];
      }
    });
    return {
      wallMs: median(results.map((r) => r.wallMs)),
      beforeRunMs: median(split.map((p) => p.beforeMs)),
      runMs: median(split.map((p) => p.runMs)),
      exitCodes: results.map((r) => r.exitCode),
      peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    };
  } finally {
    await sandbox.close();
  }
}

// ---------------------------------------------------------------- output

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  // Numbers right, the last (free text) column left.
  const line = (cells) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? String(c) : String(c).padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const byKind = (api) =>
  Object.entries(api)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
/** `list: ingresses 1, secrets 9; get: secrets 20; …`: the API requests of one run, grouped by verb. */
const byVerb = (api) => {
  const groups = new Map();
  for (const [kind, count] of Object.entries(api).sort(([a], [b]) => a.localeCompare(b))) {
    const [verb, ...rest] = kind.split(' ');
    groups.set(verb, [
      ...(groups.get(verb) ?? []),
      rest.length ? `${rest.join(' ')} ${count}` : String(count),
    ]);
  }
  return [...groups].map(([verb, items]) => `${verb}: ${items.join(', ')}`).join('; ');
};

/** OpenBao paths with the KV secret's own path folded, so 20 stores read as one line. */
function baoPaths(requests) {
  const folded = {};
  for (const [key, count] of Object.entries(requests)) {
    const k = key.replace(/^(\w+ \/v1\/[^/]+\/(?:data|metadata)\/).+$/, '$1*');
    folded[k] = (folded[k] ?? 0) + count;
  }
  return byKind(folded);
}

function render(results) {
  const header = [
    'N',
    'doctor',
    'CPU',
    'platform CPU',
    'peak RSS',
    'API req',
    'DNS q',
    'HTTP conn',
    'HTTPS conn',
    'TLS ok/cut',
    'HTTP req',
    'HTTPS req',
    'OpenBao',
    'leaves',
    'manual',
    'manual÷doctor',
    'API requests by kind',
  ];
  const rows = results.map((r) => {
    const e = r.cost.endpoint ?? {};
    return [
      r.n,
      seconds(r.wallMs),
      seconds(r.cpuMs),
      seconds(r.platformCpuMs),
      `${r.peakRssMb.toFixed(0)} MB`,
      sum(r.cost.api ?? {}),
      r.cost.dns?.queries ?? 0,
      e.httpConnections ?? 0,
      e.httpsConnections ?? 0,
      `${e.tlsHandshakes ?? 0}/${e.tlsClientErrors ?? 0}`,
      e.httpRequests ?? 0,
      e.httpsRequests ?? 0,
      sum(r.cost.openbao ?? {}),
      r.leaves,
      seconds(r.manual.wallMs),
      `${r.speedup.toFixed(1)}×`,
      byVerb(r.cost.api ?? {}),
    ];
  });
  return table(header, rows);
}

/** Each target: met, missed, or not measured (its N was not run), with the figure behind the verdict. */
function judge(results, startup, demo) {
  const at = (n) => results.find((r) => r.n === n);
  const verdicts = [];
  const add = (key, ok, detail) => verdicts.push({ key, what: TARGETS[key].what, ok, detail });
  const atN = (key, read, fmt) => {
    const t = TARGETS[key];
    const r = at(t.at);
    if (!r) return add(key, null, `N=${t.at} not measured`);
    const value = read(r);
    const ok = t.max !== undefined ? value <= t.max : value >= t.min;
    add(key, ok, `N=${t.at}: ${fmt(value)} (${t.max !== undefined ? `≤ ${fmt(t.max)}` : `≥ ${fmt(t.min)}`})`);
  };
  atN(
    'wallMs',
    (r) => r.wallMs,
    (v) => `${Math.round(v)} ms`,
  );
  atN(
    'peakRssMb',
    (r) => r.peakRssMb,
    (v) => `${Math.round(v)} MB`,
  );
  atN(
    'speedup',
    (r) => r.speedup,
    (v) => `${v.toFixed(1)}×`,
  );

  if (results.length < 2) add('apiRequestsFlat', null, 'needs two sizes');
  else {
    const [first, ...rest] = results;
    const kinds = new Set(results.flatMap((r) => Object.keys(r.cost.api ?? {})));
    const grew = [...kinds].filter((k) =>
      rest.some((r) => (r.cost.api[k] ?? 0) !== (first.cost.api[k] ?? 0)),
    );
    add(
      'apiRequestsFlat',
      grew.length === 0,
      grew.length === 0
        ? `${sum(first.cost.api)} requests at every N`
        : grew
            .map((k) => `${k}: ${results.map((r) => `${r.cost.api[k] ?? 0} at N=${r.n}`).join(', ')}`)
            .join('; '),
    );
  }
  const perHost = (key, read, label) => {
    const worst = results.map((r) => ({ n: r.n, per: read(r) / r.hosts }));
    const ok = worst.every((w) => w.per <= TARGETS[key].max);
    add(
      key,
      ok,
      worst.map((w) => `N=${w.n}: ${w.per.toFixed(2)} ${label}`).join(', ') + ` (≤ ${TARGETS[key].max})`,
    );
  };
  perHost(
    'connectionsPerHost',
    (r) => Math.max(r.cost.endpoint?.httpConnections ?? 0, r.cost.endpoint?.httpsConnections ?? 0),
    'per host on the busier port',
  );
  // One resolver: the sandbox's (the doctor is given one --dns-server). Per host: the queries for its name.
  {
    const t = TARGETS.dnsQueriesPerHost;
    const worst = results.map((r) => {
      const byName = r.cost.dns?.byName ?? {};
      const hosts = new Set(r.hostNames);
      const perHost = Math.max(0, ...r.hostNames.map((h) => byName[h] ?? 0));
      const others = Object.entries(byName).filter(([name]) => !hosts.has(name));
      return { n: r.n, perHost, others };
    });
    add(
      'dnsQueriesPerHost',
      worst.every((w) => w.perHost <= t.max),
      worst
        .map(
          (w) =>
            `N=${w.n}: at most ${w.perHost} for a host` +
            (w.others.length ? ` (+ ${w.others.map(([name, c]) => `${c} for ${name}`).join(', ')})` : ''),
        )
        .join('; ') + ` (≤ ${t.max})`,
    );
  }
  add(
    'versionRatio',
    startup.ratio <= TARGETS.versionRatio.max,
    `${Math.round(startup.versionMs)} ms vs ${Math.round(startup.nodeMs)} ms = ${startup.ratio.toFixed(2)}× (≤ ${TARGETS.versionRatio.max}×)`,
  );
  add(
    'demoRunMs',
    demo.wallMs <= TARGETS.demoRunMs.max,
    `${Math.round(demo.wallMs)} ms (≤ ${TARGETS.demoRunMs.max} ms)`,
  );
  return verdicts;
}

// ---------------------------------------------------------------- main

const tempDir = await mkdtemp(join(tmpdir(), 'pd-bench-'));
const loadBefore = loadavg()[0];
try {
  const results = [];
  for (const n of sizes) {
    process.stderr.write(`bench: N=${n}: serving ${n} hosts, manual runbook, then ${runs} doctor runs…\n`);
    results.push(await measure(n, tempDir));
  }
  process.stderr.write('bench: start-up and demo run…\n');
  const startup = await measureStartup();
  const demo = await measureDemo(tempDir);

  console.log(
    `\nplatform doctor vs the manual runbook — ${LATENCY_MS} ms per API request, doctor: median of ${runs} runs, ` +
      `counters from one run, peak RSS the highest of the runs\n`,
  );
  console.log(render(results));
  console.log(
    [
      '',
      'doctor/CPU: wall and user+system time of the doctor process (medians); platform CPU: the same for this',
      'process, which serves the bench platform, during a doctor run (the two share the CPUs); API req: Kubernetes',
      'API requests (each page of a list counts); DNS q: queries the sandbox resolver received; HTTP/HTTPS conn: TCP',
      'connections the ingress endpoint accepted per port; TLS ok/cut: handshakes it completed / connections closed',
      'before it could; OpenBao: requests to OpenBao (through the API server proxy); manual: the scripted runbook,',
      'run once.',
      `machine: ${cpus().length} CPUs, load average ${loadBefore.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end` +
        (Math.max(loadBefore, loadavg()[0]) > cpus().length ? ' (busy: other work shared the CPUs)' : ''),
      '',
    ].join('\n'),
  );
  for (const r of results) {
    console.log(
      `N=${r.n}: sandbox up in ${seconds(r.sandboxStartMs)}; doctor runs ${r.runs.map((x) => seconds(x.wallMs)).join(', ')}` +
        ` (before the run ${seconds(median(r.runs.map((x) => x.phases?.beforeMs ?? NaN)))}, ` +
        `the run ${seconds(median(r.runs.map((x) => x.phases?.runMs ?? NaN)))}); ` +
        `manual ${r.manual.commands} commands; DNS ${JSON.stringify(r.cost.dns?.byType ?? {})}; ` +
        `TLS resumed ${r.cost.endpoint?.tlsResumed ?? 0}; OpenBao ${baoPaths(r.cost.openbao ?? {})}` +
        (r.costVaries ? ' (counters differ between runs)' : ''),
    );
  }
  console.log(
    `platform --version ${Math.round(startup.versionMs)} ms, node -e 0 ${Math.round(startup.nodeMs)} ms (medians of 10); ` +
      `healthy demo run, sandbox up: ${Math.round(demo.wallMs)} ms (median of 5; ${Math.round(demo.beforeRunMs)} ms before ` +
      `the run, ${Math.round(demo.runMs)} ms the run), ${Math.round(demo.peakRssMb)} MB`,
  );

  // A run that was not healthy makes every figure above meaningless: say so first.
  const unhealthy = [
    ...results.flatMap((r) =>
      r.runs
        .filter((x) => x.exitCode !== 0)
        .map((x) => `N=${r.n}: doctor exited ${x.exitCode} ${JSON.stringify(x.summary)} ${x.stderr.trim()}`),
    ),
    ...results.flatMap((r) => r.manual.problems.map((p) => `N=${r.n}: manual runbook: ${p}`)),
    ...demo.exitCodes.filter((c) => c !== 0).map((c) => `healthy demo run exited ${c}`),
  ];
  const verdicts = judge(results, startup, demo);
  console.log('\ntargets:');
  for (const v of verdicts) {
    const mark = v.ok === null ? 'not measured' : v.ok ? 'met' : 'MISSED';
    console.log(`  ${mark.padEnd(12)} ${v.what}: ${v.detail}`);
  }
  for (const line of unhealthy) console.error(`bench: not healthy: ${line}`);
  const missed = verdicts.filter((v) => v.ok === false);
  console.log(
    missed.length || unhealthy.length
      ? `\nbench: ${missed.length} target(s) missed${unhealthy.length ? `, ${unhealthy.length} unhealthy run(s)` : ''}`
      : '\nbench: all targets met',
  );
  if (jsonOut)
    await writeFile(
      jsonOut,
      `${JSON.stringify({ targets: TARGETS, results, startup, demo, verdicts }, null, 2)}\n`,
    );
  process.exitCode = missed.length || unhealthy.length ? 1 : 0;
} finally {
  await rm(tempDir, { recursive: true, force: true });
}
