/**
 * The JSON Schema of format v1, for editors: put
 * `# yaml-language-server: $schema=<path or URL of the output of faultline schema>` at the top of a file.
 */
import { z } from 'zod';
import { editorSchemaOf } from './dispatch.js';
import { registeredDocumentSchemas } from './load.js';
import { experimentSchema, projectSchema, scheduleSchema } from './schema.js';

function toJson(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      // A dispatch (steps, fault params, probe blocks) is shown to editors as the union it stands for.
      const editor = editorSchemaOf(ctx.zodSchema);
      if (editor) {
        const { $schema: _drop, ...union } = toJson(editor);
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        Object.assign(ctx.jsonSchema, union);
      }
    },
  }) as Record<string, unknown>;
}

export function formatJsonSchema(): Record<string, unknown> {
  const { $schema: _e, ...experiment } = toJson(experimentSchema());
  const { $schema: _p, ...project } = toJson(projectSchema());
  const { $schema: _s, ...schedule } = toJson(scheduleSchema());
  // the kinds that higher layers register (Programme, GameDay), when they are loaded
  const others = registeredDocumentSchemas().map((schema) => {
    const { $schema: _o, ...rest } = toJson(schema);
    return rest;
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://faultline.dev/schema/v1.json',
    title: `faultline experiment, project or schedule file${others.length ? ', programme or game day' : ''} (format v1)`,
    anyOf: [experiment, project, schedule, ...others],
  };
}
