import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, reportJsonSchema } from '../src/report/json-schema.js';
import { RUNBOOK_IDS } from '../src/runbooks/index.js';

const doc = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../docs/${file}`, import.meta.url), 'utf8'));

describe('the published schemas are generated from the zod sources', () => {
  it('docs/report.schema.json equals the schema of the report types (run `npm run schemas` after a change)', () => {
    expect(doc('report.schema.json')).toEqual(reportJsonSchema(RUNBOOK_IDS));
  });

  it('docs/config.schema.json equals the schema platform.yaml is validated with', () => {
    expect(doc('config.schema.json')).toEqual(configJsonSchema());
  });
});
