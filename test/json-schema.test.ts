// `faultline schema`: the JSON Schema that editors use to check and complete experiment files.
// Checked with ajv (draft 2020-12) against the shipped examples and against broken documents.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { faultNames } from '../src/faults/index.js';
import { probeTypeNames } from '../src/probes/index.js';
import { ROOT, runCli, tempHome } from './support/cli.js';

type Json = Record<string, unknown>;

const EXAMPLES = join(ROOT, 'examples/experiments');
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

/** An example file as an editor sees it once `${VAR:-default}` is resolved to its default. */
function example(file: string): Json {
  const text = readFileSync(join(EXAMPLES, file), 'utf8').replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g, '$1');
  return parse(text) as Json;
}

let schema: Json;
let validate: ValidateFunction;

beforeAll(async () => {
  const result = await runCli(['schema'], { home: tempHome() });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  schema = JSON.parse(result.stdout) as Json;
  // strict mode (unknown keywords throw); union types such as ["number","string"] are fine for editors
  // ajv is CommonJS: its class is both the module and its `default`; TypeScript only knows the latter
  const ajv = new Ajv2020.default({ allErrors: true, allowUnionTypes: true });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  validate = ajv.compile(schema);
});

const experimentBranch = () =>
  (schema.anyOf as Json[]).find((s) => (s.properties as Json).kind && ((s.properties as Json).kind as Json).const === 'Experiment') as Json;
const specOf = (branch: Json) => ((branch.properties as Json).spec as Json).properties as Json;

/** Every `const` of a property named `key` anywhere under `node`. */
function constsOf(node: unknown, key: string, found = new Set<unknown>()): Set<unknown> {
  if (Array.isArray(node)) for (const item of node) constsOf(item, key, found);
  else if (node && typeof node === 'object') {
    const props = (node as Json).properties as Json | undefined;
    const prop = props?.[key] as Json | undefined;
    if (prop && 'const' in prop) found.add(prop.const);
    for (const value of Object.values(node)) constsOf(value, key, found);
  }
  return found;
}

// The schema itself: valid JSON, a 2020-12 schema that ajv compiles, covering experiments and projects.
describe('faultline schema output', () => {
  it('is a draft 2020-12 schema with Experiment, Project, Schedule, Programme and GameDay alternatives', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof validate).toBe('function');
    const kinds = (schema.anyOf as Json[]).map((s) => ((s.properties as Json).kind as Json).const);
    expect(kinds).toEqual(['Experiment', 'Project', 'Schedule', 'Programme', 'GameDay']);
  });
});

// The ready programmes' Programme and GameDay documents too.
describe('programme examples against the schema', () => {
  const dir = join(ROOT, 'examples', 'programmes');
  const files = readdirSync(dir).flatMap((p) =>
    readdirSync(join(dir, p))
      .filter((f) => f === 'programme.yaml' || f === 'gameday.yaml')
      .map((f) => join(dir, p, f)),
  );

  it.each(files)('%s validates', (file) => {
    const ok = validate(parse(readFileSync(file, 'utf8')) as Json);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

// What the shipped examples contain must never be flagged by an editor.
describe('examples against the schema', () => {
  it('has examples to check', () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(4);
  });

  it.each(exampleFiles)('%s validates', (file) => {
    const ok = validate(example(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

// The schema must reject what the loader rejects, or editors would hide mistakes.
describe('documents the schema rejects', () => {
  const base = () => example('provider-outage.yaml') as { spec: { method: Json[]; [k: string]: unknown }; [k: string]: unknown };

  it('the base document is valid (so the rejections below are due to the change)', () => {
    expect(validate(base())).toBe(true);
  });

  it('an unknown fault name', () => {
    const doc = base();
    doc.spec.method[0] = { ...doc.spec.method[0], fault: 'process.kil' };
    expect(validate(doc)).toBe(false);
  });

  it('a misspelt field in a step', () => {
    const doc = base();
    const { duration, ...rest } = doc.spec.method[0] as Json;
    doc.spec.method[0] = { ...rest, duraton: duration };
    expect(validate(doc)).toBe(false);
  });

  it('a misspelt field in the spec', () => {
    const doc = base();
    const { hypothesis, ...rest } = doc.spec;
    doc.spec = { ...rest, hypothesys: hypothesis } as typeof doc.spec;
    expect(validate(doc)).toBe(false);
  });

  it('a wrong apiVersion or kind', () => {
    expect(validate({ ...base(), apiVersion: 'faultline.dev/v2' })).toBe(false);
    expect(validate({ ...base(), kind: 'NetworkChaos' })).toBe(false);
  });

  it('wrong params for a fault', () => {
    const doc = base();
    doc.spec.method[0] = { ...doc.spec.method[0], params: { signl: 'SIGKILL' } };
    expect(validate(doc)).toBe(false);
  });
});

// Completion data: editors offer the registered fault names and probe types as choices.
describe('completion data', () => {
  it('method step alternatives name every registered fault as a const', () => {
    const method = specOf(experimentBranch()).method as Json;
    const faults = constsOf(method, 'fault');
    for (const name of ['process.kill', 'process.pause', 'custom.action']) expect(faults).toContain(name);
    expect([...faults].sort()).toEqual([...faultNames()].sort());
  });

  it('a step can also be a pause or a parallel group', () => {
    const alternatives = ((specOf(experimentBranch()).method as Json).items as Json).anyOf as Json[];
    const keys = alternatives.map((a) => Object.keys((a.properties as Json | undefined) ?? {}));
    expect(keys.some((k) => k.includes('pause'))).toBe(true);
    expect(keys.some((k) => k.includes('parallel'))).toBe(true);
  });

  it('probe alternatives name every probe type as a const, each with its typed block', () => {
    const withProbes = (schema.anyOf as Json[]).filter((s) =>
      ['Experiment', 'Project'].includes(((s.properties as Json).kind as Json).const as string),
    );
    for (const branch of withProbes) {
      const probes = specOf(branch).probes as Json;
      const types = constsOf(probes, 'type');
      for (const type of ['http', 'tcp', 'cmd']) expect(types).toContain(type);
      expect([...types].sort()).toEqual([...probeTypeNames()].sort());
    }
    const doc = example('provider-outage.yaml') as { spec: Json };
    doc.spec.probes = [{ name: 'p', type: 'htp', htp: { url: 'http://127.0.0.1:1/' } }];
    expect(validate(doc)).toBe(false);
    doc.spec.probes = [{ name: 'p', type: 'http', http: { url: 'http://127.0.0.1:1/', methd: 'GET' } }];
    expect(validate(doc)).toBe(false);
  });
});

// The examples point editors at docs/faultline.schema.json: it must be what `faultline schema` prints today.
describe('docs/faultline.schema.json', () => {
  it('is up to date (regenerate with: node bin/faultline.js schema > docs/faultline.schema.json)', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ROOT, runCli, tempHome } = await import('./support/cli.js');
    const printed = await runCli(['schema'], { home: tempHome() });
    expect(readFileSync(join(ROOT, 'docs', 'faultline.schema.json'), 'utf8')).toBe(printed.stdout);
  });
});
