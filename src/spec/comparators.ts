/**
 * Expectations use Litmus's comparators, written as keys: `{ lt: 800 }`, `{ between: [200, 299] }`,
 * `{ oneOf: [200, 204] }`; a bare number means `eq`. Litmus's symbolic spellings (`"<": 800`) are
 * accepted too. Several keys in one object must all hold (`{ gte: 200, lt: 300 }`).
 * Strings: `equal, notEqual, contains, matches, notMatches, oneOf`; a bare string means `equal`.
 */
import { z } from '../util/zod.js';
import { dispatch } from './dispatch.js';
import { duration, regexString, strict } from './fields.js';

const NUMBER_ALIASES = { '==': 'eq', '!=': 'ne', '<': 'lt', '>': 'gt', '<=': 'lte', '>=': 'gte' } as const;

const numberKeys = {
  eq: z.number().optional(),
  ne: z.number().optional(),
  lt: z.number().optional(),
  gt: z.number().optional(),
  lte: z.number().optional(),
  gte: z.number().optional(),
  oneOf: z.array(z.number()).min(1).optional(),
  between: z.tuple([z.number(), z.number()]).optional(),
};
const aliasKeys = Object.fromEntries(Object.keys(NUMBER_ALIASES).map((k) => [k, z.number().optional()]));

export type NumberComparison = {
  eq?: number;
  ne?: number;
  lt?: number;
  gt?: number;
  lte?: number;
  gte?: number;
  oneOf?: number[];
  between?: [number, number];
};

const bareNumber = z.number().transform((eq): NumberComparison => ({ eq }));

/** The comparator keys (and Litmus's symbols) over values of one kind: numbers, or durations parsed to ms. */
function comparatorObject(value: z.ZodType<number>) {
  const keys = {
    eq: value.optional(),
    ne: value.optional(),
    lt: value.optional(),
    gt: value.optional(),
    lte: value.optional(),
    gte: value.optional(),
    oneOf: z.array(value).min(1).optional(),
    between: z.tuple([value, value]).optional(),
    ...Object.fromEntries(Object.keys(NUMBER_ALIASES).map((k) => [k, value.optional()])),
  };
  return strict(keys)
    .refine((v) => Object.values(v).some((x) => x !== undefined), {
      message: 'expected at least one comparator: eq, ne, lt, gt, lte, gte, oneOf, between',
    })
    .refine(
      (v) =>
        Object.entries(NUMBER_ALIASES).every(
          ([alias, key]) => (v as Record<string, unknown>)[alias] === undefined || (v as Record<string, unknown>)[key] === undefined,
        ),
      {
        message: 'a comparator is given twice (a key and its symbol, such as lt and "<"); write it once',
      },
    )
    .transform((v): NumberComparison => {
      const out: Record<string, unknown> = {};
      for (const [key, x] of Object.entries(v)) {
        if (x === undefined) continue;
        out[(NUMBER_ALIASES as Record<string, string>)[key] ?? key] = x;
      }
      return out as NumberComparison;
    });
}

const numberObject = comparatorObject(z.number());
const durationObject = comparatorObject(duration as unknown as z.ZodType<number>);

function durationKeysForEditors() {
  const keys: Record<string, z.ZodType> = {};
  for (const key of [...Object.keys(numberKeys), ...Object.keys(NUMBER_ALIASES)]) {
    keys[key] =
      key === 'oneOf' ? z.array(duration).optional() : key === 'between' ? z.tuple([duration, duration]).optional() : duration.optional();
  }
  return keys;
}
const notANumberComparison = z.custom<never>(() => false, {
  error: (issue) => `expected a number or comparators such as { lt: 800 } or { between: [200, 299] }, got ${JSON.stringify(issue.input)}`,
});

/** Dispatched on the value's type, so an error names what is wrong in the form the user chose. */
export const numberComparatorSchema: z.ZodType<NumberComparison> = dispatch<NumberComparison>(
  (value) =>
    typeof value === 'number'
      ? bareNumber
      : value !== null && typeof value === 'object' && !Array.isArray(value)
        ? numberObject
        : notANumberComparison,
  () => ({
    json: (ctx) => ctx.shared('numberComparison', () => ctx.toJson(z.union([z.number(), z.strictObject({ ...numberKeys, ...aliasKeys })]))),
  }),
);

/**
 * Comparators over durations, each value a duration string: `{ lt: 60s }`, `{ between: [1s, 5m] }`;
 * parsed to milliseconds, so they compare like any number comparison.
 */
export const durationComparatorSchema: z.ZodType<NumberComparison> = dispatch<NumberComparison>(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? durationObject
      : z.custom<never>(() => false, {
          error: (issue) =>
            `expected comparators over durations such as { lt: 60s } or { between: [1s, 5m] }, got ${JSON.stringify(issue.input)}`,
        }),
  () => ({ json: (ctx) => ctx.shared('durationComparison', () => ctx.toJson(z.strictObject({ ...durationKeysForEditors() }))) }),
);

export type StringComparison = {
  equal?: string;
  notEqual?: string;
  contains?: string;
  matches?: string;
  notMatches?: string;
  oneOf?: string[];
};

const regex = regexString;

const bareString = z.string().transform((equal): StringComparison => ({ equal }));
const stringObject = strict({
  equal: z.string().optional(),
  notEqual: z.string().optional(),
  contains: z.string().optional(),
  matches: regex.optional(),
  notMatches: regex.optional(),
  oneOf: z.array(z.string()).min(1).optional(),
}).refine((value) => Object.values(value).some((v) => v !== undefined), {
  message: 'expected at least one comparator: equal, notEqual, contains, matches, notMatches, oneOf',
});
const notAStringComparison = z.custom<never>(() => false, {
  error: (issue) => `expected a string or comparators such as { contains: "ok" }, got ${JSON.stringify(issue.input)}`,
});

export const stringComparatorSchema: z.ZodType<StringComparison> = dispatch<StringComparison>(
  (value) =>
    typeof value === 'string'
      ? bareString
      : value !== null && typeof value === 'object' && !Array.isArray(value)
        ? stringObject
        : notAStringComparison,
  () => ({ json: (ctx) => ctx.shared('stringComparison', () => ctx.toJson(z.union([z.string(), stringObject]))) }),
);

/** Whether `actual` satisfies every comparator of `expected`. */
export function compareNumber(actual: number, expected: NumberComparison): boolean {
  const checks: [number | number[] | [number, number] | undefined, (v: never) => boolean][] = [
    [expected.eq, (v: number) => actual === v],
    [expected.ne, (v: number) => actual !== v],
    [expected.lt, (v: number) => actual < v],
    [expected.gt, (v: number) => actual > v],
    [expected.lte, (v: number) => actual <= v],
    [expected.gte, (v: number) => actual >= v],
    [expected.oneOf, (v: number[]) => v.includes(actual)],
    [expected.between, (v: [number, number]) => actual >= v[0] && actual <= v[1]],
  ];
  return checks.every(([value, check]) => value === undefined || check(value as never));
}

export function compareString(actual: string, expected: StringComparison): boolean {
  if (expected.equal !== undefined && actual !== expected.equal) return false;
  if (expected.notEqual !== undefined && actual === expected.notEqual) return false;
  if (expected.contains !== undefined && !actual.includes(expected.contains)) return false;
  if (expected.matches !== undefined && !new RegExp(expected.matches).test(actual)) return false;
  if (expected.notMatches !== undefined && new RegExp(expected.notMatches).test(actual)) return false;
  if (expected.oneOf !== undefined && !expected.oneOf.includes(actual)) return false;
  return true;
}

const NUMBER_SYMBOLS: Record<string, string> = { eq: '==', ne: '!=', lt: '<', gt: '>', lte: '<=', gte: '>=' };

/** `< 800`, `between 200..299`, `>= 0.99 and < 1`: for reports and error details; `show` writes each value (durations as `1m`). */
export function describeNumber(expected: NumberComparison, show: (value: number) => string = String): string {
  return Object.entries(expected)
    .map(([key, v]) => {
      if (key === 'oneOf') return `one of ${(v as number[]).map(show).join(', ')}`;
      if (key === 'between') return `between ${show((v as number[])[0] as number)}..${show((v as number[])[1] as number)}`;
      return `${NUMBER_SYMBOLS[key]} ${show(v as number)}`;
    })
    .join(' and ');
}

export function describeString(expected: StringComparison): string {
  return Object.entries(expected)
    .map(([key, v]) => (key === 'oneOf' ? `one of ${JSON.stringify(v)}` : `${key} ${JSON.stringify(v)}`))
    .join(' and ');
}
