import { z } from 'zod';
import { reportSchema } from '../checks/result.js';
import { configSchema } from '../config/schema.js';

/** The parts of a JSON Schema this module touches. */
interface JsonSchema {
  $schema?: string;
  $defs?: Record<string, JsonSchema>;
  properties?: Record<string, JsonSchema>;
  items?: unknown;
  pattern?: string;
  [keyword: string]: unknown;
}

/**
 * docs/report.schema.json, generated from the zod schema of the report (src/checks/result.ts): the
 * node id pattern and the runbook ids come from the runbook registry, so a new runbook is in the schema
 * without editing it. `npm run schemas` writes it; a test keeps the file equal to this.
 */
export function reportJsonSchema(runbookIds: readonly string[]): Record<string, unknown> {
  const schema = z.toJSONSchema(reportSchema, { target: 'draft-2020-12' }) as JsonSchema;
  const ids = runbookIds.join('|');
  schema.$defs!.node!.properties!.id!.pattern = `^(${ids})(\\.[a-z-]+(:.+)?)?$`;
  schema.properties!.runbooks!.items = {
    allOf: [{ $ref: '#/$defs/node' }, { type: 'object', properties: { id: { enum: [...runbookIds] } } }],
  };
  return { $schema: schema.$schema, $id: 'https://platform-doctor.dev/schemas/report-v1.json', ...schema };
}

/** docs/config.schema.json: what platform.yaml may hold, from the zod schema that validates it. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { target: 'draft-2020-12', io: 'input' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    $id: 'https://platform-doctor.dev/schemas/platform-config-v1.json',
    title: 'platform.yaml',
    description: 'Environment profiles for platform doctor; every key is optional (docs/config.md).',
    ...schema,
  };
}
