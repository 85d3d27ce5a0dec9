/**
 * `${VAR}` and `${VAR:-default}` (substitute.ts) may stand wherever a value is written: the loader
 * replaces them before it checks the file. The editor schema says so, value by value:
 * - a number, a boolean or a choice (`mode: one | all ...`) also accepts a whole-value reference, whose
 *   default, when it has one, must itself be valid (`${WORKERS:-2}`, not `${WORKERS:-two}`);
 * - a string with a form (a duration, a name, host:port, a URL) also accepts a whole-value reference
 *   with a valid default, or any text holding a reference (`127.0.0.1:${PORT:-7001}`).
 * Keys, constants and discriminators (`kind`, `fault`, a probe's `type`) stay literal.
 */
import { isLiteral, type JsonSchema } from './editor-schema.js';

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const REFERENCE = `\\$\\{${NAME}(?::-[^}]*)?\\}`;

/** The whole value is one reference; its default, if any, matches `defaultPattern`. */
const wholeReference = (defaultPattern: string) => `^\\$\\{${NAME}(?::-(?:${defaultPattern}))?\\}$`;
/** Text with a reference in it, other than a whole-value one (whose default is checked instead). */
const partialReference = `^(?!${REFERENCE}$).*${REFERENCE}`;

const VALUE_PATTERNS: Record<string, { pattern: string; what: string }> = {
  number: { pattern: '-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?', what: 'a number' },
  integer: { pattern: '-?\\d+', what: 'a whole number' },
  boolean: { pattern: 'true|false', what: 'true or false' },
};

/** Keywords whose value is one schema, or a list or a map of schemas. `if` and `propertyNames` are left out: they stay literal. */
const ONE = ['items', 'additionalProperties', 'unevaluatedProperties', 'then', 'else', 'not', 'contains'];
const LIST = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const MAP = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];

/** Rewrites `schema` in place (and everything under it) so that every value accepts a substitution. */
export function acceptSubstitutions(schema: JsonSchema, seen = new Set<object>()): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  for (const key of ONE) if (isSchema(schema[key])) acceptSubstitutions(schema[key] as JsonSchema, seen);
  for (const key of LIST) {
    if (Array.isArray(schema[key])) for (const item of schema[key] as unknown[]) if (isSchema(item)) acceptSubstitutions(item, seen);
  }
  for (const key of MAP) {
    if (isSchema(schema[key]))
      for (const item of Object.values(schema[key] as JsonSchema)) if (isSchema(item)) acceptSubstitutions(item, seen);
  }
  if (!isLiteral(schema) && !('const' in schema)) acceptHere(schema);
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function acceptHere(schema: JsonSchema): void {
  if (Array.isArray(schema.enum)) {
    const values = (schema.enum as unknown[]).map((v) => escapeRegExp(String(v))).join('|');
    alsoAccept(schema, { type: 'string', pattern: wholeReference(values) });
    return;
  }
  if (typeof schema.format === 'string') {
    alsoAccept(schema, { type: 'string', pattern: REFERENCE });
    return;
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.includes('string')) {
    if (typeof schema.pattern !== 'string') return;
    const body = anchoredBody(schema.pattern);
    const byReference = body === null ? REFERENCE : `${wholeReference(body)}|${partialReference}`;
    schema.patternErrorMessage ??= `expected text matching ${schema.pattern}`;
    schema.pattern = `(?:${schema.pattern})|${byReference}`;
    return;
  }
  const valueType = types.find((t) => t in VALUE_PATTERNS);
  if (!valueType) return;
  const { pattern, what } = VALUE_PATTERNS[valueType] as { pattern: string; what: string };
  // `pattern` applies to strings only, `minimum` and the like to numbers only: one schema holds both
  schema.type = [...types, 'string'];
  schema.pattern = wholeReference(pattern);
  schema.patternErrorMessage = `expected ${what}, or \${VAR:-default}`;
}

/** `schema` becomes `anyOf: [itself, alternative]`, its annotations kept outside for hovers. */
function alsoAccept(schema: JsonSchema, alternative: JsonSchema): void {
  const { description, default: byDefault, title, examples, ...rest } = schema;
  for (const key of Object.keys(schema)) delete schema[key];
  Object.assign(schema, {
    ...(title === undefined ? {} : { title }),
    ...(description === undefined ? {} : { description }),
    ...(byDefault === undefined ? {} : { default: byDefault }),
    ...(examples === undefined ? {} : { examples }),
    anyOf: [rest, alternative],
  });
}

/**
 * `body` of a pattern written `^body$` with no top-level alternative (so that `(?:body)` means the same
 * whole value), else null.
 */
function anchoredBody(pattern: string): string | null {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return null;
  const body = pattern.slice(1, -1);
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return null;
  }
  return body;
}

/** Escapes what a unicode-mode regular expression (as editors compile patterns) may escape. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
