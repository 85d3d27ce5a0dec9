/**
 * Every fault of the catalogue that an engine supports, in every parameter form, compiles to an object
 * that validates against the engine's real CRD (../shared/reference, strictly: a field the API server
 * would prune is an error); a fault or parameter an engine cannot do is refused with the name of the
 * engine (or backend) that can.
 */
import { describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { requireSupport, supportTable } from '../src/backends/kubernetes/catalogue.js';
import { compileChaosMesh } from '../src/backends/kubernetes/chaos-mesh/compile.js';
import type { CompileInput, Selection } from '../src/backends/kubernetes/compile.js';
import { compileLitmus } from '../src/backends/kubernetes/litmus/compile.js';
import { parseExperiments } from '../src/spec/load.js';
import type { FaultStep } from '../src/spec/schema.js';
import { validateAgainstCrd } from './support/fake-kube-apiserver.js';

/** A fault step as the format parses it (params through the fault's own schema, defaults filled in). */
function stepOf(fault: string, params: string, kubernetes = '', extra = ''): FaultStep {
  const [experiment] = parseExperiments(
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: compile }
spec:
  hypothesis: compiles
  backend: kubernetes
  method:
    - fault: ${fault}
      selector: { labels: { app: web } }
      params: ${params}
      ${kubernetes ? `kubernetes: ${kubernetes}` : ''}
      ${extra}
`,
    null,
    { project: null },
  );
  const step = experiment?.method[0];
  if (step?.kind !== 'fault') throw new Error('not a fault step');
  return step;
}

const RUN: Selection = {
  pods: [
    { namespace: 'shop', name: 'web-0' },
    { namespace: 'shop', name: 'web-1' },
    { namespace: 'other', name: 'api-0' },
  ],
};

function input(step: FaultStep, selection: Selection = RUN, durationMs: number | null = null): CompileInput {
  return {
    fault: step.fault,
    params: step.params as Record<string, unknown>,
    step,
    where: 'spec.method[0]',
    name: 'fl-compile-step-a1b2c',
    namespace: 'shop',
    labels: { 'app.kubernetes.io/managed-by': 'faultline', 'faultline.dev/experiment': 'compile' },
    selection,
    durationMs,
    kubernetes: { injectTimeout: 60_000, env: { CONTAINER_RUNTIME: 'containerd' } },
    experiment: 'compile',
  };
}

/** Selections of an export: the step's own selector and every mode. */
const EXPORTS: [string, Selection][] = [
  ['one by labels', { selector: { labels: { app: 'web' } }, mode: 'one', value: undefined }],
  [
    'all in two namespaces',
    { selector: { namespaces: ['shop', 'other'], labelSelectors: { tier: 'api' } }, mode: 'all', value: undefined },
  ],
  [
    'fixed 2 with fields and phases',
    {
      selector: { labels: { app: 'web' }, fieldSelectors: { 'spec.nodeName': 'node-1' }, podPhaseSelectors: ['Running'] },
      mode: 'fixed',
      value: 2,
    },
  ],
  ['fixed-percent by annotation', { selector: { annotationSelectors: { 'chaos.example/ok': 'yes' } }, mode: 'fixed-percent', value: 50 }],
  ['random-max-percent by pods', { selector: { pods: { shop: ['web-0', 'web-1'] } }, mode: 'random-max-percent', value: 30 }],
  ['names', { selector: { names: ['web-0'] }, mode: 'one', value: undefined }],
];

const CHAOS_MESH_CASES: [fault: string, params: string, kubernetes?: string][] = [
  ['network.latency', '{ latency: 300ms }'],
  ['network.latency', '{ latency: 1s, jitter: 20ms, correlation: "25" }', '{ direction: to, externalTargets: [10.0.0.1, example.com] }'],
  ['network.latency', '{ latency: 90s }', '{ direction: both, target: { namespaces: [db], labelSelectors: { app: db } }, device: eth1 }'],
  ['network.loss', '{ percent: "25" }'],
  ['network.loss', '{ percent: 10, correlation: 5, mode: drop }', '{ direction: from, target: { pods: { db: [db-0] } } }'],
  ['network.corrupt', '{ percent: "5" }'],
  ['network.bandwidth', '{ rate: 1mbps }'],
  ['network.bandwidth', '{ rate: 500 }'],
  ['network.bandwidth', '{ rate: 8mbit }'],
  ['network.partition', '{}'],
  ['network.partition', '{}', '{ direction: both, target: { labelSelectors: { app: db } } }'],
  ['network.partition', '{}', '{ externalTargets: [192.168.0.0/16] }'],
  ['process.kill', '{}'],
  ['process.kill', '{ signal: SIGTERM }'],
  ['process.kill', '{ signal: 9 }', '{ gracePeriod: 5s }'],
  ['process.kill', '{}', '{ action: container-kill, containerNames: [app, sidecar] }'],
  ['process.pause', '{}'],
  ['process.pause', '{}', '{ containerNames: [app] }'],
  ['stress.cpu', '{}'],
  ['stress.cpu', '{ workers: 4, load: 80 }', '{ containerNames: [app] }'],
  ['stress.memory', '{ size: 512Mi }'],
  ['stress.memory', '{ size: 1Gi, workers: 4 }'],
  ['stress.memory', '{ size: "25%" }'],
  ['time.skew', '{ timeOffset: -10m }'],
  ['time.skew', '{ timeOffset: +1h30m }', '{ containerNames: [app] }'],
  ['file.corrupt', '{}', '{ volumePath: /data }'],
  ['file.corrupt', '{ mode: zero, bytes: 16, path: /data/db/*.sst }', '{ volumePath: /data, containerNames: [db] }'],
  ['io.latency', '{ delay: 100ms }', '{ volumePath: /data }'],
  ['io.latency', '{ delay: 1s, methods: [ read, stat ], percent: 50, path: /data/db/* }', '{ volumePath: /data, containerNames: [db] }'],
  ['io.error', '{ errno: EIO, methods: [ fsync ] }', '{ volumePath: /data }'],
  ['io.error', '{ errno: 28 }', '{ volumePath: /data }'],
  ['io.attr', '{ attr: { perm: "0444", size: 0, mtime: 1577836800 } }', '{ volumePath: /data }'],
  ['io.mistake', '{ filling: zero, maxOccurrences: 2, maxLength: 16 }', '{ volumePath: /data }'],
  ['http.abort', '{ abort: true }', '{ port: 8080 }'],
  ['http.abort', '{ code: 500, body: oops, path: /api/*, method: POST, target: Response }', '{ port: 8080 }'],
  ['http.delay', '{ delay: 500ms }', '{ port: 80 }'],
  ['http.delay', '{ delay: 2s, match: { headers: { x-canary: "1" } } }', '{ port: 80 }'],
  ['http.replace', '{ body: "{}" }', '{ port: 8080 }'],
  ['http.replace', '{ code: 503, headers: { retry-after: "5" }, body: { error: down } }', '{ port: 8080 }'],
  ['http.patch', '{ body: { degraded: true } }', '{ port: 8080 }'],
  ['http.patch', '{ headers: { x-chaos: "1" } }', '{ port: 8080 }'],
  ['dns.error', '{}'],
  ['dns.error', '{ patterns: ["*.example.com", "payments.svc"] }', '{ containerNames: [app] }'],
  ['dns.random', '{ patterns: [api.example.com] }'],
];

const LITMUS_CASES: [fault: string, params: string, kubernetes?: string][] = [
  ['process.kill', '{}'],
  ['process.kill', '{ signal: SIGTERM }'],
  ['process.kill', '{ signal: SIGINT }', '{ action: container-kill, containerNames: [app] }'],
  ['network.latency', '{ latency: 2s, jitter: 100ms, correlation: 10 }', '{ device: eth0, externalTargets: [10.0.0.9] }'],
  ['network.loss', '{ percent: "30" }'],
  ['network.corrupt', '{ percent: 5 }'],
  ['network.bandwidth', '{ rate: 1mbps }'],
  ['network.partition', '{}'],
  ['network.partition', '{}', '{ direction: from, target: { namespaces: [db], labelSelectors: { app: db } } }'],
  ['stress.cpu', '{ workers: 2, load: 75 }'],
  ['stress.memory', '{ size: 512Mi, workers: 2 }'],
  ['stress.io', '{ workers: 2, path: /data }'],
  ['disk.fill', '{ path: /data, size: 2Gi }'],
  ['http.abort', '{ code: 500, target: Response }', '{ port: 8080 }'],
  ['http.abort', '{ code: 503, body: down, percent: 50, target: Response }', '{ port: 8080 }'],
  ['http.abort', '{ abort: true }', '{ port: 8080 }'],
  ['http.delay', '{ delay: 750ms }', '{ port: 8080, env: { PROXY_PORT: "20001" } }'],
  ['http.replace', '{ body: replaced }', '{ port: 8080 }'],
  ['http.replace', '{ headers: { x-a: b } }', '{ port: 8080 }'],
  ['dns.error', '{ patterns: [api.example.com] }'],
];

describe('Chaos Mesh objects validate against the Chaos Mesh CRDs', () => {
  it.each(CHAOS_MESH_CASES)('%s %s %s', (fault, params, kubernetes) => {
    const step = stepOf(fault, params, kubernetes);
    requireSupport(fault, 'chaos-mesh', 'test');
    const run = compileChaosMesh(input(step));
    expect(validateAgainstCrd(run.body), JSON.stringify(run.body, null, 1)).toEqual([]);
    // a run never lets Chaos Mesh own the duration (it counts from creation): faultline deletes the object
    expect(run.body.spec.duration).toBeUndefined();
    expect(run.body.spec.mode).toBe('all');
    expect(run.body.spec.selector).toEqual({ pods: { shop: ['web-0', 'web-1'], other: ['api-0'] } });
    for (const [label, selection] of EXPORTS) {
      const exported = compileChaosMesh(input(step, selection, 45_000));
      expect(validateAgainstCrd(exported.body), `${label}: ${JSON.stringify(exported.body, null, 1)}`).toEqual([]);
      if (!exported.oneShot) expect(exported.body.spec.duration).toBe('45s');
    }
  });

  it('writes the parameters the way Chaos Mesh reads them', () => {
    const latency = compileChaosMesh(input(stepOf('network.latency', '{ latency: 1s, jitter: 20ms, correlation: "25" }'))).body.spec;
    expect(latency).toMatchObject({ action: 'delay', delay: { latency: '1s', jitter: '20ms', correlation: '25' } });
    const memory = compileChaosMesh(input(stepOf('stress.memory', '{ size: 1Gi, workers: 4 }'))).body.spec;
    expect(memory.stressors.memory).toEqual({ workers: 4, size: '256MB' }); // per worker, binary units
    const kill = compileChaosMesh(input(stepOf('process.kill', '{ signal: SIGTERM }'))).body.spec;
    expect(kill).toMatchObject({ action: 'pod-kill', gracePeriod: 30 });
    const skew = compileChaosMesh(input(stepOf('time.skew', '{ timeOffset: -10m }'))).body.spec;
    expect(skew.timeOffset).toBe('-10m');
    const replace = compileChaosMesh(input(stepOf('http.replace', '{ body: hello }', '{ port: 80 }'))).body.spec;
    expect(Buffer.from(replace.replace.body, 'base64').toString()).toBe('hello');
    const io = (fault: string, params: string) => compileChaosMesh(input(stepOf(fault, params, '{ volumePath: /data }'))).body.spec;
    expect(io('io.latency', '{ delay: 1s, methods: [ read, stat ], percent: 50 }')).toMatchObject({
      action: 'latency',
      delay: '1s',
      methods: ['read', 'getattr'],
      percent: 50,
    });
    expect(io('io.latency', '{ delay: 1s }').methods).toBeUndefined(); // every operation: IOChaos's default
    expect(io('io.error', '{ errno: ENOSPC }')).toMatchObject({ action: 'fault', errno: 28 });
    expect(io('io.attr', '{ attr: { perm: "0444", mtime: 1577836800 } }').attr).toEqual({
      perm: 0o444,
      mtime: { sec: 1577836800, nsec: 0 },
    });
    expect(io('io.mistake', '{ maxLength: 8 }')).toMatchObject({
      action: 'mistake',
      mistake: { filling: 'random', maxOccurrences: 1, maxLength: 8 },
      methods: ['read'],
    });
    const bandwidth = compileChaosMesh(input(stepOf('network.bandwidth', '{ rate: 500 }'))).body.spec;
    // 500 KB/s is 500,000 bytes/s: Chaos Mesh's kbps would be 1024 bytes (pkg/chaosdaemon/netem/utils.go parseRate)
    expect(bandwidth.bandwidth).toMatchObject({ rate: '500000bps', limit: 20971520, buffer: 10000 });
  });

  it('refuses an HTTP match on Litmus, whose pod-http experiments change every request on the port', () => {
    const refuse = (fault: string, params: string) => () => compileLitmus(input(stepOf(fault, params, '{ port: 80 }')));
    expect(refuse('http.delay', '{ delay: 1s, path: /api/* }')).toThrow(
      /http\.delay params\.path cannot run on Litmus, whose pod-http experiments change every request on the port; use engine chaos-mesh/,
    );
    expect(refuse('http.abort', '{ code: 503, target: Response, match: { method: POST, status: 200 } }')).toThrow(
      /params\.match\.method, params\.match\.status cannot run on Litmus/,
    );
    // replace's headers are the new headers, not a matcher
    expect(
      compileLitmus(input(stepOf('http.replace', '{ headers: { X-Chaos: "1" } }', '{ port: 80 }'))).body.spec.experiments[0].name,
    ).toBe('pod-http-modify-header');
  });

  it("gives a kernel bandwidth step's burst to the engine's token bucket; kubernetes.bandwidth sets the queue", () => {
    const kernel = stepOf('network.bandwidth', '{ mechanism: kernel, rate: 1mbps, device: eth0, burst: 32Ki }');
    expect(compileChaosMesh(input(kernel)).body.spec.bandwidth).toMatchObject({ buffer: 32768, limit: 20971520 });
    const env = (step: FaultStep) =>
      Object.fromEntries(
        (compileLitmus(input(step)).body.spec.experiments[0].spec.components.env as { name: string; value: string }[]).map((e) => [
          e.name,
          e.value,
        ]),
      );
    expect(env(kernel)).toMatchObject({ BURST: '32768' });
    const queued = stepOf('network.bandwidth', '{ rate: 1mbps }', '{ bandwidth: { limit: 4096, buffer: 2048, peakrate: 250000 } }');
    expect(compileChaosMesh(input(queued)).body.spec.bandwidth).toMatchObject({ limit: 4096, buffer: 2048, peakrate: 250000 });
    expect(env(queued)).toMatchObject({ LIMIT: '4096', BURST: '2048', PEAK_RATE: '250000bps' });
  });

  it('refuses what Chaos Mesh cannot express, before anything is created', () => {
    const refuse = (fault: string, params: string, kubernetes?: string) => () => compileChaosMesh(input(stepOf(fault, params, kubernetes)));
    expect(refuse('time.skew', '{ rate: 1.01 }')).toThrow(/rate .* cannot run on Chaos Mesh.*backend local/);
    expect(refuse('network.latency', '{ latency: 1s, toxicity: 0.5 }')).toThrow(/toxicity 0.5 .* cannot run on Chaos Mesh/);
    expect(refuse('http.abort', '{ code: 503, percent: 50, target: Response }', '{ port: 80 }')).toThrow(
      /percent 50 cannot run on Chaos Mesh.*use engine litmus/,
    );
    expect(refuse('http.abort', '{ abort: true }')).toThrow(/needs kubernetes.port/);
    // an answer on the request would let the request reach the service and run
    expect(refuse('http.abort', '{ code: 503 }', '{ port: 80 }')).toThrow(
      /http.abort answering with a status on the request cannot run on HTTPChaos: .*set target: Response to accept that, or abort: true/,
    );
    const abort = compileChaosMesh(input(stepOf('http.abort', '{ abort: true, method: POST }', '{ port: 80 }'))).body.spec;
    expect(abort).toMatchObject({ abort: true, target: 'Request', method: 'POST' });
    expect(abort.replace).toBeUndefined();
    expect(() => stepOf('http.abort', '{ abort: true, code: 500 }', '{ port: 80 }')).toThrow(
      /params.abort: abort drops the request unanswered and code answers it with a status: give one of them/,
    );
    expect(refuse('file.corrupt', '{ mode: truncate }', '{ volumePath: /data }')).toThrow(/mode truncate cannot run on Chaos Mesh/);
    expect(refuse('file.corrupt', '{}')).toThrow(/needs kubernetes.volumePath/);
    expect(refuse('io.error', '{ errno: EIO }')).toThrow(/io.error on Chaos Mesh needs kubernetes.volumePath/);
    expect(refuse('process.kill', '{}', '{ action: container-kill }')).toThrow(/container-kill needs kubernetes.containerNames/);
    expect(refuse('network.latency', '{ latency: 1s }', '{ direction: both }')).toThrow(/direction both needs kubernetes.target/);
  });
});

describe('Litmus disk-fill keeps its own meaning', () => {
  it("refuses a percent size: litmus-go's FILL_PERCENTAGE is a share of the container's ephemeral-storage limit", () => {
    expect(() => compileLitmus(input(stepOf('disk.fill', '{ path: /data, size: "80%" }')))).toThrow(
      /disk.fill size 80% cannot run on Litmus: its FILL_PERCENTAGE is a share of the container's ephemeral-storage limit/,
    );
    const env = compileLitmus(input(stepOf('disk.fill', '{ path: /data, size: 2Gi }'))).body.spec.experiments[0].spec.components.env;
    expect(env).toContainEqual({ name: 'EPHEMERAL_STORAGE_MEBIBYTES', value: '2048' });
  });
});

describe('Litmus ChaosEngines validate against the Litmus CRDs', () => {
  it.each(LITMUS_CASES)('%s %s %s', (fault, params, kubernetes) => {
    const step = stepOf(fault, params, kubernetes, 'duration: 30s');
    requireSupport(fault, 'litmus', 'test');
    const run = compileLitmus(input(step));
    expect(validateAgainstCrd(run.body), JSON.stringify(run.body, null, 1)).toEqual([]);
    const env = Object.fromEntries(
      (run.body.spec.experiments[0].spec.components.env as { name: string; value: string }[]).map((e) => [e.name, e.value]),
    );
    // a run over-sets the duration (faultline stops the engine when the step ends) and hits every listed pod
    expect(Number(env.TOTAL_CHAOS_DURATION)).toBeGreaterThan(30);
    expect(env.PODS_AFFECTED_PERC).toBe('100');
    expect(env.CONTAINER_RUNTIME).toBe('containerd');
    expect(run.body.spec.selectors.pods).toEqual([
      { namespace: 'shop', names: 'web-0,web-1' },
      { namespace: 'other', names: 'api-0' },
    ]);
    for (const [label, selection] of EXPORTS.filter(
      ([, s]) =>
        s.selector !== undefined &&
        ['one', 'all', 'fixed-percent'].includes(s.mode as string) &&
        !s.selector?.annotationSelectors &&
        !(s.selector?.namespaces?.length === 2),
    )) {
      const exported = compileLitmus(input(step, selection, 45_000));
      expect(validateAgainstCrd(exported.body), `${label}: ${JSON.stringify(exported.body, null, 1)}`).toEqual([]);
    }
  });

  it('writes env values as strings, as the CRD requires', () => {
    const engine = compileLitmus(input(stepOf('network.latency', '{ latency: 2s, jitter: 100ms }'))).body;
    const env = engine.spec.experiments[0].spec.components.env as { name: string; value: unknown }[];
    expect(env.every((e) => typeof e.value === 'string')).toBe(true);
    expect(env).toContainEqual({ name: 'NETWORK_LATENCY', value: '2000' });
    expect(env).toContainEqual({ name: 'JITTER', value: '100' });
    const kill = compileLitmus(input(stepOf('process.kill', '{}'))).body;
    expect(kill.spec.experiments[0].name).toBe('pod-delete');
    expect(kill.spec.experiments[0].spec.components.env).toContainEqual({ name: 'FORCE', value: 'true' });
  });

  it("refuses a TOTAL_CHAOS_DURATION in env, which would lift the dead-man bound, at the step's line", () => {
    for (const at of ['kubernetes: { env: { TOTAL_CHAOS_DURATION: "86400" } }', 'kubernetes: {}']) {
      const project = at.includes('TOTAL') ? '' : '  kubernetes: { env: { TOTAL_CHAOS_DURATION: "86400" } }\n';
      const text = `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: lift }
spec:
  hypothesis: the engine ends the chaos if faultline dies
  backend: kubernetes
${project}  method:
    - fault: process.kill
      selector: { labels: { app: web } }
      ${at}
`;
      expect(() => parseExperiments(text, 'lift.yaml', { project: null })).toThrow(
        /lift\.yaml:\d+:\d+: .*env.*TOTAL_CHAOS_DURATION is set by faultline from the step's duration/,
      );
    }
  });

  it('refuses what Litmus cannot express', () => {
    expect(() => compileLitmus(input(stepOf('stress.memory', '{ size: "25%" }')))).toThrow(/cannot run on Litmus .*use engine chaos-mesh/);
    expect(() =>
      compileLitmus(input(stepOf('process.kill', '{}'), { selector: { labels: { a: 'b' } }, mode: 'fixed', value: 2 }, 1000)),
    ).toThrow(/mode fixed cannot be expressed on Litmus/);
  });
});

describe('a fault an engine cannot do names the engine that can', () => {
  it('knows every engine of every catalogue fault', () => {
    const table = supportTable();
    expect(Object.keys(table).sort()).toEqual(
      [
        'disk.fill',
        'dns.error',
        'dns.random',
        'file.corrupt',
        'http.abort',
        'http.delay',
        'http.patch',
        'http.replace',
        'io.attr',
        'io.error',
        'io.latency',
        'io.mistake',
        'network.bandwidth',
        'network.corrupt',
        'network.latency',
        'network.loss',
        'network.partition',
        'process.kill',
        'process.pause',
        'stress.cpu',
        'stress.io',
        'stress.memory',
        'time.skew',
      ].sort(),
    );
  });

  it.each([
    ['time.skew', 'litmus', /time.skew cannot run on LitmusChaos; use engine chaos-mesh \(TimeChaos\)/],
    ['process.pause', 'litmus', /use engine chaos-mesh \(PodChaos pod-failure\)/],
    ['http.patch', 'litmus', /use engine chaos-mesh \(HTTPChaos patch\)/],
    ['stress.io', 'chaos-mesh', /StressChaos has only cpu and memory stressors.*use engine litmus \(pod-io-stress\)/],
    ['disk.fill', 'chaos-mesh', /use engine litmus \(disk-fill\)/],
    ['network.latency', 'native', /use engine chaos-mesh \(NetworkChaos delay\) or engine litmus \(pod-network-latency\)/],
    ['network.reset', 'chaos-mesh', /no Kubernetes engine does it; it runs on the local fault proxy/],
    ['message.tamper', 'litmus', /it runs on the local fault proxy/],
    ['custom.action', 'chaos-mesh', /runs on backend local/],
  ] as const)('%s on %s', (fault, engine, message) => {
    expect(() => requireSupport(fault, engine, 'spec.method[0]')).toThrow(message);
  });
});
