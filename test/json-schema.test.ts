// `faultline schema`: the JSON Schema that editors use to check and complete experiment files.
// Checked with ajv (draft 2020-12) against the shipped examples as they are written (with their
// `${VAR:-default}` substitutions) and against broken documents. What an editor shows of it is checked
// with the real yaml-language-server in editor-language-server.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { faultNames } from '../src/faults/index.js';
import { probeTypeNames } from '../src/probes/index.js';
import { ROOT, runCli, tempHome } from './support/cli.js';

type Json = Record<string, unknown>;

/** `${NAME}` or `${NAME:-fallback}`, as written in an experiment file. */
const ref = (name: string, fallback?: string) => `\${${name}${fallback === undefined ? '' : `:-${fallback}`}}`;

/** Every YAML file under examples/. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith('.yaml') ? [path] : [];
  });
}

/** Each faultline document of the examples (Chaos Mesh and Litmus objects to import are not). */
const exampleDocuments = yamlFiles(join(ROOT, 'examples')).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc, index) => ({ name: `${relative(ROOT, file)}#${index + 1}`, value: doc.toJS() as Json }))
    .filter(({ value }) => value?.apiVersion === 'faultline.dev/v1'),
);

const example = (file: string) => parse(readFileSync(join(ROOT, 'examples/experiments', file), 'utf8')) as Experiment;
type Experiment = { spec: { method: Json[]; probes: Json[]; [k: string]: unknown }; [k: string]: unknown };

let schema: Json;
let validate: ValidateFunction;

beforeAll(async () => {
  const result = await runCli(['schema'], { home: tempHome() });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  schema = JSON.parse(result.stdout) as Json;
  // strict mode (unknown keywords throw), with the annotations that yaml-language-server reads;
  // union types such as ["number","string"] are fine for editors
  // ajv is CommonJS: its class is both the module and its `default`; TypeScript only knows the latter
  const ajv = new Ajv2020.default({ allErrors: true, allowUnionTypes: true });
  for (const keyword of ['patternErrorMessage', 'enumDescriptions']) ajv.addKeyword(keyword);
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  validate = ajv.compile(schema);
});

const defs = () => schema.$defs as Record<string, Json>;
const properties = (node: Json) => node.properties as Record<string, Json>;
const valid = (doc: unknown) => validate(doc) === true;

describe('faultline schema output', () => {
  it('is a draft 2020-12 schema that picks the document by its kind', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof validate).toBe('function');
    expect(properties(schema).kind?.enum).toEqual(['Experiment', 'Project', 'Schedule', 'Programme', 'GameDay']);
  });
});

// What the shipped examples contain must never be flagged by an editor: as written, substitutions included.
describe('examples against the schema', () => {
  it('has examples to check, some with substitutions', () => {
    expect(exampleDocuments.length).toBeGreaterThanOrEqual(40);
    expect(exampleDocuments.filter((d) => JSON.stringify(d.value).includes('${')).length).toBeGreaterThanOrEqual(10);
  });

  it.each(exampleDocuments)('$name validates', ({ value }) => {
    const ok = validate(value);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

// The schema must reject what the loader rejects, or editors would hide mistakes.
describe('documents the schema rejects', () => {
  const base = () => example('provider-outage.yaml');
  const withStep = (step: Json) => {
    const doc = base();
    doc.spec.method = [step];
    return doc;
  };

  it('the base document is valid (so the rejections below are due to the change)', () => {
    expect(valid(base())).toBe(true);
  });

  it('an unknown fault name', () => {
    const doc = base();
    doc.spec.method[0] = { ...doc.spec.method[0], fault: 'process.kil' };
    expect(valid(doc)).toBe(false);
  });

  it('a misspelt field in a step', () => {
    const doc = base();
    const { duration, ...rest } = doc.spec.method[0] as Json;
    doc.spec.method[0] = { ...rest, duraton: duration };
    expect(valid(doc)).toBe(false);
  });

  it('a misspelt field in the spec', () => {
    const doc = base();
    const { hypothesis, ...rest } = doc.spec;
    doc.spec = { ...rest, hypothesys: hypothesis } as typeof doc.spec;
    expect(valid(doc)).toBe(false);
  });

  it('a wrong apiVersion or kind', () => {
    expect(valid({ ...base(), apiVersion: 'faultline.dev/v2' })).toBe(false);
    expect(valid({ ...base(), kind: 'NetworkChaos' })).toBe(false);
  });

  it("params are typed by the step's fault", () => {
    const latency = (params: Json) => withStep({ fault: 'network.latency', selector: { names: ['provider-a'] }, params });
    expect(valid(latency({ latency: '300ms', jitter: '20ms' }))).toBe(true);
    expect(valid(latency({ latency: 'fast' }))).toBe(false);
    expect(valid(latency({ jiter: '20ms', latency: '300ms' }))).toBe(false);
    expect(valid(latency({ signal: 'SIGKILL' }))).toBe(false); // process.kill's, not this fault's
    expect(valid(withStep({ fault: 'network.latency', selector: { names: ['provider-a'] } }))).toBe(false); // latency is required
    expect(valid(withStep({ fault: 'process.kill', selector: { names: ['provider-a'] } }))).toBe(true); // its params all default
    const cpu = (workers: unknown) => withStep({ fault: 'stress.cpu', selector: { names: ['provider-a'] }, params: { workers } });
    expect(valid(cpu(2))).toBe(true);
    expect(valid(cpu('many'))).toBe(false);
    expect(valid(cpu(0))).toBe(false);
  });

  it('the params of a parallel group, a progressive step and a kernel mechanism are typed too', () => {
    const step = (params: Json) => ({ fault: 'network.latency', selector: { names: ['provider-a'] }, params });
    expect(valid(withStep({ parallel: [step({ latency: '1s' })] }))).toBe(true);
    expect(valid(withStep({ parallel: [step({ latency: 'slow' })] }))).toBe(false);
    const progressive = (stageParams: Json) =>
      withStep({
        progressive: {
          fault: 'network.latency',
          selector: { names: ['provider-a'] },
          params: { jitter: '10ms' }, // the latency comes from each stage
          stages: [{ params: stageParams, duration: '1s' }],
        },
      });
    expect(valid(progressive({ latency: '100ms' }))).toBe(true);
    expect(valid(progressive({ latency: 'slow' }))).toBe(false);
    expect(valid(progressive({ latncy: '100ms' }))).toBe(false);
    const partition = (params: Json) => withStep({ fault: 'network.partition', selector: { names: ['provider-a'] }, params });
    expect(valid(partition({ mechanism: 'kernel', addresses: ['10.0.0.2'], direction: 'to' }))).toBe(true);
    expect(valid(partition({ mechanism: 'kernel', addresses: ['10.0.0.2'], direction: 'sideways' }))).toBe(false);
    expect(valid(partition({ mechanism: 'kernel' }))).toBe(false); // the kernel mechanism needs addresses
  });

  it("a probe's block and expectations are typed by its type", () => {
    const doc = base();
    const withProbe = (probe: Json) => ({ ...doc, spec: { ...doc.spec, probes: [probe] } });
    const http = { name: 'p', type: 'http', http: { url: 'http://127.0.0.1:1/' } };
    expect(valid(withProbe(http))).toBe(true);
    expect(valid(withProbe({ ...http, type: 'htp' }))).toBe(false);
    expect(valid(withProbe({ ...http, http: { url: 'http://127.0.0.1:1/', methd: 'GET' } }))).toBe(false);
    expect(valid(withProbe({ ...http, tcp: { address: '127.0.0.1:1' } }))).toBe(false); // another type's block
    expect(valid(withProbe({ name: 'p', type: 'http' }))).toBe(false); // its block is missing
    expect(valid(withProbe({ ...http, expect: { status: 'ok' } }))).toBe(false);
  });
});

// `${VAR}` and `${VAR:-default}` may stand for any value, as the loader substitutes them first.
describe('substitutions', () => {
  const step = (fields: Json) => {
    const doc = example('provider-outage.yaml');
    doc.spec.method = [{ fault: 'stress.cpu', selector: { names: ['provider-a'] }, ...fields }];
    return doc;
  };

  it('a number, a boolean, a duration and a choice accept a reference', () => {
    expect(valid(step({ params: { workers: ref('WORKERS'), load: ref('LOAD', '50') }, allowEmpty: ref('EMPTY', 'true') }))).toBe(true);
    expect(valid(step({ duration: ref('HOLD', '30s'), mode: ref('MODE', 'all') }))).toBe(true);
  });

  it('a reference whose default is not a valid value is refused', () => {
    expect(valid(step({ params: { workers: ref('WORKERS', 'two') } }))).toBe(false);
    expect(valid(step({ duration: ref('HOLD', 'soon') }))).toBe(false);
    expect(valid(step({ mode: ref('MODE', 'every') }))).toBe(false);
    expect(valid(step({ allowEmpty: ref('EMPTY', 'yes') }))).toBe(false);
  });

  it('a string with a form accepts a reference inside it (a URL, host:port)', () => {
    const doc = example('provider-outage.yaml');
    doc.spec.probes = [{ name: 'p', type: 'http', http: { url: `http://127.0.0.1:${ref('PORT', '7000')}/health` } }];
    doc.spec.targets = [{ name: 't', endpoint: { listen: `127.0.0.1:${ref('PORT')}`, upstream: '127.0.0.1:7001' } }];
    expect(valid(doc)).toBe(true);
  });

  it('text that only looks like a reference is not one', () => {
    expect(valid(step({ params: { workers: ref('2') } }))).toBe(false);
    expect(valid(step({ duration: '$HOLD' }))).toBe(false);
  });
});

// Completion data: editors offer the registered fault names and probe types, with their summaries.
describe('completion data', () => {
  it('a fault step offers every registered fault, each with its own params', () => {
    const fault = properties(defs().faultStep as Json).fault as Json;
    expect(fault.enum).toEqual(faultNames());
    expect((fault.enumDescriptions as string[]).every((d) => d.length > 0)).toBe(true);
    for (const name of faultNames()) expect(defs()[`params.${name}`], name).toBeDefined();
  });

  it('a probe offers every registered type', () => {
    expect((properties(defs().probe as Json).type as Json).enum).toEqual(probeTypeNames());
  });

  it('a step can also be a pause, a parallel group or a progressive step', () => {
    const experiment = (schema.allOf as Json[])[0]?.then as Json;
    let step = (properties(properties(experiment).spec as Json).method as Json).items as Json;
    const keys: string[] = [];
    while (step.if) {
      keys.push(...((step.if as Json).required as string[]));
      step = step.else as Json;
    }
    expect(keys).toEqual(['pause', 'parallel', 'progressive']);
    expect(step.$ref).toBe('#/$defs/faultStep');
  });
});

// The examples point editors at docs/faultline.schema.json: it must be what `faultline schema` prints today.
describe('docs/faultline.schema.json', () => {
  it('is up to date (npm run build regenerates it)', async () => {
    const printed = await runCli(['schema'], { home: tempHome() });
    expect(readFileSync(join(ROOT, 'docs', 'faultline.schema.json'), 'utf8')).toBe(printed.stdout);
  });
});
