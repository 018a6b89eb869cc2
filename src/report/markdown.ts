import type { Report, Status } from '../checks/result.js';
import { oneLine, visible } from '../text.js';
import { compareWorstFirst, leafEntries, leafName, type LeafEntry } from './leaves.js';
import type { Renderer } from './types.js';
import { statusLabel } from './status-label.js';
import { formatDuration, summaryLine } from './summary.js';

/**
 * An incident attachment in GitHub/GitLab-flavoured markdown: header, summary, then what needs
 * attention (fail and warn, then error) with hints and commands, then passes folded away:
 *
 *     # Platform doctor: ✖ FAIL
 *
 *     **3 failed · 2 errors · 2 warnings · 9 passed · 1 skipped (17)**
 *
 *     ## Failures and warnings
 *
 *     ### ✖ FAIL · host stg.cocdev.co.kr
 *
 *     `ingress.dns` · DNS records point at the ingress load balancer
 *
 *     resolves to 203.0.113.9, load balancer is 203.0.113.10
 *
 *     **Next:** Update the record for stg.cocdev.co.kr; it still points at an old address.
 */
export const markdown: Renderer = (report) => {
  const entries = leafEntries(report).sort((a, b) => compareWorstFirst(a.leaf, b.leaf));
  const pick = (statuses: Status[]) => entries.filter((e) => statuses.includes(e.leaf.status));
  const attention = pick(['fail', 'warn']);
  const errors = pick(['error']);
  const rest = pick(['pass', 'skip']);

  const blocks = [...header(report)];
  if (attention.length > 0) blocks.push('## Failures and warnings', ...attention.flatMap(detailBlocks));
  if (errors.length > 0) blocks.push('## Errors (could not check)', ...errors.flatMap(detailBlocks));
  if (attention.length === 0 && errors.length === 0) blocks.push('Nothing failed, warned or errored.');
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

/** One leaf that needs attention: heading, where it sits, what was seen, what to do, what to run. */
function detailBlocks({ step, leaf }: LeafEntry): string[] {
  const where = leaf === step ? `\`${step.id}\`` : `\`${step.id}\` · ${escapeInline(step.title)}`;
  const blocks = [`### ${statusLabel(leaf.status)} · ${escapeInline(leafName(leaf))}`, where];
  if (leaf.message) blocks.push(escapeInline(leaf.message));
  if (leaf.hint) blocks.push(`**Next:** ${escapeInline(leaf.hint)}`);
  if (leaf.commands?.length) blocks.push(codeBlock(visible(leaf.commands.map(oneLine).join('\n'))));
  return blocks;
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
