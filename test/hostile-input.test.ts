/**
 * Hostile input, property-based: thousands of mutated and random documents must each end as
 * experiments or as located user errors (never another exception, never a stack trace), and the
 * selection and policy code must keep its bounds on any inventory. Seeded; reproduce a failure with
 * FAULTLINE_HOSTILE_SEED=<the seed printed> (fast-check also prints the counterexample's path).
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the experiment format under test
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import '../src/faults/index.js';
import '../src/probes/index.js';
import '../src/guards/index.js';
import type { PlannedFault } from '../src/backends/types.js';
import { policyViolations } from '../src/engine/policy.js';
import { stepRandom } from '../src/engine/rng.js';
import { selectByMode } from '../src/engine/select.js';
import type { TargetInstance } from '../src/engine/target-instance.js';
import { candidatesFor } from '../src/engine/targets.js';
import { parseExperiments } from '../src/spec/load.js';
import type { Policy, SelectionMode, Selector, TargetSpec } from '../src/spec/schema.js';
import { UserError } from '../src/util/errors.js';
import { type CliResult, ROOT, startCli, tempDir, tempHome } from './support/cli.js';
import { killStarted } from './support/processes.js';

const SEED = Number(process.env.FAULTLINE_HOSTILE_SEED ?? 20261125);
const IN_PROCESS_RUNS = 2500;
const CLI_FILES = 64;

afterAll(() => killStarted());

// ---------- the corpus: the examples, plus documents that reach every part of the format ----------

const EXAMPLES_DIR = join(ROOT, 'examples', 'experiments');
const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(join(EXAMPLES_DIR, f), 'utf8'));

/** Valid on its own (no project file): targets, every probe type, parallel steps, guards, policy-free. */
const RICH = `apiVersion: faultline.dev/v1
kind: Experiment
metadata:
  name: rich-example
  labels: { team: sre }
  annotations: { owner: "sre@example.com" }
spec:
  hypothesis: Checkout holds while the API is paused and its helper is killed.
  backend: local
  targets:
    - name: api
      labels: { app: api, tier: backend }
      process: { match: "node .*api" }
      endpoint: { listen: "127.0.0.1:17001", upstream: "127.0.0.1:7001" }
      files: [ /tmp/api.bin ]
      health: api-up
    - name: db
      labels: { app: db }
      process: { pid: 4242 }
      protected: true
  probes:
    - name: api-up
      type: tcp
      tcp: { address: "127.0.0.1:7001", timeout: 1s }
      mode: SOT
    - name: checkout
      type: http
      http: { url: "http://127.0.0.1:7000/checkout", method: GET, timeout: 2s, headers: { X-Test: "1" } }
      expect: { status: { between: [200, 299] }, latencyMs: { lt: 800 } }
      interval: 250ms
      retry: 2
    - name: disk
      type: cmd
      cmd: { command: [ "true" ], timeout: 5s }
      expect: { exitCode: 0, stdout: { contains: "" } }
      mode: EOT
  steadyState:
    probes: [ checkout ]
    tolerance: { availability: { gte: 0.99 }, latencyP95Ms: { lt: 800 }, maxConsecutiveFailures: 3 }
    recoverySamples: 3
    recoveryTimeout: 30s
  method:
    - name: pause-api
      fault: process.pause
      selector: { labels: { app: api } }
      mode: fixed-percent
      value: "50"
      duration: 5s
    - pause: 1s
    - parallel:
        - { fault: process.kill, selector: { names: [ api ] }, mode: one, params: { signal: SIGTERM } }
        - { fault: custom.action, params: { run: [ "true" ], revert: [ "true" ], timeout: 10s }, duration: 2s }
  guards:
    before: [ api-up ]
    stopWhen:
      - { probe: checkout, failureRate: { gt: 0.2 }, window: 10s, minSamples: 4 }
    lock: { wait: 5s }
    freeze:
      - { name: weekend, cron: "0 0 * * 6", duration: 48h, timezone: UTC }
  blastRadius: { maxTargets: 3, maxPercent: 50 }
  rollbacks:
    - { name: restart, cmd: [ "true" ], timeout: 30s }
`;

/** A project document and an experiment in one file: the experiment uses the project's targets and policy. */
const WITH_PROJECT = `apiVersion: faultline.dev/v1
kind: Project
metadata: { name: shop }
spec:
  targets:
    - name: worker
      labels: { app: worker, zone: a }
      process: { match: "worker" }
    - name: gateway
      labels: { app: gateway }
      process: { pidFile: "\${STATE_DIR:-/tmp}/gateway.pid" }
      protected: true
  policy:
    denyLabels: [ { zone: prod } ]
    blastRadius: { maxTargets: 2 }
    minHealthy: [ { name: workers, selector: { labels: { app: worker } }, min: 1 } ]
---
apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: uses-project }
spec:
  hypothesis: Workers survive a random pause.
  method:
    - fault: process.pause
      selector: { names: [ worker ] }
      mode: random-max-percent
      value: 50
      duration: 2s
`;

const SEEDS = [...EXAMPLES, RICH, WITH_PROJECT];

// ---------- generators ----------

/** Scalars and snippets that YAML and the format treat specially. */
const SPECIAL_VALUES = [
  '~',
  'null',
  'true',
  'yes',
  'off',
  '.nan',
  '.inf',
  '-.inf',
  'NaN',
  '1e400',
  '-1e400',
  '99999999999999999999999999999',
  '0x7fffffffffffffff',
  '0o777',
  '-0',
  '-1',
  '0',
  '1.5',
  '2026-01-01',
  '2026-01-01T00:00:00Z',
  '""',
  "''",
  '[]',
  '{}',
  '"${HOME}"',
  '${UNSET}',
  '${X:-3}',
  '${',
  '$${X}',
  '*a',
  '&a x',
  '*a\n',
  '!!binary aGk=',
  '!!str 1',
  '!!int x',
  '!!float .5',
  '!custom x',
  '!!set { a, b }',
  '!!omap [ a: 1 ]',
  '!!map [1, 2]',
  '|\n  literal',
  '>-\n  folded',
  '"\\u0000"',
  '"\\ud800"',
  '"a\\nb"',
  '"\\t"',
  '"line\\nbreak: x"',
  'SIGKILL',
  'KILL',
  '9',
  '25d',
  '999999999h',
  '0ms',
  '-1s',
  '1h30m',
  '30s',
  '"25"',
  '"25.5"',
  '101',
  'all',
  'one',
  'fixed',
  'fixed-percent',
  'random-max-percent',
  'Experiment',
  'Project',
  'NetworkChaos',
  'faultline.dev/v1',
  'process.pause',
  'process.kill',
  'custom.action',
  'network.latency',
  '[ true ]',
  '[ "" ]',
  '{ names: [] }',
  '{ labels: {} }',
  '{ match: "(" }',
  '{ match: "[" }',
  '{ pid: -1 }',
  '{ pid: 1.5 }',
  '- a\n- b',
  '? a\n: b',
  '<<: *a',
  '\u202e',
  '\ufeff',
  '\u0000',
  '😀',
  'ǅ',
  '\t',
  'a: b: c',
  ': x',
  '- - -',
  '#',
  '%YAML 1.2',
  '---',
  '...',
];

const KNOWN_KEYS = [
  'apiVersion',
  'kind',
  'metadata',
  'name',
  'labels',
  'annotations',
  'spec',
  'hypothesis',
  'backend',
  'targets',
  'process',
  'match',
  'pid',
  'pidFile',
  'endpoint',
  'listen',
  'upstream',
  'files',
  'protected',
  'health',
  'probes',
  'type',
  'http',
  'url',
  'method',
  'timeout',
  'tcp',
  'address',
  'cmd',
  'command',
  'expect',
  'status',
  'latencyMs',
  'mode',
  'interval',
  'retry',
  'stopOnFailure',
  'steadyState',
  'tolerance',
  'availability',
  'baseline',
  'recoverySamples',
  'fault',
  'selector',
  'names',
  'value',
  'params',
  'duration',
  'allowEmpty',
  'pause',
  'parallel',
  'guards',
  'before',
  'stopWhen',
  'failureRate',
  'window',
  'lock',
  'wait',
  'freeze',
  'incidents',
  'blastRadius',
  'maxTargets',
  'maxPercent',
  'policy',
  'denyLabels',
  'allowLabels',
  'minHealthy',
  'min',
  'rollbacks',
  'run',
  'revert',
  'signal',
  '__proto__',
  'constructor',
  'toString',
  '<<',
  'duraton',
];

/** Any YAML value written on one line (or a few): random data, special scalars, quoted unicode. */
const yamlValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPECIAL_VALUES),
  fc.anything({ maxDepth: 3 }).map((v) => {
    try {
      return YAML.stringify(v, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
    } catch {
      return String(v);
    }
  }),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.double().map(String),
  fc.bigInt().map(String),
);

const yamlKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_KEYS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map((s) => JSON.stringify(s)) },
);

/** Characters that mean something to YAML, for random insertions. */
const yamlish = fc.string({
  unit: fc.constantFrom(...':{}[],-#&*!|>\'"%@`?\t\n \\$~'.split(''), 'a', '0', '${'),
  minLength: 1,
  maxLength: 10,
});

type Mutation = (text: string) => string;

const at = (n: number, length: number) => (length === 0 ? 0 : n % (length + 1));
const lineAt = (n: number, lines: string[]) => n % Math.max(1, lines.length);

function nested(kind: 'seq' | 'map' | 'block', depth: number): string {
  if (kind === 'seq') return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  if (kind === 'map') return `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
  return `\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x\n`;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // delete, insert, replace characters
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 20 })).map(
    ([p, n]): Mutation =>
      (t) =>
        t.slice(0, at(p, t.length)) + t.slice(at(p, t.length) + n),
  ),
  fc.tuple(fc.nat(), fc.oneof(yamlish, yamlValue, fc.string({ unit: 'grapheme', maxLength: 8 }))).map(
    ([p, s]): Mutation =>
      (t) =>
        t.slice(0, at(p, t.length)) + s + t.slice(at(p, t.length)),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 10 }), fc.oneof(yamlish, yamlValue)).map(
    ([p, n, s]): Mutation =>
      (t) =>
        t.slice(0, at(p, t.length)) + s + t.slice(at(p, t.length) + n),
  ),
  // duplicate, drop or swap lines
  fc.nat().map(
    (i): Mutation =>
      (t) => {
        const lines = t.split('\n');
        lines.splice(lineAt(i, lines), 0, lines[lineAt(i, lines)] ?? '');
        return lines.join('\n');
      },
  ),
  fc.nat().map(
    (i): Mutation =>
      (t) => {
        const lines = t.split('\n');
        lines.splice(lineAt(i, lines), 1);
        return lines.join('\n');
      },
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([i, j]): Mutation =>
      (t) => {
        const lines = t.split('\n');
        const [a, b] = [lineAt(i, lines), lineAt(j, lines)];
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
        return lines.join('\n');
      },
  ),
  // swap a value for a random YAML value
  fc.tuple(fc.nat(), yamlValue).map(
    ([i, v]): Mutation =>
      (t) => {
        const lines = t.split('\n');
        const k = lineAt(i, lines);
        const m = /^(\s*(?:- )?[^:#\n]+:\s*)(.*)$/.exec(lines[k] ?? '');
        lines[k] = m ? `${m[1]}${v}` : `${/^\s*/.exec(lines[k] ?? '')?.[0] ?? ''}${v}`;
        return lines.join('\n');
      },
  ),
  // insert a random key at a line's indentation
  fc.tuple(fc.nat(), yamlKey, yamlValue).map(
    ([i, key, v]): Mutation =>
      (t) => {
        const lines = t.split('\n');
        const k = lineAt(i, lines);
        const indent = /^\s*(?:- )?/.exec(lines[k] ?? '')?.[0].replace('-', ' ') ?? '';
        lines.splice(k + 1, 0, `${indent}${key}: ${v}`);
        return lines.join('\n');
      },
  ),
  // deep nesting
  fc.tuple(fc.nat(), fc.constantFrom('seq' as const, 'map' as const, 'block' as const), fc.integer({ min: 1, max: 3000 })).map(
    ([p, kind, depth]): Mutation =>
      (t) =>
        t.slice(0, at(p, t.length)) + nested(kind, depth) + t.slice(at(p, t.length)),
  ),
  // tabs for indentation
  fc.nat().map(
    (i): Mutation =>
      (t) => {
        const lines = t.split('\n');
        const k = lineAt(i, lines);
        lines[k] = (lines[k] ?? '').replace(/^ +/, (s) => '\t'.repeat(Math.max(1, s.length / 2)));
        return lines.join('\n');
      },
  ),
  // a document marker in the middle
  fc.tuple(fc.nat(), fc.constantFrom('---', '...', '--- !tag', '%YAML 1.1\n---')).map(
    ([i, marker]): Mutation =>
      (t) => {
        const lines = t.split('\n');
        lines.splice(lineAt(i, lines), 0, marker);
        return lines.join('\n');
      },
  ),
);

/** Replaces one node of the parsed seed (found by walking `steps`) with `value`, then writes it back. */
function replaceNode(text: string, steps: number[], value: unknown): string {
  const docs = YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown);
  const index = (steps[0] ?? 0) % docs.length;
  const root = { doc: docs[index] } as Record<string, unknown>;
  let parent: Record<string, unknown> | unknown[] = root;
  let key: string | number = 'doc';
  for (const step of steps.slice(1)) {
    const node: unknown = (parent as Record<string | number, unknown>)[key];
    if (node === null || typeof node !== 'object') break;
    const keys = Object.keys(node);
    if (!keys.length) break;
    parent = node as Record<string, unknown>;
    key = Array.isArray(node) ? step % node.length : (keys[step % keys.length] as string);
  }
  (parent as Record<string | number, unknown>)[key] = value;
  docs[index] = root.doc;
  return docs.map((d) => YAML.stringify(d)).join('---\n');
}

const seedText = fc.constantFrom(...SEEDS);

/** Inserts `snippet` (one or more lines) after line `i`, at that line's indentation. */
function insertLines(text: string, i: number, snippet: string[]): string {
  const lines = text.split('\n');
  const k = lineAt(i, lines);
  const indent = /^\s*(?:- )?/.exec(lines[k] ?? '')?.[0].replace('-', ' ') ?? '';
  lines.splice(k + 1, 0, ...snippet.map((l) => indent + l));
  return lines.join('\n');
}

/** Aliases that expand `10^levels` times (a "billion laughs"). */
function aliasBomb(levels: number): string[] {
  const out = ['b0: &b0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let l = 1; l <= levels; l++) out.push(`b${l}: &b${l} [${Array.from({ length: 10 }, () => `*b${l - 1}`).join(', ')}]`);
  return out;
}

/** The known-hard cases, in a seed: deep nesting, alias bombs and dangling aliases, names that span lines, huge values. */
const nastyDocument: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(seedText, fc.nat(), fc.constantFrom('seq' as const, 'map' as const, 'block' as const), fc.integer({ min: 500, max: 4000 }))
    .map(([t, p, kind, depth]) => t.slice(0, at(p, t.length)) + nested(kind, depth) + t.slice(at(p, t.length))),
  fc.tuple(seedText, fc.nat(), fc.integer({ min: 1, max: 6 })).map(([t, i, levels]) => insertLines(t, i, aliasBomb(levels))),
  fc
    .tuple(seedText, fc.nat(), fc.constantFrom('*a', '*nope', '[ *a ]', '{ k: *a }'))
    .map(([t, i, alias]) => insertLines(t, i, [`dangling: ${alias}`])),
  fc
    .tuple(seedText, fc.nat(), fc.constantFrom('"a\\nb"', '"x\\n\\ny"', '"process.pause\\n"', '"\\r"'), fc.boolean())
    .map(([t, i, multiLine, asKey]) => {
      const lines = t.split('\n');
      const k = lineAt(i, lines);
      const m = /^(\s*(?:- )?)([^:#\n]+)(:\s*)(.*)$/.exec(lines[k] ?? '');
      if (m) lines[k] = asKey ? `${m[1]}${multiLine}${m[3]}${m[4]}` : `${m[1]}${m[2]}${m[3]}${multiLine}`;
      return lines.join('\n');
    }),
  fc.tuple(seedText, fc.nat(), fc.integer({ min: 10_000, max: 200_000 })).map(([t, i, n]) => insertLines(t, i, [`huge: ${'9'.repeat(n)}`])),
);

/** A document for the loader: a mutated seed most of the time, else random YAML of every shape. */
const hostileDocument: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(seedText, fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([t, ms]) => ms.reduce((acc, m) => m(acc), t)),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        seedText,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.anything({ maxDepth: 4 }),
        fc.array(mutation, { maxLength: 2 }),
      )
      .map(([t, steps, value, ms]) => ms.reduce((acc, m) => m(acc), replaceNode(t, steps, value))),
  },
  {
    weight: 1,
    arbitrary: fc.anything().map((v) => {
      try {
        return YAML.stringify(v) ?? '';
      } catch {
        return String(v);
      }
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .anything({ maxDepth: 4 })
      .map((spec) => YAML.stringify({ apiVersion: 'faultline.dev/v1', kind: 'Experiment', metadata: { name: 'random' }, spec })),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: nastyDocument },
);

// ---------- (a) the loader, in process ----------

const LOCATED = /^mut\.yaml:\d+:\d+: /;

/** What the loader did with one document: experiments, or a located user error. Anything else throws. */
function loadOutcome(text: string): 'valid' | 'invalid' {
  let error: unknown;
  try {
    const experiments = parseExperiments(text, 'mut.yaml', { project: null, env: {} });
    if (!Array.isArray(experiments)) throw new Error(`parseExperiments returned ${typeof experiments}, not an array`);
    return 'valid';
  } catch (e) {
    error = e;
  }
  if (!(error instanceof UserError)) {
    const where = String((error as Error)?.stack ?? '')
      .split('\n')
      .slice(1, 6)
      .map((l) => l.trim())
      .join(' < ');
    throw new Error(`not a UserError: ${(error as Error)?.constructor?.name}: ${(error as Error)?.message} (${where})`);
  }
  const unlocated = error.message.split('\n').filter((line) => !LOCATED.test(line));
  if (unlocated.length) throw new Error(`message lines without mut.yaml:line:col: ${JSON.stringify(unlocated.slice(0, 3))}`);
  return 'invalid';
}

// The loader ends every document, however mangled, as experiments or as located user errors.
describe('hostile documents, in process', () => {
  it('accepts every seed of the corpus that is complete on its own', () => {
    expect(loadOutcome(RICH)).toBe('valid');
    expect(loadOutcome(WITH_PROJECT)).toBe('valid');
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(4);
  });

  it(`returns experiments or throws a located UserError, ${IN_PROCESS_RUNS} documents`, { timeout: 120_000 }, () => {
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(hostileDocument, (text) => {
        seen[loadOutcome(text)]++;
      }),
      { numRuns: IN_PROCESS_RUNS, seed: SEED },
    );
    console.log(
      `hostile input: ${IN_PROCESS_RUNS} documents (seed ${SEED}): ${seen.valid} valid, ${seen.invalid} rejected with located errors`,
    );
    // the generator reaches both sides: some mutations stay valid, most are rejected
    expect(seen.valid).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(IN_PROCESS_RUNS / 2);
  });
});

// ---------- (b) the real CLI ----------

const STACK_TRACE = /\n\s+at .*\(/;

async function boundedCli(args: string[], home: string): Promise<CliResult> {
  const started = startCli(args, { home });
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 30_000);
  try {
    return await started.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// validate and run print one located line per problem and exit 3: no stack trace, no internal error.
describe('hostile files, through the CLI', () => {
  it(`faultline validate and run reject ${CLI_FILES} mutated files cleanly`, { timeout: 150_000 }, async () => {
    const dir = tempDir('faultline-hostile-');
    const home = tempHome();
    // mostly the same mix as in process, plus a quarter of the known-hard cases
    const docs = [
      ...fc.sample(hostileDocument, { seed: SEED + 1, numRuns: (CLI_FILES * 3) / 4 }),
      ...fc.sample(nastyDocument, { seed: SEED + 2, numRuns: CLI_FILES / 4 }),
    ];
    const files = docs.map((text, i) => {
      const file = join(dir, `mut-${String(i).padStart(2, '0')}.yaml`);
      writeFileSync(file, text);
      return file;
    });
    const problems: string[] = [];
    const counts = { valid: 0, invalid: 0, runs: 0 };
    const check = (file: string, command: string, result: CliResult) => {
      const output = result.stdout + result.stderr;
      const located = new RegExp(`${escapeRegExp(file)}:\\d+:\\d+`);
      if (STACK_TRACE.test(output)) problems.push(`${command} ${file}: stack trace: ${output.slice(0, 300)}`);
      if (result.code !== 0 && result.code !== 3) problems.push(`${command} ${file}: exit ${result.code} (${result.signal})`);
      if (/internal error/.test(output)) problems.push(`${command} ${file}: ${output.slice(0, 300)}`);
      else if (result.code === 3 && !located.test(result.stderr))
        problems.push(`${command} ${file}: exit 3 without file:line:column: ${output.slice(0, 300)}`);
    };
    await pool(files, 3, async (file) => {
      const validated = await boundedCli(['validate', file], home);
      check(file, 'validate', validated);
      if (validated.code === 0) {
        counts.valid++;
        if (!/valid/.test(validated.stdout)) problems.push(`validate ${file}: exit 0 without saying valid`);
        return; // a valid file would really run: not here
      }
      counts.invalid++;
      if (validated.code !== 3 || !new RegExp(`${escapeRegExp(file)}:\\d+:\\d+`).test(validated.stderr)) return;
      const run = await boundedCli(['run', file, '--no-progress'], home);
      counts.runs++;
      check(file, 'run', run);
      if (run.code !== 3) problems.push(`run ${file}: exit ${run.code}, expected 3 for an invalid file`);
    });
    console.log(
      `hostile CLI: ${CLI_FILES} files (seeds ${SEED + 1}, ${SEED + 2}): ${counts.valid} valid, ${counts.invalid} invalid, ${counts.runs} runs refused`,
    );
    expect(problems).toEqual([]);
    expect(counts.valid + counts.invalid).toBe(CLI_FILES);
    expect(counts.runs).toBeGreaterThan(CLI_FILES / 2);
  });
});

// ---------- (c) selection and policy on random inventories ----------

type ModeValue = { mode: SelectionMode; value: number | undefined; cents?: number };

/** Percentages with up to two decimals, kept as whole hundredths so bounds are computed exactly. */
const percentMode = (mode: 'fixed-percent' | 'random-max-percent') =>
  fc
    .oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 500 }))
    .map((cents): ModeValue => ({ mode, value: cents / 100, cents }));

const modeArbs: Record<SelectionMode, fc.Arbitrary<ModeValue>> = {
  one: fc.constant({ mode: 'one', value: undefined }),
  all: fc.constant({ mode: 'all', value: undefined }),
  fixed: fc.integer({ min: 1, max: 80 }).map((value): ModeValue => ({ mode: 'fixed', value })),
  'fixed-percent': percentMode('fixed-percent'),
  'random-max-percent': percentMode('random-max-percent'),
};
const anyMode = fc.oneof(...Object.values(modeArbs));

/** Inputs worth checking every time: pools and percentages where floating point rounds up past the bound. */
const SELECTION_EXAMPLES: Partial<Record<SelectionMode, [number, ModeValue, number, string][]>> = {
  'fixed-percent': [[250, { mode: 'fixed-percent', value: 64.4, cents: 6440 }, 0, 'spec.method[0]']],
  'random-max-percent': [[200, { mode: 'random-max-percent', value: 2.5, cents: 250 }, 1, 'x']],
};

/** The most a mode may select from a pool (ceil of P% computed in whole numbers). */
function maxSelected({ mode, value, cents }: ModeValue, poolSize: number): number {
  if (mode === 'one') return Math.min(1, poolSize);
  if (mode === 'all') return poolSize;
  if (mode === 'fixed') return Math.min(value as number, poolSize);
  return Math.floor((poolSize * (cents as number) + 9_999) / 10_000);
}

// selectByMode never exceeds its mode/value, never repeats, only picks from the pool, and replays by seed.
describe('selectByMode on random pools', () => {
  it.each(Object.keys(modeArbs) as SelectionMode[])('mode %s keeps its bound', (mode) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        modeArbs[mode],
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.string({ maxLength: 30 }),
        (poolSize, mv, seed, path) => {
          const items = Array.from({ length: poolSize }, (_, id) => ({ id }));
          const picked = selectByMode(items, mv.mode, mv.value, stepRandom(seed, path));
          expect(picked.length, `${mv.mode} ${mv.value ?? ''} of ${poolSize}`).toBeLessThanOrEqual(maxSelected(mv, poolSize));
          if (mv.mode === 'all') expect(new Set(picked)).toEqual(new Set(items));
          expect(new Set(picked).size).toBe(picked.length);
          const members = new Set(items);
          expect(picked.filter((p) => !members.has(p))).toEqual([]);
          expect(selectByMode(items, mv.mode, mv.value, stepRandom(seed, path))).toEqual(picked);
        },
      ),
      { numRuns: 1000, seed: SEED, examples: SELECTION_EXAMPLES[mode] ?? [] },
    );
  });
});

const NAMES = ['api', 'db', 'cache', 'queue', 'web-1', 'web-2', 'worker.a', 'worker_b', 'edge', 'auth', 'search', 'mail'];
const LABEL_KEYS = ['app', 'tier', 'zone', 'team', 'constructor', 'toString', '__proto__'];
const LABEL_VALUES = ['a', 'b', 'c', 'prod', ''];

const labelsArb = fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 3 });

const targetsArb: fc.Arbitrary<TargetSpec[]> = fc
  .uniqueArray(fc.record({ name: fc.constantFrom(...NAMES), labels: labelsArb, protected: fc.boolean() }), {
    selector: (t) => t.name,
    maxLength: NAMES.length,
  })
  .map((ts) => ts.map((t) => ({ ...t, endpoint: { listen: '127.0.0.1:1', upstream: '127.0.0.1:2' } }) as TargetSpec));

const selectorArb: fc.Arbitrary<Selector | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.record({ names: fc.uniqueArray(fc.constantFrom(...NAMES, 'ghost'), { minLength: 1, maxLength: 5 }) }) },
  { weight: 3, arbitrary: fc.record({ labels: labelsArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ names: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 }), labels: labelsArb }),
  },
);

/** The oracle: a selector matches a target when every name and every label it gives is the target's own. */
function oracleMatches(target: TargetSpec, selector: Selector | undefined): boolean {
  if (!selector) return false;
  if (selector.names && !selector.names.includes(target.name)) return false;
  return Object.entries(selector.labels ?? {}).every(([k, v]) => Object.hasOwn(target.labels, k) && target.labels[k] === v);
}

const labelsMatch = (labels: Record<string, string>, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);

// candidatesFor never returns a protected target, nor one its selector does not match.
describe('candidatesFor on random inventories', () => {
  it('returns exactly the unprotected targets the selector matches', () => {
    fc.assert(
      fc.property(targetsArb, selectorArb, (targets, selector) => {
        const found = candidatesFor(selector, 'endpoint', targets);
        for (const c of found) {
          expect(c.spec.protected, `${c.name} is protected`).toBe(false);
          expect(oracleMatches(c.spec, selector), `${c.name} does not match ${JSON.stringify(selector)}`).toBe(true);
        }
        const expected = targets.filter((t) => !t.protected && oracleMatches(t, selector)).map((t) => t.name);
        expect(found.map((c) => c.name)).toEqual(expected);
      }),
      { numRuns: 3000, seed: SEED },
    );
  });
});

interface PolicyCase {
  targets: TargetSpec[];
  steps: { selector: Selector | undefined; mv: ModeValue }[];
  seed: number;
  denyLabels: Record<string, string>[];
  maxTargets: number | undefined;
  maxPercent: number | undefined;
  /** where the blast radius is written: the experiment's spec.blastRadius or the project policy */
  radiusIn: 'spec' | 'policy';
}

const policyCaseArb: fc.Arbitrary<PolicyCase> = fc.record({
  targets: targetsArb,
  steps: fc.array(fc.record({ selector: selectorArb, mv: anyMode }), { minLength: 1, maxLength: 4 }),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  denyLabels: fc.array(fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { minKeys: 1, maxKeys: 2 }), {
    maxLength: 3,
  }),
  maxTargets: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  maxPercent: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  radiusIn: fc.constantFrom('spec' as const, 'policy' as const),
});

function planOf(c: PolicyCase): PlannedFault[] {
  return c.steps.map(({ selector, mv }, i) => {
    const path = `spec.method[${i}]`;
    const candidates: TargetInstance[] = candidatesFor(selector, 'endpoint', c.targets);
    const selected = selectByMode(candidates, mv.mode, mv.value, stepRandom(c.seed, path));
    return {
      path,
      step: { name: `step-${i}`, mode: mv.mode, value: mv.value },
      fault: { takesDown: false },
      candidates,
      selected,
      actions: [],
    } as unknown as PlannedFault;
  });
}

// policyViolations reports denied labels, too many targets and too high a percentage, and nothing else.
describe('policyViolations on random plans', () => {
  it('reports a violation exactly when a deny label, maxTargets or maxPercent is crossed', async () => {
    const alwaysHealthy = async () => true;
    const kinds = { deny: 0, maxTargets: 0, maxPercent: 0, none: 0 };
    await fc.assert(
      fc.asyncProperty(policyCaseArb, async (c) => {
        const plan = planOf(c);
        const radius = { maxTargets: c.maxTargets, maxPercent: c.maxPercent };
        const policy: Policy = {
          denyLabels: c.denyLabels,
          minHealthy: [],
          ...(c.radiusIn === 'policy' ? { blastRadius: radius } : {}),
        } as Policy;
        const violations = await policyViolations(plan, c.targets, c.radiusIn === 'spec' ? radius : undefined, policy, alwaysHealthy);

        const selected = plan.flatMap((p) => p.selected);
        const denied = selected.filter((t) => c.denyLabels.some((d) => labelsMatch(t.labels, d)));
        const distinct = new Set(selected.map((t) => t.name));
        const overPercent = plan.filter(
          (p) => c.maxPercent !== undefined && p.candidates.length > 0 && p.selected.length * 100 > c.maxPercent * p.candidates.length,
        );
        const expected = {
          deny: denied.length > 0,
          maxTargets: c.maxTargets !== undefined && distinct.size > c.maxTargets,
          maxPercent: overPercent.length > 0,
        };
        const reported = {
          deny: violations.some((v) => v.includes('denied by policy denyLabels')),
          maxTargets: violations.some((v) => v.includes('maxTargets')),
          maxPercent: violations.some((v) => v.includes('maxPercent')),
        };
        expect(reported).toEqual(expected);
        for (const t of denied) expect(violations.join('\n')).toContain(`would hit ${t.name}, denied`);
        for (const p of overPercent)
          expect(violations.join('\n')).toContain(`${p.path} would hit ${p.selected.length} of ${p.candidates.length}`);
        if (!expected.deny && !expected.maxTargets && !expected.maxPercent) expect(violations).toEqual([]);
        for (const [k, v] of Object.entries(expected)) if (v) kinds[k as keyof typeof kinds]++;
        if (!violations.length) kinds.none++;
      }),
      { numRuns: 3000, seed: SEED },
    );
    console.log(`policy: violations seen: ${JSON.stringify(kinds)}`);
    // every branch of the oracle was exercised
    for (const n of Object.values(kinds)) expect(n).toBeGreaterThan(0);
  });
});
