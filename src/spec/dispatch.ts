/**
 * Parsing by dispatch: the schema to apply depends on the value (a step is a pause, a parallel group or
 * a fault; a fault's params depend on its name). Zod's unions report every failed alternative; a
 * dispatch reports only the errors of the alternative the user meant.
 *
 * Each dispatch also carries an "editor" schema (a plain union) used only to export JSON Schema.
 */
import { z } from 'zod';

const editorSchemas = new WeakMap<z.ZodType, () => z.ZodType>();

/** Copies the issues of a nested parse into the outer context, under `prefix`. */
export function forwardIssues(ctx: z.RefinementCtx, error: z.ZodError, prefix: PropertyKey[] = []): void {
  for (const issue of error.issues) {
    ctx.addIssue({ ...issue, path: [...prefix, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
  }
}

export function dispatch<T>(pick: (value: unknown) => z.ZodType<T>, editorSchema: () => z.ZodType): z.ZodType<T> {
  const schema = z.unknown().transform((value, ctx): T => {
    const result = pick(value).safeParse(value);
    if (result.success) return result.data;
    forwardIssues(ctx, result.error);
    return z.NEVER;
  });
  editorSchemas.set(schema, editorSchema);
  return schema as unknown as z.ZodType<T>;
}

/** The schema that stands for a dispatch schema in exported JSON Schema, if `schema` is one. */
export function editorSchemaOf(schema: unknown): z.ZodType | undefined {
  return editorSchemas.get(schema as z.ZodType)?.();
}
