/**
 * Building blocks of the JSON Schema that editors use (`faultline schema`). Where the loader dispatches
 * (a step by its keys, a fault's params by its name, a probe's block by its type), editors get the
 * same choice as `if`/`then` on the deciding field rather than a union: a validator then reports the
 * mistakes of the one alternative the writer meant, once each, instead of every alternative's complaints.
 */
import type { z } from '../util/zod.js';

export type JsonSchema = Record<string, unknown>;

export interface EditorContext {
  /** the JSON Schema of a zod schema (its dispatches shown as their editor view) */
  toJson(schema: z.ZodType): JsonSchema;
  /** a schema kept once under `$defs` and referred to wherever it is used: `{ $ref }` */
  shared(name: string, build: () => JsonSchema): JsonSchema;
}

/**
 * Schemas that must match their value exactly: a discriminator (`fault`, `type`, `kind`) is never
 * written as a `${VAR}` substitution, so editors do not offer that (see editor-substitution.ts).
 */
const literalSchemas = new WeakSet<object>();

export function literal<T extends JsonSchema>(schema: T): T {
  literalSchemas.add(schema);
  return schema;
}

export function isLiteral(schema: object): boolean {
  return literalSchemas.has(schema);
}

export interface Case {
  /** the value of the deciding field */
  value: string;
  /** shown by editors beside the value when completing it */
  description?: string;
  /** what an object with this value must also satisfy: its own fields (`properties`, `required`) */
  schema: JsonSchema;
}

/**
 * An object whose `key` field picks the rest of its schema. `common` holds the fields of every
 * alternative. A field no alternative of the given value declares is refused by name; an unknown or
 * missing `key` is the one mistake reported (the other fields are then left unchecked).
 */
export function discriminated(key: string, cases: Case[], common: JsonSchema = { type: 'object' }): JsonSchema {
  const values = cases.map((c) => c.value);
  const descriptions = cases.map((c) => c.description ?? '');
  const { additionalProperties: _open, ...base } = common;
  const caseFields = [...new Set(cases.flatMap((c) => Object.keys((c.schema.properties as JsonSchema | undefined) ?? {})))];
  const known = () => literal({ type: 'object', properties: { [key]: literal({ enum: values }) }, required: [key] });
  return {
    ...base,
    type: 'object',
    properties: {
      ...((base.properties as JsonSchema | undefined) ?? {}),
      [key]: literal({
        type: 'string',
        enum: values,
        ...(descriptions.some(Boolean) ? { enumDescriptions: descriptions } : {}),
      }),
    },
    required: [...new Set([...((base.required as string[] | undefined) ?? []), key])],
    allOf: [
      ...cases.map((c) =>
        conditional(literal({ type: 'object', properties: { [key]: literal({ const: c.value }) }, required: [key] }), {
          type: 'object',
          ...c.schema,
        }),
      ),
      // an unknown or missing `key` is reported by itself; the fields that depend on it pass unchecked
      conditional(literal({ not: known() }), { type: 'object', properties: Object.fromEntries(caseFields.map((f) => [f, true])) }),
    ],
    unevaluatedProperties: false,
  };
}

/**
 * A value whose shape depends on which key it holds (a step with `pause:` is a pause): the first case
 * whose key is present applies, else `otherwise`.
 */
export function byPresentKey(cases: { key: string; schema: JsonSchema }[], otherwise: JsonSchema): JsonSchema {
  return cases.reduceRight<JsonSchema>((rest, c) => conditional(literal({ type: 'object', required: [c.key] }), c.schema, rest), otherwise);
}

/** JSON Schema's `{ if, then, else }`. */
export function conditional(condition: JsonSchema, then: JsonSchema, otherwise?: JsonSchema): JsonSchema {
  return { if: condition, then, ...(otherwise ? { else: otherwise } : {}) };
}

/**
 * The same schema with no field of the object itself required (nested objects keep theirs): for values
 * that are merged before they are checked (a progressive step's params, completed by each stage's).
 */
export function withoutRequired(schema: JsonSchema): JsonSchema {
  const { required: _drop, ...rest } = schema;
  const out: JsonSchema = { ...rest };
  for (const key of ['then', 'else'] as const) {
    if (out[key] && typeof out[key] === 'object') out[key] = withoutRequired(out[key] as JsonSchema);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(out[key])) out[key] = (out[key] as JsonSchema[]).map(withoutRequired);
  }
  return out;
}
