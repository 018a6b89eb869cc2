// Preloaded into the doctor's process by bench/profile.mjs (`node --import bench/heap-probe.mjs …`):
// - PD_BENCH_MEM_LOG=FILE: every 20 ms, one line `ms rss heapUsed external arrayBuffers` (bytes);
// - PD_BENCH_SNAPSHOT=FILE and PD_BENCH_SNAPSHOT_AT_MB=X: one heap snapshot the first time heapUsed ≥ X MB,
//   to see what the heap holds near its peak (X from a previous run's timeline);
// - PD_BENCH_GC_EVERY_MS=T (with node --expose-gc): a full GC every T ms, to tell memory that is garbage not yet
//   collected (native memory held by unreachable objects) from memory that is in use.
import { appendFileSync, writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

const log = process.env.PD_BENCH_MEM_LOG;
const snapshot = process.env.PD_BENCH_SNAPSHOT;
const thresholdMb = Number(process.env.PD_BENCH_SNAPSHOT_AT_MB ?? Infinity);
const started = performance.now();
const lines = [];
let taken = false;

const sample = () => {
  const m = process.memoryUsage();
  if (log)
    lines.push(
      `${Math.round(performance.now() - started)} ${m.rss} ${m.heapUsed} ${m.external} ${m.arrayBuffers}`,
    );
  if (snapshot && !taken && m.heapUsed >= thresholdMb * 1024 * 1024) {
    taken = true;
    writeHeapSnapshot(snapshot);
    if (log)
      lines.push(`# snapshot taken at ${Math.round(performance.now() - started)} ms, heapUsed ${m.heapUsed}`);
  }
};
setInterval(sample, 20).unref();
const gcEvery = Number(process.env.PD_BENCH_GC_EVERY_MS ?? 0);
if (gcEvery > 0 && globalThis.gc) setInterval(() => globalThis.gc(), gcEvery).unref();
if (log) writeFileSync(log, '');
process.on('exit', () => {
  sample();
  if (log) appendFileSync(log, `${lines.join('\n')}\n`);
});
