/**
 * The JSON Schema of format v1, for editors: put
 * `# yaml-language-server: $schema=<path or URL of the output of faultline schema>` at the top of a file.
 *
 * Built from the same zod schemas the loader checks with; where the loader dispatches on a value (a
 * document's kind, a step's keys, a fault's name, a probe's type), editors get `if`/`then` on it (see
 * editor-schema.ts), and every value also accepts a `${VAR}` substitution (editor-substitution.ts).
 */
import { z } from '../util/zod.js';
import { editorViewOf } from './dispatch.js';
import { discriminated, type EditorContext, type JsonSchema } from './editor-schema.js';
import { acceptSubstitutions } from './editor-substitution.js';
import { registeredDocumentSchemas } from './load.js';
import { experimentSchema, projectSchema, scheduleSchema } from './schema.js';

function toJson(schema: z.ZodType, ctx: EditorContext): JsonSchema {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (zod) => {
      const view = editorViewOf(zod.zodSchema);
      if (!view) return;
      const shown = view instanceof z.ZodType ? ctx.toJson(view) : view.json(ctx);
      for (const key of Object.keys(zod.jsonSchema)) delete zod.jsonSchema[key];
      Object.assign(zod.jsonSchema, shown);
    },
  }) as JsonSchema;
  // every part is embedded in one document: a local $defs of its own would not resolve there
  if ('$defs' in json) throw new Error('a part of the editor schema has its own $defs; share it with ctx.shared instead');
  return json;
}

export function formatJsonSchema(): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const ctx: EditorContext = {
    toJson: (schema) => toJson(schema, ctx),
    shared: (name, build) => {
      if (!(name in defs)) {
        defs[name] = {}; // taken, for a build that refers to itself
        defs[name] = build();
      }
      return { $ref: `#/$defs/${name}` };
    },
  };
  // the kinds that higher layers register (Programme, GameDay) follow, when they are loaded
  const documents = [experimentSchema(), projectSchema(), scheduleSchema(), ...registeredDocumentSchemas()].map((s) => ctx.toJson(s));
  const kinds = documents.map((doc) => ({ value: kindOf(doc), schema: doc }));
  const schema: JsonSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://faultline.dev/schema/v1.json',
    title: `faultline ${kinds.map((k) => k.value).join(', ')} documents (format v1)`,
    ...discriminated('kind', kinds),
    $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))),
  };
  acceptSubstitutions(schema);
  return schema;
}

function kindOf(document: JsonSchema): string {
  const kind = ((document.properties as JsonSchema).kind as JsonSchema).const;
  if (typeof kind !== 'string') throw new Error('a document schema without a literal kind');
  return kind;
}
