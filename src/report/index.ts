import { html } from './html.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { markdown } from './markdown.js';
import { prometheus } from './prometheus.js';
import { tree } from './tree.js';
import type { Renderer } from './types.js';

/** Every non-interactive output format. `--output` and `--report` choose from here. */
export const renderers = { tree, json, markdown, junit, prometheus, html } satisfies Record<string, Renderer>;

export type OutputFormat = keyof typeof renderers;

/** Formats `--output` accepts on stdout (HTML is for files only). */
export const STDOUT_FORMATS = [
  'tree',
  'json',
  'markdown',
  'junit',
  'prometheus',
] as const satisfies readonly OutputFormat[];

/** `--report FILE`: the format comes from the extension. */
export const REPORT_EXTENSIONS: Record<string, OutputFormat> = {
  '.md': 'markdown',
  '.json': 'json',
  '.xml': 'junit',
  '.prom': 'prometheus',
  '.html': 'html',
  '.txt': 'tree',
};
