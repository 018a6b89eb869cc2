/**
 * The result model shared by checks, the engine, the renderers and the UI. The zod schemas here are the
 * JSON report's contract: the TypeScript types are inferred from them, and docs/report.schema.json is
 * generated from them (`npm run schemas`; a test keeps the file equal).
 */
import { z } from 'zod';
import { causeSchema } from './causes.js';
import { timelineEntrySchema, type TimelineEntry } from './timeline.js';
import { CODE_PATTERN, type FindingCode } from './codes.js';

/** Every status, worst first: the order summaries and renderers list them in. */
export const STATUSES_WORST_FIRST = ['fail', 'error', 'warn', 'pass', 'skip'] as const;

export const statusSchema = z.enum(['pass', 'warn', 'fail', 'error', 'skip']).meta({
  id: 'status',
  description:
    'fail: seen broken · error: could not check · warn: works but degrading · pass · skip: not applicable',
});

/** Outcome of one step or checked object; `error` means "could not check", never "broken". */
export type Status = z.infer<typeof statusSchema>;

const severity: Record<Status, number> = { skip: 0, pass: 1, warn: 2, error: 3, fail: 4 };

/** A runbook id (`ingress`); the registry of runbooks is src/runbooks/index.ts. */
export type RunbookId = string;
/** A step id (`ingress.dns`): runbook id, dot, step name. Stable: renaming one is a breaking change. */
export type StepId = string;

/**
 * A command for people to run, as data: `argv` is quoted one token at a time when rendered, `env` is set
 * for it (`BAO_ADDR=… bao …`), and the tokens at `expand` are shell expressions printed unquoted.
 * `kubectl` and `cmctl` get the target's flags after evaluate (see engine/commands.ts).
 */
export interface Command {
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
  expand?: readonly number[];
}

/** Hint text that may name a command inside it (a write a person may choose to run); rendered like commands. */
export type Prose = string | readonly (string | Command)[];

/** What every node of the tree has, whichever stage it is at. */
interface NodeFields {
  id: string;
  title: string;
  status: Status;
  /** The object that was checked, e.g. `host stg.cocdev.co.kr`, `Certificate plate-stg/stg-tls`. */
  subject?: string;
  /** What was observed (plus what was expected when they differ). No trailing period. */
  message?: string;
  /** Subjects this leaf rests on: when one of them fails too, that failure explains this one (checks/causes.ts). */
  dependsOn?: string[];
  /** Subjects whose failures this leaf already accounts for, e.g. the Secret and Orders of a Certificate. */
  covers?: string[];
  /** On a failing or warning leaf: the nearest earlier change in the timeline that touches it (checks/timeline.ts). */
  after?: TimelineEntry;
  durationMs?: number;
}

/**
 * A node as a step's `evaluate` builds it: hints and commands as data. The engine turns it into a
 * ResultNode (target flags, quoting, redaction, bounds) before anyone renders it.
 */
export interface CheckNode extends NodeFields {
  /** The kind of finding (checks/codes.ts): present on every non-pass leaf, absent on passes. */
  code?: FindingCode;
  /** One imperative sentence: what to do next. Present on every non-pass leaf. */
  hint?: Prose;
  /** Read-only commands that take the investigation further. */
  commands?: Command[];
  children?: CheckNode[];
}

/** One node of the pass/fail tree, as reports carry it. Leaves carry `subject`; a parent's status is computed by `group()`. */
export interface ResultNode extends NodeFields {
  /** The kind of finding, e.g. `CERT_RENEWAL_FAILING` (docs/findings.md); on every non-pass leaf. */
  code?: string;
  /** One imperative sentence: what to do next. Present on every non-pass leaf. */
  hint?: string;
  /** Read-only commands, shell-quoted, runnable as printed. */
  commands?: string[];
  children?: ResultNode[];
}

export const nodeSchema: z.ZodType<ResultNode> = z
  .strictObject({
    id: z.string().describe('Runbook id, step id (e.g. ingress.dns) or leaf id (<step id>:<subject key>).'),
    title: z.string(),
    status: statusSchema,
    subject: z.string().describe('The object a leaf checked, e.g. `host stg.cocdev.co.kr`.').optional(),
    message: z.string().describe('What was observed; at most 8192 characters.').optional(),
    code: z
      .string()
      .regex(CODE_PATTERN)
      .describe(
        'The kind of finding (docs/findings.md), e.g. CERT_RENEWAL_FAILING: on every non-pass leaf, never on a pass. Stable: codes are added, never renamed. Since doctor 0.2.',
      )
      .optional(),
    hint: z.string().describe('What to do next; present on every non-pass leaf.').optional(),
    commands: z
      .array(z.string())
      .describe('Read-only commands, shell-quoted, runnable as printed.')
      .optional(),
    dependsOn: z
      .array(z.string())
      .describe('Subjects this failing or warning leaf rests on; a failure of one of them explains this one.')
      .optional(),
    covers: z
      .array(z.string())
      .describe(
        'Subjects whose failures this failing or warning leaf accounts for (a Certificate covers its Secret).',
      )
      .optional(),
    after: timelineEntrySchema
      .describe(
        'On a failing or warning leaf: the nearest earlier change in `timeline` that touches its subject, what it covers or what it depends on (a deploy, an issuance, a token expiry).',
      )
      .optional(),
    durationMs: z.number().int().min(0).optional(),
    get children() {
      return z.array(nodeSchema).optional();
    },
  })
  .meta({ id: 'node' });

export const summarySchema = z
  .strictObject({
    pass: z.number().int().min(0),
    warn: z.number().int().min(0),
    fail: z.number().int().min(0),
    error: z.number().int().min(0),
    skip: z.number().int().min(0),
  })
  .describe('Leaves counted by status.');

export type Summary = z.infer<typeof summarySchema>;

export const reportSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    tool: z.strictObject({ name: z.literal('platform-doctor'), version: z.string().min(1) }),
    /** The command line as typed, credentials removed. */
    commandLine: z
      .string()
      .describe('The command line that produced the report, credentials removed.')
      .optional(),
    startedAt: z.iso.datetime(),
    durationMs: z.number().int().min(0),
    target: z.strictObject({
      context: z.string().nullable(),
      cluster: z.string().nullable(),
      env: z.string().nullable(),
    }),
    status: statusSchema,
    summary: summarySchema,
    runbooks: z.array(nodeSchema),
    causes: z
      .array(causeSchema)
      .describe(
        'Start here: the failing or warning leaves nothing else explains, most explaining first (then failures before warnings, then tree order). Every other failing or warning leaf is in the `explains` of at least one. Always written since doctor 0.2; absent in older reports.',
      )
      .optional(),
    timeline: z
      .array(timelineEntrySchema)
      .describe(
        'What changed: the changes the platform recorded within the `--since` window (default 24h) in what the run read, plus Events, newest first, at most 200. Written since doctor 0.2; absent in older reports and when the run read nothing.',
      )
      .optional(),
  })
  .meta({
    title: 'platform doctor report',
    description:
      'What `platform doctor --output json` prints (schemaVersion 1). Fields are only ever added within a schema version.',
  });

/** The whole run, as the JSON renderer prints it (schemaVersion 1). */
export type Report = z.infer<typeof reportSchema>;

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
export function group<N extends CheckNode | ResultNode>(
  id: string,
  title: string,
  children: N[],
  emptyMessage = 'nothing to check',
): N {
  if (children.length === 0)
    return { id, title, status: 'skip', message: emptyMessage, code: 'NOTHING_IN_SCOPE' } as N;
  return { id, title, status: worstOf(children.map((c) => c.status)), children } as unknown as N;
}

/**
 * Sibling nodes with unique ids: a repeated id (two error signatures naming one object, two listeners of
 * one name) gets `#2`, `#3`, … in order, so every leaf stays addressable.
 */
export function withUniqueIds<N extends { id: string }>(nodes: readonly N[]): N[] {
  const seen = new Map<string, number>();
  return nodes.map((node) => {
    const n = (seen.get(node.id) ?? 0) + 1;
    seen.set(node.id, n);
    return n === 1 ? node : { ...node, id: `${node.id}#${n}` };
  });
}

/** A tree of either stage: what counting and walking need. */
interface Tree {
  status: Status;
  children?: readonly Tree[];
}

/** The leaves under a node (a node without children is its own leaf). */
export function leavesOf<N extends Tree>(node: N): N[] {
  return node.children?.length ? node.children.flatMap((child) => leavesOf(child as N)) : [node];
}

/** Counts leaves by status; the summary line and the JSON `summary` come from here. */
export function summarize(nodes: readonly Tree[]): Summary {
  const summary: Summary = { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 };
  for (const leaf of nodes.flatMap(leavesOf)) summary[leaf.status] += 1;
  return summary;
}
