// Preloaded with NODE_OPTIONS=--import=<this file>: appends every resolved module URL to the file
// named by RECORD_IMPORTS_TO, so a test can see what a real process loaded. Patches nothing else.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (process.env.RECORD_IMPORTS_TO) appendFileSync(process.env.RECORD_IMPORTS_TO, result.url + '\\n');
  return result;
}
`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`);
