// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self and total time per function and per file,
// with the tool's own code told apart from libraries and Node internals.
// Usage: node bench/cpuprofile.mjs FILE.cpuprofile [--top N]
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where a frame's code comes from: the tool, a package, Node itself, or V8's pseudo-frames. `at` is the
 * frame's place as `position` gives it, so code in the bundle (dist/platform/) counts for its source.
 */
function origin(url, functionName, at) {
  if (!url) return functionName.startsWith('(') ? 'v8' : 'node';
  if (url.startsWith('node:')) return 'node';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(at);
  if (m) return `lib:${m[1]}`;
  if (/(^|\/)(dist|src|bin)\//.test(at)) return 'tool';
  if (at.includes('bench/')) return 'bench';
  return 'other';
}

function originOf(node) {
  const f = node.callFrame;
  return origin(f.url, f.functionName, f.url ? position(f.url, f.lineNumber, f.columnNumber) : '');
}

function where(url) {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path.replace(/^.*node_modules\//, 'node_modules/');
}

// ---------------------------------------------------------------- dist/**/*.js → sources, through the source maps

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const maps = new Map();

/** Per generated line, its segments as [generatedColumn, sourceIndex, sourceLine] (Source Map v3 VLQ). */
function loadMap(jsPath) {
  if (maps.has(jsPath)) return maps.get(jsPath);
  let map = null;
  const mapPath = `${jsPath}.map`;
  if (existsSync(mapPath)) {
    const raw = JSON.parse(readFileSync(mapPath, 'utf8'));
    const lines = [];
    let [source, sourceLine] = [0, 0];
    for (const text of raw.mappings.split(';')) {
      const segments = [];
      let column = 0;
      for (const segment of text.split(',').filter(Boolean)) {
        const values = [];
        let shift = 0;
        let value = 0;
        for (const char of segment) {
          const digit = BASE64.indexOf(char);
          value += (digit & 31) << shift;
          if (digit & 32) shift += 5;
          else {
            values.push(value & 1 ? -(value >>> 1) : value >>> 1);
            [shift, value] = [0, 0];
          }
        }
        column += values[0];
        if (values.length >= 4) {
          source += values[1];
          sourceLine += values[2];
          segments.push([column, source, sourceLine]);
        }
      }
      lines.push(segments);
    }
    const sources = raw.sources.map((s) => relative(ROOT, join(dirname(jsPath), raw.sourceRoot ?? '', s)));
    map = { lines, sources };
  }
  maps.set(jsPath, map);
  return map;
}

/** `src/…ts:line` for a frame in the tool's compiled code, else `file:line` as profiled (1-based lines). */
function position(url, line0, column0) {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const map = path.startsWith(join(ROOT, 'dist')) ? loadMap(path) : null;
  const segments = map?.lines[line0];
  if (segments?.length) {
    let best = segments[0];
    for (const seg of segments) if (seg[0] <= column0) best = seg;
    return `${map.sources[best[1]]}:${best[2] + 1}`;
  }
  return `${where(url)}:${line0 + 1}`;
}

/** Self and total milliseconds per function and file; pseudo-frames ((idle), (garbage collector)…) kept. */
export function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  const deltas = profile.timeDeltas ?? [];
  // Each sample's time is the delta to the next sample (the last one gets the mean).
  const mean = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  profile.samples.forEach((id, i) => {
    const dt = i + 1 < deltas.length ? deltas[i + 1] : mean;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  });
  const fnKey = (n) => {
    const f = n.callFrame;
    return `${f.functionName || '(anonymous)'}\t${position(f.url, f.lineNumber, f.columnNumber)}`;
  };
  const fileKey = (n) =>
    (n.callFrame.url
      ? position(n.callFrame.url, n.callFrame.lineNumber, n.callFrame.columnNumber).replace(/:\d+$/, '')
      : '') || n.callFrame.functionName;
  const fns = new Map();
  const files = new Map();
  const origins = new Map();
  const bump = (map, key, field, us, extra) => {
    const e = map.get(key) ?? { self: 0, total: 0, ...extra };
    e[field] += us;
    map.set(key, e);
  };
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    const o = originOf(node);
    bump(fns, fnKey(node), 'self', us, { origin: o });
    bump(files, fileKey(node), 'self', us, { origin: o });
    bump(origins, o, 'self', us);
    // Total: every distinct function/file on the stack once, so recursion is not counted twice.
    const seenFn = new Set();
    const seenFile = new Set();
    const seenOrigin = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n.callFrame.functionName === '(root)') break;
      const fk = fnKey(n);
      const flk = fileKey(n);
      const ok = originOf(n);
      if (!seenFn.has(fk)) {
        seenFn.add(fk);
        bump(fns, fk, 'total', us, { origin: ok });
      }
      if (!seenFile.has(flk)) {
        seenFile.add(flk);
        bump(files, flk, 'total', us, { origin: ok });
      }
      if (!seenOrigin.has(ok)) {
        seenOrigin.add(ok);
        bump(origins, ok, 'total', us);
      }
    }
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const rows = (map) =>
    [...map.entries()].map(([key, v]) => ({ key, ...v, self: v.self / 1000, total: v.total / 1000 }));
  return { totalMs: totalUs / 1000, functions: rows(fns), files: rows(files), origins: rows(origins) };
}

const ms = (x) => `${x.toFixed(0).padStart(6)} ms`;

export function report(summary, top = 25) {
  const lines = [];
  const pct = (x) => `${((100 * x) / summary.totalMs).toFixed(1).padStart(5)}%`;
  lines.push(`profiled ${summary.totalMs.toFixed(0)} ms`);
  lines.push('', 'by origin (self, total):');
  for (const r of summary.origins.sort((a, b) => b.self - a.self))
    lines.push(`  ${r.key.padEnd(40)} ${ms(r.self)} ${pct(r.self)}  ${ms(r.total)} ${pct(r.total)}`);
  const section = (title, list, field, filter) => {
    lines.push('', title);
    for (const r of list
      .filter(filter)
      .sort((a, b) => b[field] - a[field])
      .slice(0, top)) {
      const [name, loc] = r.key.split('\t');
      lines.push(
        `  ${ms(r[field])} ${pct(r[field])}  ${(loc === undefined ? '' : name).padEnd(34)} ${loc ?? name}  [${r.origin}]`,
      );
    }
  };
  const all = () => true;
  const own = (r) => r.origin === 'tool';
  const notOwn = (r) => r.origin !== 'tool';
  section('top self time, tool code (function, file:line):', summary.functions, 'self', own);
  section('top self time, libraries / node / v8:', summary.functions, 'self', notOwn);
  section('top total time, tool code:', summary.functions, 'total', own);
  section(
    'top total time, libraries / node:',
    summary.functions,
    'total',
    (r) => notOwn(r) && r.origin !== 'v8',
  );
  section('files by self time:', summary.files, 'self', all);
  section('files by total time:', summary.files, 'total', all);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 25;
  console.log(report(summarise(JSON.parse(readFileSync(file, 'utf8'))), top));
}
