/**
 * A fuzz test of the daemon's API from its own OpenAPI document: for every operation it describes,
 * fast-check builds requests from the document (path and query parameters, bodies generated from the
 * request schemas, or random JSON and text), with no token, a malformed one, a wrong one, or a real
 * viewer, operator or admin token, and sends thousands of them over a real socket. Every answer must
 * be one the document declares for that operation, JSON errors must match its Error schema, and no
 * answer may be a 500 or carry a stack trace.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../src/server/daemon.js';
import { tempHome } from './support/cli.js';
import { call, makeToken } from './support/daemon.js';

type Schema = Record<string, unknown>;
interface Operation {
  path: string;
  method: string;
  parameters: { name: string; in: 'path' | 'query'; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}

let daemon: Daemon;
let url: string;
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read loosely
let doc: any;
const tokens: Record<string, string> = {};
let address = 0;

beforeAll(async () => {
  const home = tempHome();
  process.env.FAULTLINE_HOME = home;
  tokens.admin = await makeToken(home, 'fuzz-admin-7f3a', 'admin');
  tokens.operator = await makeToken(home, 'fuzz-operator-7f3a', 'operator');
  tokens.viewer = await makeToken(home, 'fuzz-viewer-7f3a', 'viewer');
  const { Daemon } = await import('../src/server/daemon.js');
  // each request comes from an address of its own: the failures of one do not limit the next
  daemon = await Daemon.start({ port: 0, trustProxy: true, log: () => {} });
  url = daemon.url;
  doc = (await call(url, 'GET', '/api/v1/openapi.json')).json;
}, 30_000);

afterAll(async () => {
  await daemon?.stop('tests done');
});

/** A generator of values of a JSON schema (the subset the document uses), bounded in depth. */
function arbitraryOf(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop() as string;
    return arbitraryOf(doc.components.schemas[name] as Schema, depth + 1);
  }
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const choices = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (choices?.length) return fc.oneof(...choices.slice(0, 6).map((c) => arbitraryOf(c, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('10s', '1h', 'team=payments', '127.0.0.1:1', 'x'.repeat(600)));
    case 'integer':
      return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 32, Number(schema.minimum ?? 0)));
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(arbitraryOf(schema.items as Schema, depth + 1), { maxLength: 3 });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const keys = Object.keys(properties).slice(0, 12);
      if (!keys.length) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 });
      return fc.record(Object.fromEntries(keys.map((k) => [k, arbitraryOf(properties[k], depth + 1)])), {
        requiredKeys: ((schema.required ?? []) as string[]).filter((k) => keys.includes(k)),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const pathValue = fc.oneof(
  fc.constantFrom('nothing-here', 'fuzz-admin-7f3a', '..', '%2e%2e', '<script>', 'a'.repeat(300), '0', '-1'),
  fc.string({ minLength: 1, maxLength: 30 }),
);
const queryValue = fc.oneof(
  fc.constantFrom('-1', '0', '1', '1000000', 'abc', '2026-01-01', 'failed', 'running', 'json', 'html', 'x'.repeat(600)),
  fc.string({ maxLength: 20 }),
);
const tokenChoice = fc.constantFrom('none', 'viewer', 'operator', 'admin', 'malformed', 'wrong', 'not-bearer');

function authorization(choice: string, randomId: string): Record<string, string> {
  if (choice === 'none') return {};
  if (choice === 'malformed') return { authorization: 'Bearer hunter2' };
  if (choice === 'not-bearer') return { authorization: 'Basic Zm9vOmJhcg==' };
  if (choice === 'wrong') return { authorization: `Bearer flt_${randomId}_${'W'.repeat(43)}` };
  return { authorization: `Bearer ${tokens[choice]}` };
}

function requestOf(op: Operation) {
  const params = op.parameters ?? [];
  const contentTypes = Object.keys(op.requestBody?.content ?? {});
  return fc.record({
    path: fc.tuple(...params.filter((p) => p.in === 'path').map(() => pathValue)),
    query: fc.tuple(...params.filter((p) => p.in === 'query').map(() => fc.option(queryValue, { nil: undefined }))),
    token: tokenChoice,
    randomId: fc.stringMatching(/^[0-9a-f]{12}$/),
    body: contentTypes.length
      ? fc.oneof(
          arbitraryOf(op.requestBody?.content[contentTypes[0] as string]?.schema).map((v) => ({
            type: 'application/json',
            text: JSON.stringify(v),
          })),
          fc.jsonValue({ maxDepth: 3 }).map((v) => ({ type: 'application/json', text: JSON.stringify(v) })),
          fc.string({ maxLength: 200 }).map((text) => ({ type: fc.sample(fc.constantFrom(...contentTypes), 1)[0] as string, text })),
          fc.constantFrom(
            { type: 'application/json', text: '{"yaml": "kind: Experiment\\nmetadata: {name: x}"}' },
            { type: 'application/yaml', text: 'apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: fz }\nspec: {}\n' },
            { type: 'application/json', text: '{' },
          ),
        )
      : fc.constant(null),
  });
}

describe('the API, fuzzed from its OpenAPI document', () => {
  it('describes health, the document itself and metrics', () => {
    for (const path of ['/api/v1/health', '/api/v1/openapi.json', '/metrics']) expect(doc.paths[path]?.get, path).toBeDefined();
    expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
  });

  it('answers thousands of random requests only as the document says: no 500, no stack trace', async () => {
    // ajv is CommonJS: its class is both the module and its `default`; TypeScript only knows the latter
    const ajv = new Ajv2020.default({ strict: false, allowUnionTypes: true });
    const errorShape = ajv.compile(doc.components.schemas.Error);
    const operations: Operation[] = Object.entries(doc.paths as Record<string, Record<string, Omit<Operation, 'path' | 'method'>>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, op]) => ({ ...op, path, method: method.toUpperCase() })),
    );
    expect(operations.length).toBeGreaterThan(35);
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const op of operations) {
      const streams = Boolean(op.responses['200']?.content?.['text/event-stream']);
      await fc.assert(
        fc.asyncProperty(requestOf(op), async (req) => {
          let i = 0;
          const path = op.path.replace(/\{\w+\}/g, () => encodeURIComponent(req.path[i++] as string));
          const queryNames = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
          const query = new URLSearchParams();
          queryNames.forEach((name, k) => {
            const value = req.query[k];
            if (value !== undefined) query.set(name, value as string);
          });
          const headers: Record<string, string> = {
            ...authorization(req.token, req.randomId),
            'x-forwarded-for': `10.77.${Math.floor(address / 250) % 250}.${address++ % 250}`,
          };
          if (req.body) headers['content-type'] = req.body.type;
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 10_000);
          const where = `${op.method} ${path}${query.size ? `?${query}` : ''} (${req.token})`;
          try {
            const res = await fetch(`${url}${path}${query.size ? `?${query}` : ''}`, {
              method: op.method,
              headers,
              body: req.body?.text,
              signal: controller.signal,
              redirect: 'manual',
            });
            sent++;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            // a live stream answers its headers, then runs until the client leaves
            const text = streams && res.status === 200 ? '' : await res.text();
            expect(res.status, `${where}: ${text.slice(0, 300)}`).not.toBe(500);
            expect(Object.keys(op.responses), `${where} answered ${res.status}: ${text.slice(0, 300)}`).toContain(String(res.status));
            expect(text, where).not.toMatch(/\n\s+at [\w.<>]+ \(|node:internal|\/src\/.*\.ts:\d+/);
            if (res.status >= 400) {
              const body = JSON.parse(text);
              expect(errorShape(body), `${where}: ${text.slice(0, 300)}`).toBe(true);
              expect(body.error.status).toBe(res.status);
            }
          } finally {
            clearTimeout(timer);
            controller.abort();
          }
        }),
        { numRuns: 50, seed: 19, endOnFailure: true },
      );
    }
    expect(sent).toBeGreaterThan(2000);
    // the requests reached past authentication, not only its refusals
    expect((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) + (statuses.get(202) ?? 0)).toBeGreaterThan(100);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(10);
  }, 240_000);
});
