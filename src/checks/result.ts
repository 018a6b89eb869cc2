/**
 * The result model shared by checks, the engine, the renderers and the UI.
 * The TypeScript types here *are* the JSON report schema (docs/report.schema.json): no mapping layer.
 * This module imports nothing.
 */

/** Outcome of one step or checked object; `error` means "could not check", never "broken". */
export type Status = 'pass' | 'warn' | 'fail' | 'error' | 'skip';

/** Every status, worst first: the order summaries and renderers list them in. */
export const STATUSES_WORST_FIRST: readonly Status[] = ['fail', 'error', 'warn', 'pass', 'skip'];

const severity: Record<Status, number> = { skip: 0, pass: 1, warn: 2, error: 3, fail: 4 };

/** One node of the pass/fail tree. Leaves carry `subject`; a parent's status is computed by `group()`. */
export interface ResultNode {
  id: string;
  title: string;
  status: Status;
  /** The object that was checked, e.g. `host stg.cocdev.co.kr`, `Certificate plate-stg/stg-tls`. */
  subject?: string;
  /** What was observed (plus what was expected when they differ). No trailing period. */
  message?: string;
  /** One imperative sentence: what to do next. Present on every non-pass leaf. */
  hint?: string;
  /** Read-only commands, runnable as printed, that take the investigation further. */
  commands?: string[];
  durationMs?: number;
  children?: ResultNode[];
}

/** The public runbook ids, in contract order. */
export const RUNBOOK_IDS = ['ingress', 'secrets', 'gitops'] as const;
export type RunbookId = (typeof RUNBOOK_IDS)[number];

/** The public step ids, in contract order. Stable: renaming one is a breaking change. */
export const STEP_IDS = [
  'ingress.resources',
  'ingress.certificates',
  'ingress.cert-manager-logs',
  'ingress.dns',
  'ingress.https',
  'secrets.stores',
  'secrets.externalsecrets',
  'secrets.target-secrets',
  'secrets.eso-logs',
  'secrets.openbao',
  'gitops.applications',
] as const;
export type StepId = (typeof STEP_IDS)[number];

export type Summary = Record<Status, number>;

/** The whole run, as the JSON renderer prints it (schemaVersion 1). */
export interface Report {
  schemaVersion: 1;
  tool: { name: 'platform-doctor'; version: string };
  startedAt: string;
  durationMs: number;
  target: { context: string | null; cluster: string | null; env: string | null };
  status: Status;
  summary: Summary;
  runbooks: ResultNode[];
}

/** A parent's status is the worst of its children (fail > error > warn > pass > skip). */
export function worstOf(statuses: readonly Status[]): Status {
  return statuses.reduce<Status>((worst, s) => (severity[s] > severity[worst] ? s : worst), 'skip');
}

/** Sorts worst first; ties keep their order. */
export function compareStatus(a: Status, b: Status): number {
  return severity[b] - severity[a];
}

/**
 * A parent node whose status is computed from its children, never set by hand.
 * With no children the node is a `skip` and `emptyMessage` says why (e.g. "no Ingresses in scope").
 */
export function group(
  id: string,
  title: string,
  children: ResultNode[],
  emptyMessage = 'nothing to check',
): ResultNode {
  if (children.length === 0) return { id, title, status: 'skip', message: emptyMessage };
  return { id, title, status: worstOf(children.map((c) => c.status)), children };
}

/** The leaves under a node (a node without children is its own leaf). */
export function leavesOf(node: ResultNode): ResultNode[] {
  return node.children?.length ? node.children.flatMap(leavesOf) : [node];
}

/** Counts leaves by status; the summary line and the JSON `summary` come from here. */
export function summarize(nodes: readonly ResultNode[]): Summary {
  const summary: Summary = { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 };
  for (const leaf of nodes.flatMap(leavesOf)) summary[leaf.status] += 1;
  return summary;
}
