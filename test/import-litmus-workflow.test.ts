/**
 * Litmus workflows (Argo Workflows as ChaosCenter runs them, in the style of ChaosHub's chaos-charts
 * `workflows/`): the ChaosEngines of a step group that runs several at once import as a parallel group, a
 * suspend as a pause, the set-up steps are noted; a faultline experiment of several steps exports as such a
 * workflow, whose every ChaosEngine validates against the Litmus CRD, and imports back to the same method.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportExperiment } from '../src/spec/convert/export.js';
import { importDocuments, renderImport } from '../src/spec/convert/import.js';
import { parseDocuments } from '../src/spec/load.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { validateAgainstCrd } from './support/fake-kube-apiserver.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form
type Doc = Record<string, any>;

const engine = (name: string, experiment: string, label: string, env: Record<string, string>) =>
  stringify({
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosEngine',
    metadata: { name, namespace: '{{workflow.parameters.adminModeNamespace}}' },
    spec: {
      appinfo: { appns: '{{workflow.parameters.appNamespace}}', applabel: label, appkind: 'deployment' },
      engineState: 'active',
      chaosServiceAccount: 'litmus-admin',
      experiments: [
        {
          name: experiment,
          spec: { components: { env: Object.entries(env).map(([n, value]) => ({ name: n, value })) } },
        },
      ],
    },
  });

/** A ChaosHub-style workflow: set-up steps, two engines together, a wait, an engine as a resource, a revert. */
const SHOP_WORKFLOW = stringify({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { generateName: 'argowf-chaos-shop-', namespace: 'litmus' },
  spec: {
    entrypoint: 'argowf-chaos',
    serviceAccountName: 'argo-chaos',
    arguments: {
      parameters: [
        { name: 'adminModeNamespace', value: 'litmus' },
        { name: 'appNamespace', value: 'shop' },
      ],
    },
    templates: [
      {
        name: 'argowf-chaos',
        steps: [
          [{ name: 'install-chaos-experiments', template: 'install-chaos-experiments' }],
          [
            { name: 'cart-cpu-hog', template: 'cart-cpu-hog' },
            { name: 'orders-memory-hog', template: 'orders-memory-hog' },
            { name: 'load-test', template: 'load-test' },
          ],
          [{ name: 'settle', template: 'settle' }],
          [{ name: 'catalogue-pod-delete', template: 'catalogue-pod-delete' }],
          [{ name: 'revert-chaos', template: 'revert-chaos' }],
        ],
      },
      {
        name: 'install-chaos-experiments',
        container: { image: 'litmuschaos/k8s:3.18.0', command: ['sh', '-c'], args: ['kubectl apply -f experiments.yaml'] },
      },
      { name: 'load-test', container: { image: 'litmuschaos/litmus-app-deployer:3.18.0', args: ['-app=loadtest'] } },
      {
        name: 'cart-cpu-hog',
        inputs: {
          artifacts: [
            {
              name: 'cart-cpu-hog',
              path: '/tmp/chaosengine.yaml',
              raw: { data: engine('cart-cpu-hog', 'pod-cpu-hog', 'name=carts', { CPU_CORES: '1', TOTAL_CHAOS_DURATION: '60' }) },
            },
          ],
        },
        container: { image: 'litmuschaos/litmus-checker:3.18.0', args: ['-file=/tmp/chaosengine.yaml', '-saveName=/tmp/engine-name'] },
      },
      {
        name: 'orders-memory-hog',
        inputs: {
          artifacts: [
            {
              name: 'orders-memory-hog',
              path: '/tmp/chaosengine.yaml',
              raw: {
                data: engine('orders-memory-hog', 'pod-memory-hog', 'name=orders', {
                  MEMORY_CONSUMPTION: '500',
                  TOTAL_CHAOS_DURATION: '60',
                }),
              },
            },
          ],
        },
        container: { image: 'litmuschaos/litmus-checker:3.18.0', args: ['-file=/tmp/chaosengine.yaml', '-saveName=/tmp/engine-name'] },
      },
      { name: 'settle', suspend: { duration: '30s' } },
      {
        name: 'catalogue-pod-delete',
        resource: {
          action: 'create',
          successCondition: 'status.engineStatus == completed',
          manifest: engine('catalogue-pod-delete', 'pod-delete', 'name=catalogue', {
            TOTAL_CHAOS_DURATION: '30',
            CHAOS_INTERVAL: '10',
            FORCE: 'false',
          }),
        },
      },
      {
        name: 'revert-chaos',
        container: { image: 'litmuschaos/k8s:3.18.0', command: ['sh', '-c'], args: ['kubectl delete chaosengine --all -n litmus'] },
      },
    ],
  },
});

const experimentsOf = (text: string) => {
  const result = importDocuments(text);
  return { result, experiments: parseDocuments(renderImport(result), null, { project: null }).experiments };
};

/** What a method does, step by step: kind, name, fault, duration, and a parallel group's members. */
const shape = (method: readonly Doc[]): unknown[] =>
  method.map((s) =>
    s.kind === 'parallel'
      ? ['parallel', shape(s.steps)]
      : s.kind === 'pause'
        ? ['pause', s.durationMs]
        : [s.kind, s.name, s.fault, s.durationMs, s.params, s.selector],
  );

describe('a Litmus workflow imports', () => {
  it('as one experiment: engines of one step group together, a suspend as a pause, set-up steps noted', () => {
    const { result, experiments } = experimentsOf(SHOP_WORKFLOW);
    expect(result.skipped).toEqual([]);
    const [experiment] = experiments;
    const method = experiment?.method as Doc[];
    expect(method.map((s) => s.kind)).toEqual(['parallel', 'pause', 'fault']);
    expect((method[0] as Doc).steps.map((s: Doc) => [s.name, s.fault, s.durationMs])).toEqual([
      ['cart-cpu-hog', 'stress.cpu', 60_000],
      ['orders-memory-hog', 'stress.memory', 60_000],
    ]);
    expect((method[1] as Doc).durationMs).toBe(30_000);
    expect([method[2]?.name, method[2]?.fault, method[2]?.durationMs]).toEqual(['catalogue-pod-delete', 'process.kill', 30_000]);
    // the workflow's parameters filled in: the pods of namespace shop, labelled as written
    expect((method[0] as Doc).steps[0].selector).toMatchObject({ labels: { name: 'carts' }, namespaces: ['shop'] });
    expect(experiment?.kubernetes).toMatchObject({ engine: 'litmus', namespace: 'litmus' });
    const notes = result.imported[0]?.notes.join('\n') ?? '';
    for (const step of ['install-chaos-experiments', 'load-test', 'revert-chaos'])
      expect(notes).toMatch(new RegExp(`step ${step} \\(template ${step}\\) applies no ChaosEngine: not imported`));
  });

  it('refuses, with the reason, what faultline cannot run as written', () => {
    const workflow = parseYaml(SHOP_WORKFLOW) as Doc;
    const dag = structuredClone(workflow);
    dag.spec.templates[0] = { name: 'argowf-chaos', dag: { tasks: [{ name: 'a', template: 'cart-cpu-hog' }] } };
    expect(importDocuments(stringify(dag)).skipped[0]).toMatch(
      /template argowf-chaos is a DAG; faultline imports Litmus workflows whose entry lists steps/,
    );
    // an engine running two experiments one after the other, beside another engine
    const twoInOne = structuredClone(workflow);
    const cpu = twoInOne.spec.templates.find((t: Doc) => t.name === 'cart-cpu-hog');
    const doc = parseYaml(cpu.inputs.artifacts[0].raw.data);
    doc.spec.experiments.push({ name: 'pod-delete', spec: { components: { env: [{ name: 'TOTAL_CHAOS_DURATION', value: '30' }] } } });
    cpu.inputs.artifacts[0].raw.data = stringify(doc);
    expect(importDocuments(stringify(twoInOne)).skipped[0]).toMatch(
      /step cart-cpu-hog: its ChaosEngine runs 2 experiments one after another beside other steps/,
    );
    const cron = { ...workflow, kind: 'CronWorkflow' };
    expect(importDocuments(stringify(cron)).skipped[0]).toMatch(
      /a CronWorkflow is not imported: import its spec.workflowSpec as a Workflow/,
    );
  });
});

describe('an experiment of several steps exports to Litmus', () => {
  const TEXT = `
apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: shop-drill }
spec:
  hypothesis: the shop keeps serving while its services are stressed and killed
  backend: kubernetes
  kubernetes: { engine: litmus, namespace: shop }
  method:
    - name: slow-web
      fault: network.latency
      selector: { labels: { app: web } }
      mode: all
      params: { latency: 200ms }
      duration: 1m
    - name: together
      parallel:
        - { name: burn-api, fault: stress.cpu, selector: { labels: { app: api } }, mode: all, params: { workers: 1, load: 80 }, duration: 2m }
        - { name: kill-cache, fault: process.kill, selector: { labels: { app: cache } }, mode: one, duration: 30s }
    - name: settle
      pause: 45s
    - name: kill-web
      fault: process.kill
      selector: { labels: { app: web } }
      mode: one
      duration: 20s
`;

  it('as one Litmus workflow whose ChaosEngines validate, and imports back to the same method', () => {
    const [experiment] = parseDocuments(TEXT, null, { project: null }).experiments;
    if (!experiment) throw new Error('no experiment');
    const exported = exportExperiment(experiment, { to: 'litmus' });
    expect(exported.manifests).toHaveLength(1);
    const workflow = exported.manifests[0] as Doc;
    expect([workflow.apiVersion, workflow.kind, workflow.spec.entrypoint]).toEqual(['argoproj.io/v1alpha1', 'Workflow', 'main']);
    const main = workflow.spec.templates.find((t: Doc) => t.name === 'main');
    expect(main.steps.map((group: Doc[]) => group.map((s) => s.name))).toEqual([
      ['slow-web'],
      ['burn-api', 'kill-cache'],
      ['settle'],
      ['kill-web'],
    ]);
    const engines = workflow.spec.templates.flatMap((t: Doc) => (t.inputs?.artifacts ?? []).map((a: Doc) => parseYaml(a.raw.data)));
    expect(engines.map((e: Doc) => e.spec.experiments[0].name)).toEqual(['pod-network-latency', 'pod-cpu-hog', 'pod-delete', 'pod-delete']);
    for (const e of engines) expect(validateAgainstCrd(e)).toEqual([]);
    expect(exported.notes.join('\n')).toMatch(/a Litmus workflow \(Argo Workflow\) of 4 ChaosEngines/);

    const back = experimentsOf(stringify(workflow));
    expect(back.result.skipped).toEqual([]);
    expect(shape(back.experiments[0]?.method as Doc[])).toEqual(shape(experiment.method as Doc[]));
  });

  it('through the CLI: faultline export --to litmus, then faultline import of what it wrote', async () => {
    const dir = tempDir();
    const file = join(dir, 'drill.yaml');
    writeFileSync(file, TEXT);
    const home = tempHome();
    const exported = await runCli(['export', file, '--to', 'litmus'], { home });
    expect(exported.code, exported.stderr).toBe(0);
    const workflowFile = join(dir, 'workflow.yaml');
    writeFileSync(workflowFile, exported.stdout);
    const imported = await runCli(['import', workflowFile], { home });
    expect(imported.code, imported.stderr).toBe(0);
    const [again] = parseDocuments(imported.stdout, null, { project: null }).experiments;
    expect(again?.method.map((s) => s.kind)).toEqual(['fault', 'parallel', 'pause', 'fault']);
  });
});
