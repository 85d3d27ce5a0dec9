// The editor schema as an editor shows it: the real yaml-language-server (the npm package that VS Code's
// YAML extension and other editors run) over the language-server protocol on stdio, each file opened as
// an editor opens it, its schema picked by its own modeline (docs/faultline.schema.json).
// - every example written in the faultline format gets no diagnostic at all;
// - each planted mistake of test/fixtures/editor/ gets exactly one, on the line marked `# mistake: TEXT`,
//   saying TEXT (one message per mistake, not a cascade of union alternatives); `faultline validate`
//   refuses each of them at that same line, so the schema flags what the loader refuses;
// - completion offers the registered faults, and the params and probe fields of the one chosen.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { faultNames, findFault } from '../src/faults/index.js';
import { probeTypeNames } from '../src/probes/index.js';
import { ROOT, runCli, tempHome } from './support/cli.js';
import { type CompletionItem, YamlLanguageServer } from './support/yaml-language-server.js';

const SCHEMA = join(ROOT, 'docs', 'faultline.schema.json');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'editor');
const MARK = '# mistake: ';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith('.yaml') ? [path] : [];
  });
}

/** The example files in the faultline format (not the Chaos Mesh and Litmus objects shipped to import). */
const examples = yamlFiles(join(ROOT, 'examples'))
  .filter((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).every(
      (doc) => (doc.toJS() as { apiVersion?: string } | null)?.apiVersion === 'faultline.dev/v1',
    ),
  )
  .map((file) => relative(ROOT, file));

const mistakes = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.yaml') && name !== 'valid.yaml')
  .sort();

/** The 1-based line of the mark in a fixture, and what the diagnostic must say. */
function markOf(file: string): { line: number; says: string } {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
  const marked = lines.flatMap((text, i) => (text.includes(MARK) ? [{ line: i + 1, says: text.split(MARK)[1]?.trim() ?? '' }] : []));
  expect(marked, `${file} marks exactly one line`).toHaveLength(1);
  return marked[0] as { line: number; says: string };
}

/** Line and message of each diagnostic, as an editor shows them (1-based lines). */
const shown = (diagnostics: { range: { start: { line: number } }; message: string }[]) =>
  diagnostics.map((d) => ({ line: d.range.start.line + 1, message: d.message }));

let server: YamlLanguageServer;

beforeAll(async () => {
  server = await YamlLanguageServer.start();
});

afterAll(async () => {
  await server?.stop();
});

describe('the examples in an editor', () => {
  it('covers every kind of faultline document the examples hold', () => {
    expect(examples.length).toBeGreaterThanOrEqual(40);
    const kinds = new Set(examples.flatMap((file) => parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map((d) => d.get('kind'))));
    expect([...kinds].sort()).toEqual(['Experiment', 'GameDay', 'Programme', 'Project', 'Schedule']);
  });

  it.each(examples)('%s: its modeline names the schema, and no diagnostic', async (file) => {
    const first = readFileSync(join(ROOT, file), 'utf8').split('\n')[0] ?? '';
    const modeline = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(modeline, `${file} starts with the editor modeline`).not.toBeNull();
    expect(resolve(dirname(join(ROOT, file)), modeline?.[1] as string)).toBe(SCHEMA);
    expect(shown(await server.diagnostics(join(ROOT, file)))).toEqual([]);
  });
});

describe('planted mistakes in an editor', () => {
  it('the document they are made in has no diagnostic', async () => {
    expect(shown(await server.diagnostics(join(FIXTURES, 'valid.yaml')))).toEqual([]);
  });

  it('there are at least 20, across documents, steps, params, probes and substitutions', () => {
    expect(mistakes.length).toBeGreaterThanOrEqual(20);
  });

  it.each(mistakes)('%s: one diagnostic, at the marked line, saying what is wrong', async (file) => {
    const { line, says } = markOf(file);
    const diagnostics = shown(await server.diagnostics(join(FIXTURES, file)));
    expect(diagnostics).toEqual([{ line, message: expect.stringContaining(says) }]);
  });

  it('faultline validate refuses each of them at the same line, and takes the valid one', async () => {
    const result = await runCli(['validate', ...mistakes, 'valid.yaml'], { home: tempHome(), cwd: FIXTURES });
    expect(result.code).toBe(3);
    for (const file of mistakes) expect(result.stderr, file).toMatch(new RegExp(`^${basename(file)}:${markOf(file).line}:\\d+: `, 'm'));
    expect(result.stderr).not.toMatch(/^valid\.yaml:/m);
  });
});

describe('completion in an editor', () => {
  const valid = readFileSync(join(FIXTURES, 'valid.yaml'), 'utf8');

  /** Completions at the end of the line `line` of `text`, opened as a file of its own beside the fixtures. */
  async function completeAt(name: string, text: string, line: string): Promise<CompletionItem[]> {
    const index = text.split('\n').indexOf(line);
    expect(index, `the text has the line ${JSON.stringify(line)}`).toBeGreaterThan(0);
    return server.completions(join(FIXTURES, `completion-${name}.yaml`), text, index, line.length);
  }
  const labels = (items: CompletionItem[]) => items.map((item) => item.label);
  const documentation = (item: CompletionItem | undefined) =>
    typeof item?.documentation === 'string' ? item.documentation : (item?.documentation?.value ?? '');

  it("a step's fault: every registered fault, with its summary", async () => {
    const items = await completeAt('fault', valid.replace('      fault: network.latency\n', '      fault: \n'), '      fault: ');
    expect(labels(items)).toEqual(expect.arrayContaining(faultNames()));
    const latency = items.find((item) => item.label === 'network.latency');
    expect(documentation(latency)).toContain(findFault('network.latency')?.summary);
  });

  it("a fault's params: that fault's parameters, not another's", async () => {
    const text = valid.replace('      params: { latency: 300ms, jitter: 20ms }\n', '      params:\n        \n');
    const offered = labels(await completeAt('params', text, '        '));
    expect(offered).toEqual(expect.arrayContaining(['latency', 'jitter', 'correlation']));
    expect(offered).not.toContain('signal'); // process.kill's
  });

  it("a probe's fields: no block of another probe type", async () => {
    const text = valid.replace('      interval: 250ms\n', '      interval: 250ms\n      \n');
    const offered = labels(await completeAt('probe', text, '      '));
    expect(offered).toEqual(expect.arrayContaining(['timeout', 'retry']));
    for (const type of probeTypeNames().filter((t) => t !== 'http')) expect(offered).not.toContain(type);
  });
});
