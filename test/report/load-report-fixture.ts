import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/checks/result.js';
import { summarize, worstOf } from '../../src/checks/result.js';
import type { RenderOptions } from '../../src/report/types.js';

/** The sample reports in test/fixtures/reports. */
export type ReportFixture = 'all-pass' | 'mixed' | 'error-only' | 'escaping';

/** Loads a sample report and checks its summary and status agree with its tree, so no test reads a lie. */
export function loadReport(name: ReportFixture): Report {
  const path = fileURLToPath(new URL(`../fixtures/reports/${name}.json`, import.meta.url));
  const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
  const summary = summarize(report.runbooks);
  const status = worstOf(report.runbooks.map((r) => r.status));
  if (
    JSON.stringify(summary) !== JSON.stringify({ ...summary, ...report.summary }) ||
    status !== report.status
  ) {
    throw new Error(
      `fixture ${name}: summary/status disagree with the tree: ${JSON.stringify({ summary, status })}`,
    );
  }
  return report;
}

/** Options as the CLI passes them for a file report. */
export const FILE_OPTIONS: RenderOptions = { color: false, unicode: true, verbose: false };
