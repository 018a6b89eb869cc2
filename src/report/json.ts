import type { Renderer } from './types.js';

/**
 * The report as JSON, exactly the shape of docs/report.schema.json (schemaVersion 1):
 *
 *   { "schemaVersion": 1, "tool": { "name": "platform-doctor", "version": "0.1.0" }, "status": "fail", … }
 */
export const json: Renderer = (report) => `${escapeInvisible(JSON.stringify(report, null, 2))}\n`;

/**
 * JSON.stringify escapes C0 controls but leaves DEL, C1 controls, bidi controls and line separators raw;
 * as `\uXXXX` escapes the value is the same and nothing reaches a terminal that shows the file raw.
 */
export function escapeInvisible(json: string): string {
  return json.replace(
    /[\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
