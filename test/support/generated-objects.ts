/**
 * fast-check arbitraries of engine objects, drawn from the real CRD schemas in ../shared/reference (read with
 * the yaml package, merge keys kept): Chaos Mesh chaos objects, Schedules and Workflows; Litmus ChaosEngines
 * (of the ChaosHub experiments faultline imports, with their env and probes) and ChaosSchedules. Values are
 * drawn where the CRD says what they are (enums, patterns, integer bounds, required keys) and, where it only
 * says "string", from realistic values for that field (durations, percentages, sizes, rates). Every object
 * drawn is valid against its CRD.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { REFERENCE_DIR, validateAgainstCrd } from './fake-kube-apiserver.js';

// biome-ignore lint/suspicious/noExplicitAny: schemas and manifests
type Doc = Record<string, any>;

/** The openAPIV3Schema of a CRD's `spec`, from a file of the reference folder. */
function crdSpec(file: string, kind: string): Doc {
  const text = readFileSync(join(REFERENCE_DIR, file), 'utf8');
  const crd = parseAllDocuments(text, { merge: true })
    .map((d) => d.toJS() as Doc)
    .find((d) => d?.kind === 'CustomResourceDefinition' && d.spec.names.kind === kind) as Doc;
  return crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
}

/** The values a CRD string allows: its enum, or the alternatives of a `^(a|b|^$)$` pattern (`^$`: ''). */
function choices(node: Doc): string[] {
  if (node.enum) return node.enum;
  const m = /^\^\((.*)\)\$$/.exec(String(node.pattern ?? ''));
  if (!m) throw new Error(`no enum or alternatives in ${JSON.stringify(node)}`);
  return (m[1] as string).split('|').map((c) => (c === '^$' ? '' : c));
}

/** The least integer a CRD integer allows (OpenAPI 3.0's boolean exclusiveMinimum excludes `minimum`). */
const minimum = (node: Doc): number => (node.minimum ?? 0) + (node.exclusiveMinimum === true ? 1 : 0);

const valid = (object: Doc) => validateAgainstCrd(object).length === 0;

function object(apiVersion: string, kind: string, spec: Doc, annotations?: Doc): Doc {
  return { apiVersion, kind, metadata: { name: 'generated', namespace: 'shop', ...(annotations ? { annotations } : {}) }, spec };
}

const CHAOS_MESH = 'chaos-mesh.org/v1alpha1';
const LITMUS = 'litmuschaos.io/v1alpha1';

/** `arbitrary` one time in `n`, else undefined (fc.option's `freq` is the other way round: undefined one time in freq). */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

/** Now and then Chaos Mesh's pause annotation (the object injects nothing until it is taken off). */
const pauseAnnotation = sometimes(fc.constant({ 'experiment.chaos-mesh.org/pause': 'true' }), 6);

// ---------- Chaos Mesh chaos ----------

const duration = fc.constantFrom('100ms', '250ms', '1s', '30s', '90s', '1m', '2m30s', '5m');
const percent = fc.integer({ min: 1, max: 100 }).map(String);

/** Realistic values for fields the CRD types only as strings or open integers, by field name. */
const BY_NAME: Record<string, fc.Arbitrary<unknown>> = {
  duration,
  latency: duration,
  jitter: fc.constantFrom('0ms', '5ms', '20ms'),
  delay: duration,
  timeOffset: fc.constantFrom('-10m', '1h', '-30s', '5m'),
  loss: percent,
  corrupt: percent,
  correlation: fc.constantFrom('0', '25', '50'),
  rate: fc.constantFrom('1mbps', '100kbps', '8mbit', '512kbps'),
  limit: fc.integer({ min: 1, max: 2 ** 24 }),
  buffer: fc.integer({ min: 1, max: 2 ** 20 }),
  peakrate: fc.constantFrom(2_000_000, 10_000_000),
  minburst: fc.constantFrom(1500, 3000),
  size: fc.constantFrom('256MB', '512Mi', '1Gi', '64KB', '10%'),
  workers: fc.integer({ min: 1, max: 4 }),
  load: fc.integer({ min: 1, max: 100 }),
  containerNames: fc.constantFrom(['app'], ['app', 'envoy']),
  externalTargets: fc.constantFrom(['api.example.com'], ['10.0.0.0/8']),
  patterns: fc.constantFrom(['*.example.com'], ['api.example.com', 'db.example.com']),
  methods: fc.subarray(['read', 'write', 'open', 'fsync', 'getattr'], { minLength: 1 }),
  errno: fc.constantFrom(5, 13, 28),
  volumePath: fc.constant('/data'),
  path: fc.constantFrom('/data/**', '/api/*'),
  percent: fc.integer({ min: 1, max: 100 }),
  port: fc.integer({ min: 80, max: 9000 }),
  method: fc.constantFrom('GET', 'POST'),
  code: fc.constantFrom(500, 503),
  // replace.body (base64): `ok`, `{"error":true}`, `{"error": "unavailable"}` (JSON as people indent it)
  body: fc.constantFrom('b2s=', 'eyJlcnJvciI6dHJ1ZX0=', 'eyJlcnJvciI6ICJ1bmF2YWlsYWJsZSJ9'),
  gracePeriod: fc.integer({ min: 0, max: 30 }),
  clockIds: fc.constant(['CLOCK_REALTIME']),
  device: fc.constant('eth1'),
  perm: fc.constantFrom(292, 420),
  maxOccurrences: fc.integer({ min: 1, max: 5 }),
  maxLength: fc.integer({ min: 1, max: 64 }),
  target: fc.constant({ mode: 'all', selector: { namespaces: ['db'], labelSelectors: { app: 'postgres' } } }),
  // HTTPChaos matchers and actions: header names and values as services send them
  request_headers: fc.constantFrom({ 'X-Canary': 'true' }, { 'Content-Type': 'application/json' }, { 'user-agent': 'checkout/2.1' }),
  response_headers: fc.constantFrom({ 'Content-Type': 'application/json' }, { 'Cache-Control': 'no-store' }),
  headers: fc.constantFrom({ 'Retry-After': '30' }, { 'Content-Type': 'text/plain', 'X-Chaos': 'replaced' }),
  patch: fc.record(
    {
      // [name, value] pairs appended in order; a name may come twice (two Set-Cookie headers)
      headers: fc.constantFrom(
        [['X-Chaos', 'patched']],
        [
          ['Set-Cookie', 'session=expired'],
          ['Set-Cookie', 'tracking=off'],
        ],
      ),
      // a JSON merge patch (RFC 7396), as text: null deletes a member
      body: fc.constantFrom('{"degraded":true}', '{"items": [], "total": 0}', '{"price":null}').map((value) => ({ type: 'JSON', value })),
    },
    { requiredKeys: [] },
  ),
  selector: fc.record(
    {
      namespaces: fc.constantFrom(['shop'], ['shop', 'shop-canary'], ['payments']),
      labelSelectors: fc.constantFrom({ app: 'web' }, { app: 'api', tier: 'backend' }),
      podPhaseSelectors: fc.constant(['Running']),
    },
    { requiredKeys: ['labelSelectors'] },
  ),
};

/** The fields of BY_NAME whose values are objects. */
const OBJECT_VALUED = new Set(['target', 'selector', 'request_headers', 'response_headers', 'headers', 'patch']);

/**
 * Spec fields not generated: another cluster, a TLS secret, NetworkChaos duplicate (no faultline fault), the
 * mode's value (set by `consistent`), and HTTPChaos queries, which the import only notes.
 */
const LEFT_OUT = ['remoteCluster', 'duplicate', 'tls', 'value', 'queries'];

/** An arbitrary for a CRD schema node: by field name where the CRD says too little, else by its type. */
function arbitraryFor(node: Doc, name: string, depth = 0): fc.Arbitrary<unknown> {
  // a name means the same thing only in the same shape: NetworkChaos `target` is an object, HTTPChaos `target` a
  // string (Request or Response); IOChaos `delay` is a string, NetworkChaos `delay` an object
  const byName = BY_NAME[name] && (OBJECT_VALUED.has(name) ? node.type === 'object' : node.type !== 'object');
  if (byName) return BY_NAME[name] as fc.Arbitrary<unknown>;
  if (node.enum) return fc.constantFrom(...(node.enum as unknown[]));
  switch (node.type) {
    case 'integer':
      return fc.integer({ min: minimum(node), max: Math.min(node.maximum ?? 1000, 1000) });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.constantFrom('a', 'web');
    case 'array':
      return fc.array(arbitraryFor(node.items ?? {}, name, depth + 1), { minLength: 1, maxLength: 2 });
    case 'object': {
      const props = Object.entries((node.properties ?? {}) as Doc).filter(([k]) => !LEFT_OUT.includes(k));
      if (!props.length || depth > 2) return fc.constant({});
      const record = Object.fromEntries(props.map(([k, v]) => [k, arbitraryFor(v as Doc, k, depth + 1)]));
      return fc.record(record, { requiredKeys: ((node.required ?? []) as string[]).filter((k) => k in record) });
    }
    default:
      return fc.constant(undefined);
  }
}

/** The chaos an action needs beside it (NetworkChaos delay needs `delay`, IOChaos fault an errno); {} when it cannot be had. */
function consistent(kind: string, spec: Doc): Doc {
  const s = { ...spec };
  const mode = s.mode as string;
  if (mode === 'fixed') s.value = '2';
  else if (mode === 'fixed-percent' || mode === 'random-max-percent') s.value = '50';
  if (kind === 'NetworkChaos' && ['delay', 'loss', 'corrupt', 'bandwidth'].includes(s.action) && !s[s.action]) return {};
  if (kind === 'NetworkChaos' && s.action === 'bandwidth' && !(s.bandwidth?.rate && s.bandwidth?.limit && s.bandwidth?.buffer)) return {};
  if (kind === 'NetworkChaos' && s.direction && s.direction !== 'to' && s.action !== 'partition') delete s.direction;
  if (kind === 'IOChaos' && s.action === 'fault' && s.errno === undefined) s.errno = 5;
  if (kind === 'IOChaos' && s.action === 'latency' && !s.delay) s.delay = '10ms';
  if (kind === 'IOChaos' && s.action === 'attrOverride' && !s.attr?.perm) s.attr = { perm: 292 };
  if (kind === 'IOChaos' && s.action === 'mistake' && !s.mistake) s.mistake = { filling: 'zero', maxOccurrences: 1, maxLength: 8 };
  if (kind === 'StressChaos' && !s.stressors?.cpu?.workers && !s.stressors?.memory?.workers) return {};
  if (kind === 'HTTPChaos' && s.patch && !s.patch.headers && !s.patch.body) delete s.patch;
  if (kind === 'HTTPChaos' && (!s.port || (!s.abort && !s.delay && !s.replace && !s.patch))) return {};
  if (kind === 'HTTPChaos' && s.abort) delete s.delay;
  if (kind === 'PodChaos' && s.action === 'container-kill' && !s.containerNames) s.containerNames = ['app'];
  return s;
}

export const CHAOS_KINDS = ['NetworkChaos', 'PodChaos', 'StressChaos', 'TimeChaos', 'IOChaos', 'DNSChaos', 'HTTPChaos'] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

/** Where a Schedule or a Workflow template holds a chaos of each kind. */
export const EMBED: Record<ChaosKind, string> = {
  NetworkChaos: 'networkChaos',
  PodChaos: 'podChaos',
  StressChaos: 'stressChaos',
  TimeChaos: 'timeChaos',
  IOChaos: 'ioChaos',
  DNSChaos: 'dnsChaos',
  HTTPChaos: 'httpChaos',
};

const HTTP_ACTIONS = ['abort', 'delay', 'replace', 'patch'];

/** Mostly one HTTP action (`pick` > 0), as people write them; Chaos Mesh applies each one an object names. */
function oneHttpAction(spec: Doc, pick: number): Doc {
  const present = HTTP_ACTIONS.filter((a) => spec[a]);
  if (pick === 0 || present.length < 2) return spec;
  const keep = present[pick % present.length];
  return Object.fromEntries(Object.entries(spec).filter(([key]) => !HTTP_ACTIONS.includes(key) || key === keep));
}

const chaosSpecs = new Map<ChaosKind, fc.Arbitrary<Doc>>();

/** The spec of a chaos of `kind`, valid on its own (a standalone object of that kind with it passes its CRD). */
export function chaosSpec(kind: ChaosKind): fc.Arbitrary<Doc> {
  let spec = chaosSpecs.get(kind);
  if (!spec) {
    const schema = crdSpec(join('chaos-mesh', `chaos-mesh.org_${kind.toLowerCase()}.yaml`), kind);
    spec = fc
      .tuple(arbitraryFor(schema, 'spec') as fc.Arbitrary<Doc>, fc.nat(3))
      .map(([s, pick]) => consistent(kind, kind === 'HTTPChaos' ? oneHttpAction(s, pick) : s))
      .filter((s) => Object.keys(s).length > 0 && valid(object(CHAOS_MESH, kind, s)));
    chaosSpecs.set(kind, spec);
  }
  return spec;
}

/** A chaos object of `kind`, sometimes paused. */
export function chaosObject(kind: ChaosKind): fc.Arbitrary<Doc> {
  return fc.tuple(chaosSpec(kind), pauseAnnotation).map(([spec, annotations]) => object(CHAOS_MESH, kind, spec, annotations));
}

/** A chaos object whose action is NetworkChaos bandwidth (rate, limit, buffer, sometimes peakrate and minburst). */
export function bandwidthObject(): fc.Arbitrary<Doc> {
  return chaosSpec('NetworkChaos')
    .filter((s) => s.action === 'bandwidth')
    .map((spec) => object(CHAOS_MESH, 'NetworkChaos', spec));
}

// ---------- Chaos Mesh Workflow ----------

const deadline = fc.constantFrom('30s', '1m', '90s', '2m', '5m');

/** A template tree before names are given: a chaos, a Suspend, a StatusCheck, or a Serial or Parallel of children. */
type Node =
  | { chaos: ChaosKind; spec: Doc; deadline?: string }
  | { suspend: string }
  | { statusCheck: Doc; abortWithStatusCheck: boolean; deadline?: string }
  | { templateType: 'Serial' | 'Parallel'; deadline?: string; children: Node[] };

/** The HTTP request of a StatusCheck: a health endpoint, its headers (a list of values each), a body on POST. */
const checkRequest = fc
  .record(
    {
      url: fc.constantFrom('http://cart.shop.svc:8080/health', 'http://api.shop.svc/ready'),
      method: fc.constantFrom('GET', 'POST'),
      headers: fc.constantFrom(
        { Authorization: ['Bearer probe-token'] },
        { Accept: ['application/json'], 'X-Probe': ['chaos', 'workflow'] },
      ),
      body: fc.constant('{"ping":true}'),
      criteria: fc.constantFrom('200', '200-299', '200-399').map((statusCode) => ({ statusCode })),
    },
    { requiredKeys: ['url', 'criteria'] },
  )
  .map(({ body, ...http }) => (http.method === 'POST' ? { ...http, body } : http));

/**
 * A StatusCheck template: Synchronous (a gate: done at its successThreshold-th success) or Continuous (watches
 * for its duration), now and then without a mode (the webhook's default, Synchronous), mostly aborting the
 * workflow when it fails.
 */
function statusCheckNode(): fc.Arbitrary<Node> {
  const check = fc.record(
    {
      mode: fc.constantFrom('Synchronous', 'Continuous'),
      type: fc.constant('HTTP'),
      intervalSeconds: fc.constantFrom(1, 5, 10),
      timeoutSeconds: fc.constantFrom(1, 2, 5),
      failureThreshold: fc.integer({ min: 1, max: 5 }),
      successThreshold: fc.integer({ min: 1, max: 3 }),
      duration: deadline,
      http: checkRequest,
    },
    { requiredKeys: ['mode', 'type', 'http'] },
  );
  return fc
    .record({
      statusCheck: fc.tuple(check, fc.nat(9)).map(([c, n]) => (n === 0 ? { ...c, mode: undefined } : c)),
      abortWithStatusCheck: fc.nat(3).map((n) => n > 0),
      deadline: sometimes(deadline, 3),
    })
    .map(({ statusCheck, deadline, ...rest }) => ({
      statusCheck: JSON.parse(JSON.stringify(statusCheck)) as Doc, // no undefined keys
      ...rest,
      ...(deadline ? { deadline } : {}),
    }));
}

function chaosNode(): fc.Arbitrary<Node> {
  return fc
    .constantFrom(...CHAOS_KINDS)
    .chain((kind) =>
      fc.record({ chaos: fc.constant(kind), spec: chaosSpec(kind), deadline: fc.option(deadline, { nil: undefined, freq: 8 }) }),
    )
    .map((n) => (n.deadline === undefined ? { chaos: n.chaos, spec: n.spec } : n));
}

/**
 * A node `depth` levels deep at most; a Parallel's children are mostly chaos, as people write them. With
 * `checks`, a leaf is now and then a StatusCheck (a gate before chaos, or a watch beside it).
 */
function node(depth: number, checks = false): fc.Arbitrary<Node> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: chaosNode() },
    { weight: 1, arbitrary: deadline.map((d) => ({ suspend: d })) },
    ...(checks ? [{ weight: 1, arbitrary: statusCheckNode() }] : []),
  );
  if (depth === 0) return leaf;
  const group = (templateType: 'Serial' | 'Parallel', children: fc.Arbitrary<Node>) =>
    fc
      .record({ deadline: fc.option(deadline, { nil: undefined }), children: fc.array(children, { minLength: 1, maxLength: 3 }) })
      .map((g) => ({ templateType, ...(g.deadline ? { deadline: g.deadline } : {}), children: g.children }));
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: group('Serial', node(depth - 1, checks)) },
    { weight: 1, arbitrary: group('Parallel', fc.oneof({ weight: 4, arbitrary: chaosNode() }, node(depth - 1, checks))) },
  );
}

/** A tree as Workflow templates named `serial-1`, `network-2`, ...: the root's name, and every template. */
function templatesOf(root: Node): { entry: string; templates: Doc[] } {
  const templates: Doc[] = [];
  const visit = (n: Node): string => {
    const type = 'chaos' in n ? n.chaos : 'suspend' in n ? 'Suspend' : 'statusCheck' in n ? 'StatusCheck' : n.templateType;
    const name = `${type.replace(/Chaos$/, '').toLowerCase()}-${templates.length + 1}`;
    const template: Doc = { name, templateType: type };
    templates.push(template);
    if ('chaos' in n) Object.assign(template, n.deadline ? { deadline: n.deadline } : {}, { [EMBED[n.chaos]]: n.spec });
    else if ('suspend' in n) template.deadline = n.suspend;
    else if ('statusCheck' in n) Object.assign(template, n);
    else Object.assign(template, n.deadline ? { deadline: n.deadline } : {}, { children: n.children.map(visit) });
    return name;
  };
  return { entry: visit(root), templates };
}

/**
 * A Workflow spec: a Serial entry of templates nested two levels deep at most. With `checks`, StatusChecks
 * among them, and now and then the entry a Parallel of a StatusCheck beside that Serial (a watch while the
 * chaos runs, as faultline's export writes one).
 */
export function workflowSpec(checks = false): fc.Arbitrary<Doc> {
  const serial = fc
    .record({
      deadline: fc.option(deadline, { nil: undefined, freq: 4 }),
      children: fc.array(node(2, checks), { minLength: 1, maxLength: 4 }),
    })
    .map((root): Node => ({ templateType: 'Serial', ...(root.deadline ? { deadline: root.deadline } : {}), children: root.children }));
  const watched = fc.tuple(statusCheckNode(), serial).map(([check, main]): Node => ({ templateType: 'Parallel', children: [check, main] }));
  const root = checks ? fc.oneof({ weight: 2, arbitrary: serial }, { weight: 1, arbitrary: watched }) : serial;
  return root.map(templatesOf);
}

export function workflowObject(checks = false): fc.Arbitrary<Doc> {
  return workflowSpec(checks)
    .map((spec) => object(CHAOS_MESH, 'Workflow', spec))
    .filter(valid);
}

// ---------- Chaos Mesh Schedule ----------

/** Crons as people write them for Chaos Mesh (robfig/cron's standard fields and descriptors). */
const cron = fc.constantFrom('0 10 * * 1-5', '*/15 * * * *', '@hourly', '30 2 * * *', '0 */2 * * *', '@daily');

/** A Schedule of one chaos of the kinds above (now and then a Workflow), sometimes paused. */
export function scheduleObject(): fc.Arbitrary<Doc> {
  const schema = crdSpec(join('chaos-mesh', 'chaos-mesh.org_schedules.yaml'), 'Schedule').properties;
  const embedded = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constantFrom(...CHAOS_KINDS).chain((kind) => chaosSpec(kind).map((s) => ({ type: kind, [EMBED[kind]]: s }))),
    },
    { weight: 1, arbitrary: workflowSpec().map((workflow) => ({ type: 'Workflow', workflow })) },
  );
  const settings = fc.record(
    {
      schedule: cron,
      concurrencyPolicy: fc.constantFrom(...choices(schema.concurrencyPolicy)),
      historyLimit: fc.integer({ min: minimum(schema.historyLimit), max: 10 }),
      startingDeadlineSeconds: fc.integer({ min: minimum(schema.startingDeadlineSeconds), max: 300 }),
    },
    { requiredKeys: ['schedule'] },
  );
  return fc
    .tuple(settings, embedded, pauseAnnotation)
    .map(([s, chaos, annotations]) => object(CHAOS_MESH, 'Schedule', { ...s, ...chaos }, annotations))
    .filter(valid);
}

// ---------- Litmus ChaosEngine ----------

const numbers = (...values: number[]) => fc.constantFrom(...values.map(String));
const port = numbers(80, 8080);
const toxicity = numbers(25, 50, 100);

/**
 * The env of each ChaosHub experiment faultline imports (src/spec/convert/import.ts), with realistic values;
 * each entry is present or not.
 */
const EXPERIMENT_ENV: Record<string, Record<string, fc.Arbitrary<string>>> = {
  'pod-delete': { CHAOS_INTERVAL: numbers(5, 10, 20), FORCE: fc.constantFrom('true', 'false') },
  'container-kill': {
    CHAOS_INTERVAL: numbers(10, 20),
    SIGNAL: fc.constantFrom('SIGKILL', 'SIGTERM'),
    TARGET_CONTAINER: fc.constantFrom('app', 'nginx'),
  },
  'pod-cpu-hog': { CPU_CORES: numbers(1, 2, 4), CPU_LOAD: numbers(50, 80, 100) },
  'pod-memory-hog': { MEMORY_CONSUMPTION: numbers(256, 500, 1024), NUMBER_OF_WORKERS: numbers(1, 2) },
  'pod-io-stress': {
    NUMBER_OF_WORKERS: numbers(1, 4),
    VOLUME_MOUNT_PATH: fc.constant('/data'),
    FILESYSTEM_UTILIZATION_PERCENTAGE: numbers(10, 20),
  },
  'disk-fill': { FILL_PERCENTAGE: numbers(50, 80), EPHEMERAL_STORAGE_MEBIBYTES: numbers(256, 1024) },
  'pod-network-latency': {
    NETWORK_LATENCY: numbers(100, 500, 2000),
    JITTER: numbers(0, 10, 50),
    CORRELATION: numbers(0, 25),
    NETWORK_INTERFACE: fc.constantFrom('eth0', 'eth1'),
    DESTINATION_HOSTS: fc.constantFrom('api.example.com', 'db.shop.svc,cache.shop.svc'),
  },
  'pod-network-loss': { NETWORK_PACKET_LOSS_PERCENTAGE: numbers(10, 50, 100), CORRELATION: numbers(0, 25) },
  'pod-network-corruption': { NETWORK_PACKET_CORRUPTION_PERCENTAGE: numbers(5, 50, 100) },
  'pod-network-rate-limit': {
    NETWORK_BANDWIDTH: fc.constantFrom('1mbit', '500kbit', '10mbit'),
    BURST: fc.constantFrom('32kb', '64kb'),
    LIMIT: fc.constantFrom('2mb', '4mb'),
  },
  'pod-network-partition': {
    POLICY_TYPES: fc.constantFrom('all', 'ingress', 'egress'),
    POD_SELECTOR: fc.constantFrom('app=db', 'app=cache,tier=data'),
    NAMESPACE_SELECTOR: fc.constant('kubernetes.io/metadata.name=data'),
  },
  'pod-http-status-code': {
    STATUS_CODE: numbers(500, 503, 404),
    MODIFY_RESPONSE_BODY: fc.constantFrom('true', 'false'),
    RESPONSE_BODY: fc.constantFrom('oops', '{"error":true}'),
    TARGET_SERVICE_PORT: port,
    TOXICITY: toxicity,
  },
  'pod-http-latency': { LATENCY: numbers(500, 2000), TARGET_SERVICE_PORT: port, TOXICITY: toxicity },
  'pod-http-modify-body': { RESPONSE_BODY: fc.constantFrom('maintenance', '{"ok":false}'), TARGET_SERVICE_PORT: port, TOXICITY: toxicity },
  'pod-http-modify-header': {
    HEADERS_MAP: fc.constant('{"X-Chaos":"1"}'),
    HEADER_MODE: fc.constant('response'),
    TARGET_SERVICE_PORT: port,
    TOXICITY: toxicity,
  },
  'pod-dns-error': { TARGET_HOSTNAMES: fc.constant('["api.example.com"]'), MATCH_SCHEME: fc.constantFrom('exact', 'substring') },
};

/** Env every experiment reads. */
const COMMON_ENV: Record<string, fc.Arbitrary<string>> = {
  TOTAL_CHAOS_DURATION: numbers(30, 60, 120),
  PODS_AFFECTED_PERC: fc.constantFrom('', '0', '25', '50', '100'),
  SEQUENCE: fc.constantFrom('parallel', 'serial'),
};

export const LITMUS_EXPERIMENTS = Object.keys(EXPERIMENT_ENV);

/** Now and then the pods by name (TARGET_PODS), as the pods of a StatefulSet or a Deployment are named. */
const targetPods = sometimes(fc.constantFrom('web-0', 'web-0,web-1', 'cart-6d4f9b7c5-x7k2p'), 5);

function envOf(experiment: string): fc.Arbitrary<Doc[]> {
  const all = { ...COMMON_ENV, ...EXPERIMENT_ENV[experiment] };
  return fc
    .tuple(fc.record(all, { requiredKeys: [] }), targetPods)
    .map(([env, pods]) => Object.entries({ ...env, ...(pods ? { TARGET_PODS: pods } : {}) }).map(([name, value]) => ({ name, value })));
}

/** Comparators as people write them, each with a value of its shape. */
const NUMBER_CHECKS = fc.constantFrom(
  ['==', '200'],
  ['!=', '500'],
  ['>=', '200'],
  ['<', '500'],
  ['oneOf', '200,204'],
  ['between', '200,299'],
);

const runProperties = fc.record(
  {
    probeTimeout: fc.constantFrom('5s', '10s', '500ms'),
    interval: fc.constantFrom('1s', '2s', '5s'),
    attempt: fc.integer({ min: 1, max: 3 }),
    retry: fc.integer({ min: 1, max: 3 }),
    probePollingInterval: fc.constantFrom('1s', '2s'),
    initialDelay: fc.constantFrom('5s', '10s'),
    stopOnFailure: fc.boolean(),
    evaluationTimeout: fc.constant('30s'),
  },
  { requiredKeys: ['probeTimeout', 'interval'] },
);

const httpInputs = fc
  .tuple(NUMBER_CHECKS, fc.constantFrom('get', 'post'), fc.option(fc.boolean(), { nil: undefined }), fc.constantFrom('{"q":1}', 'ping'))
  .map(([[criteria, responseCode], verb, insecureSkipVerify, body]) => ({
    url: 'http://cart.shop.svc:8080/health',
    ...(insecureSkipVerify === undefined ? {} : { insecureSkipVerify }),
    method: { [verb]: { criteria, responseCode, ...(verb === 'post' ? { contentType: 'application/json', body } : {}) } },
  }));

const cmdInputs = fc
  .constantFrom(['int', '>=', '3'], ['float', '<', '0.5'], ['string', 'equal', 'Running'], ['string', 'contains', 'ok'])
  .map(([type, criteria, value]) => ({
    command: "kubectl get deploy cart -n shop -o jsonpath='{.status.readyReplicas}'",
    comparator: { type, criteria, value },
  }));

const promInputs = fc.constantFrom(['<', '0.01'], ['<=', '0.05'], ['>=', '0.99']).map(([criteria, value]) => ({
  endpoint: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
  comparator: { criteria, value },
}));

const k8sInputs = fc
  .record(
    {
      what: fc.constantFrom({ group: '', version: 'v1', resource: 'pods' }, { group: 'apps', version: 'v1', resource: 'deployments' }),
      namespace: fc.constant('shop'),
      labelSelector: fc.constant('app=cart'),
      resourceNames: fc.constantFrom('cart', 'cart,checkout'),
    },
    { requiredKeys: ['what'] },
  )
  .chain(({ what, ...rest }) =>
    fc.constantFrom('present', 'absent', 'create', 'delete').map((operation) => ({ ...what, ...rest, operation })),
  );

/** A probe of the kinds the import reads (httpProbe, cmdProbe, promProbe, k8sProbe), named `name`. */
function probe(name: string, modes: string[]): fc.Arbitrary<Doc> {
  const inputs = fc.oneof(
    httpInputs.map((i) => ['httpProbe', i] as const),
    cmdInputs.map((i) => ['cmdProbe', i] as const),
    promInputs.map((i) => ['promProbe', i] as const),
    k8sInputs.map((i) => ['k8sProbe', i] as const),
  );
  return fc
    .tuple(inputs, fc.constantFrom(...modes), runProperties)
    .map(([[type, i], mode, run]) => ({ name, type, mode, [`${type}/inputs`]: i, runProperties: run }));
}

/**
 * An engine's experiments, each with some of the engine's probes: a probe is defined once for the engine and
 * given to one experiment or several, as teams repeat the same health check on each.
 */
function experiments(modes: string[], most: number): fc.Arbitrary<Doc[]> {
  const probes = fc
    .subarray(['app-up', 'ready-replicas', 'error-ratio'], { maxLength: 3 })
    .chain((names) => fc.tuple(...names.map((n) => probe(n, modes))));
  const experiment = (pool: Doc[]) =>
    fc
      .constantFrom(...LITMUS_EXPERIMENTS)
      .chain((name) => fc.tuple(fc.constant(name), envOf(name), fc.subarray(pool, { maxLength: Math.min(2, pool.length) })))
      .map(([name, env, probe]) => ({ name, spec: { components: { env }, ...(probe.length ? { probe } : {}) } }));
  return probes.chain((pool) => fc.array(experiment(pool), { minLength: 1, maxLength: most }));
}

/** A ChaosEngine spec: who it targets (appinfo or pod names), its state, one to `most` experiments. */
export function engineSpec(most = 3): fc.Arbitrary<Doc> {
  const schema = crdSpec(join('litmus', 'chaos_crds.yaml'), 'ChaosEngine').properties;
  const probeSchema = schema.experiments.items.properties.spec.properties.probe.items.properties;
  const appinfo = fc.record(
    {
      appns: fc.constantFrom('shop', ''),
      applabel: fc.constantFrom('app=web', 'app=api,tier=backend', ''),
      appkind: fc.constantFrom(...choices(schema.appinfo.properties.appkind)),
    },
    { requiredKeys: [] },
  );
  const pods = fc.constantFrom([{ namespace: 'shop', names: 'web-0,web-1' }], [{ namespace: 'shop', names: 'api-0' }]);
  // one workload by labels (by names, or several, the import refuses, saying why)
  const workload = fc.record({
    kind: fc.constantFrom(...choices(schema.selectors.properties.workloads.items.properties.kind).filter(Boolean)),
    namespace: fc.constantFrom('shop', 'payments'),
    labels: fc.constantFrom('app=web', 'app=api,tier=backend'),
  });
  const target = fc.oneof(
    { weight: 4, arbitrary: appinfo.map((a) => ({ appinfo: a })) },
    pods.map((p) => ({ selectors: { pods: p } })),
    workload.map((w) => ({ selectors: { workloads: [w] } })),
  );
  return fc
    .record({
      target,
      engineState: fc.constantFrom(...choices(schema.engineState)),
      chaosServiceAccount: fc.constantFrom('litmus-admin', 'pod-delete-sa'),
      jobCleanUpPolicy: fc.constantFrom(...choices(schema.jobCleanUpPolicy)),
      experiments: experiments(choices(probeSchema.mode), most),
    })
    .map(({ target, ...spec }) => ({ ...target, ...spec }));
}

export function engineObject(): fc.Arbitrary<Doc> {
  return engineSpec()
    .map((spec) => object(LITMUS, 'ChaosEngine', spec))
    .filter(valid);
}

// ---------- Litmus ChaosSchedule ----------

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const repeat = fc.record(
  {
    properties: fc.record(
      {
        minChaosInterval: fc.oneof(
          fc
            .record(
              { everyNthHour: fc.integer({ min: 1, max: 12 }), minuteOfTheHour: fc.integer({ min: 0, max: 59 }) },
              { requiredKeys: ['everyNthHour'] },
            )
            .map((hour) => ({ hour })),
          fc.integer({ min: 5, max: 59 }).map((everyNthMinute) => ({ minute: { everyNthMinute } })),
        ),
        random: fc.boolean(),
      },
      { requiredKeys: ['minChaosInterval'] },
    ),
    timeRange: fc.record(
      { startTime: fc.constant('2026-01-01T00:00:00Z'), endTime: fc.constant('2026-12-31T18:00:00Z') },
      { requiredKeys: [] },
    ),
    workDays: fc.shuffledSubarray(DAYS, { minLength: 1 }).map((days) => ({ includedDays: days.join(',') })),
    workHours: fc.constantFrom('9-17', '0-23', '10-16').map((includedHours) => ({ includedHours })),
  },
  { requiredKeys: ['properties'] },
);

/** A ChaosSchedule: mostly a repetition (now and then a single run, `now` or `once`) of one engine. */
export function chaosScheduleObject(): fc.Arbitrary<Doc> {
  const when = fc.oneof(
    { weight: 8, arbitrary: repeat.map((r) => ({ repeat: r })) },
    { weight: 1, arbitrary: fc.constant({ now: true }) },
    { weight: 1, arbitrary: fc.constant({ once: { executionTime: '2026-03-01T09:00:00Z' } }) },
  );
  return fc
    .record(
      {
        schedule: when,
        concurrencyPolicy: fc.constantFrom('Forbid', 'Allow'),
        scheduleState: fc.constantFrom('active', 'halt'),
        engineTemplateSpec: engineSpec(1),
      },
      { requiredKeys: ['schedule', 'engineTemplateSpec'] },
    )
    .map((spec) => object(LITMUS, 'ChaosSchedule', spec))
    .filter(valid);
}
