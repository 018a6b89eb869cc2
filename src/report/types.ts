import type { Report } from '../checks/result.js';

/** How a renderer may dress its output; plain renderers ignore what they don't use. */
export interface RenderOptions {
  /** ANSI colour (tree only). */
  color: boolean;
  /** ✔ ⚠ ✖ glyphs; false selects the ASCII set for non-UTF-8 terminals. */
  unicode: boolean;
  /** Expand passing nodes too (`-v`). */
  verbose: boolean;
  /** Terminal columns, when known. */
  width?: number;
}

/** A pure function from the finished report to text. No I/O, no clock (the report carries its times). */
export type Renderer = (report: Report, options: RenderOptions) => string;
