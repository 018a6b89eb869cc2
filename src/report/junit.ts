import type { Report, ResultNode } from '../checks/result.js';
import { summarize } from '../checks/result.js';
import { oneLine } from '../text.js';
import { escapeXmlAttr as attr, escapeXmlText as text } from './escape.js';
import { compareWorstFirst, leafName } from './leaves.js';
import { diagnose, explainedByText, explainsText, type Diagnosis } from './start-here.js';
import type { Renderer } from './types.js';

/**
 * JUnit XML for CI dashboards (GitLab, Jenkins): a `<testsuite>` per runbook, a `<testcase>` per
 * leaf. fail → `<failure>`, error → `<error>`, skip → `<skipped>`; a warning passes but carries
 * `<system-out>`. The finding code is the failure's or error's `type`; bodies hold the message, the
 * code, the hint and the commands.
 *
 *     <testsuite name="ingress" tests="7" failures="2" errors="1" skipped="0" time="5.120" timestamp="2025-06-02T08:15:00.000Z">
 *       <testcase classname="ingress.dns" name="host stg.cocdev.co.kr">
 *         <failure message="resolves to 203.0.113.9, load balancer is 203.0.113.10" type="DNS_WRONG_TARGET">…
 */
export const junit: Renderer = (report) => {
  const totals = counts(report.runbooks);
  const diagnosis = diagnose(report);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="platform-doctor"${totals} time="${seconds(report.durationMs)}" timestamp="${attr(report.startedAt)}">`,
    ...report.runbooks.map((runbook) => suite(runbook, report, diagnosis)),
    '</testsuites>',
    '',
  ].join('\n');
};

function counts(nodes: ResultNode[]): string {
  const s = summarize(nodes);
  const tests = s.pass + s.warn + s.fail + s.error + s.skip;
  return ` tests="${tests}" failures="${s.fail}" errors="${s.error}" skipped="${s.skip}"`;
}

function seconds(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}

function suite(runbook: ResultNode, report: Report, diagnosis: Diagnosis): string {
  const steps = runbook.children?.length ? runbook.children : [runbook];
  // The engine times steps; a runbook's own time is their sum when the report does not carry it.
  const durationMs = runbook.durationMs ?? steps.reduce((sum, step) => sum + (step.durationMs ?? 0), 0);
  const properties = [
    ...(['context', 'cluster', 'env'] as const).map((name) => [name, report.target[name] ?? ''] as const),
    ...(report.commandLine ? [['command', oneLine(report.commandLine)] as const] : []),
  ]
    .map(([name, value]) => `      <property name="${name}" value="${attr(value)}"/>`)
    .join('\n');
  const cases = steps.flatMap((step) =>
    casesOf(step)
      .sort((a, b) => compareWorstFirst(a.leaf, b.leaf))
      .map(({ leaf, name }) => testcase(step, leaf, name, diagnosis)),
  );
  return [
    `  <testsuite name="${attr(runbook.id)}"${counts([runbook])} time="${seconds(durationMs)}" timestamp="${attr(report.startedAt)}">`,
    `    <properties>\n${properties}\n    </properties>`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
}

/**
 * One case per leaf, however deep: a leaf inside a group (one Ingress, one host) is named after the
 * group too, `Ingress plate-stg/plate-ingress › backend plate-api-stg:80`, so names stay unique and read
 * alone. A step without children is its own case.
 */
function casesOf(step: ResultNode): { leaf: ResultNode; name: string }[] {
  if (!step.children?.length) return [{ leaf: step, name: leafName(step) }];
  const cases: { leaf: ResultNode; name: string }[] = [];
  const walk = (node: ResultNode, group: string | null): void => {
    for (const child of node.children ?? []) {
      if (child.children?.length) walk(child, leafName(child));
      else cases.push({ leaf: child, name: group ? `${group} › ${child.title}` : leafName(child) });
    }
  };
  walk(step, null);
  return cases;
}

function testcase(step: ResultNode, leaf: ResultNode, name: string, diagnosis: Diagnosis): string {
  const time = leaf.durationMs === undefined ? '' : ` time="${seconds(leaf.durationMs)}"`;
  const open = `    <testcase classname="${attr(step.id)}" name="${attr(oneLine(name))}"${time}`;
  const message = attr(oneLine(leaf.message ?? leaf.title));
  const type = leaf.code ? ` type="${attr(leaf.code)}"` : '';
  switch (leaf.status) {
    case 'pass':
      return `${open}/>`;
    case 'skip':
      return `${open}>\n      <skipped message="${message}"/>\n    </testcase>`;
    case 'warn':
      return `${open}>\n      <system-out>${text(body(leaf, diagnosis))}</system-out>\n    </testcase>`;
    case 'fail':
      return `${open}>\n      <failure message="${message}"${type}>${text(body(leaf, diagnosis))}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${message}"${type}>${text(body(leaf, diagnosis))}</error>\n    </testcase>`;
  }
}

/**
 * What a CI log shows for the case: status and message, how it relates to the other failures (a cause
 * and what it explains, or what explains it), the hint, then the commands one per line. Each case
 * stands alone, so an explained one keeps its whole advice.
 */
function body(leaf: ResultNode, diagnosis: Diagnosis): string {
  const lines = [`${leaf.status}: ${oneLine(leaf.message ?? leaf.title)}`];
  if (leaf.code) lines.push(`code: ${leaf.code}`);
  const cause = diagnosis.asCause(leaf.id);
  const explains = cause ? explainsText(cause) : null;
  if (explains) lines.push(`start here: ${explains}`);
  const causes = diagnosis.causesOf(leaf.id);
  if (causes.length > 0) lines.push(oneLine(explainedByText(leaf, causes)));
  if (leaf.hint) lines.push(`hint: ${oneLine(leaf.hint)}`);
  if (leaf.commands?.length) lines.push('commands:', ...leaf.commands.map((c) => `  ${oneLine(c)}`));
  return lines.join('\n');
}
