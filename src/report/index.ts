import { html } from './html.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { markdown } from './markdown.js';
import { prometheus } from './prometheus.js';
import { tree } from './tree.js';
import type { Renderer } from './types.js';

/** One output format: its renderer, whether `--output` may print it, and the `--report` file extension. */
export interface Format {
  render: Renderer;
  onStdout: boolean;
  extension: string;
  /** For help text: what the format is for. */
  purpose: string;
}

/**
 * Every non-interactive output format, the one registry: `--output`, `--report`, the help text and
 * docs/contract.md are all derived from (or tested against) this table.
 */
export const FORMATS = {
  tree: { render: tree, onStdout: true, extension: '.txt', purpose: 'the pass/fail tree as plain text' },
  json: { render: json, onStdout: true, extension: '.json', purpose: 'the report (docs/report.schema.json)' },
  markdown: {
    render: markdown,
    onStdout: true,
    extension: '.md',
    purpose: 'a report for an incident ticket',
  },
  junit: { render: junit, onStdout: true, extension: '.xml', purpose: 'JUnit XML for CI dashboards' },
  prometheus: {
    render: prometheus,
    onStdout: true,
    extension: '.prom',
    purpose: "node_exporter's textfile collector",
  },
  html: { render: html, onStdout: false, extension: '.html', purpose: 'a self-contained page (files only)' },
} as const satisfies Record<string, Format>;

export type OutputFormat = keyof typeof FORMATS;

/** The formats `--output` may print. */
export type StdoutFormat = {
  [K in OutputFormat]: (typeof FORMATS)[K]['onStdout'] extends true ? K : never;
}[OutputFormat];

export const STDOUT_FORMATS = (Object.keys(FORMATS) as OutputFormat[]).filter(
  (name): name is StdoutFormat => FORMATS[name].onStdout,
);

/** `--report FILE`: the format whose extension the file has, or null. */
export function formatOfFile(extension: string): OutputFormat | null {
  const lower = extension.toLowerCase();
  return (Object.keys(FORMATS) as OutputFormat[]).find((name) => FORMATS[name].extension === lower) ?? null;
}

/** Renders `report` in `format`. */
export function render(format: OutputFormat, ...args: Parameters<Renderer>): string {
  return FORMATS[format].render(...args);
}
