import stringWidth from 'string-width';
import { compareStatus, leavesOf, type ResultNode, type Report } from '../checks/result.js';
import { marks, paint, statusStyle, toneStyle } from './theme.js';
import { toneOf } from '../checks/timeline.js';
import { SCREEN_TEXT_LIMIT, displayable, oneLine, visible, wrap } from '../text.js';
import { leafName } from './leaves.js';
import { diagnose, explainedByText, explainsText, ownAdvice, type Diagnosis } from './start-here.js';
import { formatDuration, summaryLine } from './summary.js';
import { TREE_TIMELINE_LIMIT, afterText, timeColumns, timelineHeading } from './timeline.js';
import type { RenderOptions, Renderer } from './types.js';

/**
 * The plain text tree for pipes, cron mail and logs. "Start here" comes first: the causes that explain
 * the other failures, each with its hint and commands. Then the tree: failing, erroring and warning
 * nodes expanded, passes collapsed to a count unless `verbose`; an explained leaf says what explains
 * it and repeats no hint its cause already gave. With a known width, text wraps under itself.
 *
 *   platform doctor · context sandbox-openbao-sealed · cluster sandbox-openbao-sealed
 *   started 2026-12-01T03:17:17.259Z · platform-doctor 0.2.0 · platform doctor --demo openbao-sealed
 *
 *   Start here
 *     ✖ OpenBao openbao/openbao:8200 — sealed (HTTP 503, version 2.2.0) [OPENBAO_SEALED]
 *         explains 10 other failures
 *         → Unseal OpenBao openbao/openbao:8200 with the unseal keys (bao operator unseal); …
 *         $ kubectl exec -n openbao svc/openbao -- bao status
 *
 *   ✖ Secrets from OpenBao
 *     ✖ SecretStores are Ready and their OpenBao token Secret exists
 *       ✖ SecretStore plate-prod/openbao-backend — not Ready (InvalidProviderConfig: …) [STORE_NOT_READY]
 *           ↳ explained by OpenBao openbao/openbao:8200
 *
 *   11 failed · 50 passed · 2 skipped (63) in 231ms
 */
export const tree: Renderer = (report, options) => {
  const diagnosis = diagnose(report);
  const lines = [header(report, options), runLine(report, options), ''];
  if (diagnosis.startHere.length > 0) lines.push(...startHereLines(report, diagnosis, options), '');
  if (report.timeline?.length) lines.push(...timelineLines(report, options), '');
  for (const runbook of report.runbooks) lines.push(...renderNode(runbook, 0, options, diagnosis, report));
  const bullet = (options.unicode ? marks.unicode : marks.ascii).bullet;
  lines.push('', `${summaryLine(report.summary, ` ${bullet} `)} in ${formatDuration(report.durationMs)}`);
  return `${lines.join('\n')}\n`;
};

/** Outside text as the tree prints it: one line, controls visible, at most SCREEN_TEXT_LIMIT characters. */
const show = (text: string) => displayable(text, SCREEN_TEXT_LIMIT);

/**
 * `lead` then `text`; with a known width the text wraps between words, each further line starting under
 * the text's first column. Without one (a pipe, a file) it stays one line for grep.
 */
function hanging(lead: string, text: string, options: RenderOptions, style?: 'dim'): string[] {
  const dress = (line: string) => (style ? paint(line, style, options.color) : line);
  if (options.width === undefined) return [lead + dress(text)];
  const leadWidth = stringWidth(lead);
  const pieces = wrap(text, Math.max(20, options.width - leadWidth));
  return pieces.map((piece, i) => (i === 0 ? lead : ' '.repeat(leadWidth)) + dress(piece));
}

function header(report: Report, options: RenderOptions): string {
  const { context, cluster, env } = report.target;
  const bullet = (options.unicode ? marks.unicode : marks.ascii).bullet;
  const parts = [
    'platform doctor',
    context ? `context ${show(context)}` : null,
    cluster ? `cluster ${show(cluster)}` : null,
    env ? `env ${show(env)}` : null,
  ].filter(Boolean);
  return paint(parts.join(` ${bullet} `), 'bold', options.color);
}

/** When, with which doctor and from which command line: a saved tree stands on its own. */
function runLine(report: Report, options: RenderOptions): string {
  const bullet = (options.unicode ? marks.unicode : marks.ascii).bullet;
  const parts = [
    `started ${report.startedAt}`,
    `${report.tool.name} ${report.tool.version}`,
    ...(report.commandLine ? [show(report.commandLine)] : []),
  ];
  return paint(parts.join(` ${bullet} `), 'dim', options.color);
}

function glyph(node: ResultNode, options: RenderOptions): string {
  const style = statusStyle[node.status];
  return paint(options.unicode ? style.glyph : style.ascii, style.color, options.color);
}

function isExpanded(node: ResultNode, options: RenderOptions): boolean {
  return options.verbose || node.status === 'fail' || node.status === 'error' || node.status === 'warn';
}

/** The node's own line: glyph, name, message and, dimmed, the finding code (`[CERT_EXPIRED]`). */
function nodeLine(node: ResultNode, label: string, indent: string, options: RenderOptions): string[] {
  const dash = options.unicode ? '—' : '-';
  const message = node.message ? ` ${dash} ${show(node.message)}` : '';
  const code = node.code ? ` ${paint(`[${show(node.code)}]`, 'dim', options.color)}` : '';
  return hanging(`${indent}${glyph(node, options)} `, `${label}${message}${code}`, options);
}

/** Hint and commands under a node. Commands are never cut or wrapped: a command cut short would run something else. */
function adviceLines(
  hint: string | undefined,
  commands: readonly string[],
  indent: string,
  options: RenderOptions,
): string[] {
  const m = options.unicode ? marks.unicode : marks.ascii;
  return [
    ...(hint ? hanging(`${indent}${paint(m.hint, 'dim', options.color)} `, show(hint), options, 'dim') : []),
    ...commands.map((command) => `${indent}${m.command} ${visible(oneLine(command))}`),
  ];
}

function startHereLines(report: Report, diagnosis: Diagnosis, options: RenderOptions): string[] {
  const lines = [paint('Start here', 'bold', options.color)];
  for (const cause of diagnosis.startHere) {
    lines.push(...nodeLine(cause.leaf, show(leafName(cause.leaf)), '  ', options));
    const explains = explainsText(cause);
    if (explains) lines.push(`      ${explains}`);
    lines.push(...afterLines(cause.leaf, '      ', options, report));
    lines.push(...adviceLines(cause.leaf.hint, cause.leaf.commands ?? [], '      ', options));
  }
  const more = diagnosis.causes.length - diagnosis.startHere.length;
  if (more > 0) lines.push(`  and ${more} more cause${more === 1 ? '' : 's'} in the tree below`);
  return lines;
}

/**
 * The newest entries of the timeline, one line each: time, how long before the run, what and what
 * happened; then how many more the reports and JSON carry.
 *
 *   What changed (3 changes, newest first; times in UTC, "ago" counts back from the run)
 *     14:02  18m ago  ● Application argocd/plate-api-stg — Argo CD synced plate-api-stg to 4f2c1e9
 */
function timelineLines(report: Report, options: RenderOptions): string[] {
  const entries = report.timeline ?? [];
  const shown = entries.slice(0, TREE_TIMELINE_LIMIT);
  const dash = options.unicode ? '—' : '-';
  const times = timeColumns(shown, report);
  const lines = [paint(timelineHeading(report), 'bold', options.color)];
  shown.forEach((entry, i) => {
    const tone = toneStyle[toneOf(entry.kind)];
    const glyph = paint(options.unicode ? tone.glyph : tone.ascii, tone.color, options.color);
    lines.push(
      ...hanging(
        `  ${times[i]}  ${glyph} `,
        `${show(entry.subject)} ${dash} ${show(entry.message)}`,
        options,
      ),
    );
  });
  const more = entries.length - shown.length;
  if (more > 0) {
    lines.push(
      `  and ${more} earlier change${more === 1 ? '' : 's'} (in -o json and the markdown and HTML reports)`,
    );
  }
  return lines;
}

/** `↶ started after …` under a failing leaf that a change in the timeline touches. */
function afterLines(node: ResultNode, indent: string, options: RenderOptions, report: Report): string[] {
  if (!node.after) return [];
  const m = options.unicode ? marks.unicode : marks.ascii;
  return hanging(`${indent}${m.after} `, show(afterText(node.after, report)), options);
}

/** What a failing node says under its line: its advice, or where its cause's advice is. */
function detailLines(
  node: ResultNode,
  indent: string,
  options: RenderOptions,
  diagnosis: Diagnosis,
  report: Report,
): string[] {
  const m = options.unicode ? marks.unicode : marks.ascii;
  if (diagnosis.isStartHere(node.id)) return [`${indent}${m.startHere} see Start here`];
  const after = afterLines(node, indent, options, report);
  const causes = diagnosis.causesOf(node.id);
  if (causes.length === 0) return [...after, ...adviceLines(node.hint, node.commands ?? [], indent, options)];
  const { hint, commands } = ownAdvice(node, causes);
  return [
    ...hanging(`${indent}${m.explained} `, show(explainedByText(node, causes)), options),
    ...after,
    ...adviceLines(hint, commands, indent, options),
  ];
}

function renderNode(
  node: ResultNode,
  depth: number,
  options: RenderOptions,
  diagnosis: Diagnosis,
  report: Report,
): string[] {
  const indent = '  '.repeat(depth);
  const hasChildren = Boolean(node.children?.length);
  const label = show(hasChildren ? node.title : (node.subject ?? node.title));
  if (hasChildren && depth > 0 && !isExpanded(node, options)) {
    // A healthy step is one line: its title and how many checks passed under it.
    return [`${indent}${glyph(node, options)} ${label} (${countWords(leavesOf(node), options)})`];
  }
  const lines = nodeLine(node, label, indent, options);
  if (node.status !== 'pass' && node.status !== 'skip') {
    lines.push(...detailLines(node, `${indent}    `, options, diagnosis, report));
  }
  if (!hasChildren) return lines;

  const children = [...node.children!].sort((a, b) => compareStatus(a.status, b.status));
  const folded = children.filter((c) => !c.children?.length && !isExpanded(c, options));
  for (const child of children.filter((c) => !folded.includes(c)))
    lines.push(...renderNode(child, depth + 1, options, diagnosis, report));
  if (folded.length) lines.push(`${'  '.repeat(depth + 1)}${countWords(folded, options, true)}`);
  return lines;
}

/** `3 passed · 1 skipped`, optionally led by each status glyph: the stand-in for folded nodes. */
function countWords(nodes: ResultNode[], options: RenderOptions, withGlyphs = false): string {
  const counts = new Map<ResultNode['status'], number>();
  for (const node of nodes) counts.set(node.status, (counts.get(node.status) ?? 0) + 1);
  const bullet = (options.unicode ? marks.unicode : marks.ascii).bullet;
  return [...counts]
    .map(([status, count]) => {
      const style = statusStyle[status];
      const mark = withGlyphs
        ? `${paint(options.unicode ? style.glyph : style.ascii, style.color, options.color)} `
        : '';
      return `${mark}${count} ${style.word}`;
    })
    .join(` ${bullet} `);
}
