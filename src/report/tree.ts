import { compareStatus, leavesOf, type ResultNode, type Report } from '../checks/result.js';
import { marks, paint, statusStyle } from './theme.js';
import { SCREEN_TEXT_LIMIT, displayable, oneLine, visible } from '../text.js';
import { formatDuration, summaryLine } from './summary.js';
import type { RenderOptions, Renderer } from './types.js';

/**
 * The plain text tree for pipes, cron mail and logs. Failing, erroring and warning nodes are expanded
 * with hint and commands; passes collapse to a count unless `verbose`.
 *
 *   ✖ Ingress, certificates and DNS
 *     ✖ DNS records point at the ingress load balancer
 *       ✖ host stg.cocdev.co.kr — resolves to 127.0.10.9, load balancer is 127.0.10.10
 *           → Update the A record of stg.cocdev.co.kr (TTL 300s) to 127.0.10.10.
 *           $ dig +short stg.cocdev.co.kr
 *       ✔ 2 passed
 *     ✔ Certificates are issued and valid (3 passed)
 *
 *   1 failed · 16 passed (17) in 1.2s
 */
export const tree: Renderer = (report, options) => {
  const lines = [header(report, options), ''];
  for (const runbook of report.runbooks) lines.push(...renderNode(runbook, 0, options));
  const bullet = (options.unicode ? marks.unicode : marks.ascii).bullet;
  lines.push('', `${summaryLine(report.summary, ` ${bullet} `)} in ${formatDuration(report.durationMs)}`);
  return `${lines.join('\n')}\n`;
};

/** Outside text as the tree prints it: one line, controls visible, at most SCREEN_TEXT_LIMIT characters. */
const show = (text: string) => displayable(text, SCREEN_TEXT_LIMIT);

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

function glyph(node: ResultNode, options: RenderOptions): string {
  const style = statusStyle[node.status];
  return paint(options.unicode ? style.glyph : style.ascii, style.color, options.color);
}

function isExpanded(node: ResultNode, options: RenderOptions): boolean {
  return options.verbose || node.status === 'fail' || node.status === 'error' || node.status === 'warn';
}

function renderNode(node: ResultNode, depth: number, options: RenderOptions): string[] {
  const indent = '  '.repeat(depth);
  const hasChildren = Boolean(node.children?.length);
  const label = show(hasChildren ? node.title : (node.subject ?? node.title));
  const dash = options.unicode ? '—' : '-';
  const message = node.message ? ` ${dash} ${show(node.message)}` : '';
  if (hasChildren && depth > 0 && !isExpanded(node, options)) {
    // A healthy step is one line: its title and how many checks passed under it.
    return [`${indent}${glyph(node, options)} ${label} (${countWords(leavesOf(node), options)})`];
  }
  const lines = [`${indent}${glyph(node, options)} ${label}${message}`];
  const detailIndent = `${indent}    `;
  const m = options.unicode ? marks.unicode : marks.ascii;
  if (node.status !== 'pass' && node.status !== 'skip') {
    if (node.hint)
      lines.push(`${detailIndent}${paint(`${m.hint} ${show(node.hint)}`, 'dim', options.color)}`);
    // Commands are never cut: a command cut short would run something else.
    for (const command of node.commands ?? [])
      lines.push(`${detailIndent}${m.command} ${visible(oneLine(command))}`);
  }
  if (!hasChildren) return lines;

  const children = [...node.children!].sort((a, b) => compareStatus(a.status, b.status));
  const folded = children.filter((c) => !c.children?.length && !isExpanded(c, options));
  for (const child of children.filter((c) => !folded.includes(c)))
    lines.push(...renderNode(child, depth + 1, options));
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
