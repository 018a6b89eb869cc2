import type { Report, ResultNode, Status } from '../checks/result.js';
import { STATUSES_WORST_FIRST, summarize } from '../checks/result.js';
import { oneLine } from '../text.js';
import { escapeXmlAttr as attr, escapeXmlText as text } from './escape.js';
import { compareWorstFirst, leafName } from './leaves.js';
import { causeName, diagnose, explainsText, ownAdvice, type Diagnosis } from './start-here.js';
import type { Renderer } from './types.js';
import { STATUS_MEANING, statusLabel } from './status-label.js';
import { formatDuration, summaryLine } from './summary.js';
import { afterText, agoTime, clockTime, timelineHeading, toneGlyph } from './timeline.js';
import { toneOf } from '../checks/timeline.js';

/**
 * One self-contained HTML page: inline CSS, no script, no external asset (a CSP meta tag forbids
 * them). The tree is nested `<details>`: what needs attention is open, passes are folded, and
 * printing expands everything.
 *
 *     <details class="step fail" open>
 *     <summary><span class="badge fail">✖ FAIL</span> DNS records point at the ingress load balancer …</summary>
 *     <ul class="leaves">
 *     <li class="leaf fail"><span class="badge fail">✖ FAIL</span> <span class="subject">host stg.cocdev.co.kr</span>
 */
export const html: Renderer = (report) => {
  const diagnosis = diagnose(report);
  const after = (leaf: ResultNode) =>
    leaf.after ? `<p class="after">${text(afterText(leaf.after, report))}</p>` : '';
  const context = [report.target.context, report.target.env].filter((v) => v !== null).join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(`Platform doctor: ${statusLabel(report.status)}${context ? ` — ${context}` : ''}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${badge(report.status)} Platform doctor report</h1>
<p class="summary">${text(summaryLine(report.summary))}</p>
${targetList(report)}
${legend()}
</header>
<main>
${startHereHtml(diagnosis, after)}
${timelineHtml(report)}
${report.runbooks.map((runbook) => runbookHtml(runbook, diagnosis, after)).join('\n')}
</main>
</body>
</html>
`;
};

/** Needs attention, so open by default. */
const isOpen = (status: Status) => status === 'fail' || status === 'error' || status === 'warn';

function badge(status: Status): string {
  return `<span class="badge ${status}">${statusLabel(status)}</span>`;
}

function targetList(report: Report): string {
  const rows: [string, string | null][] = [
    ['Cluster', report.target.cluster],
    ['Context', report.target.context],
    ['Environment', report.target.env],
    ['Started', report.startedAt],
    ['Duration', formatDuration(report.durationMs)],
    ['Tool', `${report.tool.name} ${report.tool.version}`],
    ...(report.commandLine ? ([['Command', oneLine(report.commandLine)]] as [string, string][]) : []),
  ];
  const items = rows.map(
    ([name, value]) => `<div><dt>${name}</dt><dd>${value === null ? '—' : text(value)}</dd></div>`,
  );
  return `<dl class="target">${items.join('')}</dl>`;
}

function legend(): string {
  const items = STATUSES_WORST_FIRST.map((s) => `<li>${badge(s)} ${text(STATUS_MEANING[s])}</li>`);
  return `<ul class="legend" aria-label="Legend">${items.join('')}</ul>`;
}

/** The causes first, each with what it explains; the tree below links back to them. */
function startHereHtml(diagnosis: Diagnosis, after: After): string {
  if (diagnosis.startHere.length === 0) return '';
  const items = diagnosis.startHere.map((cause) => {
    const { leaf, step } = cause;
    const explains = explainsText(cause);
    const where = `<p class="where"><a href="#${attr(leaf.id)}"><code>${text(step.id)}</code></a> · ${text(step.title)}</p>`;
    return `<li class="leaf ${leaf.status}">${badge(leaf.status)} <span class="subject">${text(leafName(leaf))}</span>${where}${detail(leaf, leaf.hint, leaf.commands ?? [])}${explains ? `<p class="explains">${text(explains)}</p>` : ''}${after(leaf)}</li>`;
  });
  const more = diagnosis.causes.length - diagnosis.startHere.length;
  const rest = more > 0 ? `\n<p>${more} more cause${more === 1 ? '' : 's'} in the tree below.</p>` : '';
  return `<section class="start-here" aria-labelledby="start-here">
<h2 id="start-here">Start here</h2>
<ul class="leaves">
${items.join('\n')}
</ul>${rest}
</section>`;
}

/** "What changed": a table, newest first, each row marked by its tone (a change, a problem, a recovery). */
function timelineHtml(report: Report): string {
  const entries = report.timeline ?? [];
  if (entries.length === 0) return '';
  const rows = entries.map(
    (e) =>
      `<tr class="${toneOf(e.kind)}"><td><time datetime="${attr(e.time)}">${text(clockTime(e.time, report))}</time> <span class="ago">${text(agoTime(e.time, report))}</span></td><td><span aria-hidden="true">${toneGlyph(e, true)} </span><code>${text(e.kind)}</code></td><td>${text(e.subject)}</td><td>${text(oneLine(e.message))}</td></tr>`,
  );
  return `<section class="timeline" aria-labelledby="what-changed">
<h2 id="what-changed">${text(timelineHeading(report))}</h2>
<table>
<thead><tr><th>Time (UTC)</th><th>Kind</th><th>Subject</th><th>What happened</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}

/** The `started after …` paragraph of a leaf, or nothing. */
type After = (leaf: ResultNode) => string;

function runbookHtml(runbook: ResultNode, diagnosis: Diagnosis, after: After): string {
  const steps = runbook.children?.length ? runbook.children : [runbook];
  return `<details class="runbook ${runbook.status}" id="${attr(runbook.id)}"${isOpen(runbook.status) ? ' open' : ''}>
<summary>${badge(runbook.status)} <span class="title">${text(runbook.title)}</span> <span class="counts">${text(summaryLine(summarize([runbook])))}</span></summary>
${steps.map((step) => stepHtml(step, diagnosis, after)).join('\n')}
</details>`;
}

/** A step lists its leaves, worst first; a step without children shows its own message instead. */
function stepHtml(step: ResultNode, diagnosis: Diagnosis, after: After): string {
  const duration =
    step.durationMs === undefined ? '' : ` <span class="duration">${formatDuration(step.durationMs)}</span>`;
  const head = `<summary>${badge(step.status)} <span class="title">${text(step.title)}</span> <code>${text(step.id)}</code>${duration}</summary>`;
  const leaves = [...(step.children ?? [])].sort(compareWorstFirst);
  const body = leaves.length === 0 ? leafDetail(step, diagnosis, after) : leafLists(leaves, diagnosis, after);
  return `<details class="step ${step.status}" id="${attr(step.id)}"${isOpen(step.status) ? ' open' : ''}>
${head}
${body}
</details>`;
}

/** Leaves that need attention in plain view; passing and skipped ones folded beneath them when both exist. */
function leafLists(leaves: ResultNode[], diagnosis: Diagnosis, after: After): string {
  const attention = leaves.filter((l) => isOpen(l.status));
  const rest = leaves.filter((l) => !isOpen(l.status));
  const list = (items: ResultNode[]) =>
    `<ul class="leaves">\n${items.map((leaf) => leafHtml(leaf, diagnosis, after)).join('\n')}\n</ul>`;
  if (attention.length === 0 || rest.length === 0) return list(leaves);
  const counts = summaryLine(summarize(rest));
  return `${list(attention)}\n<details class="passes">\n<summary>${text(counts)}</summary>\n${list(rest)}\n</details>`;
}

/** A checked object; a group (one Ingress, one host, one OpenBao server) lists its own children the same way. */
function leafHtml(leaf: ResultNode, diagnosis: Diagnosis, after: After): string {
  const nested = leaf.children?.length
    ? `\n${leafLists([...leaf.children].sort(compareWorstFirst), diagnosis, after)}\n`
    : '';
  return `<li class="leaf ${leaf.status}" id="${attr(leaf.id)}">${badge(leaf.status)} <span class="subject">${text(leafName(leaf))}</span>${leafDetail(leaf, diagnosis, after)}${nested}</li>`;
}

/** A leaf's message and advice; an explained leaf links to its causes and repeats none of their advice. */
function leafDetail(node: ResultNode, diagnosis: Diagnosis, after: After): string {
  if (diagnosis.isStartHere(node.id)) {
    const see = '<p class="explained"><a href="#start-here">see Start here</a></p>';
    return detail(node, undefined, []) + see;
  }
  const causes = diagnosis.causesOf(node.id);
  if (causes.length === 0)
    return detail(node, undefined, []) + after(node) + detail({}, node.hint, node.commands ?? []);
  const own = ownAdvice(node, causes);
  const links = causes.map((c) => `<a href="#${attr(c.leaf.id)}">${text(causeName(node, c))}</a>`).join(', ');
  return `${detail(node, undefined, [])}<p class="explained">explained by ${links}</p>${after(node)}${detail({}, own.hint, own.commands)}`;
}

function detail(
  node: { message?: string; code?: string },
  hint: string | undefined,
  commands: readonly string[],
): string {
  const parts: string[] = [];
  const code = node.code ? ` <code class="code">${text(node.code)}</code>` : '';
  if (node.message) parts.push(`<p class="message">${text(oneLine(node.message))}${code}</p>`);
  if (hint) parts.push(`<p class="hint"><span aria-hidden="true">→ </span>${text(oneLine(hint))}</p>`);
  if (commands.length)
    parts.push(`<pre class="commands"><code>${text(commands.map(oneLine).join('\n'))}</code></pre>`);
  return parts.join('');
}

// Colours pass WCAG AA on white; every status also has its own glyph and word, so none relies on colour.
const STYLE = `
:root { --fail: #b42318; --error: #7a2e98; --warn: #93370d; --pass: #067647; --skip: #475467; font: 15px/1.45 system-ui, sans-serif; color: #101828; }
body { max-width: 70rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.summary { font-weight: 600; margin: 0 0 .75rem; }
.target { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: 0 0 .75rem; }
.target dt { font-size: .8rem; color: #475467; }
.target dd { margin: 0; font-family: ui-monospace, monospace; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; font-size: .85rem; color: #344054; }
.badge { display: inline-block; min-width: 4.5rem; padding: 0 .4rem; border: 1px solid; border-radius: .3rem; font-weight: 700; font-size: .8rem; white-space: nowrap; }
.badge.fail { color: var(--fail); background: #fef3f2; }
.badge.error { color: var(--error); background: #f9f5ff; }
.badge.warn { color: var(--warn); background: #fffaeb; }
.badge.pass { color: var(--pass); background: #ecfdf3; }
.badge.skip { color: var(--skip); background: #f2f4f7; }
details { margin: .35rem 0; }
details.runbook { border: 1px solid #d0d5dd; border-radius: .4rem; padding: .4rem .75rem; }
details.runbook > summary { font-size: 1.1rem; font-weight: 600; }
details.step, details.passes { margin-left: 1.25rem; }
summary { cursor: pointer; }
.counts, .duration, code { color: #475467; font-size: .85rem; }
.leaves { list-style: none; padding-left: 1.5rem; margin: .25rem 0; }
.leaf { margin: .3rem 0; }
.message, .hint, .explained, .explains, .where { margin: .15rem 0 0 5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.message .code { color: var(--skip); font-size: .85em; }
.explained, .explains, .where { color: #475467; }
.start-here { border: 2px solid var(--fail); border-radius: .4rem; padding: .2rem .75rem .5rem; margin: 0 0 1rem; }
.start-here h2, .timeline h2 { font-size: 1.2rem; margin: .3rem 0; }
.timeline { margin: 0 0 1rem; }
.timeline table { border-collapse: collapse; width: 100%; font-size: .9rem; }
.timeline th, .timeline td { text-align: left; vertical-align: top; padding: .15rem .5rem; border-bottom: 1px solid #eaecf0; overflow-wrap: anywhere; }
.timeline td:first-child { white-space: nowrap; font-family: ui-monospace, monospace; }
.timeline .ago { color: #475467; }
.timeline tr.problem td:nth-child(2) { color: var(--fail); }
.timeline tr.recovery td:nth-child(2) { color: var(--pass); }
.timeline tr.change td:nth-child(2) { color: var(--warn); }
.after { margin: .15rem 0 0 5rem; color: #344054; font-style: italic; overflow-wrap: anywhere; }
.hint { font-weight: 600; }
.commands { margin: .25rem 0 0 5rem; padding: .4rem .6rem; background: #f2f4f7; border-radius: .3rem; white-space: pre-wrap; overflow-wrap: anywhere; }
details.step > .message, details.step > .hint, details.step > .commands { margin-left: 1.5rem; }
@media print {
  * { background: none !important; }
  details::details-content { content-visibility: visible; display: block; }
  details.runbook { break-inside: avoid-page; }
  .commands { border: 1px solid #d0d5dd; }
}
`;
