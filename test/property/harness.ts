/**
 * The property every step must keep (issue #10): gather and evaluate survive objects of any shape. A hostile
 * or buggy API server (or a half-installed CRD) must produce `fail`/`error`/`skip` leaves with hints, never a
 * crash, which the engine would report as "check crashed … this is a bug".
 *
 * Failures print fast-check's counterexample and seed; replay one with FC_SEED=<seed> (and FC_PATH=<path>).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { KindName } from '../../src/gateways/kinds.js';
import {
  STATUSES_WORST_FIRST,
  worstOf,
  type ResultNode,
  type Status,
  type StepId,
} from '../../src/checks/result.js';
import { runbooks } from '../../src/runbooks/index.js';
import { isFindingCode } from '../../src/checks/codes.js';
import type { Step } from '../../src/checks/step.js';
import { createCertificateAuthority, createSelfSigned } from '../../src/sandbox/certs.js';
import { NOW, SHAPE_LEAK } from './arbitraries.js';
import { gatherContextOf, scope, world } from './world.js';
import { shown } from '../support/shown.js';

const DAY_MS = 86_400_000;

/**
 * Real certificates for TLS Secrets and served chains: valid, wildcard, expiring, expired, with validity dates
 * Node cannot represent, and ingress-nginx's fake.
 */
async function certificatePems(): Promise<string[]> {
  const ca = await createCertificateAuthority('R11', NOW);
  const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS);
  const issued = await Promise.all([
    ca.issue({ commonName: 'a.example.test', dnsNames: ['a.example.test', 'b.example.test'] }),
    ca.issue({ commonName: '*.example.test', dnsNames: ['*.example.test'] }),
    ca.issue({
      commonName: 'a.example.test',
      dnsNames: ['a.example.test'],
      notBefore: at(-80),
      notAfter: at(5),
    }),
    ca.issue({
      commonName: 'a.example.test',
      dnsNames: ['a.example.test'],
      notBefore: at(-120),
      notAfter: at(-30),
    }),
    ca.issue({ commonName: 'example.test' }),
    // Node reads these validity dates as `Bad time value`.
    createSelfSigned({ commonName: 'a.example.test', notBefore: new Date('0001-01-01T00:00:00Z') }, NOW),
    createSelfSigned({ commonName: 'a.example.test', notAfter: new Date(Date.UTC(10_000, 0, 1)) }, NOW),
    createSelfSigned(
      { commonName: 'Kubernetes Ingress Controller Fake Certificate', dnsNames: ['ingress.local'] },
      NOW,
    ),
  ]);
  return issued.map((i) => i.certPem);
}
const PEMS = await certificatePems();

/** The kinds each step reads; a step added to a runbook must be added here (see the registry test below). */
export const READS: Record<StepId, KindName[]> = {
  'ingress.resources': [
    'ingresses',
    'services',
    'ingressclasses',
    'endpointslices',
    'endpoints',
    'secrets',
    'issuers',
    'clusterissuers',
    'events',
    'pods',
  ],
  'ingress.certificates': [
    'certificates',
    'issuers',
    'clusterissuers',
    'secrets',
    'ingresses',
    'certificaterequests',
    'orders',
    'challenges',
    'events',
  ],
  'ingress.cert-manager-logs': ['pods', 'events', 'clusterissuers', 'issuers', 'certificates'],
  'ingress.dns': ['ingresses', 'services'],
  'ingress.https': ['ingresses', 'services', 'secrets'],
  'gateway.gateways': ['gateways', 'gatewayclasses', 'secrets', 'referencegrants'],
  'gateway.routes': ['httproutes', 'gateways', 'services', 'endpointslices', 'endpoints', 'referencegrants'],
  'gateway.certificates': [
    'gateways',
    'certificates',
    'issuers',
    'clusterissuers',
    'secrets',
    'certificaterequests',
    'orders',
    'challenges',
    'events',
  ],
  'gateway.dns': ['httproutes', 'gateways'],
  'gateway.https': ['httproutes', 'gateways'],
  'secrets.stores': ['secretstores', 'clustersecretstores', 'events', 'secrets'],
  'secrets.externalsecrets': ['externalsecrets', 'secretstores', 'clustersecretstores', 'events'],
  'secrets.target-secrets': ['externalsecrets', 'secretstores', 'clustersecretstores', 'pods', 'secrets'],
  'secrets.eso-logs': ['pods', 'events'],
  'secrets.openbao': ['secretstores', 'clustersecretstores', 'externalsecrets'],
  'gitops.applications': ['applications', 'externalsecrets', 'ingresses'],
};

/**
 * Messages that only deep branches produce: seeing each at least once proves the generated objects get past
 * the readers into judgement, so the property cannot pass vacuously.
 */
const DEEP: Record<StepId, RegExp[]> = {
  'ingress.resources': [
    /^\d+ ready endpoints?$/,
    /^no ready endpoints/,
    /^kubernetes.io\/tls Secret with/,
    /^(Issuer|ClusterIssuer) .* exists$/,
  ],
  'ingress.certificates': [
    /^not Ready: (ACME rate limit|HTTP-01 self check|DNS-01 propagation)/,
    /^Ready, expires in/,
    /^dnsNames do not cover/,
  ],
  'ingress.cert-manager-logs': [/\(logged (once|\d+ times)/, /^running and ready$/],
  'ingress.dns': [/^resolves to /, /NXDOMAIN/],
  'ingress.https': [/^trusted certificate issued by R11/, /^redirects to https:/, /^answers 404/],
  'gateway.gateways': [
    /^accepted by /,
    /^programmed at /,
    /^(HTTPS|HTTP|TLS|TCP)\/\d+ for .*: /,
    // A listener's certificateRef found its generated Secret, which was then judged (either way).
    /^(kubernetes.io\/tls Secret with|has type .*, expected kubernetes.io\/tls|has no tls\.)/,
  ],
  'gateway.routes': [
    /^accepted for /,
    /^no listener of Gateway /,
    /^\d+ ready endpoints?$/,
    /^(Accepted|ResolvedRefs) False/,
  ],
  'gateway.certificates': [
    /^not Ready: (ACME rate limit|HTTP-01 self check|DNS-01 propagation)/,
    /^Ready, expires in/,
    /^dnsNames do not cover .* \(used by listener /,
  ],
  'gateway.dns': [/^resolves to /, /NXDOMAIN/],
  'gateway.https': [
    /^(TLS handshake with|certificate |trusted certificate|served certificate|the controller serves)/,
    /^answers \d{3}/,
  ],
  'secrets.stores': [/^holds key /, /likely caused by/, /^Ready \(/],
  'secrets.externalsecrets': [/^Ready \(/, /likely caused by/, /event UpdateFailed/],
  'secrets.target-secrets': [/^exists with/, /^lacks /, /^references missing|container /],
  'secrets.eso-logs': [/\(logged (once|\d+ times)/, /^running and ready$/],
  'secrets.openbao': [
    /^(readable; has|lacks |token may not read|read denied|does not exist; needed by|is a KV v2 secret)/,
    /^unsealed, /,
    /^valid for /,
  ],
  'gitops.applications': [/^Synced, Healthy/, /health Degraded/, /^ComparisonError: /],
};

/** Runs per step: enough for thousands of generated objects of each kind, within the suite's time budget. */
const NUM_RUNS: Record<StepId, number> = {
  'ingress.resources': 2000,
  'ingress.certificates': 2000,
  'ingress.cert-manager-logs': 1500,
  'ingress.dns': 1000,
  'ingress.https': 1000,
  'gateway.gateways': 2000,
  'gateway.routes': 2000,
  'gateway.certificates': 2000,
  'gateway.dns': 2000,
  'gateway.https': 1000,
  'secrets.stores': 1000,
  'secrets.externalsecrets': 1500,
  'secrets.target-secrets': 1000,
  'secrets.eso-logs': 1500,
  'secrets.openbao': 2000,
  'gitops.applications': 1000,
};

/** Collapses a unit repeated ten times or more (the 100 KB strings) so a counterexample stays readable. */
export function compact(text: string): string {
  return text.replace(
    /(.{1,40}?)\1{9,}/gs,
    (run: string, unit: string) => `${unit}…×${run.length / unit.length}`,
  );
}

/** fast-check's own report (seed, path, counterexample, cause), with huge strings in the counterexample collapsed. */
export const readableReport: fc.Plugin<unknown> = () => ({
  onAllRunsComplete: (details) => {
    if (!details.failed) return;
    const report = (fc.defaultReportMessage(details) ?? 'property failed')
      .split('\n')
      .map((line) => (line.startsWith('Counterexample:') ? compact(line) : line))
      .join('\n');
    throw new Error(report, { cause: details.errorInstance });
  },
});

/** Batches of `NUM_RUNS` runs at most, while a deep branch has not been reached. */
const MAX_BATCHES = 4;

const seedOptions = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) }
  : {};

const VALID_STATUSES = new Set<Status>(STATUSES_WORST_FIRST);

/** Throws (so fast-check reports the counterexample) when a node breaks the result contract. */
function assertWellFormed(node: ResultNode, isStepNode: boolean): void {
  const where = `node ${node.id.slice(0, 120)}`;
  if (!VALID_STATUSES.has(node.status)) throw new Error(`${where} has status ${String(node.status)}`);
  for (const field of ['id', 'title', 'subject', 'message', 'hint'] as const) {
    const value = node[field];
    if (value !== undefined && typeof value !== 'string')
      throw new Error(`${where} has a non-string ${field}`);
    const leak = typeof value === 'string' ? SHAPE_LEAK.exec(value) : null;
    if (leak) {
      const around = (value as string).slice(Math.max(0, leak.index - 150), leak.index + 150);
      throw new Error(`${where} ${field} reads a wrong shape: …${around}…`);
    }
  }
  if (node.message?.includes('check crashed')) throw new Error(`${where} says it crashed`);
  if (
    node.commands !== undefined &&
    !(Array.isArray(node.commands) && node.commands.every((c) => typeof c === 'string'))
  )
    throw new Error(`${where} has commands that are not strings`);
  const children = node.children ?? [];
  if (children.length > 0) {
    const expected = worstOf(children.map((c) => c.status));
    if (node.status !== expected) throw new Error(`${where} is ${node.status}, its children say ${expected}`);
    for (const child of children) assertWellFormed(child, false);
    return;
  }
  // Every non-pass leaf names its kind of finding with a known code; a pass has none.
  if (node.status === 'pass' && node.code !== undefined)
    throw new Error(`${where} passes with code ${node.code}`);
  if (node.status !== 'pass' && !(node.code !== undefined && isFindingCode(node.code)))
    throw new Error(
      `${where} is ${node.status} with code ${String(node.code)}: ${node.message?.slice(0, 300)}`,
    );
  // A step with nothing in scope is a skip that says so; every other non-pass leaf says what to do next.
  if (node.status !== 'pass' && !node.hint && !(isStepNode && node.status === 'skip'))
    throw new Error(`${where} is ${node.status} without a hint: ${node.message?.slice(0, 300)}`);
}

function leaves(node: ResultNode): ResultNode[] {
  return node.children?.length ? node.children.flatMap(leaves) : [node];
}

/** Every step of every runbook, in contract order. */
export const STEPS: readonly Step[] = runbooks.flatMap((r) => r.steps);

/**
 * Declares the property for one step: gather (against gateways answering from a generated world) and
 * evaluate never throw, every node keeps the result contract (leaf ids unique too), and the runs reach the
 * step's deep branches.
 */
export function stepNeverCrashes(id: StepId): void {
  const step = STEPS.find((s) => s.id === id);
  const reads = READS[id];
  const deepBranches = DEEP[id];
  const numRuns = NUM_RUNS[id];
  if (!step || !reads || !deepBranches || !numRuns)
    throw new Error(`no step ${id} in the runbooks or tables`);
  it(`${id}: gather and evaluate never throw, and every leaf keeps the result contract`, async () => {
    const statuses = new Set<Status>();
    const reached = new Set<RegExp>();
    const property = fc.asyncProperty(world(reads, PEMS), scope, async (w, s) => {
      const facts = await step.gather(gatherContextOf(w, s));
      // As reports carry it: commands rendered, texts redacted and bounded.
      const node = shown(step.evaluate(facts, { now: NOW }));
      assertWellFormed(node, true);
      const ids = leaves(node).map((l) => l.id);
      const repeated = ids.find((leafId, i) => ids.indexOf(leafId) !== i);
      if (repeated !== undefined) throw new Error(`two leaves share the id ${repeated.slice(0, 200)}`);
      for (const leaf of leaves(node)) {
        statuses.add(leaf.status);
        for (const deep of deepBranches)
          if (!reached.has(deep) && deep.test(leaf.message ?? '')) reached.add(deep);
      }
    });
    // Rare branches can take more than one batch of random objects to reach: more batches, never fewer runs.
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      await fc.assert(property, { numRuns, plugins: [readableReport], ...seedOptions });
      if (deepBranches.every((deep) => reached.has(deep)) || process.env.FC_SEED) break;
    }
    // Not vacuous: the generated objects reach judgement, both ways, and the deep branches.
    expect([...statuses]).toEqual(expect.arrayContaining(['pass', 'fail']));
    expect(
      deepBranches.filter((deep) => !reached.has(deep)).map(String),
      'deep branches no run reached',
    ).toEqual([]);
  }, 120_000);
}
