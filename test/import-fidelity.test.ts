/**
 * Import and export keep meaning: for a corpus of realistic Chaos Mesh and Litmus objects (written from their
 * documented fields, ChaosHub's pod-delete and pod-network-latency templates among them), export(import(x))
 * selects the same pods and does the same thing, or the import says, field by field, what it could not keep.
 * "The same" is judged by test/support/engine-meaning.ts, written apart from the import and export code; a note
 * names a field by its path (test/support/round-trip.ts). Then: focused cases of what the generated objects of
 * test/import-property.test.ts found changing meaning without a word, and a Litmus 2.x httpProbe's responseTimeout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { ROOT } from './support/cli.js';
import { differences, meaning } from './support/engine-meaning.js';
import { validateAgainstCrd } from './support/fake-kube-apiserver.js';
import { crdErrors, roundTrip, unexplained } from './support/round-trip.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests
type Doc = Record<string, any>;

const CORPUS = join(ROOT, 'test', 'fixtures', 'import-corpus');

const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** What the import must say of the corpus objects it cannot keep whole (everything else must round-trip exactly). */
const EXPECTED_NOTES: Record<string, RegExp[]> = {
  'litmus-multi-experiment.yaml': [
    /^pod-delete: probe cart-up \(of pod-cpu-hog\) judges this experiment too/,
    /^a Litmus workflow \(Argo Workflow\) of 3 ChaosEngines/,
  ],
};

describe('a corpus of real-world objects round-trips with its meaning', () => {
  it('holds at least 20 objects, each valid against its CRD', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    for (const file of corpus) expect(validateAgainstCrd(parseYaml(readFileSync(join(CORPUS, file), 'utf8'))), file).toEqual([]);
  });

  it.each(corpus)('%s: export(import(x)) means x, field by field, or a note says what changed', (file) => {
    const original = parseYaml(readFileSync(join(CORPUS, file), 'utf8')) as Doc;
    const { notes, skipped, back } = roundTrip(original);
    expect(skipped).toEqual([]);
    expect(back).toHaveLength(1);
    const [again] = back as [Doc];
    expect(crdErrors(again)).toEqual([]);
    expect(unexplained(original, again, notes)).toEqual([]);
    const expected = EXPECTED_NOTES[file] ?? [];
    for (const pattern of expected)
      expect(
        notes.some((n) => pattern.test(n)),
        `${file}: a note matching ${pattern}`,
      ).toBe(true);
    if (!expected.length)
      expect({ file, differences: differences(meaning(original), meaning(again)), notes }).toEqual({ file, differences: [], notes: [] });
  });
});

describe('the note rule: a note names the field that changed by its path', () => {
  const spec = (extra: Doc) => ({
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'HTTPChaos',
    metadata: { name: 'h', namespace: 'shop' },
    spec: { selector: { labelSelectors: { app: 'web' } }, mode: 'all', target: 'Response', port: 80, ...extra },
  });
  const engine = (env: Doc[], probe?: Doc[]) => ({
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosEngine',
    metadata: { name: 'e', namespace: 'shop' },
    spec: { experiments: [{ name: 'pod-delete', spec: { components: { env }, ...(probe ? { probe } : {}) } }] },
  });

  it('by its key when it is one, not as the end of a longer path', () => {
    const [original, back] = [spec({ code: 500, abort: true }), spec({ abort: true })];
    expect(unexplained(original, back, ['HTTPChaos h: replace.code 500 not mapped'])).toEqual(['code']);
    expect(unexplained(original, back, ['HTTPChaos h: code 500 not mapped'])).toEqual([]);
  });

  it('by two keys or more, so one field of a map does not explain another', () => {
    const original = engine([{ name: 'FORCE', value: 'false' }]);
    const back = engine([{ name: 'FORCE', value: 'true' }]);
    expect(unexplained(original, back, ['pod-delete: env CHAOS_INTERVAL not set'])).toEqual(['runs[pod-delete].env.FORCE']);
    expect(unexplained(original, back, ['pod-delete: FORCE false not mapped'])).toEqual(['runs[pod-delete].env.FORCE']);
    expect(unexplained(original, back, ['pod-delete: env FORCE false not mapped'])).toEqual([]);
  });

  it('and each named item on the way: a note on another probe does not explain this one', () => {
    const probe = (name: string, interval: string) => ({
      name,
      type: 'cmdProbe',
      mode: 'EOT',
      'cmdProbe/inputs': { command: 'true', comparator: { type: 'string', criteria: 'equal', value: '' } },
      runProperties: { probeTimeout: '5s', interval },
    });
    const original = engine([], [probe('a', '1s'), probe('b', '1s')]);
    const back = engine([], [probe('a', '1s'), probe('b', '2s')]);
    const path = 'runs[pod-delete].probes[b].runProperties.interval';
    expect(unexplained(original, back, ['pod-delete: probe a: runProperties.interval 1s not mapped'])).toEqual([path]);
    expect(unexplained(original, back, ['pod-delete: probe b: runProperties.interval 1s not mapped'])).toEqual([]);
    // named whole (its name not followed by `:`), an item explains all of it; its items in the order of the path
    expect(unexplained(original, back, ['pod-delete: probe b not mapped'])).toEqual([]);
    expect(unexplained(original, back, ['probe b (of pod-delete) is gone'])).toEqual([path]);
  });
});

/** Litmus ChaosEngine of one experiment on the web pods, with this env (and probes). */
function litmus(experiment: string, env: Record<string, string>, probe?: Doc[]): Doc {
  return {
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosEngine',
    metadata: { name: 'found', namespace: 'shop' },
    spec: {
      engineState: 'active',
      appinfo: { appns: 'shop', applabel: 'app=web', appkind: 'deployment' },
      chaosServiceAccount: 'litmus-admin',
      experiments: [
        {
          name: experiment,
          spec: { components: { env: Object.entries(env).map(([name, value]) => ({ name, value })) }, ...(probe ? { probe } : {}) },
        },
      ],
    },
  };
}

const chaosMesh = (kind: string, spec: Doc, annotations?: Doc): Doc => ({
  apiVersion: 'chaos-mesh.org/v1alpha1',
  kind,
  metadata: { name: 'found', namespace: 'shop', ...(annotations ? { annotations } : {}) },
  spec,
});

const WEB = { selector: { labelSelectors: { app: 'web' } } };
const PAUSED = { 'experiment.chaos-mesh.org/pause': 'true' };
const envOf = (object: Doc, at = 0) =>
  Object.fromEntries((object.spec.experiments[at].spec.components.env as Doc[]).map((e) => [e.name, e.value]));

/**
 * Each found by the generator as a meaning changed without a note (the first line of each case says what the
 * round trip did before), now kept or said.
 */
const FOUND: { title: string; object: Doc; check: (r: { notes: string[]; back: Doc[] }) => void }[] = [
  {
    title: 'a paused Chaos Mesh chaos ran as if not paused: now noted',
    object: chaosMesh('PodChaos', { ...WEB, mode: 'one', action: 'pod-failure', duration: '30s' }, PAUSED),
    check: ({ notes }) =>
      expect(notes).toContain(
        'PodChaos found: paused (annotation experiment.chaos-mesh.org/pause: "true"), so it injected nothing; the import runs it',
      ),
  },
  {
    title: 'a paused Schedule came back active: now suspended, and paused again on export',
    object: chaosMesh(
      'Schedule',
      {
        schedule: '@hourly',
        historyLimit: 3,
        startingDeadlineSeconds: 60,
        type: 'PodChaos',
        podChaos: { ...WEB, mode: 'one', action: 'pod-kill' },
      },
      PAUSED,
    ),
    check: ({ notes, back }) => {
      expect(notes).toEqual([]);
      expect(back[0]?.metadata.annotations).toEqual(PAUSED);
    },
  },
  {
    title: 'a Schedule without historyLimit or startingDeadlineSeconds came back with 100 and 60: now said',
    object: chaosMesh('Schedule', { schedule: '*/15 * * * *', type: 'PodChaos', podChaos: { ...WEB, mode: 'one', action: 'pod-kill' } }),
    check: ({ notes, back }) => {
      expect(notes.map((n) => n.split(' ')[0])).toEqual(['historyLimit', 'startingDeadlineSeconds']);
      expect(back[0]?.spec).toMatchObject({ historyLimit: 1, startingDeadlineSeconds: 60 });
    },
  },
  {
    title: 'a StressChaos of cpu and memory beside another branch of a Parallel became two objects (each picking its own pod): one again',
    object: chaosMesh('Workflow', {
      entry: 'all',
      templates: [
        { name: 'all', templateType: 'Parallel', deadline: '2m', children: ['burn', 'slow'] },
        {
          name: 'burn',
          templateType: 'StressChaos',
          deadline: '1m',
          stressChaos: { ...WEB, mode: 'one', stressors: { cpu: { workers: 1 }, memory: { workers: 1, size: '256Mi' } } },
        },
        {
          name: 'slow',
          templateType: 'NetworkChaos',
          deadline: '1m',
          networkChaos: { ...WEB, mode: 'all', action: 'delay', delay: { latency: '100ms' } },
        },
      ],
    }),
    check: ({ notes, back }) => {
      expect(notes).toEqual([]);
      const stress = ((back[0] as Doc).spec.templates as Doc[]).filter((t) => t.templateType === 'StressChaos');
      expect(stress.map((t) => [t.name, Object.keys(t.stressChaos.stressors)])).toEqual([['burn', ['cpu', 'memory']]]);
    },
  },
  {
    title: "NetworkChaos bandwidth's limit, buffer, peakrate and minburst came back as 20971520 and 10000 (noted): now kept",
    object: chaosMesh('NetworkChaos', {
      ...WEB,
      mode: 'all',
      action: 'bandwidth',
      bandwidth: { rate: '8mbit', limit: 5000, buffer: 1600, peakrate: 2000000, minburst: 1500 },
      duration: '1m',
    }),
    check: ({ notes, back }) => {
      expect(notes).toEqual([]);
      expect(back[0]?.spec.bandwidth).toEqual({ rate: '1000000bps', limit: 5000, buffer: 1600, peakrate: 2000000, minburst: 1500 });
    },
  },
  {
    title: "pod-network-rate-limit's BURST and LIMIT, and pod-dns-error's MATCH_SCHEME, were dropped: now kept",
    object: litmus('pod-network-rate-limit', { TOTAL_CHAOS_DURATION: '60', NETWORK_BANDWIDTH: '500kbit', BURST: '64kb', LIMIT: '4mb' }),
    check: ({ back }) => expect(envOf(back[0] as Doc)).toMatchObject({ NETWORK_BANDWIDTH: '500kbit', BURST: '64kb', LIMIT: '4mb' }),
  },
  {
    title: "pod-dns-error's MATCH_SCHEME came back exact: now kept",
    object: litmus('pod-dns-error', { TOTAL_CHAOS_DURATION: '60', TARGET_HOSTNAMES: '["api.example.com"]', MATCH_SCHEME: 'substring' }),
    check: ({ back }) => expect(envOf(back[0] as Doc).MATCH_SCHEME).toBe('substring'),
  },
  {
    title: 'pod-io-stress without NUMBER_OF_WORKERS (ChaosHub: 4) came back with 1; its FILESYSTEM_UTILIZATION_PERCENTAGE was dropped',
    object: litmus('pod-io-stress', { TOTAL_CHAOS_DURATION: '60', FILESYSTEM_UTILIZATION_PERCENTAGE: '20' }),
    check: ({ notes, back }) => {
      expect(notes).toEqual([expect.stringMatching(/^pod-io-stress: env NUMBER_OF_WORKERS not set; the import writes 4/)]);
      expect(envOf(back[0] as Doc)).toMatchObject({ NUMBER_OF_WORKERS: '4', FILESYSTEM_UTILIZATION_PERCENTAGE: '20' });
    },
  },
  {
    title:
      'pod-http-status-code without MODIFY_RESPONSE_BODY (ChaosHub: true) lost its body; without STATUS_CODE (litmus-go: a random one) it became 500 unsaid',
    object: litmus('pod-http-status-code', {
      TOTAL_CHAOS_DURATION: '60',
      TARGET_SERVICE_PORT: '8080',
      RESPONSE_BODY: 'down for maintenance',
    }),
    check: ({ notes, back }) => {
      expect(notes).toEqual([
        expect.stringMatching(/^pod-http-status-code: env STATUS_CODE not set: litmus-go then picks one status at random/),
      ]);
      expect(envOf(back[0] as Doc)).toMatchObject({ MODIFY_RESPONSE_BODY: 'true', RESPONSE_BODY: 'down for maintenance' });
    },
  },
  {
    title:
      'pod-delete without TOTAL_CHAOS_DURATION or CHAOS_INTERVAL came back killing once in 30s: now 15s every 5s, as ChaosHub sets, said',
    object: litmus('pod-delete', { RAMP_TIME: '10' }),
    check: ({ notes, back }) => {
      expect(notes.map((n) => n.split(';')[0])).toEqual([
        'pod-delete: env TOTAL_CHAOS_DURATION not set',
        'pod-delete: env CHAOS_INTERVAL not set',
      ]);
      // and RAMP_TIME, noted and dropped before, is kept
      expect(envOf(back[0] as Doc)).toMatchObject({ TOTAL_CHAOS_DURATION: '15', CHAOS_INTERVAL: '5', RAMP_TIME: '10' });
    },
  },
  {
    title: 'an HTTP experiment without TARGET_SERVICE_PORT (ChaosHub: 80) could not be exported: now 80, said',
    object: litmus('pod-http-latency', { TOTAL_CHAOS_DURATION: '60', LATENCY: '500' }),
    check: ({ back }) => expect(envOf(back[0] as Doc).TARGET_SERVICE_PORT).toBe('80'),
  },
  {
    title: "a k8sProbe's labelSelector beside resourceNames was dropped unsaid: now noted",
    object: litmus('pod-delete', { TOTAL_CHAOS_DURATION: '30', CHAOS_INTERVAL: '10' }, [
      {
        name: 'cart-there',
        type: 'k8sProbe',
        mode: 'EOT',
        'k8sProbe/inputs': {
          group: 'apps',
          version: 'v1',
          resource: 'deployments',
          namespace: 'shop',
          resourceNames: 'cart',
          labelSelector: 'app=cart',
          operation: 'present',
        },
        runProperties: { probeTimeout: '5s', interval: '2s' },
      },
    ]),
    check: ({ notes }) =>
      expect(notes).toEqual(['pod-delete: probe cart-there: k8sProbe/inputs.labelSelector app=cart not mapped beside resourceNames']),
  },
];

describe('what the generated objects found, each kept or said now', () => {
  it.each(FOUND)('$title', ({ object, check }) => {
    expect(validateAgainstCrd(object)).toEqual([]);
    const { notes, skipped, back } = roundTrip(object);
    expect(skipped).toEqual([]);
    expect(crdErrors(back[0] as Doc)).toEqual([]);
    expect(unexplained(object, back[0] as Doc, notes)).toEqual([]);
    check({ notes, back });
  });

  it("a labelled workload's kind (only the deployment's pods, not a statefulset's of the same labels) was dropped: now kept", () => {
    const object = litmus('pod-delete', { TOTAL_CHAOS_DURATION: '30', CHAOS_INTERVAL: '10' });
    delete object.spec.appinfo;
    object.spec.selectors = { workloads: [{ kind: 'deployment', namespace: 'shop', labels: 'app=web' }] };
    expect(validateAgainstCrd(object)).toEqual([]);
    const { notes, skipped, back } = roundTrip(object);
    expect(skipped).toEqual([]);
    expect(back[0]?.spec.appinfo).toEqual({ appns: 'shop', applabel: 'app=web', appkind: 'deployment' });
    expect(unexplained(object, back[0] as Doc, notes)).toEqual([]);
  });

  it('disk-fill without FILL_PERCENTAGE or EPHEMERAL_STORAGE_MEBIBYTES (ChaosHub fills 80%) came back as 1024Mi: now refused on export, saying why', () => {
    const { skipped } = roundTrip(litmus('disk-fill', { TOTAL_CHAOS_DURATION: '60' }));
    expect(skipped).toEqual([expect.stringMatching(/export: step disk-fill: disk.fill size 80% cannot run on Litmus/)]);
  });

  it('two experiments with different probes of one name: the second is said not mapped', () => {
    const probe = (url: string) => ({
      name: 'up',
      type: 'httpProbe',
      mode: 'EOT',
      'httpProbe/inputs': { url, method: { get: { criteria: '==', responseCode: '200' } } },
      runProperties: { probeTimeout: '5s', interval: '2s' },
    });
    const object = litmus('pod-delete', { TOTAL_CHAOS_DURATION: '30', CHAOS_INTERVAL: '10' }, [probe('http://cart/health')]);
    object.spec.experiments.push({
      ...litmus('pod-cpu-hog', { TOTAL_CHAOS_DURATION: '60' }, [probe('http://api/health')]).spec.experiments[0],
    });
    const { notes, back } = roundTrip(object);
    expect(notes).toContain(
      "pod-cpu-hog: probe up not mapped: pod-delete's probe of that name is kept (a faultline probe name is the experiment's)",
    );
    expect(unexplained(object, back[0] as Doc, notes)).toEqual([]);
  });
});

describe("a Litmus 2.x httpProbe's responseTimeout", () => {
  // Litmus 1.13 to 2.13 had httpProbe/inputs.responseTimeout (ms, beside probeTimeout in seconds); chaos-operator
  // removed it for probeTimeout alone (PR #422), so the 3.x CRD of the corpus refuses it: an explicit case here
  const engine = (probeTimeout: number, responseTimeout: number) =>
    litmus('pod-delete', { TOTAL_CHAOS_DURATION: '30', CHAOS_INTERVAL: '10' }, [
      {
        name: 'cart-up',
        type: 'httpProbe',
        mode: 'Continuous',
        'httpProbe/inputs': {
          url: 'http://cart.shop.svc/health',
          responseTimeout,
          method: { get: { criteria: '==', responseCode: '200' } },
        },
        runProperties: { probeTimeout, interval: 2, retry: 1 },
      },
    ]);

  it('comes back as the probeTimeout, the tighter of the two, with a note when they differ', () => {
    const original = engine(5, 800);
    expect(validateAgainstCrd(original).filter((e) => !/runProperties\/(probeTimeout|interval): must be string/.test(e))).toEqual([
      '/spec/experiments/0/spec/probe/0/httpProbe~1inputs: must NOT have additional properties (responseTimeout)',
    ]);
    const { notes, back } = roundTrip(original);
    expect(notes).toEqual([
      'pod-delete: probe cart-up: probeTimeout 5s and responseTimeout 800ms are one timeout in faultline; it is 800ms, the tighter',
    ]);
    const probe = back[0]?.spec.experiments[0].spec.probe[0];
    expect(probe.runProperties.probeTimeout).toBe('800ms');
    expect(probe['httpProbe/inputs'].responseTimeout).toBeUndefined();
    expect(crdErrors(back[0] as Doc)).toEqual([]);
    expect(unexplained(original, back[0] as Doc, notes)).toEqual([]);
  });

  it('the same as probeTimeout: one timeout, nothing to say', () => {
    const original = engine(2, 2000);
    const { notes, back } = roundTrip(original);
    expect(notes).toEqual([]);
    expect(back[0]?.spec.experiments[0].spec.probe[0].runProperties.probeTimeout).toBe('2s');
    expect(differences(meaning(original), meaning(back[0] as Doc))).toEqual([]);
  });
});

describe('what generated HTTPChaos matchers and actions, Workflow StatusChecks and Litmus TARGET_PODS found', () => {
  const http = (extra: Doc) => chaosMesh('HTTPChaos', { ...WEB, mode: 'all', target: 'Response', port: 8080, duration: '1m', ...extra });
  const keeps = (original: Doc) => {
    const { notes, skipped, back } = roundTrip(original);
    expect(skipped).toEqual([]);
    expect(crdErrors(back[0] as Doc)).toEqual([]);
    expect(unexplained(original, back[0] as Doc, notes)).toEqual([]);
    return { notes, again: back[0] as Doc };
  };

  it('a replaced JSON body comes back byte for byte (it was written back compact)', () => {
    const body = Buffer.from('{"error": "unavailable"}').toString('base64');
    const { notes, again } = keeps(http({ replace: { code: 503, body } }));
    expect(notes).toEqual([]);
    expect(again.spec.replace.body).toBe(body);
  });

  it('a patch header given twice keeps one value, noted (it was dropped without a word); a merge patch keeps null and []', () => {
    const patch = {
      headers: [
        ['Set-Cookie', 'session=expired'],
        ['Set-Cookie', 'tracking=off'],
      ],
      body: { type: 'JSON', value: '{"items": [], "price": null}' },
    };
    const { notes, again } = keeps(http({ patch }));
    expect(notes).toEqual([
      'HTTPChaos found: patch.headers Set-Cookie given more than once: faultline adds one value a header, the import keeps the last (tracking=off)',
    ]);
    expect(JSON.parse(again.spec.patch.body.value)).toEqual({ items: [], price: null });
  });

  it('the status and request headers matched come back (match.status was left out of the Chaos Mesh object); response headers are noted', () => {
    const original = http({
      code: 200,
      request_headers: { 'X-Canary': 'true' },
      response_headers: { 'Content-Type': 'application/json' },
      abort: true,
    });
    const { notes, again } = keeps(original);
    expect(again.spec).toMatchObject({ code: 200, request_headers: { 'X-Canary': 'true' } });
    expect(notes).toEqual([
      'HTTPChaos found: response_headers {"Content-Type":"application/json"} not mapped: faultline matches request headers only, so responses are hit whatever their headers',
    ]);
  });

  const workflow = (templates: Doc[]) => chaosMesh('Workflow', { entry: 'main', templates });
  const check = (statusCheck: Doc, abortWithStatusCheck = true): Doc => ({
    name: 'api-ready',
    templateType: 'StatusCheck',
    abortWithStatusCheck,
    statusCheck: {
      type: 'HTTP',
      intervalSeconds: 5,
      http: { url: 'http://api.shop.svc/ready', headers: { Authorization: ['Bearer probe-token'] }, criteria: { statusCode: '200-299' } },
      ...statusCheck,
    },
  });
  const kill = { name: 'kill-api', templateType: 'PodChaos', deadline: '30s', podChaos: { ...WEB, mode: 'one', action: 'pod-kill' } };

  it('a StatusCheck without a mode is Synchronous (the webhook default) and holds the chaos after it until it passes', () => {
    const original = workflow([{ name: 'main', templateType: 'Serial', children: ['api-ready', 'kill-api'] }, check({}), kill]);
    const { again } = keeps(original);
    expect(meaning(original).timeline).toContainEqual(expect.objectContaining({ name: 'kill-api', start: 5000 }));
    const back = (again.spec.templates as Doc[]).find((t) => t.templateType === 'StatusCheck');
    expect(back.statusCheck).toMatchObject({ mode: 'Synchronous', http: { headers: { Authorization: ['Bearer probe-token'] } } });
  });

  it('a Continuous StatusCheck in a Serial holds it for its duration; that it checks less than the whole experiment is noted', () => {
    const original = workflow([
      { name: 'main', templateType: 'Serial', children: ['kill-api', 'api-ready', 'kill-again'] },
      kill,
      check({ mode: 'Continuous', duration: '1m' }),
      { ...kill, name: 'kill-again' },
    ]);
    const { notes } = keeps(original);
    expect(meaning(original).timeline).toContainEqual(expect.objectContaining({ name: 'kill-again', start: 90_000 }));
    expect(notes).toEqual([
      "template api-ready: the check's start 30s and end 90s are not its probe's in faultline (the whole experiment: 0s to 2m)",
    ]);
  });

  const engine = (env: Record<string, string>, target: Doc) => {
    const object = litmus('pod-delete', { TOTAL_CHAOS_DURATION: '30', CHAOS_INTERVAL: '10', ...env });
    delete object.spec.appinfo;
    return { ...object, spec: { ...object.spec, ...target } };
  };

  it.each([
    [
      'beside appinfo labels (the export refused names with labels)',
      { appinfo: { appns: 'shop', applabel: 'app=web', appkind: 'statefulset' } },
    ],
    ['beside selectors.pods (the names were added to the pods)', { selectors: { pods: [{ namespace: 'shop', names: 'api-0' }] } }],
  ])('TARGET_PODS %s: exactly those pods, every one of them', (_, target) => {
    const original = engine({ TARGET_PODS: 'web-0,web-1', PODS_AFFECTED_PERC: '50' }, target);
    const { notes, again } = keeps(original);
    expect(again.spec.selectors).toEqual({ pods: [{ namespace: 'shop', names: 'web-0,web-1' }] });
    expect(notes).toEqual([]);
  });
});
