import type { Report, ResultNode, Status } from '../checks/result.js';
import { oneLine, visible } from '../text.js';
import { compareWorstFirst, leafEntries, leafName, type LeafEntry } from './leaves.js';
import {
  diagnose,
  explainedByText,
  explainsText,
  ownAdvice,
  type CauseEntry,
  type Diagnosis,
} from './start-here.js';
import type { Renderer } from './types.js';
import { statusLabel } from './status-label.js';
import { formatDuration, summaryLine } from './summary.js';
import { afterText, agoTime, clockTime, timelineHeading } from './timeline.js';

/**
 * An incident attachment in GitHub/GitLab-flavoured markdown: header, summary, "Start here" (the causes
 * that explain the rest, with hint and commands), then the other failures and warnings and then the
 * errors, each grouped by step in runbook order with one heading per subject, then passes folded away:
 *
 *     # Platform doctor: ✖ FAIL
 *
 *     **11 failed · 50 passed · 2 skipped (63)**
 *
 *     ## Start here
 *
 *     ### ✖ FAIL · OpenBao openbao/openbao:8200
 *
 *     `secrets.openbao` · OpenBao is unsealed and each store token can read its mapped secrets
 *
 *     sealed (HTTP 503, version 2.2.0)
 *
 *     Explains 10 other failures.
 *
 *     **Next:** Unseal OpenBao openbao/openbao:8200 with the unseal keys (bao operator unseal); …
 *
 *     ## Other failures and warnings
 *
 *     ### SecretStores are Ready and their OpenBao token Secret exists (`secrets.stores`)
 *
 *     #### ✖ FAIL · SecretStore plate-prod/openbao-backend
 *
 *     not Ready (InvalidProviderConfig: unable to validate store)
 *
 *     Explained by OpenBao openbao/openbao:8200 (see Start here).
 */
export const markdown: Renderer = (report) => {
  const diagnosis = diagnose(report);
  const entries = leafEntries(report);
  const shown = (e: LeafEntry) => !diagnosis.isStartHere(e.leaf.id);
  const pick = (statuses: Status[]) => entries.filter((e) => statuses.includes(e.leaf.status));
  const attention = pick(['fail', 'warn']).filter(shown);
  const errors = pick(['error']);
  const rest = pick(['pass', 'skip']).sort((a, b) => compareWorstFirst(a.leaf, b.leaf));

  const blocks = [...header(report)];
  const after = (leaf: ResultNode) => afterBlocks(leaf, report);
  if (diagnosis.startHere.length > 0) {
    blocks.push('## Start here', ...diagnosis.startHere.flatMap((cause) => causeBlocks(cause, after)));
  }
  if (report.timeline?.length) blocks.push(...timelineBlocks(report));
  if (attention.length > 0) {
    const title = diagnosis.startHere.length > 0 ? 'Other failures and warnings' : 'Failures and warnings';
    blocks.push(`## ${title}`, ...bySubject(attention, diagnosis, after));
  }
  if (errors.length > 0) blocks.push('## Errors (could not check)', ...bySubject(errors, diagnosis, after));
  if (diagnosis.causes.length === 0 && errors.length === 0) blocks.push('Nothing failed, warned or errored.');
  if (rest.length > 0) blocks.push('## Passed and skipped', ...folded(rest, report));
  return `${blocks.join('\n\n')}\n`;
};

function header(report: Report): string[] {
  const cells = [
    report.target.cluster,
    report.target.context,
    report.target.env,
    report.startedAt,
    formatDuration(report.durationMs),
    `${report.tool.name} ${report.tool.version}`,
  ].map((value) => (value === null ? '—' : escapeInline(value)));
  return [
    `# Platform doctor: ${statusLabel(report.status)}`,
    `**${summaryLine(report.summary)}**`,
    [
      '| Cluster | Context | Environment | Started | Duration | Tool |',
      '| --- | --- | --- | --- | --- | --- |',
      `| ${cells.join(' | ')} |`,
    ].join('\n'),
    ...(report.commandLine ? [`Command: ${codeSpan(report.commandLine)}`] : []),
  ];
}

/** Where a leaf sits: `secrets.openbao` · its step's title (only the id when the step is the leaf). */
function stepLine({ step, leaf }: LeafEntry): string {
  return leaf === step ? `\`${step.id}\`` : `\`${step.id}\` · ${escapeInline(step.title)}`;
}

/** One cause: heading, where it sits, what was seen, how much it explains, what to do, what to run. */
function causeBlocks(cause: CauseEntry, after: (leaf: ResultNode) => string[]): string[] {
  const { leaf } = cause;
  const explains = explainsText(cause);
  return [
    `### ${statusLabel(leaf.status)} · ${escapeInline(leafName(leaf))}`,
    stepLine(cause),
    ...(leaf.message ? [observed(leaf)] : []),
    ...(explains ? [`${capitalized(explains)}.`] : []),
    ...after(leaf),
    ...advice(leaf.hint, leaf.commands ?? []),
  ];
}

/** `Started after Argo CD synced … at 14:02 UTC (18m before the run).` under a leaf a change touches. */
function afterBlocks(leaf: ResultNode, report: Report): string[] {
  return leaf.after ? [`${capitalized(escapeInline(afterText(leaf.after, report)))}.`] : [];
}

/**
 * "What changed" as a table, newest first:
 *
 *     | Time (UTC) | Kind | Subject | What happened |
 *     | --- | --- | --- | --- |
 *     | 14:02 (18m ago) | argocd.sync | Application argocd/plate-api-stg | Argo CD synced plate-api-stg to 4f2c1e9 |
 */
function timelineBlocks(report: Report): string[] {
  const rows = (report.timeline ?? []).map((entry) => {
    const when = `${clockTime(entry.time, report)} (${agoTime(entry.time, report)})`;
    const cells = [
      when,
      `\`${escapeCode(entry.kind)}\``,
      escapeInline(entry.subject),
      escapeInline(entry.message),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    `## ${timelineHeading(report)}`,
    ['| Time (UTC) | Kind | Subject | What happened |', '| --- | --- | --- | --- |', ...rows].join('\n'),
  ];
}

/** Text for inside a code span in a table cell: one line, no backticks or pipes that would end it. */
function escapeCode(text: string): string {
  return visible(oneLine(text)).replace(/[`|]/g, '');
}

/**
 * Leaves grouped by step in runbook order, one heading per subject: a subject that several steps report
 * sits under the first of them, its later findings each naming their step.
 */
function bySubject(
  entries: LeafEntry[],
  diagnosis: Diagnosis,
  after: (leaf: ResultNode) => string[],
): string[] {
  const groups = new Map<string, LeafEntry[]>();
  for (const entry of entries) {
    const name = leafName(entry.leaf);
    groups.set(name, [...(groups.get(name) ?? []), entry]);
  }
  const byStep = new Map<ResultNode, LeafEntry[][]>();
  for (const group of groups.values()) {
    const home = group[0]!.step;
    byStep.set(home, [...(byStep.get(home) ?? []), group]);
  }
  return [...byStep].flatMap(([step, subjectGroups]) => {
    const sorted = subjectGroups.sort((a, b) => compareWorstFirst(worstLeaf(a), worstLeaf(b)));
    // A step that is its own leaf (it timed out, crashed) is its own heading.
    if (sorted.length === 1 && sorted[0]![0]!.leaf === step)
      return subjectBlocks(sorted[0]!, step, diagnosis, 3, after);
    return [
      `### ${escapeInline(step.title)} (\`${step.id}\`)`,
      ...sorted.flatMap((group) => subjectBlocks(group, step, diagnosis, 4, after)),
    ];
  });
}

function worstLeaf(group: LeafEntry[]): ResultNode {
  return [...group].sort((a, b) => compareWorstFirst(a.leaf, b.leaf))[0]!.leaf;
}

/** One subject: its heading, then each finding with its message, its cause and its own advice. */
function subjectBlocks(
  group: LeafEntry[],
  home: ResultNode,
  diagnosis: Diagnosis,
  level: number,
  after: (leaf: ResultNode) => string[],
): string[] {
  const worst = worstLeaf(group);
  const blocks = [`${'#'.repeat(level)} ${statusLabel(worst.status)} · ${escapeInline(leafName(worst))}`];
  for (const entry of group) {
    const { leaf, step } = entry;
    const message = leaf.message ? observed(leaf) : '';
    if (step !== home) blocks.push(message ? `\`${step.id}\` · ${message}` : `\`${step.id}\``);
    else if (leaf === step) blocks.push(`\`${step.id}\``, ...(message ? [message] : []));
    else if (message) blocks.push(message);
    blocks.push(...after(leaf));
    const causes = diagnosis.causesOf(leaf.id);
    if (causes.length === 0) {
      blocks.push(...advice(leaf.hint, leaf.commands ?? []));
      continue;
    }
    const seeAbove = causes.some((c) => diagnosis.isStartHere(c.leaf.id)) ? ' (see Start here)' : '';
    blocks.push(`${capitalized(escapeInline(explainedByText(leaf, causes)))}${seeAbove}.`);
    const own = ownAdvice(leaf, causes);
    blocks.push(...advice(own.hint, own.commands));
  }
  return blocks;
}

/** A leaf's message and, after it, its finding code: `resolves to 127.0.10.9, … · \`DNS_WRONG_TARGET\``. */
function observed(leaf: ResultNode): string {
  const message = escapeInline(leaf.message ?? '');
  return leaf.code ? `${message} · \`${leaf.code}\`` : message;
}

/** The hint as **Next:** and the commands in one fenced block. */
function advice(hint: string | undefined, commands: readonly string[]): string[] {
  return [
    ...(hint ? [`**Next:** ${escapeInline(hint)}`] : []),
    ...(commands.length ? [codeBlock(visible(commands.map(oneLine).join('\n')))] : []),
  ];
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Passing and skipped leaves inside `<details>`, which both GitHub and GitLab render collapsed. */
function folded(entries: LeafEntry[], report: Report): string[] {
  const { pass, skip } = report.summary;
  const lines = entries.map(({ step, leaf }) => {
    const message = leaf.message ? ` — ${escapeInline(leaf.message)}` : '';
    return `- ${statusLabel(leaf.status)} · ${escapeInline(leafName(leaf))}${message} (\`${step.id}\`)`;
  });
  const counts = summaryLine({ pass, skip, fail: 0, error: 0, warn: 0 });
  // The blank lines around the list are what makes GitHub render markdown inside the HTML block.
  return [`<details>\n<summary>${counts}</summary>`, lines.join('\n'), '</details>'];
}

/**
 * Text from the cluster made inert: one line, control and bidi characters spelled out, and every
 * character that could start emphasis, code, a link, HTML, a table cell, math or strikethrough
 * backslash-escaped, and so is a leading heading, list or quote marker.
 */
function escapeInline(text: string): string {
  return visible(oneLine(text))
    .replace(/[\\`*_[\]<>|~$]/g, '\\$&')
    .replace(/&(?=#?\w+;)/g, '\\&')
    .replace(/^[#+=-]/, '\\$&')
    .replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
}

/** Inline code whose backtick run is longer than any inside, on one line, controls visible. */
function codeSpan(text: string): string {
  const clean = visible(oneLine(text));
  const longestRun = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longestRun + 1);
  return `${ticks} ${clean} ${ticks}`;
}

/** A fenced block whose fence is longer than any backtick run inside, so commands print verbatim. */
function codeBlock(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}sh\n${text}\n${fence}`;
}
