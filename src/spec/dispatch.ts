/**
 * Parsing by dispatch: the schema to apply depends on the value (a step is a pause, a parallel group or
 * a fault; a fault's params depend on its name). Zod's unions report every failed alternative; a
 * dispatch reports only the errors of the alternative the user meant.
 *
 * Each dispatch also carries what editors see of it, used only to export JSON Schema: a zod schema (a
 * plain union), or JSON Schema built with `if`/`then` on the deciding field (see editor-schema.ts).
 */
import { z } from '../util/zod.js';
import type { EditorContext, JsonSchema } from './editor-schema.js';

export type EditorView = z.ZodType | { json: (ctx: EditorContext) => JsonSchema };

const editorViews = new WeakMap<z.ZodType, () => EditorView>();

/** Copies the issues of a nested parse into the outer context, under `prefix`. */
export function forwardIssues(ctx: z.RefinementCtx, error: z.ZodError, prefix: PropertyKey[] = []): void {
  for (const issue of error.issues) {
    ctx.addIssue({ ...issue, path: [...prefix, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
  }
}

export function dispatch<T>(pick: (value: unknown) => z.ZodType<T>, editorView: () => EditorView): z.ZodType<T> {
  const schema = z.unknown().transform((value, ctx): T => {
    const result = pick(value).safeParse(value);
    if (result.success) return result.data;
    forwardIssues(ctx, result.error);
    return z.NEVER;
  });
  return withEditorView(schema, editorView) as unknown as z.ZodType<T>;
}

/** Shows `schema` to editors as `editorView` (a schema whose checks JSON Schema cannot say by itself). */
export function withEditorView<S extends z.ZodType>(schema: S, editorView: () => EditorView): S {
  editorViews.set(schema, editorView);
  return schema;
}

/** What stands for `schema` in exported JSON Schema, if it has an editor view. */
export function editorViewOf(schema: unknown): EditorView | undefined {
  return editorViews.get(schema as z.ZodType)?.();
}
