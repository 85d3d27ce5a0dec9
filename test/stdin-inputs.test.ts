/**
 * Small inputs a user pipes in: `-` reads standard input for validate, run, import, export, `proxy --config`
 * and `serve --apply` (named
 * `<stdin>` in messages); `kubectl get ... -o yaml` output (`kind: List`) imports item by item; a file
 * with nothing importable exits 3 with the reason. Each through the real CLI as a child process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { ROOT, runCli, startCli, tempHome, waitForOutput } from './support/cli.js';
import { call, killDaemons, makeToken, startDaemon } from './support/daemon.js';
import { freePort } from './support/processes.js';

const K8S = join(ROOT, 'examples', 'kubernetes');
const read = (file: string) => readFileSync(join(K8S, file), 'utf8');

describe('- reads standard input', () => {
  it('validate -: valid, and a mistake located at <stdin>:line:column with exit 3', async () => {
    const ok = await runCli(['validate', '-'], { home: tempHome(), cwd: K8S, input: read('checkout-slow-payments.yaml') });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid <stdin>: checkout-slow-payments/);
    const bad = await runCli(['validate', '-'], {
      home: tempHome(),
      cwd: K8S,
      input: read('checkout-slow-payments.yaml').replace(/^kind: Experiment$/m, 'kind: Experimnet'),
    });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^<stdin>:\d+:\d+: .*Experimnet/m);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('run - runs the piped experiment: its fault applied and reverted, a verdict, exit 0', async () => {
    const experiment = [
      'apiVersion: faultline.dev/v1',
      'kind: Experiment',
      'metadata: { name: piped }',
      'spec:',
      '  hypothesis: A piped experiment runs like a file.',
      '  targets: [ { name: here, labels: { app: here } } ]',
      '  method:',
      '    - { name: touch, fault: custom.action, selector: { names: [here] }, params: { run: ["true"], revert: ["true"] }, duration: 1s }',
    ].join('\n');
    const result = await runCli(['run', '-'], { home: tempHome(), input: experiment });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/PASSED piped/);
    expect(result.stdout).toMatch(/every fault was applied and reverted/);
  });

  it('import - and export -: the same documents as from the file', async () => {
    const fromFile = await runCli(['import', join(K8S, 'import', 'chaos-mesh.yaml')], { home: tempHome(), cwd: K8S });
    const fromStdin = await runCli(['import', '-'], { home: tempHome(), cwd: K8S, input: read('import/chaos-mesh.yaml') });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    const exported = await runCli(['export', '-', '--to', 'chaos-mesh'], { home: tempHome(), cwd: K8S, input: fromStdin.stdout });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/kind: NetworkChaos/);
  });

  it('export - of something that is not an experiment: one located line, exit 3', async () => {
    const result = await runCli(['export', '-', '--to', 'litmus'], { home: tempHome(), cwd: K8S, input: 'hello: world\n' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/<stdin>/);
    expect(result.stdout).toBe('');
  });
});

describe('- for the long-lived commands', () => {
  it('faultline proxy --config - takes its proxies from standard input', async () => {
    const [api, listen] = [await freePort(), await freePort()];
    const config = JSON.stringify([{ name: 'piped', listen: `127.0.0.1:${listen}`, upstream: '127.0.0.1:9' }]);
    const proxy = startCli(['proxy', '--port', String(api), '--config', '-'], { home: tempHome(), input: config });
    try {
      await waitForOutput(proxy, 'ready', 15_000, 'the proxy to be ready');
      const proxies = (await (await fetch(`http://127.0.0.1:${api}/proxies`)).json()) as Record<string, { listen: string }>;
      expect(proxies.piped?.listen).toBe(`127.0.0.1:${listen}`);
    } finally {
      proxy.child.kill('SIGTERM');
      await proxy.done;
    }
    const bad = await runCli(['proxy', '--port', String(api), '--config', '-'], { home: tempHome(), input: '[ { name: x' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^faultline: <stdin>: not valid JSON or YAML/m);
  });

  it('faultline serve --apply - stores the documents piped in, audited as from <stdin>', async () => {
    const home = tempHome();
    const token = await makeToken(home, 'ada', 'viewer');
    const experiment = read('checkout-pod-kill-native.yaml');
    const daemon = await startDaemon(home, ['--apply', '-'], {}, experiment);
    try {
      const name = /name: (\S+)/.exec(experiment.split('metadata:')[1] ?? '')?.[1];
      const listed = await call(daemon.url, 'GET', '/api/v1/experiments', { token });
      expect(JSON.stringify(listed.json)).toContain(String(name));
      const audit = await call(daemon.url, 'GET', '/api/v1/audit?action=apply', { token });
      expect(audit.json.entries[0]).toMatchObject({ action: 'apply', resource: '<stdin>', outcome: 'ok' });
    } finally {
      await daemon.stop();
      await killDaemons();
    }
  });
});

describe('import of kubectl output and of files with nothing to import', () => {
  it('a kind: List imports each of its items, as the same objects given one by one', async () => {
    const objects = parseAllDocuments(read('import/chaos-mesh.yaml')).map((d) => d.toJS());
    const list = stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: objects });
    const fromList = await runCli(['import', '-'], { home: tempHome(), cwd: K8S, input: list });
    const oneByOne = await runCli(['import', join(K8S, 'import', 'chaos-mesh.yaml')], { home: tempHome(), cwd: K8S });
    expect(fromList.code).toBe(0);
    expect(fromList.stdout).toBe(oneByOne.stdout);
    expect(fromList.stderr.match(/imported/g)?.length).toBe(objects.length);
  });

  it('nothing importable: exit 3, the reason on one line, nothing on stdout', async () => {
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: shop }\n';
    for (const [input, reason] of [
      [
        configMap,
        /<stdin>: nothing to import: ConfigMap shop\/settings: v1 ConfigMap is not a Chaos Mesh object, a Litmus ChaosEngine or ChaosSchedule, or a Litmus workflow/,
      ],
      [stringify({ apiVersion: 'v1', kind: 'List', items: [] }), /<stdin>: nothing to import: it holds no document/],
      ['', /<stdin>: nothing to import: it holds no document/],
    ] as const) {
      const result = await runCli(['import', '-'], { home: tempHome(), cwd: K8S, input });
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      const errorLines = result.stderr.split('\n').filter((line) => line.includes('nothing to import'));
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]).toMatch(reason);
    }
  });
});
