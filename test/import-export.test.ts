/**
 * faultline import and export: every Chaos Mesh kind (and Schedule, Workflow) and Litmus ChaosEngines
 * become valid faultline documents, keeping what maps and listing what does not; exported manifests
 * validate against the real CRDs; both directions round-trip; an imported Chaos Mesh experiment runs
 * against local targets with --backend local and a label mapping in faultline.yaml.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { exportExperiment, exportSchedule } from '../src/spec/convert/export.js';
import { importDocuments, renderImport } from '../src/spec/convert/import.js';
import { parseDocuments } from '../src/spec/load.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { REFERENCE_DIR, validateAgainstCrd } from './support/fake-kube-apiserver.js';
import { isGone, killStarted, startSleeper } from './support/processes.js';

afterEach(() => killStarted());

// biome-ignore lint/suspicious/noExplicitAny: YAML documents
type Doc = Record<string, any>;

const yamlDocs = (text: string): Doc[] => parseAllDocuments(text).map((d) => d.toJS() as Doc);

/** Imports, checks the output is a valid faultline file, returns the parsed documents too. */
function importText(text: string, backend?: 'kubernetes' | 'local') {
  const result = importDocuments(text, { backend });
  const rendered = renderImport(result);
  const parsed = parseDocuments(rendered, null, { project: null });
  return { result, rendered, parsed };
}

/** Canonical Chaos Mesh objects: what faultline exports is exactly this again. */
const CHAOS_MESH_ROUND_TRIP = `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: web-delay, namespace: shop }
spec:
  selector: { labelSelectors: { app: web } }
  mode: fixed-percent
  value: "50"
  action: delay
  delay: { latency: 300ms, jitter: 20ms, correlation: "25" }
  externalTargets: [payments.example.com]
  duration: 1m
---
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: db-partition, namespace: shop }
spec:
  selector: { namespaces: [shop, shop-canary], labelSelectors: { app: web } }
  mode: all
  action: partition
  direction: both
  target: { mode: all, selector: { namespaces: [db], labelSelectors: { app: postgres } } }
  duration: 30s
---
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: web-loss, namespace: shop }
spec:
  selector: { labelSelectors: { app: web }, podPhaseSelectors: [Running] }
  mode: one
  action: loss
  loss: { loss: "25", correlation: "10" }
  duration: 45s
---
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: web-bandwidth, namespace: shop }
spec:
  selector: { pods: { shop: [web-0, web-1] } }
  mode: all
  action: bandwidth
  bandwidth: { rate: 1mbps, limit: 20971520, buffer: 10000 }
  duration: 2m
---
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: kill-web, namespace: shop }
spec:
  selector: { labelSelectors: { app: web } }
  mode: fixed
  value: "2"
  action: pod-kill
  gracePeriod: 0
---
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: kill-sidecar, namespace: shop }
spec:
  selector: { labelSelectors: { app: web } }
  mode: one
  action: container-kill
  containerNames: [envoy]
---
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: fail-web, namespace: shop }
spec:
  selector: { fieldSelectors: { spec.nodeName: node-2 } }
  mode: random-max-percent
  value: "40"
  action: pod-failure
  duration: 30s
---
apiVersion: chaos-mesh.org/v1alpha1
kind: StressChaos
metadata: { name: burn-web, namespace: shop }
spec:
  selector: { labelSelectors: { app: web } }
  mode: one
  stressors: { cpu: { workers: 2, load: 80 } }
  containerNames: [app]
  duration: 1m
---
apiVersion: chaos-mesh.org/v1alpha1
kind: TimeChaos
metadata: { name: skew-web, namespace: shop }
spec:
  selector: { annotationSelectors: { chaos.example/ok: "yes" } }
  mode: all
  timeOffset: -10m
  duration: 5m
---
apiVersion: chaos-mesh.org/v1alpha1
kind: IOChaos
metadata: { name: corrupt-db, namespace: db }
spec:
  selector: { labelSelectors: { app: postgres } }
  mode: one
  action: mistake
  volumePath: /var/lib/postgresql
  path: /var/lib/postgresql/data/**
  mistake: { filling: zero, maxOccurrences: 1, maxLength: 16 }
  methods: [read]
  percent: 100
  duration: 20s
---
apiVersion: chaos-mesh.org/v1alpha1
kind: IOChaos
metadata: { name: slow-disk, namespace: db }
spec:
  selector: { labelSelectors: { app: postgres } }
  mode: one
  action: latency
  volumePath: /var/lib/postgresql
  path: /var/lib/postgresql/data/*
  delay: 100ms
  methods: [read, write]
  percent: 50
  duration: 30s
---
apiVersion: chaos-mesh.org/v1alpha1
kind: IOChaos
metadata: { name: eio-on-fsync, namespace: db }
spec:
  selector: { labelSelectors: { app: postgres } }
  mode: all
  action: fault
  volumePath: /var/lib/postgresql
  errno: 5
  methods: [fsync]
  percent: 100
  duration: 30s
---
apiVersion: chaos-mesh.org/v1alpha1
kind: IOChaos
metadata: { name: read-only-config, namespace: db }
spec:
  selector: { labelSelectors: { app: postgres } }
  mode: one
  action: attrOverride
  volumePath: /etc/app
  attr: { perm: 292, size: 0, mtime: { sec: 1577836800, nsec: 0 } }
  percent: 100
  duration: 30s
---
apiVersion: chaos-mesh.org/v1alpha1
kind: HTTPChaos
metadata: { name: slow-api, namespace: shop }
spec:
  selector: { labelSelectors: { app: api } }
  mode: all
  target: Request
  port: 8080
  path: /checkout/*
  method: POST
  delay: 2s
  duration: 1m
---
apiVersion: chaos-mesh.org/v1alpha1
kind: HTTPChaos
metadata: { name: fail-api, namespace: shop }
spec:
  selector: { labelSelectors: { app: api } }
  mode: all
  target: Response
  port: 8080
  replace: { code: 503 }
  duration: 1m
---
apiVersion: chaos-mesh.org/v1alpha1
kind: DNSChaos
metadata: { name: dns-down, namespace: shop }
spec:
  selector: { labelSelectors: { app: web } }
  mode: all
  action: error
  patterns: [payments.example.com, "*.stripe.com"]
  duration: 1m
`;

/** Objects that import with notes (what does not map) or not at all. */
const CHAOS_MESH_LOSSY = `
apiVersion: chaos-mesh.org/v1alpha1
kind: StressChaos
metadata: { name: squeeze, namespace: shop }
spec:
  selector: { labelSelectors: { app: web } }
  mode: one
  stressors:
    cpu: { workers: 1, load: 50, options: ["--cpu-method sqrt"] }
    memory: { workers: 2, size: 256MB, oomScoreAdj: -1000 }
  stressngStressors: "--io 2"
  duration: 30s
---
apiVersion: chaos-mesh.org/v1alpha1
kind: HTTPChaos
metadata: { name: patch-api, namespace: shop }
spec:
  selector: { labelSelectors: { app: api } }
  mode: all
  target: Response
  port: 80
  abort: true
  tls: { secretName: tls, secretNamespace: shop, certName: crt, keyName: key }
---
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: by-expression, namespace: shop }
spec:
  selector: { expressionSelectors: [ { key: app, operator: In, values: [web, api] } ] }
  mode: all
  action: delay
  delay: { latency: 10ms }
---
apiVersion: chaos-mesh.org/v1alpha1
kind: IOChaos
metadata: { name: io-latency, namespace: shop }
spec:
  selector: { labelSelectors: { app: db } }
  mode: one
  action: latency
  volumePath: /data
  delay: 100ms
  methods: [readdir, mkdir]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: not-chaos }
`;

describe('faultline import of Chaos Mesh objects', () => {
  it('imports every kind into valid experiments, and exports them back exactly', () => {
    const originals = yamlDocs(CHAOS_MESH_ROUND_TRIP);
    for (const original of originals) expect(validateAgainstCrd(original), original.metadata.name).toEqual([]);
    const { result, parsed } = importText(CHAOS_MESH_ROUND_TRIP);
    expect(result.skipped).toEqual([]);
    expect(parsed.experiments.map((e) => e.name)).toEqual(originals.map((o) => o.metadata.name));
    for (const [i, experiment] of parsed.experiments.entries()) {
      const original = originals[i] as Doc;
      expect(experiment.backend).toBe('kubernetes');
      expect(experiment.kubernetes).toMatchObject({ engine: 'chaos-mesh', namespace: original.metadata.namespace });
      const [exported] = exportExperiment(experiment, { to: 'chaos-mesh' }).manifests;
      expect(validateAgainstCrd(exported as Doc)).toEqual([]);
      expect(exported, original.metadata.name).toEqual(original);
    }
  });

  it('maps parameters to the faults of the catalogue', () => {
    const { parsed } = importText(CHAOS_MESH_ROUND_TRIP);
    const step = (name: string) => {
      const s = parsed.experiments.find((e) => e.name === name)?.method[0];
      if (s?.kind !== 'fault') throw new Error(name);
      return s;
    };
    expect(step('web-delay')).toMatchObject({
      fault: 'network.latency',
      params: { latency: 300, jitter: 20, correlation: 25 },
      mode: 'fixed-percent',
      value: 50,
      durationMs: 60_000,
    });
    expect(step('db-partition')).toMatchObject({
      fault: 'network.partition',
      kubernetes: { direction: 'both', target: { namespaces: ['db'] } },
    });
    expect(step('kill-sidecar')).toMatchObject({
      fault: 'process.kill',
      kubernetes: { action: 'container-kill', containerNames: ['envoy'] },
    });
    expect(step('fail-web')).toMatchObject({
      fault: 'process.pause',
      mode: 'random-max-percent',
      selector: { fieldSelectors: { 'spec.nodeName': 'node-2' } },
    });
    expect(step('skew-web')).toMatchObject({ fault: 'time.skew', params: { timeOffset: -600_000 } });
    expect(step('corrupt-db')).toMatchObject({
      fault: 'io.mistake',
      params: { filling: 'zero', maxOccurrences: 1, maxLength: 16, path: '/var/lib/postgresql/data/**' },
      kubernetes: { volumePath: '/var/lib/postgresql' },
    });
    expect(step('slow-disk')).toMatchObject({ fault: 'io.latency', params: { delay: 100, methods: ['read', 'write'], percent: 50 } });
    expect(step('eio-on-fsync')).toMatchObject({ fault: 'io.error', params: { errno: 'EIO', methods: ['fsync'] } });
    expect(step('read-only-config')).toMatchObject({ fault: 'io.attr', params: { attr: { perm: 0o444, size: 0, mtime: 1577836800 } } });
    expect(step('slow-api')).toMatchObject({
      fault: 'http.delay',
      params: { delay: 2000, method: 'POST', path: '/checkout/*' },
      kubernetes: { port: 8080 },
    });
    expect(step('fail-api')).toMatchObject({ fault: 'http.abort', params: { code: 503 } });
    expect(step('dns-down')).toMatchObject({ fault: 'dns.error', params: { patterns: ['payments.example.com', '*.stripe.com'] } });
  });

  it('lists what does not map, and never imports a selection it would have to widen', () => {
    const { result, rendered, parsed } = importText(CHAOS_MESH_LOSSY);
    expect(result.skipped).toEqual([
      'NetworkChaos shop/by-expression: selector expressionSelectors cannot be expressed in faultline; dropping it would select more pods, so it is not imported',
      'IOChaos shop/io-latency: IOChaos io-latency: methods readdir, mkdir have no faultline operation (open, read, write, fsync, stat)',
      'ConfigMap default/not-chaos: v1 ConfigMap is not a Chaos Mesh object, a Litmus ChaosEngine or ChaosSchedule, or a Litmus workflow',
    ]);
    const squeeze = parsed.experiments.find((e) => e.name === 'squeeze');
    // cpu and memory stressors run together in Chaos Mesh: one parallel group, not two steps one after the other
    expect(squeeze?.method).toHaveLength(1);
    const group = squeeze?.method[0];
    expect(group?.kind === 'parallel' && group.steps.map((s) => [s.fault, s.params, s.durationMs])).toEqual([
      ['stress.cpu', expect.objectContaining({ workers: 1, load: 50 }), expect.anything()],
      ['stress.memory', expect.objectContaining({ workers: 2, size: { bytes: 512 * 2 ** 20 } }), expect.anything()], // 256MB per worker (binary) x 2
    ]);
    expect(rendered).toMatch(/# not mapped: StressChaos squeeze: stressngStressors "--io 2" not mapped \(Chaos Mesh itself ignores it/);
    expect(rendered).toMatch(/# not mapped: StressChaos squeeze: memory: oomScoreAdj -1000 not mapped/);
    const patchApi = parsed.experiments.flatMap((e) => e.method).find((s) => s.kind === 'fault' && s.fault === 'http.abort');
    expect(patchApi?.kind === 'fault' && patchApi.params).toMatchObject({ abort: true, target: 'Response' });
    expect(rendered).toMatch(/# not mapped: HTTPChaos patch-api: tls .* not mapped/);
  });

  it('imports a Workflow (Serial, Suspend, Parallel, StatusCheck) and exports it back as a valid Workflow', () => {
    const workflow = `
apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: game-day, namespace: shop }
spec:
  entry: entry
  templates:
    - { name: entry, templateType: Parallel, children: [check-checkout, main] }
    - { name: main, templateType: Serial, children: [kill-web, settle, together] }
    - name: check-checkout
      templateType: StatusCheck
      deadline: 2m
      abortWithStatusCheck: true
      statusCheck:
        mode: Continuous
        type: HTTP
        duration: 2m
        intervalSeconds: 2
        timeoutSeconds: 1
        failureThreshold: 3
        http: { url: "http://checkout.shop.svc/health", method: GET, criteria: { statusCode: "200-299" } }
    - name: kill-web
      templateType: PodChaos
      deadline: 30s
      podChaos: { selector: { labelSelectors: { app: web } }, mode: one, action: pod-kill, gracePeriod: 0 }
    - { name: settle, templateType: Suspend, deadline: 30s }
    - { name: together, templateType: Parallel, children: [burn, slow] }
    - name: burn
      templateType: StressChaos
      deadline: 1m
      stressChaos: { selector: { labelSelectors: { app: web } }, mode: all, stressors: { cpu: { workers: 1, load: 50 } } }
    - name: slow
      templateType: NetworkChaos
      deadline: 1m
      networkChaos: { selector: { labelSelectors: { app: web } }, mode: all, action: delay, delay: { latency: 100ms } }
`;
    const original = parseYaml(workflow) as Doc;
    expect(validateAgainstCrd(original)).toEqual([]);
    const { parsed, result } = importText(workflow);
    expect(result.skipped).toEqual([]);
    const [experiment] = parsed.experiments;
    expect(experiment?.method.map((s) => `${s.kind}:${s.name}`)).toEqual(['fault:kill-web', 'pause:settle', 'parallel:together']);
    expect(experiment?.probes[0]).toMatchObject({
      name: 'check-checkout',
      type: 'http',
      intervalMs: 2000,
      expect: { status: { between: [200, 299] } },
    });
    expect(experiment?.guards.stopWhen).toEqual([expect.objectContaining({ probe: 'check-checkout', consecutiveFailures: 3 })]);
    const [exported] = exportExperiment(experiment as never, { to: 'chaos-mesh' }).manifests;
    expect(validateAgainstCrd(exported as Doc)).toEqual([]);
    expect(exported).toEqual(original);
  });

  it('imports a Schedule as a faultline Schedule and exports it back', () => {
    const schedule = `
apiVersion: chaos-mesh.org/v1alpha1
kind: Schedule
metadata: { name: hourly-delay, namespace: shop }
spec:
  schedule: "@every 1h"
  concurrencyPolicy: Forbid
  historyLimit: 5
  startingDeadlineSeconds: 60
  type: NetworkChaos
  networkChaos:
    selector: { labelSelectors: { app: web } }
    mode: one
    action: delay
    delay: { latency: 200ms }
    duration: 5m
`;
    const original = parseYaml(schedule) as Doc;
    expect(validateAgainstCrd(original)).toEqual([]); // the Schedule CRD, boolean exclusiveMinimum converted
    const { parsed } = importText(schedule);
    const [definition] = parsed.schedules;
    expect(definition).toMatchObject({ name: 'hourly-delay', cron: '@every 1h', historyLimit: 5, concurrencyPolicy: 'Forbid' });
    const [exported] = exportSchedule(definition as never, { to: 'chaos-mesh' }).manifests;
    expect(validateAgainstCrd(exported as Doc)).toEqual([]);
    expect(exported).toEqual(original);
  });
});

const LITMUS_ENGINE = `
apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata: { name: checkout-latency, namespace: shop }
spec:
  engineState: active
  appinfo: { appns: shop, applabel: "app=checkout", appkind: deployment }
  chaosServiceAccount: litmus-admin
  experiments:
    - name: pod-network-latency
      spec:
        components:
          env:
            - { name: TOTAL_CHAOS_DURATION, value: "60" }
            - { name: NETWORK_LATENCY, value: "300" }
            - { name: JITTER, value: "50" }
            - { name: PODS_AFFECTED_PERC, value: "50" }
            - { name: CONTAINER_RUNTIME, value: containerd }
            - { name: SOCKET_PATH, value: /run/containerd/containerd.sock }
        probe:
          - name: checkout-up
            type: httpProbe
            mode: Continuous
            httpProbe/inputs:
              url: http://checkout.shop.svc/health
              method: { get: { criteria: "==", responseCode: "200" } }
            runProperties: { probeTimeout: 5, interval: 2, retry: 2, probePollingInterval: 1 }
          - name: p95-ok
            type: promProbe
            mode: Edge
            promProbe/inputs:
              endpoint: http://prometheus.monitoring:9090
              query: "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[1m]))"
              comparator: { criteria: "<=", value: "0.8" }
            runProperties: { probeTimeout: "5s", interval: "2s" }
          - name: config-present
            type: k8sProbe
            mode: SOT
            k8sProbe/inputs: { group: "", version: v1, resource: configmaps, namespace: shop, resourceNames: checkout-config, operation: present }
            runProperties: { probeTimeout: 10, interval: 1 }
          - name: version-ok
            type: cmdProbe
            mode: EOT
            cmdProbe/inputs:
              command: curl -s http://checkout.shop.svc/version
              comparator: { type: string, criteria: contains, value: "v2" }
            runProperties: { probeTimeout: "3s", interval: "1s", stopOnFailure: true }
`;

describe('faultline import of Litmus ChaosEngines', () => {
  it('imports the engine, its env and probes (timeouts as ints or strings)', () => {
    const { parsed, rendered } = importText(LITMUS_ENGINE);
    const [e] = parsed.experiments;
    expect(e?.kubernetes).toMatchObject({ engine: 'litmus', namespace: 'shop', serviceAccount: 'litmus-admin' });
    expect(e?.method[0]).toMatchObject({
      fault: 'network.latency',
      params: { latency: 300, jitter: 50 },
      selector: { labels: { app: 'checkout' } },
      mode: 'fixed-percent',
      value: 50,
      durationMs: 60_000,
      kubernetes: { env: { CONTAINER_RUNTIME: 'containerd', SOCKET_PATH: '/run/containerd/containerd.sock' } },
    });
    const probe = (name: string) => e?.probes.find((p) => p.name === name);
    expect(probe('checkout-up')).toMatchObject({
      type: 'http',
      mode: 'Continuous',
      timeoutMs: 5000,
      intervalMs: 1000,
      retry: 2,
      expect: { status: { eq: 200 } },
    });
    expect(probe('p95-ok')).toMatchObject({ type: 'prometheus', mode: 'Edge', timeoutMs: 5000, expect: { value: { lte: 0.8 } } });
    expect(probe('config-present')).toMatchObject({
      type: 'k8s',
      timeoutMs: 10_000,
      config: { apiVersion: 'v1', kind: 'configmaps', name: 'checkout-config' },
      expect: { present: true },
    });
    expect(probe('version-ok')).toMatchObject({
      type: 'cmd',
      stopOnFailure: true,
      config: { command: ['sh', '-c', 'curl -s http://checkout.shop.svc/version'] },
      expect: { stdout: { contains: 'v2' } },
    });
    expect(e?.steadyState.probes).toEqual(['checkout-up']);
    expect(e?.method[0]).toMatchObject({ kubernetes: { appkind: 'deployment' } }); // only pods of deployments
    expect(rendered).not.toMatch(/not mapped: appinfo\.appkind/); // kept, so not noted as lost
  });

  it('imports the reference ChaosHub engines', () => {
    for (const example of ['pod-delete', 'pod-network-latency']) {
      const text = readFileSync(join(REFERENCE_DIR, 'litmus', 'examples', example, 'engine.yaml'), 'utf8');
      expect(validateAgainstCrd(parseYaml(text) as Doc)).toEqual([]);
      const { parsed } = importText(text);
      expect(parsed.experiments[0]?.method[0]).toMatchObject({
        fault: example === 'pod-delete' ? 'process.kill' : 'network.latency',
        mode: 'one',
      });
    }
  });

  it('round-trips through export: the engine validates and imports back to the same experiment', () => {
    const { parsed } = importText(LITMUS_ENGINE);
    const experiment = parsed.experiments[0];
    if (!experiment) throw new Error('no experiment');
    const exported = exportExperiment(experiment, { to: 'litmus' });
    expect(exported.manifests).toHaveLength(1);
    expect(validateAgainstCrd(exported.manifests[0] as Doc)).toEqual([]);
    const probes = exported.manifests[0]?.spec.experiments[0].spec.probe as Doc[];
    expect(probes.every((p) => typeof p.runProperties.probeTimeout === 'string' && typeof p.runProperties.interval === 'string')).toBe(
      true,
    );
    const again = importText(renderExportAsInput(exported.manifests)).parsed.experiments[0];
    expect(again?.method).toEqual(experiment.method);
    expect(again?.probes).toEqual(experiment.probes);
    expect(again?.kubernetes).toEqual(experiment.kubernetes);
  });
});

function renderExportAsInput(manifests: Doc[]): string {
  return manifests.map((m) => JSON.stringify(m)).join('\n---\n');
}

describe("a Litmus httpProbe's two timeouts", () => {
  it('are one timeout in faultline, the tighter, with a note when they differ', () => {
    const withResponseTimeout = LITMUS_ENGINE.replace(
      'method: { get: { criteria: "==", responseCode: "200" } }',
      'method: { get: { criteria: "==", responseCode: "200", responseTimeout: 800 } }',
    );
    expect(withResponseTimeout).not.toBe(LITMUS_ENGINE);
    const { result, parsed } = importText(withResponseTimeout);
    const probe = parsed.experiments[0]?.probes.find((p) => p.name === 'checkout-up');
    expect(probe?.timeoutMs).toBe(800);
    expect(result.imported[0]?.notes).toContain(
      'pod-network-latency: probe checkout-up: probeTimeout 5s and responseTimeout 800ms are one timeout in faultline; it is 800ms, the tighter',
    );
  });
});

describe('faultline export of faultline experiments', () => {
  const experimentText = `
apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: checkout-game-day }
spec:
  hypothesis: Checkout stays up.
  backend: kubernetes
  kubernetes: { engine: chaos-mesh, namespace: shop }
  probes:
    - name: checkout
      type: http
      http: { url: "http://checkout.shop.svc/health" }
      expect: { status: 200 }
      interval: 2s
      timeout: 1s
  guards:
    stopWhen:
      - { probe: checkout, consecutiveFailures: 2 }
  method:
    - name: slow-web
      fault: network.latency
      selector: { labels: { app: web } }
      mode: all
      params: { latency: 250ms }
      duration: 1m
    - pause: 20s
    - name: both
      parallel:
        - { name: kill-one, fault: process.kill, selector: { labels: { app: web } }, duration: 30s }
        - { name: burn, fault: stress.cpu, selector: { labels: { app: web } }, mode: all, params: { workers: 2, load: 60 }, duration: 30s }
`;

  it('a several-step method becomes a valid Workflow with a StatusCheck that aborts it, and imports back', () => {
    const [experiment] = parseDocuments(experimentText, null, { project: null }).experiments;
    if (!experiment) throw new Error('no experiment');
    const { manifests, notes } = exportExperiment(experiment, { to: 'chaos-mesh' });
    const [workflow] = manifests as Doc[];
    expect(validateAgainstCrd(workflow as Doc)).toEqual([]);
    expect(workflow?.spec.templates.map((t: Doc) => `${t.name}:${t.templateType}:${t.deadline ?? ''}`)).toEqual([
      'entry:Parallel:',
      'main:Serial:',
      'checkout:StatusCheck:110s',
      'slow-web:NetworkChaos:1m',
      'pause:Suspend:20s',
      'both:Parallel:',
      'kill-one:PodChaos:30s',
      'burn:StressChaos:30s',
    ]);
    expect(notes).toEqual([]);
    const back = importText(JSON.stringify(workflow)).parsed.experiments[0];
    expect(back?.method.map((s) => s.kind)).toEqual(['fault', 'pause', 'parallel']);
    const stepsOf = (e: typeof experiment) =>
      e.method
        .flatMap((s) => (s.kind === 'fault' ? [s] : s.kind === 'parallel' ? s.steps : []))
        .map((s) => [s.fault, s.params, s.selector, s.mode, s.durationMs]);
    expect(stepsOf(back as typeof experiment)).toEqual(stepsOf(experiment));
    expect(back?.guards.stopWhen).toEqual([expect.objectContaining({ probe: 'checkout', consecutiveFailures: 2 })]);
  });

  it('a start-of-test probe a stop condition watches becomes a Synchronous StatusCheck, its headers sent', () => {
    const text = experimentText
      .replace(
        'http: { url: "http://checkout.shop.svc/health" }',
        'http: { url: "http://checkout.shop.svc/health", headers: { Authorization: Bearer t } }',
      )
      .replace('      interval: 2s\n', '      mode: SOT\n      interval: 2s\n');
    const [experiment] = parseDocuments(text, null, { project: null }).experiments;
    if (!experiment) throw new Error('no experiment');
    const [workflow] = exportExperiment(experiment, { to: 'chaos-mesh' }).manifests as [Doc];
    expect(validateAgainstCrd(workflow)).toEqual([]);
    const check = (workflow.spec.templates as Doc[]).find((t) => t.templateType === 'StatusCheck');
    expect(check?.statusCheck).toMatchObject({ mode: 'Synchronous', http: { headers: { Authorization: ['Bearer t'] } } });
  });

  it('Litmus: a workflow of valid ChaosEngines, one per fault step, carrying the probes', () => {
    const [experiment] = parseDocuments(experimentText.replace('engine: chaos-mesh', 'engine: litmus'), null, {
      project: null,
    }).experiments;
    if (!experiment) throw new Error('no experiment');
    const {
      manifests: [workflow],
      notes,
    } = exportExperiment(experiment, { to: 'litmus' });
    expect(workflow?.kind).toBe('Workflow');
    const engines = ((workflow as Doc).spec.templates as Doc[]).flatMap((t) =>
      (t.inputs?.artifacts ?? []).map((a: Doc) => parseYaml(a.raw.data) as Doc),
    );
    expect(engines.map((m) => m.spec.experiments[0].name)).toEqual(['pod-network-latency', 'pod-delete', 'pod-cpu-hog']);
    for (const m of engines) expect(validateAgainstCrd(m)).toEqual([]);
    expect(engines[0]?.spec.experiments[0].spec.probe[0]).toMatchObject({
      name: 'checkout',
      type: 'httpProbe',
      'httpProbe/inputs': { method: { get: { criteria: '==', responseCode: '200' } } },
      runProperties: { probeTimeout: '1s', interval: '2s' },
    });
    expect(notes.join('\n')).toMatch(/a Litmus workflow \(Argo Workflow\) of 3 ChaosEngines/);
  });

  it('a backend local experiment exports its targets’ labels; what an engine cannot do is an error naming the one that can', () => {
    const local = `
apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: local-skew }
spec:
  hypothesis: x
  targets: [ { name: billing, labels: { app: billing }, process: { match: billing } } ]
  method:
    - fault: time.skew
      selector: { names: [billing] }
      params: { timeOffset: +1h }
      duration: 1m
`;
    const [experiment] = parseDocuments(local, null, { project: null }).experiments;
    if (!experiment) throw new Error('no experiment');
    const [object] = exportExperiment(experiment, { to: 'chaos-mesh' }).manifests;
    expect(validateAgainstCrd(object as Doc)).toEqual([]);
    expect(object?.spec).toMatchObject({ selector: { labelSelectors: { app: 'billing' } }, timeOffset: '1h', duration: '1m' });
    expect(() => exportExperiment(experiment, { to: 'litmus' })).toThrow(
      /time.skew cannot run on LitmusChaos; use engine chaos-mesh \(TimeChaos\)/,
    );
  });
});

describe('export of a selector the engines would read otherwise', () => {
  it('pod names with labels are refused: Chaos Mesh and Litmus take the pod list alone and ignore the labels', () => {
    const text = `
apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: names-and-labels }
spec:
  hypothesis: x
  backend: kubernetes
  method:
    - fault: stress.cpu
      selector: { names: [web-0, web-1], labels: { tier: canary } }
      duration: 1m
`;
    const [experiment] = parseDocuments(text, null, { project: null }).experiments;
    if (!experiment) throw new Error('no experiment');
    for (const to of ['chaos-mesh', 'litmus'] as const) {
      expect(() => exportExperiment(experiment, { to })).toThrow(
        /selector names with labels cannot be exported: the engines take a list of pods as it is and ignore labels beside it/,
      );
    }
  });
});

describe('the import and export commands', () => {
  it('import writes a valid file and says what did not map; export writes manifests that validate', async () => {
    const dir = tempDir('faultline-import-');
    const input = join(dir, 'chaos.yaml');
    // appkind (pods of deployments only) has no Chaos Mesh equivalent: this engine selects by labels alone
    writeFileSync(input, `${CHAOS_MESH_LOSSY}\n---\n${LITMUS_ENGINE.replace('appkind: deployment', "appkind: ''")}`);
    const out = join(dir, 'imported.yaml');
    const imported = await runCli(['import', input, '--output', out], { home: tempHome() });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/not imported NetworkChaos shop\/by-expression: selector expressionSelectors/);
    expect(imported.stderr).toMatch(/imported ChaosEngine shop\/checkout-latency/);
    const validated = await runCli(['validate', out], { home: tempHome() });
    expect(validated.code, validated.stderr).toBe(0);

    const exported = await runCli(['export', out, '--to', 'chaos-mesh'], { home: tempHome() });
    expect(exported.code, exported.stderr).toBe(0);
    const manifests = yamlDocs(exported.stdout);
    expect(manifests.map((m) => m.kind)).toEqual(['StressChaos', 'HTTPChaos', 'NetworkChaos']); // squeeze: cpu and memory together
    for (const m of manifests) expect(validateAgainstCrd(m)).toEqual([]);
    expect(exported.stderr).toMatch(
      /Experiment checkout-latency: not exported: probes checkout-up, p95-ok, config-present, version-ok not exported/,
    );

    const nothing = await runCli(['import', join(dir, 'missing.yaml')], { home: tempHome() });
    expect(nothing.code).toBe(3);
    expect(nothing.stderr).toMatch(/missing\.yaml: no such file; check the path/);
    const badTo = await runCli(['export', out, '--to', 'gremlin'], { home: tempHome() });
    expect(badTo.code).toBe(3);
  });

  it('an imported Chaos Mesh PodChaos runs against local targets with --backend local and a label mapping in faultline.yaml', async () => {
    const dir = tempDir('faultline-import-local-');
    const sleeper = startSleeper('import-local-worker');
    writeFileSync(
      join(dir, 'podchaos.yaml'),
      `apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: kill-worker, namespace: jobs }
spec:
  selector: { namespaces: [jobs], labelSelectors: { app: worker } }
  mode: one
  action: pod-kill
  gracePeriod: 0
`,
    );
    writeFileSync(
      join(dir, 'faultline.yaml'),
      `apiVersion: faultline.dev/v1
kind: Project
spec:
  targets:
    - name: worker
      labels: { app: worker }
      process: { pid: ${sleeper.pid} }
`,
    );
    const imported = await runCli(['import', join(dir, 'podchaos.yaml'), '--backend', 'local', '--output', join(dir, 'kill-worker.yaml')], {
      home: tempHome(),
    });
    expect(imported.code, imported.stderr).toBe(0);
    const written = readFileSync(join(dir, 'kill-worker.yaml'), 'utf8');
    expect(written).toMatch(/# not mapped: backend local: define targets with these labels in faultline\.yaml/);
    expect(written).toMatch(/backend: local/);
    const run = await runCli(['run', join(dir, 'kill-worker.yaml')], { home: tempHome(), cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASSED kill-worker/);
    expect(isGone(sleeper.pid as number)).toBe(true);
  });
});
