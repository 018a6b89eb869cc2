// Summarises a V8 .heapsnapshot: self size by kind of object, retained size (dominator tree, weak edges
// ignored) of the biggest retainers and per constructor, and the largest strings.
// Usage: node --max-old-space-size=8192 bench/heapsnapshot.mjs FILE.heapsnapshot [--top N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function loadSnapshot(file) {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const meta = json.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const nodes = Int32Array.from(json.nodes);
  const edges = Int32Array.from(json.edges);
  return {
    nf,
    ef,
    n: nodes.length / nf,
    nodes,
    edges,
    strings: json.strings,
    f: Object.fromEntries(meta.node_fields.map((k, i) => [k, i])),
    e: Object.fromEntries(meta.edge_fields.map((k, i) => [k, i])),
    nodeTypes,
    edgeTypes,
  };
}

/** Immediate dominators (Cooper–Harvey–Kennedy) and retained sizes; node 0 is the synthetic root. */
export function dominators(s) {
  const { n, nf, ef, nodes, edges, f, e, edgeTypes } = s;
  const weak = edgeTypes.indexOf('weak');
  const firstEdge = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) firstEdge[i + 1] = firstEdge[i] + nodes[i * nf + f.edge_count];
  const target = (k) => edges[k * ef + e.to_node] / nf;
  const isWeak = (k) => edges[k * ef + e.type] === weak;
  // Postorder by iterative DFS.
  const order = new Int32Array(n).fill(-1); // postorder number
  const post = new Int32Array(n);
  let count = 0;
  const stack = new Int32Array(n);
  const cursor = new Int32Array(n);
  const seen = new Uint8Array(n);
  let top = 0;
  stack[top++] = 0;
  seen[0] = 1;
  cursor[0] = firstEdge[0];
  while (top > 0) {
    const v = stack[top - 1];
    if (cursor[v] < firstEdge[v + 1]) {
      const k = cursor[v]++;
      if (isWeak(k)) continue;
      const w = target(k);
      if (!seen[w]) {
        seen[w] = 1;
        cursor[w] = firstEdge[w];
        stack[top++] = w;
      }
    } else {
      top--;
      order[v] = count;
      post[count++] = v;
    }
  }
  // Predecessors (reachable, non-weak) in CSR form.
  const predCount = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) {
    if (!seen[v]) continue;
    for (let k = firstEdge[v]; k < firstEdge[v + 1]; k++) if (!isWeak(k)) predCount[target(k) + 1]++;
  }
  for (let i = 0; i < n; i++) predCount[i + 1] += predCount[i];
  const preds = new Int32Array(predCount[n]);
  const fill = predCount.slice();
  for (let v = 0; v < n; v++) {
    if (!seen[v]) continue;
    for (let k = firstEdge[v]; k < firstEdge[v + 1]; k++) if (!isWeak(k)) preds[fill[target(k)]++] = v;
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a, b) => {
    while (a !== b) {
      while (order[a] < order[b]) a = idom[a];
      while (order[b] < order[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let i = count - 2; i >= 0; i--) {
      const v = post[i];
      let d = -1;
      for (let p = predCount[v]; p < predCount[v + 1]; p++) {
        const u = preds[p];
        if (idom[u] === -1) continue;
        d = d === -1 ? u : intersect(u, d);
      }
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(n);
  for (let v = 0; v < n; v++) retained[v] = seen[v] ? nodes[v * nf + f.self_size] : 0;
  for (let i = 0; i < count - 1; i++) {
    const v = post[i];
    retained[idom[v]] += retained[v];
  }
  return { idom, retained, reachable: seen, post, count, firstEdge };
}

export function summarise(s, top = 20) {
  const { n, nf, nodes, f, strings, nodeTypes } = s;
  const type = (v) => nodeTypes[nodes[v * nf + f.type]];
  const name = (v) => strings[nodes[v * nf + f.name]];
  const self = (v) => nodes[v * nf + f.self_size];
  const { idom, retained, reachable, post, count, firstEdge } = dominators(s);
  const propertyType = s.edgeTypes.indexOf('property');
  // Plain objects are told apart by their first property names: {metadata,spec,status} is a Kubernetes
  // object, {id,title,status,…} a result node.
  const shape = (v) => {
    const names = [];
    for (let k = firstEdge[v]; k < firstEdge[v + 1] && names.length < 5; k++) {
      if (s.edges[k * s.ef + s.e.type] !== propertyType) continue;
      names.push(strings[s.edges[k * s.ef + s.e.name_or_index]]);
    }
    return `{${names.join(',')}}`;
  };
  const className = (v) =>
    name(v) === 'Object' && type(v) === 'object' ? `Object${shape(v)}` : name(v).slice(0, 60);
  const label = (v) => {
    const t = type(v);
    if (t === 'object' || t === 'native' || t === 'closure' || t === 'synthetic') return className(v);
    if (t.includes('string')) return `(string) ${JSON.stringify(name(v).slice(0, 50))}`;
    return `(${t}) ${name(v).slice(0, 40)}`;
  };
  const mb = (b) => `${(b / 1048576).toFixed(1).padStart(7)} MB`;
  const lines = [];
  let total = 0;
  const byType = new Map();
  const byClass = new Map();
  for (let v = 0; v < n; v++) {
    if (!reachable[v]) continue;
    const size = self(v);
    total += size;
    const t = type(v);
    byType.set(t, (byType.get(t) ?? 0) + size);
    if (t === 'object' || t === 'native' || t === 'closure' || t === 'array' || t === 'hidden') {
      const key = `${t}:${className(v)}`;
      const e = byClass.get(key) ?? { count: 0, self: 0, retained: 0 };
      e.count++;
      e.self += size;
      byClass.set(key, e);
    }
  }
  lines.push(`reachable heap ${mb(total)} in ${count} nodes`);
  lines.push('', 'self size by node type:');
  for (const [t, size] of [...byType].sort((a, b) => b[1] - a[1])) lines.push(`  ${mb(size)}  ${t}`);

  // Retained per constructor, counting only instances not dominated by another instance of the same one.
  const children = new Map();
  for (let i = 0; i < count - 1; i++) {
    const v = post[i];
    const p = idom[v];
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(v);
  }
  const onPath = new Map();
  const walk = [[0, false]];
  while (walk.length) {
    const [v, leaving] = walk.pop();
    const t = type(v);
    const key = `${t}:${t === 'object' ? className(v) : name(v).slice(0, 60)}`;
    const counted = byClass.has(key);
    if (leaving) {
      if (counted) onPath.set(key, onPath.get(key) - 1);
      continue;
    }
    if (counted) {
      if (!onPath.get(key)) byClass.get(key).retained += retained[v];
      onPath.set(key, (onPath.get(key) ?? 0) + 1);
    }
    walk.push([v, true]);
    for (const c of children.get(v) ?? []) walk.push([c, false]);
  }
  lines.push('', 'constructors by retained size (outermost instances only), with count and self size:');
  for (const [key, e] of [...byClass].sort((a, b) => b[1].retained - a[1].retained).slice(0, top))
    lines.push(`  ${mb(e.retained)} retained ${mb(e.self)} self ${String(e.count).padStart(8)}×  ${key}`);

  lines.push('', 'biggest single retainers (dominator chain up to a GC root):');
  const candidates = [];
  for (let v = 1; v < n; v++) if (reachable[v] && type(v) !== 'synthetic') candidates.push(v);
  candidates.sort((a, b) => retained[b] - retained[a]);
  const shown = [];
  for (const v of candidates) {
    // Skip a node that is most of one already shown (a wrapper and its payload are one finding).
    let inside = false;
    for (let u = idom[v]; u !== 0 && u !== idom[u]; u = idom[u])
      if (shown.includes(u) && retained[v] > 0.8 * retained[u]) inside = true;
    if (inside) continue;
    shown.push(v);
    const chain = [];
    for (let u = idom[v]; u !== 0 && chain.length < 4; u = idom[u]) chain.push(label(u));
    lines.push(`  ${mb(retained[v])}  ${label(v)}  ← ${chain.join(' ← ') || '(root)'}`);
    if (shown.length >= top) break;
  }

  const small = { count: 0, size: 0 };
  const large = { count: 0, size: 0 };
  for (let v = 0; v < n; v++) {
    if (!reachable[v] || !type(v).includes('string')) continue;
    const bucket = self(v) >= 65536 ? large : small;
    bucket.count++;
    bucket.size += self(v);
  }
  lines.push(
    '',
    `strings: ${large.count} of ≥ 64 KB take ${mb(large.size).trim()} (module sources, response bodies); ` +
      `${small.count} smaller ones take ${mb(small.size).trim()}`,
  );
  lines.push('', 'largest strings:');
  const stringsBySize = [];
  for (let v = 0; v < n; v++) if (reachable[v] && type(v).includes('string')) stringsBySize.push(v);
  stringsBySize.sort((a, b) => self(b) - self(a));
  for (const v of stringsBySize.slice(0, top)) lines.push(`  ${mb(self(v))}  ${label(v)}`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 20;
  console.log(summarise(loadSnapshot(process.argv[2]), top));
}
