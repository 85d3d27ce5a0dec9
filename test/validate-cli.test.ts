// `faultline validate` as a user meets it: every mistake of a file reported at once, each on its own
// `FILE:LINE:COL: path: message` line pointing at the offending node, exit 3, never a stack trace.
// Runs the real CLI (bin/faultline.js over dist/): build with `npx tsc -p tsconfig.json` first.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the experiment format under test
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, ROOT, runCli, tempDir, tempHome } from './support/cli.js';

/** Writes `files` (name → text) into a fresh folder and returns it. */
function folder(files: Record<string, string>): string {
  const dir = tempDir('faultline-validate-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function validate(args: string[], cwd: string, env?: Record<string, string>): Promise<CliResult> {
  return runCli(['validate', ...args], { home: tempHome(), cwd, env });
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');
/** The `FILE:LINE:COL: ...` lines of an output. */
const located = (text: string) => lines(text).filter((l) => /^\S+:\d+:\d+: /.test(l));
const STACK_FRAME = /^\s+at\s/m;

/** A structurally valid experiment, to be broken one place at a time. */
const GOOD = `apiVersion: faultline.dev/v1
kind: Experiment
metadata:
  name: checkout-survives-kill
spec:
  hypothesis: Checkout keeps working while payments is killed.
  targets:
    - name: payments
      process: { match: "node .*payments" }
  probes:
    - name: checkout
      type: http
      http: { url: "http://127.0.0.1:7000/checkout" }
  steadyState:
    probes: [checkout]
  method:
    - name: kill-payments
      fault: process.kill
      selector: { names: [payments] }
      duration: 5s
`;

// Line numbers below are part of the test: keep this text as it is.
const MANY_MISTAKES = `apiVersion: faultline.dev/v1
kind: Experiment
metadata:
  name: Checkout_Slow
spec:
  targets:
    - name: payments
      process: { match: "node (payments" }
  probes:
    - name: checkout
      type: htpp
      http: { url: "http://127.0.0.1:7000/checkout" }
      retry: "two"
  steadyState:
    probes: [checkout]
  method:
    - name: slow-payments
      fault: process.kil
      selector: { names: [payments] }
      duration: thirty
    - fault: process.kill
      selector: { names: [payments] }
      mode: fixed-percent
      value: "150"
      params: { signal: SIGBOGUS }
      duraton: 5s
`;

// A file full of mistakes: the user fixes them all in one pass, in the order the editor lists them.
describe('a file with many mistakes', () => {
  it('reports every error on its own located line, in file order, exit 3, without a stack trace', async () => {
    const dir = folder({ 'bad.yaml': MANY_MISTAKES });
    const result = await validate(['bad.yaml'], dir);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    const output = result.stdout + result.stderr;
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain('internal error');

    const errors = located(result.stderr);
    // every error, and only these, each at the line:column of its node, sorted as in the file
    expect(errors.map((l) => l.replace(/^(\S+:\d+:\d+: [^:]+):.*$/, '$1'))).toEqual([
      'bad.yaml:4:9: metadata.name',
      'bad.yaml:6:3: spec.hypothesis',
      'bad.yaml:8:25: spec.targets[0].process.match',
      'bad.yaml:11:13: spec.probes[0].type',
      'bad.yaml:13:14: spec.probes[0].retry',
      'bad.yaml:18:14: spec.method[0].fault',
      'bad.yaml:20:17: spec.method[0].duration',
      'bad.yaml:24:14: spec.method[1].value',
      'bad.yaml:25:25: spec.method[1].params.signal',
      'bad.yaml:26:7: spec.method[1].duraton',
    ]);
    expect(errors).toEqual(
      expect.arrayContaining([
        'bad.yaml:4:9: metadata.name: expected a DNS-1123 name (lower-case letters, digits, "-" and "."), got "Checkout_Slow"',
        'bad.yaml:8:25: spec.targets[0].process.match: expected a valid regular expression, got "node (payments"',
        'bad.yaml:20:17: spec.method[0].duration: expected a duration like 30s, got "thirty"',
        'bad.yaml:24:14: spec.method[1].value: expected a percentage between 0 and 100, got 150',
        'bad.yaml:25:25: spec.method[1].params.signal: unknown signal "SIGBOGUS"; use a name like SIGKILL or SIGTERM',
      ]),
    );
    const line = (path: string) => errors.find((l) => l.includes(` ${path}: `)) ?? '';
    expect(line('spec.probes[0].type')).toMatch(/unknown probe type "htpp" \(did you mean "http"\?\); known types: .*http/);
    expect(line('spec.method[0].fault')).toMatch(/unknown fault "process.kil" \(did you mean "process.kill"\?\)/);
    expect(line('spec.method[1].duraton')).toMatch(/unknown field "duraton" \(did you mean "duration"\?\)/);
    expect(line('spec.probes[0].retry')).toMatch(/expected number/);
    expect(line('spec.hypothesis')).toMatch(/^bad\.yaml:6:3: spec\.hypothesis: \S/);
    expect(result.stderr).toContain('1 of 1 file(s) invalid');
  });

  it('points each line:column at the text of the offending node', async () => {
    const dir = folder({ 'bad.yaml': MANY_MISTAKES });
    const result = await validate(['bad.yaml'], dir);
    const source = MANY_MISTAKES.split('\n');
    const textAt = (l: string) => {
      const [, line, col] = /^\S+:(\d+):(\d+):/.exec(l) as RegExpExecArray;
      return (source[Number(line) - 1] ?? '').slice(Number(col) - 1);
    };
    const errors = located(result.stderr);
    expect(errors.length).toBeGreaterThan(0);
    const expected: Record<string, string> = {
      'metadata.name': 'Checkout_Slow',
      'spec.targets[0].process.match': '"node (payments"',
      'spec.probes[0].type': 'htpp',
      'spec.probes[0].retry': '"two"',
      'spec.method[0].fault': 'process.kil',
      'spec.method[0].duration': 'thirty',
      'spec.method[1].value': '"150"',
      'spec.method[1].params.signal': 'SIGBOGUS',
      'spec.method[1].duraton': 'duraton:',
    };
    for (const [path, text] of Object.entries(expected)) {
      const error = errors.find((l) => l.includes(` ${path}: `));
      expect(error, path).toBeDefined();
      expect(textAt(error as string).startsWith(text), `${error} should point at ${text}`).toBe(true);
    }
  });

  it('checks references once the structure is valid: an unknown target in selector.names, with did-you-mean', async () => {
    const text = GOOD.replace('selector: { names: [payments] }', 'selector: { names: [paymnets] }');
    const dir = folder({ 'refs.yaml': text });
    const result = await validate(['refs.yaml'], dir);
    expect(result.code).toBe(3);
    expect(located(result.stderr)).toEqual([
      'refs.yaml:19:27: spec.method[0].selector.names[0]: no target named "paymnets" (did you mean "payments"?); define it under spec.targets or in faultline.yaml',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('accepts the same file once the mistake is fixed', async () => {
    const dir = folder({ 'good.yaml': GOOD });
    const result = await validate(['good.yaml'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('valid good.yaml: checkout-survives-kill');
    expect(result.code).toBe(0);
  });
});

// YAML that does not parse is reported like any other mistake: located, one line each, exit 3.
describe('YAML syntax errors', () => {
  it('reports a duplicate key at its line and column', async () => {
    const text = GOOD.replace('  name: checkout-survives-kill\n', '  name: checkout-survives-kill\n  name: again\n');
    const dir = folder({ 'dup.yaml': text });
    const result = await validate(['dup.yaml'], dir);
    expect(result.code).toBe(3);
    expect(located(result.stderr)).toEqual([
      'dup.yaml:5:3: duplicate key "name"; a key may appear once in a mapping: remove or rename one',
    ]);
  });

  it('reads merge keys (<<: *anchor) as Kubernetes tooling does; a mistake in the anchor is located where it is used', async () => {
    const targets = `  targets:
    - &worker { name: worker-a, labels: { app: worker }, process: { match: "node .*worker" } }
    - <<: *worker
      name: worker-b
`;
    const merged = GOOD.replace(/ {2}targets:\n(?: {4}.*\n)+/, targets).replace('names: [payments]', 'names: [worker-b]');
    const dir = folder({ 'merged.yaml': merged, 'wrong.yaml': merged.replace('process: {', 'process: { bogus: 1,') });
    const ok = await validate(['merged.yaml'], dir);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const wrong = await validate(['wrong.yaml'], dir);
    expect(wrong.code).toBe(3);
    expect(located(wrong.stderr).map((l) => l.replace(/ known fields.*/, ''))).toEqual([
      expect.stringMatching(/^wrong\.yaml:\d+:\d+: spec\.targets\[0\]\.process\.bogus: unknown field "bogus";$/),
      expect.stringMatching(/^wrong\.yaml:\d+:7: spec\.targets\[1\]\.process\.bogus: unknown field "bogus";$/),
    ]);
  });

  it('reports an unclosed flow collection as located YAML syntax lines', async () => {
    const text = GOOD.replace('selector: { names: [payments] }', 'selector: { names: [payments }');
    const dir = folder({ 'flow.yaml': text });
    const result = await validate(['flow.yaml'], dir);
    expect(result.code).toBe(3);
    const errors = located(result.stderr);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toMatch(/^flow\.yaml:\d+:\d+: YAML syntax: \S/);
    expect(result.stdout + result.stderr).not.toMatch(STACK_FRAME);
  });
});

// Files that are not experiments at all: one line that says what is wrong and what to do.
describe('files that are missing, empty or of another kind', () => {
  it('a missing file: one line naming the path and the fix', async () => {
    const dir = folder({});
    const result = await validate(['nowhere/exp.yaml'], dir);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual(['nowhere/exp.yaml: no such file; check the path', '1 of 1 file(s) invalid']);
  });

  it('a directory: one line naming the path and the fix', async () => {
    const dir = folder({ 'experiments/a.yaml': GOOD });
    const result = await validate(['experiments'], dir);
    expect(result.code).toBe(3);
    expect(lines(result.stderr)).toEqual(['experiments: is a directory; give an experiment file', '1 of 1 file(s) invalid']);
  });

  it('an empty file, a blank file and a file of comments only are errors, not valid files', async () => {
    const dir = folder({ 'empty.yaml': '', 'blank.yaml': '\n  \n', 'comments.yaml': '# TODO write the experiment\n' });
    const result = await validate(['empty.yaml', 'blank.yaml', 'comments.yaml'], dir);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(located(result.stderr)).toEqual([
      'empty.yaml:1:1: the file is empty; expected an Experiment document',
      'blank.yaml:1:1: the file is empty; expected an Experiment document',
      'comments.yaml:1:1: the file is empty; expected an Experiment document',
    ]);
  });

  it('a Chaos Mesh or Litmus resource points to faultline import', async () => {
    const dir = folder({
      'network.yaml': 'apiVersion: chaos-mesh.org/v1alpha1\nkind: NetworkChaos\nmetadata:\n  name: delay\nspec: {}\n',
      'engine.yaml': 'apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosEngine\nmetadata:\n  name: engine\n',
    });
    const result = await validate(['network.yaml', 'engine.yaml'], dir);
    expect(result.code).toBe(3);
    const errors = located(result.stderr);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^network\.yaml:2:7: kind: NetworkChaos is a Chaos Mesh resource; .*`faultline import /);
    expect(errors[1]).toMatch(/^engine\.yaml:2:7: kind: ChaosEngine is a LitmusChaos resource; .*`faultline import /);
  });

  it('a misspelt kind gets a did-you-mean', async () => {
    const dir = folder({ 'kind.yaml': GOOD.replace('kind: Experiment', 'kind: Experimnt') });
    const result = await validate(['kind.yaml'], dir);
    expect(result.code).toBe(3);
    expect(located(result.stderr)).toEqual([expect.stringMatching(/^kind\.yaml:2:7: kind: .*"Experimnt" \(did you mean "Experiment"\?\)/)]);
  });
});

// Several documents in one file (`---`): each is checked, and errors point into the right document.
describe('multi-document files', () => {
  const second = GOOD.replace('checkout-survives-kill', 'checkout-survives-second-kill');

  it('prints the names of every valid experiment of the file', async () => {
    const dir = folder({ 'two.yaml': `${GOOD}---\n${second}` });
    const result = await validate(['two.yaml'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('valid two.yaml: checkout-survives-kill, checkout-survives-second-kill');
  });

  it('locates an error of the second document at its line in the file', async () => {
    const firstLines = GOOD.split('\n').length - 1; // 20 lines, then the `---` line
    const dir = folder({ 'two.yaml': `${GOOD}---\n${second.replace('duration: 5s', 'duration: 10x')}` });
    const result = await validate(['two.yaml'], dir);
    expect(result.code).toBe(3);
    expect(located(result.stderr)).toEqual([
      `two.yaml:${firstLines + 1 + 20}:17: spec.method[0].duration: expected a duration like 30s, got "10x"`,
    ]);
    expect(firstLines + 1 + 20).toBe(41);
  });
});

// `${VAR}` and `${VAR:-default}` are replaced from the environment before validation.
describe('environment substitution', () => {
  const text = GOOD.replace('http://127.0.0.1:7000/checkout', 'http://127.0.0.1:${FL_TEST_CHECKOUT_PORT}/checkout').replace(
    'duration: 5s',
    'duration: ${FL_TEST_KILL_DURATION:-5s}',
  );

  it('an unset variable without default is a located error naming the variable', async () => {
    const dir = folder({ 'env.yaml': text });
    const result = await validate(['env.yaml'], dir);
    expect(result.code).toBe(3);
    const errors = located(result.stderr);
    expect(errors).toContain(
      'env.yaml:13:20: environment variable FL_TEST_CHECKOUT_PORT is not set; set it, or write ${FL_TEST_CHECKOUT_PORT:-default}',
    );
    expect(errors.every((l) => l.startsWith('env.yaml:13:'))).toBe(true);
  });

  it('uses the value set in the environment', async () => {
    const dir = folder({ 'env.yaml': text });
    const ok = await validate(['env.yaml'], dir, { FL_TEST_CHECKOUT_PORT: '7000' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    // the substituted value is what gets validated: the error shows it
    const badPort = await validate(['env.yaml'], dir, { FL_TEST_CHECKOUT_PORT: 'port' });
    expect(badPort.code).toBe(3);
    expect(located(badPort.stderr)).toEqual([expect.stringMatching(/^env\.yaml:13:20: spec\.probes\[0\]\.http\.url: .*127\.0\.0\.1:port/)]);
  });

  it('the default applies when unset, and the environment overrides it', async () => {
    const dir = folder({ 'env.yaml': text.replace('${FL_TEST_KILL_DURATION:-5s}', '${FL_TEST_KILL_DURATION:-soon}') });
    const withDefault = await validate(['env.yaml'], dir, { FL_TEST_CHECKOUT_PORT: '7000' });
    expect(withDefault.code).toBe(3);
    expect(located(withDefault.stderr)).toEqual(['env.yaml:20:17: spec.method[0].duration: expected a duration like 30s, got "soon"']);
    const overridden = await validate(['env.yaml'], dir, { FL_TEST_CHECKOUT_PORT: '7000', FL_TEST_KILL_DURATION: '2s' });
    expect(overridden.stderr).toBe('');
    expect(overridden.code).toBe(0);
  });
});

// Targets and probes shared through a project file (faultline.yaml beside the experiment, or --project).
describe('project file', () => {
  const PROJECT = `apiVersion: faultline.dev/v1
kind: Project
spec:
  targets:
    - name: payments
      process: { match: "node .*payments" }
  probes:
    - name: checkout
      type: http
      http: { url: "http://127.0.0.1:7000/checkout" }
`;
  const USES_PROJECT = `apiVersion: faultline.dev/v1
kind: Experiment
metadata:
  name: uses-project
spec:
  hypothesis: Checkout keeps working while payments is killed.
  steadyState:
    probes: [checkout]
  method:
    - fault: process.kill
      selector: { names: [payments] }
`;

  it('faultline.yaml beside the experiment provides the targets and probes it names', async () => {
    const dir = folder({ 'chaos/faultline.yaml': PROJECT, 'chaos/exp.yaml': USES_PROJECT });
    const result = await validate(['chaos/exp.yaml'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('valid chaos/exp.yaml: uses-project');
    expect(result.code).toBe(0);
  });

  it('without the project file the same experiment is invalid', async () => {
    const dir = folder({ 'chaos/exp.yaml': USES_PROJECT });
    const result = await validate(['chaos/exp.yaml'], dir);
    expect(result.code).toBe(3);
    expect(located(result.stderr).map((l) => l.split(': ')[0])).toEqual(['chaos/exp.yaml:8:14', 'chaos/exp.yaml:11:27']);
  });

  it('a reference to an undefined probe is a located error with did-you-mean', async () => {
    const dir = folder({ 'faultline.yaml': PROJECT, 'exp.yaml': USES_PROJECT.replace('probes: [checkout]', 'probes: [checkuot]') });
    const result = await validate(['exp.yaml'], dir);
    expect(result.code).toBe(3);
    expect(located(result.stderr)).toEqual([
      'exp.yaml:8:14: spec.steadyState.probes[0]: no probe named "checkuot" (did you mean "checkout"?); define it under spec.probes or in faultline.yaml',
    ]);
  });

  it('--project names another project file', async () => {
    const dir = folder({ 'shared/other.yaml': PROJECT, 'exp.yaml': USES_PROJECT });
    const without = await validate(['exp.yaml'], dir);
    expect(without.code).toBe(3);
    const withProject = await validate(['--project', 'shared/other.yaml', 'exp.yaml'], dir);
    expect(withProject.stderr).toBe('');
    expect(withProject.stdout.trim()).toBe('valid exp.yaml: uses-project');
    expect(withProject.code).toBe(0);
  });

  it('a --project file that does not exist is named in one line', async () => {
    const dir = folder({ 'exp.yaml': USES_PROJECT });
    const result = await validate(['--project', 'missing.yaml', 'exp.yaml'], dir);
    expect(result.code).toBe(3);
    expect(lines(result.stderr)[0]).toBe('missing.yaml: no such file; check the path');
  });
});

// Several files at once: one bad file fails the command but does not hide the good ones.
describe('several files', () => {
  it('exits 3 when any file is invalid and still reports the valid ones', async () => {
    const dir = folder({
      'a.yaml': GOOD,
      'b.yaml': GOOD.replace('duration: 5s', 'duration: thirty'),
      'c.yaml': GOOD.replace('checkout-survives-kill', 'third-experiment'),
    });
    const result = await validate(['a.yaml', 'b.yaml', 'c.yaml'], dir);
    expect(result.code).toBe(3);
    expect(lines(result.stdout)).toEqual(['valid a.yaml: checkout-survives-kill', 'valid c.yaml: third-experiment']);
    expect(located(result.stderr)).toEqual(['b.yaml:20:17: spec.method[0].duration: expected a duration like 30s, got "thirty"']);
    expect(result.stderr).toContain('1 of 3 file(s) invalid');
  });
});

// The shipped examples must always validate: they are what new users copy.
describe('example experiments', () => {
  it('examples/experiments/*.yaml are all valid', async () => {
    const files = readdirSync(join(ROOT, 'examples/experiments'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `examples/experiments/${f}`);
    expect(files.length).toBeGreaterThanOrEqual(4);
    const result = await validate(files, ROOT);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const valid = lines(result.stdout);
    expect(valid).toHaveLength(files.length);
    for (const file of files) expect(valid.some((l) => l.startsWith(`valid ${file}: `))).toBe(true);
  });
});

// Command-line handling: a wrong option is one line and exit 3; --help and --version behave.
describe('command line', () => {
  const cli = (args: string[]) => runCli(args, { home: tempHome() });

  it('an unknown option is one line on stderr, exit 3', async () => {
    const result = await cli(['validate', '--bogus', 'x.yaml']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual(["faultline: unknown option '--bogus'; see `faultline --help`"]);
  });

  it('a misspelt option is one line too, with the suggestion', async () => {
    const result = await cli(['validate', '--projct', 'faultline.yaml', 'x.yaml']);
    expect(result.code).toBe(3);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/unknown option '--projct'.*did you mean --project/i);
  });

  it('--help exits 0 and lists the commands', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+validate\b/m);
    expect(result.stdout).toMatch(/^\s+schema\b/m);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await cli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });
});
