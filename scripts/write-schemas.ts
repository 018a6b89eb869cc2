// `npm run schemas`: writes docs/report.schema.json and docs/config.schema.json from the zod schemas.
import { writeFileSync } from 'node:fs';
import { configJsonSchema, reportJsonSchema } from '../src/report/json-schema.js';
import { RUNBOOK_IDS } from '../src/runbooks/index.js';

const write = (file: string, schema: unknown) =>
  writeFileSync(new URL(`../docs/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
write('report.schema.json', reportJsonSchema(RUNBOOK_IDS));
write('config.schema.json', configJsonSchema());
