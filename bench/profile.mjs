// Profiles the built doctor on the bench platform (default N = 1,000, 20 ms per API request), the figures
// behind bench/PROFILE-BEFORE.md. Everything lands in --out (default /tmp/pd-profile):
//   cpu.cpuprofile, cpu.txt          node --cpu-prof on the doctor, summarised by bench/cpuprofile.mjs
//   memory.log, memory.txt           RSS / heap / external every 20 ms (bench/heap-probe.mjs)
//   memory-gc.txt                    the same with a forced full GC every 250 ms
//   heap.heapsnapshot, heap.txt      one heap snapshot once the JS heap reaches --snapshot-mb
//   steps.txt                        durationMs per step in a full run, then each step alone (--only)
//   startup.txt, version.cpuprofile  --version against node -e 0, module import costs, its CPU profile
//   demo.txt, demo.cpuprofile        a healthy demo run with the sandbox up, CPU profile
// Usage: npm run build && node bench/profile.mjs [--n 1000] [--out DIR] [--snapshot-mb 125] [--skip-steps]
//        [--sections cpu,memory,heap,steps,startup,demo]
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { doctorFlagsFor, startSandbox } from '../dist/sandbox/index.js';
import { median, phases, PLATFORM_BIN, run, runPlatform } from './child.mjs';
import { report as cpuReport, summarise as cpuSummarise } from './cpuprofile.mjs';
import { benchScenario } from './platform.mjs';

const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
};
const n = Number(flag('--n', 1000));
const out = flag('--out', '/tmp/pd-profile');
const snapshotMb = Number(flag('--snapshot-mb', 125));
const skipSteps = process.argv.includes('--skip-steps');
const sections = new Set(String(flag('--sections', 'cpu,memory,heap,steps,startup,demo')).split(','));
const needsPlatform = ['cpu', 'memory', 'heap', 'steps'].some((s) => sections.has(s));
const HEAP_PROBE = fileURLToPath(new URL('./heap-probe.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

await mkdir(out, { recursive: true });
const say = (text) => process.stderr.write(`profile: ${text}\n`);

/** Moves the one .cpuprofile node wrote into `dir` to `target`. */
async function takeProfile(dir, target) {
  const [file] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  await rename(join(dir, file), target);
  await rm(dir, { recursive: true, force: true });
  return JSON.parse(await readFile(target, 'utf8'));
}

function stepsOf(stdout) {
  try {
    const report = JSON.parse(stdout);
    return {
      durationMs: report.durationMs,
      summary: report.summary,
      steps: report.runbooks.flatMap((r) =>
        r.children.map((s) => ({ id: s.id, status: s.status, ms: s.durationMs, message: s.message })),
      ),
    };
  } catch {
    return null;
  }
}

function memorySummary(text) {
  const rows = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(' ').map(Number));
  const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;
  const peak = rows.reduce((a, b) => (b[1] > a[1] ? b : a));
  const peakHeap = rows.reduce((a, b) => (b[2] > a[2] ? b : a));
  const lines = [
    `peak RSS ${mb(peak[1])} at ${peak[0]} ms (heapUsed ${mb(peak[2])}, external ${mb(peak[3])}, arrayBuffers ${mb(peak[4])})`,
    `peak heapUsed ${mb(peakHeap[2])} at ${peakHeap[0]} ms (RSS then ${mb(peakHeap[1])})`,
    'timeline (every ~2 s): ms rss heapUsed external',
  ];
  let next = 0;
  for (const r of rows) {
    if (r[0] < next) continue;
    lines.push(
      `  ${String(r[0]).padStart(6)}  ${mb(r[1]).padStart(7)}  ${mb(r[2]).padStart(7)}  ${mb(r[3]).padStart(6)}`,
    );
    next = r[0] + 2000;
  }
  return lines.join('\n');
}

if (needsPlatform) await profilePlatform();
if (sections.has('startup')) await profileStartup();
if (sections.has('demo')) await profileDemo();
say(`done: ${out}`);

async function profilePlatform() {
  const { scenario } = await benchScenario(n, { latencyMs: 20 });
  const sandbox = await startSandbox({ scenario });
  const caFile = join(out, 'ca.pem');
  await writeFile(caFile, sandbox.ingressCaPem);
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile };
  const args = ['doctor', ...doctorFlagsFor(sandbox), '-o', 'json', '--timeout', '120s'];
  const byKind = () => structuredClone(sandbox.stats.byKind);
  try {
    say(`N=${n}: warm-up run (the sandbox builds each host's TLS context on first use)`);
    await runPlatform(args, { env });

    if (sections.has('cpu')) {
      say('CPU profile');
      const cpuDir = join(out, 'cpu-tmp');
      const cpuRun = await runPlatform(args, { env, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', cpuDir] });
      const cpu = cpuSummarise(await takeProfile(cpuDir, join(out, 'cpu.cpuprofile')));
      const cpuSteps = stepsOf(cpuRun.stdout);
      await writeFile(
        join(out, 'cpu.txt'),
        `doctor at N=${n} under --cpu-prof: wall ${Math.round(cpuRun.wallMs)} ms, exit ${cpuRun.exitCode}, ` +
          `peak RSS ${Math.round(cpuRun.peakRssMb)} MB\n${JSON.stringify(cpuSteps?.steps.map((s) => [s.id, s.ms, s.status]))}\n\n${cpuReport(cpu, 40)}\n`,
      );
    }
    if (sections.has('memory')) {
      say('memory timeline');
      const memRun = await runPlatform(args, {
        env: { ...env, PD_BENCH_MEM_LOG: join(out, 'memory.log') },
        nodeFlags: ['--import', HEAP_PROBE],
      });
      await writeFile(
        join(out, 'memory.txt'),
        `wall ${Math.round(memRun.wallMs)} ms, exit ${memRun.exitCode}, maxRSS ${Math.round(memRun.peakRssMb)} MB\n` +
          `${memorySummary(await readFile(join(out, 'memory.log'), 'utf8'))}\n`,
      );

      say('memory timeline with a full GC every 250 ms');
      const gcRun = await runPlatform(args, {
        env: { ...env, PD_BENCH_MEM_LOG: join(out, 'memory-gc.log'), PD_BENCH_GC_EVERY_MS: '250' },
        nodeFlags: ['--expose-gc', '--import', HEAP_PROBE],
      });
      await writeFile(
        join(out, 'memory-gc.txt'),
        `wall ${Math.round(gcRun.wallMs)} ms, exit ${gcRun.exitCode}, maxRSS ${Math.round(gcRun.peakRssMb)} MB\n` +
          `${memorySummary(await readFile(join(out, 'memory-gc.log'), 'utf8'))}\n`,
      );
    }
    if (sections.has('heap')) {
      say(`heap snapshot at heapUsed ≥ ${snapshotMb} MB`);
      const snapFile = join(out, 'heap.heapsnapshot');
      const snapRun = await runPlatform(args, {
        env: {
          ...env,
          PD_BENCH_SNAPSHOT: snapFile,
          PD_BENCH_SNAPSHOT_AT_MB: String(snapshotMb),
          PD_BENCH_MEM_LOG: join(out, 'heap-run.log'),
        },
        nodeFlags: ['--import', HEAP_PROBE],
      });
      // A separate process: the snapshot's parse needs a few GB of its own.
      const heap = await run(process.execPath, [
        '--max-old-space-size=8192',
        join(ROOT, 'bench', 'heapsnapshot.mjs'),
        snapFile,
        '--top',
        '25',
      ]);
      const taken =
        (await readFile(join(out, 'heap-run.log'), 'utf8')).split('\n').find((l) => l.startsWith('#')) ??
        '# no snapshot taken';
      await writeFile(
        join(out, 'heap.txt'),
        `${taken.slice(2)} (run: exit ${snapRun.exitCode}, wall ${Math.round(snapRun.wallMs)} ms)\n\n${heap.stdout}${heap.stderr}`,
      );
    }
    if (sections.has('steps')) {
      say('time per step');
      const full = await runPlatform(args, { env });
      const fullSteps = stepsOf(full.stdout);
      const lines = [
        `full run: wall ${Math.round(full.wallMs)} ms, report durationMs ${fullSteps?.durationMs}, exit ${full.exitCode}, ${JSON.stringify(fullSteps?.summary)}`,
        'step                          in the full run (4 at a time)   alone (--only): step ms / process wall / API requests',
      ];
      for (const step of fullSteps?.steps ?? []) {
        let alone = '';
        if (!skipSteps) {
          const before = byKind();
          const r = await runPlatform([...args, '--only', step.id], { env });
          const after = byKind();
          const requests = Object.entries(after)
            .map(([k, v]) => [k, v - (before[k] ?? 0)])
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          const own = stepsOf(r.stdout)?.steps.find((s) => s.id === step.id);
          alone = `${String(own?.ms ?? '?').padStart(6)} ms / ${String(Math.round(r.wallMs)).padStart(6)} ms / ${requests}`;
        }
        lines.push(
          `${step.id.padEnd(30)}${String(step.ms).padStart(8)} ms ${step.status.padEnd(6)}            ${alone}`,
        );
      }
      await writeFile(join(out, 'steps.txt'), `${lines.join('\n')}\n`);
    }
  } finally {
    await sandbox.close();
  }
}

async function profileStartup() {
  say('start-up');
  const times = Number(flag('--times', 10));
  const medianOf = async (cmd, cmdArgs) => {
    await run(cmd, cmdArgs);
    const walls = [];
    for (let i = 0; i < times; i += 1) walls.push((await run(cmd, cmdArgs)).wallMs);
    return median(walls);
  };
  // Timed inside the process, around the import alone: node's own boot is not part of it.
  const importCost = async (specifier) => {
    const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
    const values = [];
    for (let i = 0; i <= times; i += 1) {
      const r = await run(process.execPath, ['--input-type=module', '-e', code]);
      if (i > 0) values.push(Number(r.stdout));
    }
    return median(values);
  };
  // The bundle that bin/platform.js loads (scripts/bundle.mjs); its lazily imported parts carry a hash.
  const bundle = join(ROOT, 'dist', 'platform');
  const part = async (name) =>
    join(
      bundle,
      (await readdir(bundle)).find((f) => new RegExp(`^${name}-\\w+\\.js$`).test(f)),
    );
  const startup = {
    'node -e 0': await medianOf(process.execPath, ['-e', '0']),
    'node --input-type=module -e 0': await medianOf(process.execPath, ['--input-type=module', '-e', '0']),
    'platform --version': await medianOf(process.execPath, [PLATFORM_BIN, '--version']),
    'platform --help': await medianOf(process.execPath, [PLATFORM_BIN, '--help']),
    'import dist/platform/bin.js (what --version loads)': await importCost(join(bundle, 'bin.js')),
    'import the bundle: cli (what --help and doctor add)': await importCost(await part('cli')),
    'import the bundle: doctor (what doctor adds)': await importCost(await part('doctor')),
    'import dist/sandbox/index.js (--demo only; tsc build)': await importCost(
      new URL('../dist/sandbox/index.js', import.meta.url).href,
    ),
    'unbundled, for comparison: import dist/cli/doctor.js (tsc build)': await importCost(
      new URL('../dist/cli/doctor.js', import.meta.url).href,
    ),
    'unbundled, for comparison: import @kubernetes/client-node': await importCost(
      join(ROOT, 'node_modules/@kubernetes/client-node/dist/index.js'),
    ),
  };
  // Module counts: a load hook writes every URL it loads.
  const hook = join(out, 'count-modules.mjs');
  await writeFile(
    hook,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(
      "import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(process.env.PD_BENCH_MODULES, url + '\\n'); return next(url, context); }",
    )}));\n`,
  );
  const modulesOf = async (label, args) => {
    const list = join(out, `modules-${label}.txt`);
    await rm(list, { force: true });
    await run(process.execPath, ['--import', hook, ...args], {
      env: { ...process.env, PD_BENCH_MODULES: list },
    });
    const urls = (await readFile(list, 'utf8').catch(() => ''))
      .split('\n')
      .filter((u) => u && !u.startsWith('node:'));
    return `${urls.length} modules for ${label} (${urls.filter((u) => u.includes('/node_modules/')).length} from node_modules)`;
  };
  const counts = [
    await modulesOf('--version', [PLATFORM_BIN, '--version']),
    await modulesOf('doctor --help', [PLATFORM_BIN, 'doctor', '--help']),
    await modulesOf('doctor', [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(await part('doctor'))})`,
    ]),
  ];
  const versionDir = join(out, 'version-tmp');
  await run(process.execPath, [
    '--cpu-prof',
    '--cpu-prof-interval',
    '100',
    '--cpu-prof-dir',
    versionDir,
    PLATFORM_BIN,
    '--version',
  ]);
  const versionCpu = cpuSummarise(await takeProfile(versionDir, join(out, 'version.cpuprofile')));
  await writeFile(
    join(out, 'startup.txt'),
    `medians of ${times} (ms; process wall for commands, in-process time for imports):\n${Object.entries(
      startup,
    )
      .map(([k, v]) => `  ${Math.round(v).toString().padStart(5)}  ${k}`)
      .join(
        '\n',
      )}\n\n${counts.join('\n')}\n\nnode --cpu-prof --cpu-prof-interval 100 bin/platform.js --version:\n${cpuReport(versionCpu, 15)}\n`,
  );
}

async function profileDemo() {
  say('healthy demo run, sandbox up');
  const demoSandbox = await startSandbox({ scenario: 'healthy' });
  try {
    const demoCa = join(out, 'ca-demo.pem');
    await writeFile(demoCa, demoSandbox.ingressCaPem);
    const demoEnv = { ...process.env, NODE_EXTRA_CA_CERTS: demoCa };
    const demoArgs = ['doctor', ...doctorFlagsFor(demoSandbox), '-o', 'json'];
    const walls = [];
    const split = [];
    for (let i = 0; i < 5; i += 1) {
      const r = await runPlatform(demoArgs, { env: demoEnv });
      walls.push(r.wallMs);
      split.push(phases(r, JSON.parse(r.stdout)));
    }
    const part = (key) => Math.round(median(split.map((p) => p[key])));
    const demoDir = join(out, 'demo-tmp');
    const profiled = await runPlatform(demoArgs, {
      env: demoEnv,
      nodeFlags: ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', demoDir],
    });
    const demoCpu = cpuSummarise(await takeProfile(demoDir, join(out, 'demo.cpuprofile')));
    await writeFile(
      join(out, 'demo.txt'),
      `healthy demo run, sandbox up: median of 5 ${Math.round(median(walls))} ms (${walls.map(Math.round).join(', ')}); ` +
        `medians: ${part('beforeMs')} ms before the run (node start-up, module loading, preflight), ${part('runMs')} ms the run ` +
        `(report durationMs), ${part('afterMs')} ms after it (render, write, exit); ` +
        `profiled run ${Math.round(profiled.wallMs)} ms, steps ${JSON.stringify(stepsOf(profiled.stdout)?.steps.map((s) => [s.id, s.ms]))}\n\n${cpuReport(demoCpu, 25)}\n`,
    );
  } finally {
    await demoSandbox.close();
  }
}
