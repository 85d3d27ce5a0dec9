// Litmus-style comparators of `expect` and tolerances: how they parse from YAML values and what they accept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareNumber,
  compareString,
  describeNumber,
  describeString,
  type NumberComparison,
  numberComparatorSchema,
  stringComparatorSchema,
} from '../src/spec/comparators.js';

const num = (raw: unknown) => numberComparatorSchema.parse(raw);
const str = (raw: unknown) => stringComparatorSchema.parse(raw);
/** Whether `actual` satisfies the comparator written as `raw` in a file. */
const holds = (actual: number, raw: unknown) => compareNumber(actual, num(raw));
const holdsString = (actual: string, raw: unknown) => compareString(actual, str(raw));

// Number comparators: each key, its symbolic alias, the bare-number shorthand and combinations.
describe('number comparators', () => {
  it('a bare number means eq', () => {
    expect(num(200)).toEqual({ eq: 200 });
    expect(holds(200, 200)).toBe(true);
    expect(holds(201, 200)).toBe(false);
  });

  it.each([
    ['eq', 5, [5], [4, 6]],
    ['ne', 5, [4, 6], [5]],
    ['lt', 5, [4, 4.999, -1], [5, 6]],
    ['gt', 5, [6, 5.001], [5, 4]],
    ['lte', 5, [5, 4], [5.001, 6]],
    ['gte', 5, [5, 6], [4.999, 4]],
  ] as const)('%s %d', (key, bound, pass, fail) => {
    for (const x of pass) expect(holds(x, { [key]: bound }), `${x} ${key} ${bound}`).toBe(true);
    for (const x of fail) expect(holds(x, { [key]: bound }), `${x} ${key} ${bound}`).toBe(false);
  });

  it('oneOf holds only for a listed value', () => {
    expect(holds(204, { oneOf: [200, 204] })).toBe(true);
    expect(holds(200, { oneOf: [200, 204] })).toBe(true);
    expect(holds(201, { oneOf: [200, 204] })).toBe(false);
  });

  it('between includes both ends', () => {
    for (const x of [200, 250, 299]) expect(holds(x, { between: [200, 299] })).toBe(true);
    for (const x of [199, 299.5, 300]) expect(holds(x, { between: [200, 299] })).toBe(false);
  });

  it.each([
    ['==', 'eq'],
    ['!=', 'ne'],
    ['<', 'lt'],
    ['>', 'gt'],
    ['<=', 'lte'],
    ['>=', 'gte'],
  ])('the symbolic alias %s parses as %s', (alias, key) => {
    expect(num({ [alias]: 800 })).toEqual({ [key]: 800 });
  });

  it('aliases behave like their keys', () => {
    expect(holds(799, { '<': 800 })).toBe(true);
    expect(holds(800, { '<': 800 })).toBe(false);
    expect(holds(0.99, { '>=': 0.99 })).toBe(true);
    expect(holds(0.98, { '>=': 0.99 })).toBe(false);
  });

  it('several keys must all hold', () => {
    const range = { gte: 200, lt: 300 };
    expect(holds(200, range)).toBe(true);
    expect(holds(299, range)).toBe(true);
    expect(holds(300, range)).toBe(false);
    expect(holds(199, range)).toBe(false);
    expect(holds(204, { oneOf: [200, 204], ne: 204 })).toBe(false);
    expect(holds(250, { '>': 200, lte: 250 })).toBe(true);
  });

  it('rejects a key given twice, as a name and as its symbol', () => {
    const result = numberComparatorSchema.safeParse({ lt: 100, '<': 800 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/given twice/);
  });

  it.each([
    ['an empty object', {}],
    ['a number as a string', { lt: '800' }],
    ['an unknown key', { less: 800 }],
    ['a bare string', '200'],
    ['an empty oneOf', { oneOf: [] }],
    ['oneOf of strings', { oneOf: ['200'] }],
    ['between with one bound', { between: [200] }],
    ['between with three bounds', { between: [1, 2, 3] }],
    ['null', null],
  ])('rejects %s', (_what, raw) => {
    expect(numberComparatorSchema.safeParse(raw).success).toBe(false);
  });
});

// String comparators: each key, the bare-string shorthand, and regexes checked when the file is read.
describe('string comparators', () => {
  it('a bare string means equal', () => {
    expect(str('ok')).toEqual({ equal: 'ok' });
    expect(holdsString('ok', 'ok')).toBe(true);
    expect(holdsString('OK', 'ok')).toBe(false);
  });

  it('equal and notEqual', () => {
    expect(holdsString('up', { equal: 'up' })).toBe(true);
    expect(holdsString('down', { equal: 'up' })).toBe(false);
    expect(holdsString('down', { notEqual: 'up' })).toBe(true);
    expect(holdsString('up', { notEqual: 'up' })).toBe(false);
  });

  it('contains', () => {
    expect(holdsString('{"tenant":"acme"}', { contains: '"tenant":"acme"' })).toBe(true);
    expect(holdsString('{"tenant":"globex"}', { contains: '"tenant":"acme"' })).toBe(false);
  });

  it('matches and notMatches use regular expressions', () => {
    expect(holdsString('status: healthy', { matches: '^status: (healthy|ok)$' })).toBe(true);
    expect(holdsString('status: degraded', { matches: '^status: (healthy|ok)$' })).toBe(false);
    expect(holdsString('all good', { notMatches: 'error|panic' })).toBe(true);
    expect(holdsString('kernel panic', { notMatches: 'error|panic' })).toBe(false);
  });

  it('oneOf', () => {
    expect(holdsString('b', { oneOf: ['a', 'b'] })).toBe(true);
    expect(holdsString('c', { oneOf: ['a', 'b'] })).toBe(false);
  });

  it('several keys must all hold', () => {
    const both = { contains: 'acme', notMatches: 'error' };
    expect(holdsString('acme ok', both)).toBe(true);
    expect(holdsString('acme error', both)).toBe(false);
    expect(holdsString('globex ok', both)).toBe(false);
  });

  it.each([
    ['an invalid regex in matches', { matches: '(unclosed' }],
    ['an invalid regex in notMatches', { notMatches: '[a-' }],
    ['an empty object', {}],
    ['an unknown key', { startsWith: 'a' }],
    ['an empty oneOf', { oneOf: [] }],
    ['a bare number', 200],
  ])('rejects %s', (_what, raw) => {
    expect(stringComparatorSchema.safeParse(raw).success).toBe(false);
  });

  it('names the problem of an invalid regex', () => {
    const result = stringComparatorSchema.safeParse({ matches: '(unclosed' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('regular expression');
  });
});

// The short text shown in reports and error details.
describe('descriptions', () => {
  it('describes numbers with symbols, one of and between', () => {
    expect(describeNumber({ lt: 800 })).toBe('< 800');
    expect(describeNumber({ gte: 0.99, lt: 1 })).toBe('>= 0.99 and < 1');
    expect(describeNumber({ oneOf: [200, 204] })).toBe('one of 200, 204');
    expect(describeNumber({ between: [200, 299] })).toBe('between 200..299');
  });

  it('describes strings with their keys', () => {
    expect(describeString({ equal: 'ok' })).toBe('equal "ok"');
    expect(describeString({ contains: 'a', oneOf: ['x', 'y'] })).toBe('contains "a" and one of ["x","y"]');
  });
});

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

/** Any number comparison as the schema can produce it. */
const comparison: fc.Arbitrary<NumberComparison> = fc.record(
  {
    eq: finite,
    ne: finite,
    lt: finite,
    gt: finite,
    lte: finite,
    gte: finite,
    oneOf: fc.array(finite, { minLength: 1, maxLength: 4 }),
    between: fc.tuple(finite, finite),
  },
  { requiredKeys: [] },
);

// Laws the comparators must obey for every number, not only the examples above.
describe('comparator properties', () => {
  it('between [a, b] holds iff a <= x <= b', () => {
    fc.assert(
      fc.property(finite, finite, finite, (p, q, x) => {
        const [a, b] = p <= q ? [p, q] : [q, p];
        expect(holds(x, { between: [a, b] })).toBe(a <= x && x <= b);
      }),
    );
  });

  it('lt and gte with the same bound are complements', () => {
    fc.assert(
      fc.property(finite, finite, (bound, x) => {
        expect(holds(x, { lt: bound })).toBe(!holds(x, { gte: bound }));
        expect(holds(x, { '<': bound })).toBe(!holds(x, { '>=': bound }));
      }),
    );
  });

  it('a comparison with several keys holds iff each key holds alone', () => {
    fc.assert(
      fc.property(comparison, finite, (c, x) => {
        const each = Object.entries(c).map(([key, value]) => compareNumber(x, { [key]: value }));
        expect(compareNumber(x, c)).toBe(each.every(Boolean));
      }),
    );
  });

  it('describeNumber never throws and mentions every key', () => {
    fc.assert(
      fc.property(comparison, (c) => {
        const text = describeNumber(c);
        expect(typeof text).toBe('string');
        expect(text.split(' and ')).toHaveLength(Math.max(1, Object.keys(c).length));
      }),
    );
  });
});
