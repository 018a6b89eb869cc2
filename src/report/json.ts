import type { Renderer } from './types.js';

/**
 * The report as JSON, exactly the shape of docs/report.schema.json (schemaVersion 1):
 *
 *   { "schemaVersion": 1, "tool": { "name": "platform-doctor", "version": "0.1.0" }, "status": "fail", … }
 */
export const json: Renderer = (report) => `${JSON.stringify(report, null, 2)}\n`;
