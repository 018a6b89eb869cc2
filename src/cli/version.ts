import { readFileSync } from 'node:fs';

/**
 * The package's version. Two folders down from the package root in every layout: src/cli/, dist/cli/ and
 * the bundle's dist/platform/.
 */
export const TOOL_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;
