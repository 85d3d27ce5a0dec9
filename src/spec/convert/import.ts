/**
 * `faultline import`: Chaos Mesh objects (NetworkChaos, PodChaos, StressChaos, TimeChaos, IOChaos,
 * HTTPChaos, DNSChaos, Schedule, Workflow) and Litmus ChaosEngines become faultline documents
 * (Experiment, or Schedule with its experiment inline), keeping what maps and listing what does not.
 *
 * Safety first: a selector field faultline cannot express (expressionSelectors, nodes, nodeSelectors,
 * a set-based Litmus label) would select more pods once dropped, so such an object is not imported.
 */

import { ALL_IO_OPS, methodsFromChaosMesh } from '../../backends/kubernetes/chaos-mesh/io-methods.js';
import { fromChaosMeshRate, goDuration, toMs } from '../../backends/kubernetes/params.js';
import { parseSize } from '../../util/size.js';
import { stringify } from '../../util/yaml.js';
import { API_VERSION } from '../schema.js';
import { parseYamlDocuments } from '../yaml-input.js';
import { probeFromLitmus, withLitmusProbes } from './litmus-probes.js';
import { importLitmusWorkflow } from './litmus-workflow.js';
import { Skip } from './skip.js';

// biome-ignore lint/suspicious/noExplicitAny: YAML documents are free-form
type Doc = Record<string, any>;

export interface ImportOptions {
  /** kubernetes (default): the same engine drives it; local: selectors become target labels (map them in faultline.yaml) */
  backend?: 'kubernetes' | 'local';
}

export interface Imported {
  /** `NetworkChaos shop/web-delay` */
  source: string;
  document: Doc;
  /** what did not map, one line each */
  notes: string[];
}

export interface ImportResult {
  imported: Imported[];
  /** documents not imported, with why */
  skipped: string[];
}

const EMBED_KEYS: Record<string, string> = {
  networkChaos: 'NetworkChaos',
  podChaos: 'PodChaos',
  stressChaos: 'StressChaos',
  timeChaos: 'TimeChaos',
  ioChaos: 'IOChaos',
  httpChaos: 'HTTPChaos',
  dnsChaos: 'DNSChaos',
};
const KIND_KEYS = Object.fromEntries(Object.entries(EMBED_KEYS).map(([k, v]) => [v, k]));

/** NetworkChaos bandwidth's tbf settings beside its rate, kept in the step's `kubernetes.bandwidth`. */
const BANDWIDTH_QUEUE = ['limit', 'buffer', 'peakrate', 'minburst'] as const;

const IO_ATTRS = ['size', 'perm', 'uid', 'gid', 'nlink', 'ino', 'atime', 'mtime', 'ctime'];

/** An IOChaos as the fault and params of io.latency, io.error, io.attr or io.mistake (the volume and containers go in `k`). */
function ioStep(spec: Doc, k: Doc, where: string, notes: string[]): { fault: string; params: Doc } {
  containers(spec, k);
  k.volumePath = spec.volumePath;
  const params: Doc = {};
  if (spec.path) params.path = spec.path;
  if (spec.percent !== undefined && spec.percent !== 100) params.percent = spec.percent;
  if (spec.methods?.length) {
    const { ops, unmapped } = methodsFromChaosMesh(spec.methods);
    if (!ops.length)
      throw new Skip(`${where}: methods ${spec.methods.join(', ')} have no faultline operation (open, read, write, fsync, stat)`);
    if (unmapped.length)
      notes.push(`${where}: methods ${unmapped.join(', ')} not mapped (faultline's operations: open, read, write, fsync, stat)`);
    params.methods = ops;
    if (ALL_IO_OPS.every((op) => ops.includes(op)) && spec.action !== 'attrOverride')
      notes.push(
        `${where}: methods ${spec.methods.join(', ')} cover every faultline operation; the export writes no methods, which IOChaos reads as every method (readdir, mkdir, ... too)`,
      );
  }
  switch (spec.action) {
    case 'latency':
      return { fault: 'io.latency', params: { delay: dur(spec.delay, notes, `${where}: delay`) ?? '100ms', ...params } };
    case 'fault':
      return { fault: 'io.error', params: { errno: spec.errno, ...params } };
    case 'attrOverride': {
      const attr: Doc = {};
      for (const [key, value] of Object.entries((spec.attr ?? {}) as Doc)) {
        if (!IO_ATTRS.includes(key)) notes.push(`${where}: attr.${key} not mapped`);
        else if (typeof value === 'object' && value !== null) {
          attr[key] = value.sec;
          if (value.nsec) notes.push(`${where}: attr.${key}.nsec ${value.nsec} not mapped: faultline sets times in whole seconds`);
        } else attr[key] = value;
      }
      if (spec.methods?.length && !spec.methods.includes('getattr'))
        notes.push(`${where}: methods ${spec.methods.join(', ')} leave out getattr, so Chaos Mesh never overrides; the import overrides`);
      delete params.methods;
      if (!Object.keys(attr).length) throw new Skip(`${where}: attr has nothing faultline overrides (${IO_ATTRS.join(', ')})`);
      return { fault: 'io.attr', params: { attr, ...params } };
    }
    case 'mistake': {
      const m = spec.mistake ?? {};
      const methods = params.methods ?? ['read', 'write'];
      if (methods.some((op: string) => op !== 'read'))
        notes.push(
          `${where}: methods ${methods.filter((op: string) => op !== 'read').join(', ')} of the mistake not mapped (io.mistake changes what is read, never the file)`,
        );
      delete params.methods;
      for (const key of ['maxOccurrences', 'maxLength'] as const)
        if (m[key] === undefined) notes.push(`${where}: mistake ${key} not set (Chaos Mesh reads 0); the import writes 1`);
      if (m.filling === undefined) notes.push(`${where}: mistake filling not set; the import fills with random bytes`);
      return {
        fault: 'io.mistake',
        params: { filling: m.filling ?? 'random', maxOccurrences: m.maxOccurrences ?? 1, maxLength: m.maxLength ?? 1, ...params },
      };
    }
    default:
      throw new Skip(`${where}: action ${spec.action} has no faultline fault (latency, fault, attrOverride and mistake do)`);
  }
}

function dur(text: unknown, notes: string[], what: string): string | undefined {
  if (text === undefined || text === null || text === '') return undefined;
  const ms = toMs(String(text));
  if (ms === null || ms < 0) {
    notes.push(`${what} ${JSON.stringify(text)} is not a duration faultline reads; left out`);
    return undefined;
  }
  return goDuration(ms);
}

function sizeText(bytes: number): string {
  for (const [unit, n] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes % n === 0 && bytes > 0) return `${bytes / n}${unit}`;
  }
  return String(bytes);
}

// ---------- Chaos Mesh ----------

/** A Chaos Mesh PodSelectorSpec, mode and value as a faultline selector, mode and value. */
function selection(spec: Doc, namespace: string): Doc {
  const sel: Doc = spec.selector ?? {};
  const broad = ['expressionSelectors', 'nodes', 'nodeSelectors'].filter((k) => sel[k] && Object.keys(sel[k]).length);
  if (broad.length)
    throw new Skip(
      `selector ${broad.join(', ')} cannot be expressed in faultline; dropping it would select more pods, so it is not imported`,
    );
  if (spec.remoteCluster) throw new Skip(`remoteCluster ${spec.remoteCluster} is not supported`);
  const out: Doc = {};
  if (sel.namespaces?.length && !(sel.namespaces.length === 1 && sel.namespaces[0] === namespace)) out.namespaces = sel.namespaces;
  if (sel.labelSelectors && Object.keys(sel.labelSelectors).length) out.labels = sel.labelSelectors;
  for (const key of ['fieldSelectors', 'annotationSelectors', 'pods'] as const)
    if (sel[key] && Object.keys(sel[key]).length) out[key] = sel[key];
  if (sel.podPhaseSelectors?.length) out.podPhaseSelectors = sel.podPhaseSelectors;
  if (!Object.keys(out).length) out.namespaces = [namespace]; // Chaos Mesh: every pod of the namespace
  const result: Doc = { selector: out, mode: spec.mode ?? 'one' };
  if (spec.value !== undefined && spec.value !== '' && result.mode !== 'one' && result.mode !== 'all') result.value = Number(spec.value);
  return result;
}

function containers(spec: Doc, k: Doc): void {
  if (spec.containerNames?.length) k.containerNames = spec.containerNames;
}

function ignored(spec: Doc, keys: string[], notes: string[], what: string): void {
  for (const key of keys) if (spec[key] !== undefined) notes.push(`${what}: ${key} ${JSON.stringify(spec[key])} not mapped`);
}

/** The spec fields each kind's import reads (by action where it matters); any other field gets a note, never silence. */
const READ_FIELDS: Record<string, (action: string) => string[]> = {
  NetworkChaos: (action) => ['action', 'direction', 'target', 'externalTargets', 'device', 'targetDevice', action],
  PodChaos: (action) => ['action', ...(action === 'pod-kill' ? ['gracePeriod'] : action === 'container-kill' ? ['containerNames'] : [])],
  StressChaos: () => ['stressors', 'containerNames', 'stressngStressors'],
  TimeChaos: () => ['timeOffset', 'clockIds', 'containerNames'],
  IOChaos: (action) => [
    'action',
    'volumePath',
    'path',
    'percent',
    'methods',
    'containerNames',
    ({ latency: 'delay', fault: 'errno', attrOverride: 'attr', mistake: 'mistake' } as Record<string, string>)[action] ?? '',
  ],
  HTTPChaos: () => [
    'target',
    'port',
    'path',
    'method',
    'request_headers',
    'abort',
    'delay',
    'replace',
    'patch',
    'code',
    'response_headers',
    'tls',
  ],
  DNSChaos: () => ['action', 'patterns', 'containerNames'],
};
const SELECTION_FIELDS = ['selector', 'mode', 'value', 'duration', 'remoteCluster'];

/** The fault steps (usually one) a Chaos Mesh chaos spec becomes; several run at the same time (StressChaos cpu and memory). */
function chaosMeshSteps(kind: string, spec: Doc, name: string, namespace: string, notes: string[], durationText?: string): Doc[] {
  const steps = chaosMeshStepsRead(kind, spec, name, namespace, notes, durationText);
  const read = [...SELECTION_FIELDS, ...(READ_FIELDS[kind]?.(String(spec.action ?? '')) ?? [])];
  for (const [key, value] of Object.entries(spec)) {
    const empty = value === undefined || value === null || value === '' || (typeof value === 'object' && !Object.keys(value).length);
    if (!read.includes(key) && !empty)
      notes.push(
        `${kind} ${name}: ${key} ${JSON.stringify(value)} not mapped${spec.action ? ` (${kind} ${spec.action} does not read it here)` : ''}`,
      );
  }
  return steps;
}

function chaosMeshStepsRead(kind: string, spec: Doc, name: string, namespace: string, notes: string[], durationText?: string): Doc[] {
  const where = `${kind} ${name}`;
  const base = { name, ...selection(spec, namespace) };
  const duration = durationText ?? dur(spec.duration, notes, `${where}: duration`);
  const step = (fault: string, params: Doc, k: Doc = {}): Doc => ({
    ...base,
    fault,
    ...(Object.keys(params).length ? { params } : {}),
    ...(Object.keys(k).length ? { kubernetes: k } : {}),
    ...(duration ? { duration } : {}),
  });
  const k: Doc = {};
  switch (kind) {
    case 'NetworkChaos': {
      if (spec.direction && spec.direction !== 'to') k.direction = spec.direction;
      if (spec.target) {
        const t = spec.target.selector ?? {};
        const broad = [
          'expressionSelectors',
          'nodes',
          'nodeSelectors',
          'fieldSelectors',
          'annotationSelectors',
          'podPhaseSelectors',
        ].filter((x) => t[x]);
        if (broad.length) throw new Skip(`${where}: target selector ${broad.join(', ')} cannot be expressed`);
        if (spec.target.mode && spec.target.mode !== 'all')
          notes.push(`${where}: target mode ${spec.target.mode} not mapped: every pod of the target is the other side`);
        k.target = Object.fromEntries(['namespaces', 'labelSelectors', 'pods'].filter((x) => t[x]).map((x) => [x, t[x]]));
      }
      if (spec.externalTargets?.length) k.externalTargets = spec.externalTargets;
      if (spec.device) k.device = spec.device;
      ignored(spec, ['targetDevice'], notes, where);
      switch (spec.action) {
        case 'delay': {
          const d = spec.delay ?? {};
          ignored(d, ['reorder'], notes, `${where}: delay`);
          const params: Doc = { latency: dur(d.latency, notes, `${where}: latency`) ?? '0ms' };
          const jitter = dur(d.jitter, notes, `${where}: jitter`);
          if (jitter && jitter !== '0ms') params.jitter = jitter;
          if (d.correlation !== undefined && Number(d.correlation) !== 0) params.correlation = String(d.correlation);
          return [step('network.latency', params, k)];
        }
        case 'loss':
          return [
            step(
              'network.loss',
              {
                percent: String(spec.loss?.loss ?? '0'),
                ...(Number(spec.loss?.correlation ?? 0) ? { correlation: String(spec.loss.correlation) } : {}),
              },
              k,
            ),
          ];
        case 'corrupt':
          ignored(spec.corrupt ?? {}, ['correlation'], notes, `${where}: corrupt`);
          return [step('network.corrupt', { percent: String(spec.corrupt?.corrupt ?? '0') }, k)];
        case 'bandwidth': {
          const b = spec.bandwidth ?? {};
          // the tbf queue as it is: how much may wait (limit), the bucket (buffer), the peak rate and its bucket
          const queue = Object.fromEntries(BANDWIDTH_QUEUE.filter((key) => typeof b[key] === 'number').map((key) => [key, b[key]]));
          if (Object.keys(queue).length) k.bandwidth = queue;
          // Chaos Mesh counts kbps, mbps... in 1024s (pkg/chaosdaemon/netem/utils.go parseRate): written as bytes
          return [step('network.bandwidth', { rate: fromChaosMeshRate(String(b.rate)) ?? String(b.rate) }, k)];
        }
        case 'partition':
          return [step('network.partition', {}, k)];
        default:
          throw new Skip(
            `${where}: action ${spec.action} has no faultline fault (network.latency, loss, corrupt, bandwidth, partition do)`,
          );
      }
    }
    case 'PodChaos': {
      containers(spec, k);
      if (spec.action === 'pod-kill') {
        if (spec.gracePeriod) k.gracePeriod = Number(spec.gracePeriod);
        return [step('process.kill', {}, k)];
      }
      if (spec.action === 'container-kill') return [step('process.kill', {}, { action: 'container-kill', ...k })];
      return [step('process.pause', {}, k)];
    }
    case 'StressChaos': {
      containers(spec, k);
      if (spec.stressngStressors)
        notes.push(
          `${where}: stressngStressors "${spec.stressngStressors}" not mapped (Chaos Mesh itself ignores it, chaos-mesh PR #4945)`,
        );
      const steps: Doc[] = [];
      const cpu = spec.stressors?.cpu;
      const memory = spec.stressors?.memory;
      if (cpu) {
        ignored(cpu, ['options'], notes, `${where}: cpu`);
        steps.push(step('stress.cpu', { workers: cpu.workers, ...(cpu.load === undefined ? {} : { load: cpu.load }) }, k));
      }
      if (memory) {
        ignored(memory, ['options', 'oomScoreAdj'], notes, `${where}: memory`);
        const workers = memory.workers ?? 1;
        const size = String(memory.size ?? '');
        const percent = /^(\d+(?:\.\d+)?)%$/.exec(size);
        const bytes = parseSize(size, { binary: true }); // Chaos Mesh reads 512MB as 512 MiB
        // Chaos Mesh's size is per worker; faultline's is the total
        const total = percent ? `${Number(percent[1]) * workers}%` : bytes !== null ? sizeText(bytes * workers) : undefined;
        if (!total) throw new Skip(`${where}: memory size ${JSON.stringify(memory.size)} is not a size faultline reads`);
        steps.push({ ...step('stress.memory', { size: total, workers }, k), name: cpu ? `${name}-memory` : name });
      }
      if (!steps.length) throw new Skip(`${where}: no cpu or memory stressor`);
      if (steps.length > 1) steps[0] = { ...steps[0], name: `${name}-cpu` };
      return steps;
    }
    case 'TimeChaos': {
      containers(spec, k);
      const ms = toMs(String(spec.timeOffset));
      if (ms === null) throw new Skip(`${where}: timeOffset ${spec.timeOffset} is not a duration faultline reads`);
      const clockIds = spec.clockIds?.length ? { clockIds: spec.clockIds } : {};
      return [step('time.skew', { timeOffset: `${ms < 0 ? '-' : '+'}${goDuration(Math.abs(ms))}`, ...clockIds }, k)];
    }
    case 'IOChaos': {
      const io = ioStep(spec, k, where, notes);
      return [step(io.fault, io.params, k)];
    }
    case 'HTTPChaos': {
      if (spec.port) k.port = spec.port;
      ignored(spec, ['tls'], notes, where);
      const params = httpMatch(spec, where, notes);
      const target = spec.target;
      // Chaos Mesh applies every action an object names; faultline imports one (the first of these), so the
      // others are named in a note rather than lost
      const actions = ['abort', 'delay', 'replace', 'patch'].filter((a) => spec[a] !== undefined && spec[a] !== false);
      if (actions.length > 1)
        notes.push(
          `${where}: ${actions.slice(1).join(' and ')} not mapped: faultline imports one HTTP action per object (${actions[0]}); write the others as steps of a parallel group`,
        );
      if (spec.abort) return [step('http.abort', { ...params, abort: true, ...(target === 'Response' ? { target } : {}) }, k)];
      if (spec.delay)
        return [
          step(
            'http.delay',
            { ...params, delay: dur(spec.delay, notes, `${where}: delay`), ...(target === 'Response' ? { target } : {}) },
            k,
          ),
        ];
      const r = spec.replace;
      if (r) {
        ignored(r, ['path', 'method', 'queries'], notes, `${where}: replace`);
        const body = r.body === undefined ? undefined : Buffer.from(String(r.body), 'base64').toString('utf8');
        if (r.code !== undefined && body === undefined && !r.headers && target === 'Response')
          return [step('http.abort', { ...params, code: r.code, target }, k)];
        if (r.code !== undefined && target === 'Request')
          notes.push(`${where}: replace.code ${r.code} not mapped: a request has no status (Chaos Mesh replaces it on responses only)`);
        if ((r.code === undefined || target === 'Request') && body === undefined && !r.headers)
          throw new Skip(
            `${where}: replace has nothing faultline replaces (a response code, headers or a body; path, method and queries are not mapped)`,
          );
        // a JSON body reads better as YAML, but only one the export writes back byte for byte (compact JSON)
        const json = body === undefined ? undefined : tryJson(body);
        const asValue = json && typeof json === 'object' && JSON.stringify(json) === body;
        return [
          step(
            'http.replace',
            {
              ...params,
              ...(target === 'Request' ? { target } : {}),
              ...(r.code === undefined || target === 'Request' ? {} : { code: r.code }),
              ...(r.headers ? { headers: r.headers } : {}),
              ...(body === undefined ? {} : { body: asValue ? json : body }),
            },
            k,
          ),
        ];
      }
      const p = spec.patch;
      if (p) {
        ignored(p, ['queries'], notes, `${where}: patch`);
        const headers = p.headers ? patchHeaders(p.headers as string[][], where, notes) : undefined;
        const body = p.body === undefined ? undefined : patchBody(p.body, where, notes);
        if (!headers && !body) throw new Skip(`${where}: patch has nothing faultline patches (headers or a JSON object body)`);
        return [
          step(
            'http.patch',
            { ...params, ...(target === 'Request' ? { target } : {}), ...(headers ? { headers } : {}), ...(body ? { body } : {}) },
            k,
          ),
        ];
      }
      throw new Skip(`${where}: no abort, delay, replace or patch`);
    }
    case 'DNSChaos': {
      containers(spec, k);
      return [step(spec.action === 'random' ? 'dns.random' : 'dns.error', spec.patterns?.length ? { patterns: spec.patterns } : {}, k)];
    }
    default:
      throw new Skip(`${kind} has no faultline equivalent`);
  }
}

/**
 * What an HTTPChaos selects, as faultline params: method, path, and `match` of the request headers and the
 * status (`code`; chaos-tproxy reads it on responses only, as faultline's match.status). Response headers
 * faultline does not match: noted, as the fault then hits responses whatever their headers.
 */
function httpMatch(spec: Doc, where: string, notes: string[]): Doc {
  const params: Doc = {};
  const match: Doc = {};
  if (spec.method) params.method = spec.method;
  if (spec.path) params.path = spec.path;
  if (spec.request_headers && Object.keys(spec.request_headers).length) match.headers = spec.request_headers;
  if (spec.code !== undefined) match.status = spec.code;
  if (spec.response_headers && Object.keys(spec.response_headers).length)
    notes.push(
      `${where}: response_headers ${JSON.stringify(spec.response_headers)} not mapped: faultline matches request headers only${spec.target === 'Response' ? ', so responses are hit whatever their headers' : ''}`,
    );
  if (Object.keys(match).length) params.match = match;
  return params;
}

/**
 * HTTPChaos patch.headers ([name, value] pairs, each appended) as faultline's map of headers added: a name given
 * twice (two Set-Cookie) keeps its last value, noted.
 */
function patchHeaders(pairs: string[][], where: string, notes: string[]): Doc {
  const headers: Doc = {};
  for (const [name = '', value = ''] of pairs) {
    const same = Object.keys(headers).find((n) => n.toLowerCase() === name.toLowerCase());
    if (same !== undefined) {
      notes.push(
        `${where}: patch.headers ${name} given more than once: faultline adds one value a header, the import keeps the last (${value})`,
      );
      delete headers[same];
    }
    headers[name] = value;
  }
  return headers;
}

/** HTTPChaos patch.body (a JSON merge patch as text) as faultline's: an object; any other patch is noted and left out. */
function patchBody(body: Doc, where: string, notes: string[]): Doc | undefined {
  const value = tryJson(String(body.value ?? ''));
  if (body.type === 'JSON' && value && typeof value === 'object' && !Array.isArray(value)) return value as Doc;
  notes.push(`${where}: patch.body ${JSON.stringify(body)} not mapped: faultline merges a JSON object into the body`);
  return undefined;
}

/** Steps of one chaos object as one method step: a parallel group when there are several. */
function together(steps: Doc[], name: string): Doc[] {
  return steps.length > 1 ? [{ name, parallel: steps }] : steps;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function experimentDoc(
  name: string,
  source: string,
  namespace: string,
  engine: 'chaos-mesh' | 'litmus',
  method: Doc[],
  extra: Doc = {},
): Doc {
  return {
    apiVersion: API_VERSION,
    kind: 'Experiment',
    metadata: { name, annotations: { 'faultline.dev/imported-from': source } },
    spec: {
      hypothesis: `Imported from ${source}: write what must hold while the fault is active, and the probes that show it.`,
      backend: 'kubernetes',
      kubernetes: { engine, namespace },
      ...extra,
      method,
    },
  };
}

/** What a walked workflow template becomes: method steps run one after the other, and the time it occupies. */
interface Walked {
  steps: Doc[];
  /** null: until the method ends (a chaos without deadline or duration) */
  spanMs: number | null;
}

/** A pause for the time a template still holds after its faults ended, so the next step starts when it would have. */
function restPause(name: string, spanMs: number | null, faultMs: number | null): Doc[] {
  return spanMs !== null && faultMs !== null && spanMs > faultMs ? [{ name: `${name}-rest`, pause: goDuration(spanMs - faultMs) }] : [];
}

const minMs = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

/** The time a fault step (or parallel group) holds its fault, from its duration text. */
function heldMs(step: Doc): number | null {
  if (step.parallel) return Math.max(0, ...step.parallel.map((s: Doc) => heldMs(s) ?? 0));
  if (step.pause !== undefined) return toMs(step.pause);
  return step.duration === undefined ? null : toMs(step.duration);
}

/**
 * A Workflow's templates as a faultline method, probes and stop conditions. Deadlines are folded into the
 * steps: a chaos lasts until its own deadline (or its spec.duration, if shorter), and an enclosing Serial's or
 * Parallel's deadline cuts what it holds short, as Chaos Mesh does; time a template holds without a fault
 * becomes a pause, so what comes next starts when it did.
 */
function workflowMethod(workflow: Doc, namespace: string, notes: string[]): { method: Doc[]; probes: Doc[]; stopWhen: Doc[] } {
  const templates = new Map<string, Doc>(((workflow.spec?.templates ?? []) as Doc[]).map((t) => [t.name, t]));
  const probes: Doc[] = [];
  const stopWhen: Doc[] = [];
  const deadlineOf = (t: Doc): number | null => {
    if (t.deadline === undefined || t.deadline === null || t.deadline === '') return null;
    const ms = toMs(String(t.deadline));
    if (ms === null || ms < 0)
      throw new Skip(`template ${t.name}: deadline ${JSON.stringify(t.deadline)} is not a duration faultline reads`);
    return ms;
  };
  const chaosOf = (t: Doc, budget: number | null): Walked => {
    const key = KIND_KEYS[t.templateType] as string;
    const spec: Doc = t[key] ?? {};
    const own = spec.duration === undefined ? null : toMs(String(spec.duration));
    const deadline = deadlineOf(t);
    // without a deadline the node ends with the chaos's own duration
    const span = deadline === null ? minMs(own, budget) : minMs(deadline, budget);
    const held = minMs(own, span);
    if (held === null) notes.push(`template ${t.name}: no deadline; Chaos Mesh would never finish it; held until the method ends`);
    const steps = chaosMeshSteps(t.templateType, spec, t.name, namespace, notes, held === null ? undefined : goDuration(held));
    const out = together(steps, t.name);
    // the node lasts until its deadline even when the chaos itself ended before
    return { steps: [...out, ...restPause(t.name, span, held)], spanMs: span };
  };
  /** Where each StatusCheck checks, from and to (ms from the start; null: never), to say where faultline's probe differs. */
  const windows: { name: string; from: number | null; to: number | null; probe: Doc }[] = [];
  const statusCheck = (t: Doc, limit: number | null, at: number | null): Walked => {
    const { probe, heldMs } = checkProbe(t, notes);
    probes.push(probe);
    if (t.abortWithStatusCheck) stopWhen.push({ probe: t.name, consecutiveFailures: t.statusCheck?.failureThreshold ?? 3 });
    else
      notes.push(
        `template ${t.name}: a StatusCheck without abortWithStatusCheck only watches; it became a ${probe.mode === 'SOT' ? 'start-of-test' : 'Continuous'} probe`,
      );
    const span = minMs(heldMs, limit);
    windows.push({ name: t.name, from: at, to: at === null || span === null ? null : at + span, probe });
    // the check holds a Serial until it completes: the steps after it start when they did
    return { steps: span ? [{ name: `${t.name}-wait`, pause: goDuration(span) }] : [], spanMs: span };
  };
  /** A template from `at` (ms from the workflow's start; null: it never starts) with `budget` ms left at most. */
  const walk = (name: string, budget: number | null, depth: number, at: number | null): Walked => {
    const t = templates.get(name);
    if (!t) throw new Skip(`template ${name} is missing`);
    if (depth > 20) throw new Skip('templates nest too deep');
    const limit = minMs(deadlineOf(t), budget);
    switch (t.templateType) {
      case 'Serial': {
        const steps: Doc[] = [];
        let left = limit;
        let span: number | null = 0;
        for (const child of (t.children ?? []) as string[]) {
          if (left !== null && left <= 0) {
            const after = left === 0 && span === null ? 'a template that never completes' : `the deadline ${t.deadline}`;
            notes.push(`template ${t.name}: ${child} starts after ${after}; Chaos Mesh never runs it, nor does the import`);
            continue;
          }
          const walked = walk(child, left, depth + 1, at === null || span === null ? null : at + span);
          steps.push(...walked.steps);
          span = span === null || walked.spanMs === null ? null : span + walked.spanMs;
          if (left !== null && walked.spanMs !== null) left -= walked.spanMs;
          if (walked.spanMs === null) left = 0;
        }
        return { steps, spanMs: minMs(span, limit) };
      }
      case 'Parallel':
        return parallel(t, limit, depth, at);
      case 'Suspend': {
        if (limit === null) throw new Skip(`template ${t.name}: a Suspend without a deadline waits forever`);
        return { steps: [{ name: t.name, pause: goDuration(limit) }], spanMs: limit };
      }
      case 'StatusCheck':
        return statusCheck(t, limit, at);
      default:
        if (KIND_KEYS[t.templateType]) return chaosOf(t, limit);
        throw new Skip(
          `template ${t.name}: templateType ${t.templateType} has no faultline equivalent (faultline imports Serial, Parallel, Suspend, StatusCheck and the chaos kinds${t.templateType === 'Task' ? "; a Task runs a container, custom.action runs commands on faultline's host" : ''})`,
        );
    }
  };
  /**
   * A Parallel: its chaos (and nested groups) as one parallel group; a lone branch with faults (faultline's
   * export: checks beside the method) as it is, the others (checks, suspends) only holding the Parallel.
   */
  const parallel = (t: Doc, limit: number | null, depth: number, at: number | null): Walked => {
    const branches = ((t.children ?? []) as string[]).map((c) => ({ name: c, walked: walk(c, limit, depth + 1, at) }));
    const busy = branches.filter((b) => b.walked.steps.some((s) => !s.pause));
    const span = branches.reduce<number | null>(
      (m, b) => (m === null || b.walked.spanMs === null ? null : Math.max(m, b.walked.spanMs)),
      0,
    );
    if (busy.length === 1) {
      const lone = (busy[0] as { walked: Walked }).walked;
      return { steps: [...lone.steps, ...restPause(t.name, span, lone.spanMs)], spanMs: span };
    }
    const members: Doc[] = [];
    for (const b of busy) {
      // a branch that starts its fault at once and holds one fault (or group) keeps its timing inside the group
      const [first, ...rest] = b.walked.steps;
      if (!first || first.pause !== undefined || rest.some((s) => s.pause === undefined))
        throw new Skip(
          `template ${t.name}: branch ${b.name} runs steps one after the other beside others; faultline's parallel group holds fault steps that start together (split the workflow, or make ${b.name} a single chaos)`,
        );
      members.push(...(first.parallel ?? [first]));
    }
    const steps: Doc[] = members.length ? [{ name: t.name, parallel: members }] : [];
    steps.push(...restPause(t.name, span, members.length ? heldMs(steps[0] as Doc) : 0));
    return { steps, spanMs: span };
  };
  const walked = walk(workflow.spec?.entry, null, 0, 0);
  for (const w of windows) checkWindowNote(w, walked.spanMs, notes);
  const method = walked.steps.map((s) => (s.parallel?.length === 1 ? s.parallel[0] : s));
  return { method, probes, stopWhen };
}

/**
 * A StatusCheck as a faultline http probe, and how long it holds its node on a healthy service (Chaos Mesh's
 * controllers/statuscheck: the first request one interval after the start; a Synchronous check, the webhook's
 * default mode, completes at its successThreshold-th success, a Continuous one at its duration; either at its
 * duration at the latest; null: never).
 */
function checkProbe(t: Doc, notes: string[]): { probe: Doc; heldMs: number | null } {
  const s = t.statusCheck ?? {};
  if (s.type && s.type !== 'HTTP') throw new Skip(`template ${t.name}: a StatusCheck of type ${s.type} has no faultline probe`);
  const synchronous = (s.mode || 'Synchronous') === 'Synchronous';
  const code = String(s.http?.criteria?.statusCode ?? '200');
  const range = /^(\d+)-(\d+)$/.exec(code);
  // net/http sends a header's values as lines of their own; one line of them joined says the same (RFC 9110 5.3)
  const headers = Object.entries((s.http?.headers ?? {}) as Record<string, string[]>).map(([name, values]) => [name, values.join(', ')]);
  const interval = (s.intervalSeconds ?? 10) * 1000;
  if (s.successThreshold !== undefined && s.successThreshold !== 1)
    notes.push(
      `template ${t.name}: successThreshold ${s.successThreshold} not mapped (a faultline sample passes on one success)${synchronous ? '; the check holds the workflow as long, until its end' : ''}`,
    );
  const duration = s.duration ? toMs(String(s.duration)) : null;
  const held = [duration, synchronous ? (s.successThreshold ?? 1) * interval : null].filter((ms): ms is number => ms !== null);
  return {
    probe: {
      name: t.name,
      type: 'http',
      http: {
        url: s.http?.url,
        method: s.http?.method ?? 'GET',
        ...(headers.length ? { headers: Object.fromEntries(headers) } : {}),
        ...(s.http?.body ? { body: s.http.body } : {}),
      },
      expect: { status: range ? { between: [Number(range[1]), Number(range[2])] } : Number(code) },
      mode: synchronous ? 'SOT' : 'Continuous',
      interval: `${s.intervalSeconds ?? 10}s`,
      timeout: `${s.timeoutSeconds ?? 1}s`,
    },
    heldMs: held.length ? Math.min(...held) : null,
  };
}

/**
 * A note where a StatusCheck checks other than from the start of the workflow to where faultline's probe ends:
 * a Continuous probe checks the whole experiment, a start-of-test one until its first answer (one interval in
 * the Synchronous check the export writes).
 */
function checkWindowNote(
  w: { name: string; from: number | null; to: number | null; probe: Doc },
  totalMs: number | null,
  notes: string[],
): void {
  const interval = toMs(w.probe.interval) as number;
  const to = totalMs === null ? null : w.probe.mode === 'SOT' ? Math.min(interval, totalMs) : totalMs;
  if (w.from === 0 && w.to === to) return;
  const at = (ms: number | null) => (ms === null ? 'never' : ms === 0 ? '0s' : goDuration(ms));
  notes.push(
    `template ${w.name}: the check's start ${at(w.from)} and end ${at(w.to)} are not its probe's in faultline (${w.probe.mode === 'SOT' ? 'at the start of the experiment' : 'the whole experiment'}: ${at(0)} to ${at(to)})`,
  );
}

/**
 * A Chaos Mesh Schedule's historyLimit and startingDeadlineSeconds as faultline's. Where Chaos Mesh leaves them
 * out it keeps no finished object (controllers/schedule/gc) and starts a missed run however late; faultline
 * keeps one at least and has a deadline (60s unless given), so those are said.
 */
function scheduleLimits(spec: Doc, notes: string[]): Doc {
  const out: Doc = {};
  if (spec.historyLimit === undefined || spec.historyLimit === null)
    notes.push('historyLimit not set: Chaos Mesh keeps no finished object; faultline keeps one at least, the import writes 1');
  out.historyLimit = spec.historyLimit ?? 1;
  const deadline = spec.startingDeadlineSeconds;
  if (deadline === undefined || deadline === null)
    notes.push("startingDeadlineSeconds not set: Chaos Mesh starts a missed run however late; faultline's startingDeadline is then 60s");
  else out.startingDeadline = `${deadline}s`;
  return out;
}

/** Chaos Mesh's pause annotation: a chaos object or Schedule carrying it injects (or schedules) nothing until it is taken off. */
const PAUSE_ANNOTATION = 'experiment.chaos-mesh.org/pause';

const paused = (doc: Doc): boolean => doc.metadata?.annotations?.[PAUSE_ANNOTATION] === 'true';

function importChaosMesh(doc: Doc, notes: string[]): Doc {
  const kind = doc.kind;
  const name = doc.metadata?.name;
  const namespace = doc.metadata?.namespace ?? 'default';
  if (EMBED_KEYS[KIND_KEYS[kind] ?? '']) {
    if (paused(doc))
      notes.push(`${kind} ${name}: paused (annotation ${PAUSE_ANNOTATION}: "true"), so it injected nothing; the import runs it`);
    return experimentDoc(
      name,
      `${kind} ${namespace}/${name}`,
      namespace,
      'chaos-mesh',
      together(chaosMeshSteps(kind, doc.spec ?? {}, name, namespace, notes), name),
    );
  }
  if (kind === 'Workflow') {
    const { method, probes, stopWhen } = workflowMethod(doc, namespace, notes);
    if (!method.some((step) => step.pause === undefined))
      throw new Skip(`the workflow runs no chaos: its entry ${doc.spec?.entry} holds none, or none that starts before a deadline`);
    const extra: Doc = {};
    if (probes.length) extra.probes = probes;
    if (stopWhen.length) extra.guards = { stopWhen };
    return experimentDoc(name, `Workflow ${namespace}/${name}`, namespace, 'chaos-mesh', method, extra);
  }
  if (kind === 'Schedule') {
    const spec = doc.spec ?? {};
    let experiment: Doc;
    // the objects a Schedule makes are not paused themselves: the Schedule is (suspend below)
    const metadata = { name, namespace };
    if (spec.type === 'Workflow') {
      experiment = importChaosMesh({ apiVersion: doc.apiVersion, kind: 'Workflow', metadata, spec: spec.workflow }, notes);
    } else {
      const key = KIND_KEYS[spec.type];
      if (!key) throw new Skip(`Schedule type ${spec.type} has no faultline equivalent`);
      experiment = importChaosMesh({ apiVersion: doc.apiVersion, kind: spec.type, metadata, spec: spec[key] ?? {} }, notes);
    }
    const out: Doc = {
      schedule: spec.schedule,
      concurrencyPolicy: spec.concurrencyPolicy || 'Forbid',
      ...scheduleLimits(spec, notes),
    };
    return {
      apiVersion: API_VERSION,
      kind: 'Schedule',
      metadata: { name, annotations: { 'faultline.dev/imported-from': `Schedule ${namespace}/${name}` } },
      spec: { ...out, ...(paused(doc) ? { suspend: true } : {}), experiment: { spec: experiment.spec } },
    };
  }
  throw new Skip(`${kind} is not imported (faultline imports ${[...Object.values(EMBED_KEYS), 'Workflow', 'Schedule'].join(', ')})`);
}

// ---------- Litmus ----------

interface LitmusMapping {
  fault: string;
  params: (env: Record<string, string>, notes: string[]) => Doc;
  kubernetes?: (env: Record<string, string>) => Doc;
  /** env the mapping reads (the rest is kept in kubernetes.env) */
  reads: string[];
}

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

const LITMUS: Record<string, LitmusMapping> = {
  'pod-delete': {
    fault: 'process.kill',
    params: (e) => (e.FORCE === 'false' ? { signal: 'SIGTERM' } : {}),
    reads: ['FORCE'],
  },
  'container-kill': {
    fault: 'process.kill',
    params: (e) => (e.SIGNAL && e.SIGNAL !== 'SIGKILL' ? { signal: e.SIGNAL } : {}),
    kubernetes: (e) => ({ action: 'container-kill', ...(e.TARGET_CONTAINER ? { containerNames: e.TARGET_CONTAINER.split(',') } : {}) }),
    reads: ['SIGNAL', 'TARGET_CONTAINER'],
  },
  'pod-cpu-hog': {
    fault: 'stress.cpu',
    params: (e) => ({ workers: num(e.CPU_CORES) ?? 1, ...(e.CPU_LOAD ? { load: num(e.CPU_LOAD) } : {}) }),
    reads: ['CPU_CORES', 'CPU_LOAD'],
  },
  'pod-memory-hog': {
    fault: 'stress.memory',
    params: (e) => ({
      size: `${num(e.MEMORY_CONSUMPTION) ?? 500}Mi`,
      ...(e.NUMBER_OF_WORKERS ? { workers: num(e.NUMBER_OF_WORKERS) } : {}),
    }),
    reads: ['MEMORY_CONSUMPTION', 'NUMBER_OF_WORKERS'],
  },
  'pod-io-stress': {
    fault: 'stress.io',
    // FILESYSTEM_UTILIZATION_PERCENTAGE and _BYTES (how much each worker writes) stay in kubernetes.env
    params: (e) => ({
      ...(e.NUMBER_OF_WORKERS ? { workers: num(e.NUMBER_OF_WORKERS) } : {}),
      ...(e.VOLUME_MOUNT_PATH ? { path: e.VOLUME_MOUNT_PATH } : {}),
    }),
    reads: ['NUMBER_OF_WORKERS', 'VOLUME_MOUNT_PATH'],
  },
  'disk-fill': {
    fault: 'disk.fill',
    // litmus-go fills EPHEMERAL_STORAGE_MEBIBYTES only when FILL_PERCENTAGE is not set (ChaosHub sets it to 80)
    params: (e) => ({
      path: '/',
      size: e.EPHEMERAL_STORAGE_MEBIBYTES && !e.FILL_PERCENTAGE ? `${num(e.EPHEMERAL_STORAGE_MEBIBYTES)}Mi` : `${e.FILL_PERCENTAGE || 80}%`,
    }),
    reads: ['FILL_PERCENTAGE', 'EPHEMERAL_STORAGE_MEBIBYTES'],
  },
  'pod-network-latency': {
    fault: 'network.latency',
    params: (e) => ({
      latency: `${num(e.NETWORK_LATENCY) ?? 2000}ms`,
      ...(num(e.JITTER) ? { jitter: `${e.JITTER}ms` } : {}),
      ...(num(e.CORRELATION) ? { correlation: String(e.CORRELATION) } : {}),
    }),
    kubernetes: networkK8s,
    reads: ['NETWORK_LATENCY', 'JITTER', 'CORRELATION', 'NETWORK_INTERFACE', 'DESTINATION_HOSTS'],
  },
  'pod-network-loss': {
    fault: 'network.loss',
    params: (e) => ({
      percent: String(e.NETWORK_PACKET_LOSS_PERCENTAGE ?? '100'),
      ...(num(e.CORRELATION) ? { correlation: String(e.CORRELATION) } : {}),
    }),
    kubernetes: networkK8s,
    reads: ['NETWORK_PACKET_LOSS_PERCENTAGE', 'CORRELATION', 'NETWORK_INTERFACE', 'DESTINATION_HOSTS'],
  },
  'pod-network-corruption': {
    fault: 'network.corrupt',
    params: (e) => ({ percent: String(e.NETWORK_PACKET_CORRUPTION_PERCENTAGE ?? '100') }),
    kubernetes: networkK8s,
    reads: ['NETWORK_PACKET_CORRUPTION_PERCENTAGE', 'CORRELATION', 'NETWORK_INTERFACE', 'DESTINATION_HOSTS'],
  },
  'pod-network-rate-limit': {
    fault: 'network.bandwidth',
    // BURST, LIMIT, PEAK_RATE and MIN_BURST (tc sizes and rates such as 32kb) stay in kubernetes.env
    params: (e) => ({ rate: e.NETWORK_BANDWIDTH ?? '1mbit' }),
    kubernetes: networkK8s,
    reads: ['NETWORK_BANDWIDTH', 'NETWORK_INTERFACE', 'DESTINATION_HOSTS'],
  },
  'pod-network-partition': {
    fault: 'network.partition',
    params: () => ({}),
    kubernetes: (e) => {
      const direction = { egress: 'to', ingress: 'from', all: 'both' }[String(e.POLICY_TYPES ?? 'all').toLowerCase()];
      const target: Doc = {};
      if (e.POD_SELECTOR) target.labelSelectors = Object.fromEntries(e.POD_SELECTOR.split(',').map((kv) => kv.split('=')));
      const ns = /kubernetes\.io\/metadata\.name=(.+)/.exec(e.NAMESPACE_SELECTOR ?? '')?.[1];
      if (ns) target.namespaces = [ns];
      return { ...(direction && direction !== 'to' ? { direction } : {}), ...(Object.keys(target).length ? { target } : {}) };
    },
    reads: ['POLICY_TYPES', 'POD_SELECTOR', 'NAMESPACE_SELECTOR'],
  },
  'pod-http-status-code': {
    fault: 'http.abort',
    params: (e, notes) => {
      if (!e.STATUS_CODE)
        notes.push(
          'pod-http-status-code: env STATUS_CODE not set: litmus-go then picks one status at random for the run; the import uses 500',
        );
      return {
        code: num(e.STATUS_CODE) ?? 500,
        target: 'Response', // the status of the service's answer: the request runs
        // litmus-go replaces the body unless MODIFY_RESPONSE_BODY is false (ChaosHub sets it true)
        ...(e.MODIFY_RESPONSE_BODY !== 'false' ? { body: e.RESPONSE_BODY ?? '' } : {}),
        ...toxicity(e),
      };
    },
    kubernetes: httpK8s,
    reads: ['STATUS_CODE', 'MODIFY_RESPONSE_BODY', 'RESPONSE_BODY', 'TARGET_SERVICE_PORT', 'TOXICITY'],
  },
  'pod-http-latency': {
    fault: 'http.delay',
    params: (e) => ({ delay: `${num(e.LATENCY) ?? 2000}ms`, ...toxicity(e) }),
    kubernetes: httpK8s,
    reads: ['LATENCY', 'TARGET_SERVICE_PORT', 'TOXICITY'],
  },
  'pod-http-modify-body': {
    fault: 'http.replace',
    params: (e) => ({ body: e.RESPONSE_BODY ?? '', ...toxicity(e) }),
    kubernetes: httpK8s,
    reads: ['RESPONSE_BODY', 'TARGET_SERVICE_PORT', 'TOXICITY'],
  },
  'pod-http-modify-header': {
    fault: 'http.replace',
    params: (e) => ({ headers: (tryJson(e.HEADERS_MAP ?? '{}') as Doc) ?? {}, ...toxicity(e) }),
    kubernetes: httpK8s,
    reads: ['HEADERS_MAP', 'HEADER_MODE', 'TARGET_SERVICE_PORT', 'TOXICITY'],
  },
  'pod-dns-error': {
    fault: 'dns.error',
    // MATCH_SCHEME (exact or substring) stays in kubernetes.env
    params: (e) => {
      const hosts = tryJson(e.TARGET_HOSTNAMES ?? '') as string[] | undefined;
      return Array.isArray(hosts) && hosts.length ? { patterns: hosts } : {};
    },
    reads: ['TARGET_HOSTNAMES'],
  },
};

function networkK8s(e: Record<string, string>): Doc {
  return {
    ...(e.NETWORK_INTERFACE ? { device: e.NETWORK_INTERFACE } : {}),
    ...(e.DESTINATION_HOSTS ? { externalTargets: e.DESTINATION_HOSTS.split(',') } : {}),
  };
}

function httpK8s(e: Record<string, string>): Doc {
  return e.TARGET_SERVICE_PORT ? { port: Number(e.TARGET_SERVICE_PORT) } : {};
}

function toxicity(e: Record<string, string>): Doc {
  return e.TOXICITY && Number(e.TOXICITY) < 100 ? { percent: Number(e.TOXICITY) } : {};
}

/**
 * Engine-level env that the step itself says (its duration and selection). The rest, CHAOS_INTERVAL (how often
 * pod-delete repeats), SEQUENCE and RAMP_TIME included, stays in kubernetes.env and is written back as it was.
 */
const RUN_ENV = ['TOTAL_CHAOS_DURATION', 'PODS_AFFECTED_PERC', 'TARGET_PODS'];

const HTTP_PORT = { TARGET_SERVICE_PORT: '80' };

/**
 * Env that ChaosHub's ChaosExperiments set themselves (chaos-charts faults/kubernetes/<name>/fault.yaml), for
 * how long a fault runs (60s unless said here), how often pod-delete and container-kill strike, and what the
 * export needs: where an engine leaves them out, the import writes these down (noted: the ChaosExperiment
 * installed may set others), so the step has its duration and the export repeats what the engine did.
 */
const CHAOSHUB_DEFAULTS: Record<string, Record<string, string>> = {
  'pod-delete': { TOTAL_CHAOS_DURATION: '15', CHAOS_INTERVAL: '5' },
  'container-kill': { TOTAL_CHAOS_DURATION: '20', CHAOS_INTERVAL: '10' },
  'pod-io-stress': { TOTAL_CHAOS_DURATION: '120', NUMBER_OF_WORKERS: '4' },
  'pod-http-status-code': HTTP_PORT,
  'pod-http-latency': HTTP_PORT,
  'pod-http-modify-body': HTTP_PORT,
  'pod-http-modify-header': HTTP_PORT,
};

function withChaosHubDefaults(experiment: string, env: Record<string, string>, notes: string[]): void {
  for (const [key, value] of Object.entries({ TOTAL_CHAOS_DURATION: '60', ...CHAOSHUB_DEFAULTS[experiment] })) {
    if (env[key]) continue;
    env[key] = value;
    notes.push(
      `${experiment}: env ${key} not set; the import writes ${value}, what ChaosHub's ${experiment} ChaosExperiment sets (the one installed may set another)`,
    );
  }
}

function labelMap(text: string, what: string): Doc {
  const out: Doc = {};
  for (const term of text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)) {
    const m = /^([^=!\s]+)\s*==?\s*([^=!\s]*)$/.exec(term);
    if (!m)
      throw new Skip(`${what} "${text}" uses a set-based label selector faultline cannot express; dropping it would select more pods`);
    out[m[1] as string] = m[2];
  }
  return out;
}

/**
 * An experiment's TARGET_PODS as litmus-go reads it (pkg/utils/common/pods.go GetPodList): exactly those pods,
 * in the namespace of the engine's first target (its own without one), whatever labels or kind the engine
 * names; null when it names none.
 */
function targetPods(text: string | undefined, spec: Doc, namespace: string): Doc | null {
  const names = String(text ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.length) return null;
  const first: Doc = spec.selectors?.pods?.[0] ?? spec.selectors?.workloads?.[0] ?? {};
  const where = first.namespace || (spec.selectors ? '' : spec.appinfo?.appns) || namespace;
  return { names, ...(where === namespace ? {} : { namespaces: [where] }) };
}

function importLitmus(doc: Doc, notes: string[]): Doc {
  const name = doc.metadata?.name;
  const namespace = doc.metadata?.namespace ?? 'default';
  const spec = doc.spec ?? {};
  if (spec.engineState === 'stop') notes.push('engineState stop: the engine was stopped; the import runs it');
  const selector: Doc = {};
  if (spec.selectors?.pods) {
    const pods: Doc = {};
    for (const p of spec.selectors.pods as Doc[]) pods[p.namespace] = String(p.names).split(',').filter(Boolean);
    selector.pods = pods;
  } else if (spec.selectors?.workloads) {
    const w = spec.selectors.workloads as Doc[];
    if (w.length !== 1 || !w[0]?.labels)
      throw new Skip('selectors.workloads by names (or several workloads) cannot be expressed: select the pods by labels');
    selector.labels = labelMap(String(w[0].labels), 'workloads labels');
    if (w[0].namespace !== namespace) selector.namespaces = [w[0].namespace];
  } else {
    const app = spec.appinfo ?? {};
    if (app.applabel) selector.labels = labelMap(String(app.applabel), 'appinfo.applabel');
    if (app.appns && app.appns !== namespace) selector.namespaces = [app.appns];
  }
  if (!Object.keys(selector).length) selector.namespaces = [namespace];
  const experiments = ((spec.experiments ?? []) as Doc[]).filter((experiment) => {
    if (!LITMUS[experiment.name]) notes.push(`experiment ${experiment.name} has no faultline fault; not imported`);
    return LITMUS[experiment.name];
  });
  const method: Doc[] = [];
  for (const experiment of experiments) {
    const mapping = LITMUS[experiment.name] as LitmusMapping;
    const env: Record<string, string> = Object.fromEntries(
      ((experiment.spec?.components?.env ?? []) as Doc[]).map((v) => [v.name, String(v.value ?? '')]),
    );
    withChaosHubDefaults(experiment.name, env, notes);
    const named = targetPods(env.TARGET_PODS, spec, namespace);
    const step: Doc = { name: experiment.name, fault: mapping.fault, selector: named ?? { ...selector } };
    const perc = num(env.PODS_AFFECTED_PERC);
    // litmus-go hits every pod named (TARGET_PODS, selectors.pods) whatever PODS_AFFECTED_PERC says
    if (named || spec.selectors?.pods) step.mode = 'all';
    else if (!perc) step.mode = 'one';
    else if (perc >= 100) step.mode = 'all';
    else Object.assign(step, { mode: 'fixed-percent', value: perc });
    const params = mapping.params(env, notes);
    if (Object.keys(params).length) step.params = params;
    const k: Doc = mapping.kubernetes?.(env) ?? {};
    // the kind narrows the pods to those of that kind of workload (chaos-operator's TARGETS kind:namespace:[labels])
    const appkind = spec.selectors ? spec.selectors.workloads?.[0]?.kind : spec.appinfo?.appkind;
    if (appkind && !named) k.appkind = appkind;
    const rest = Object.fromEntries(Object.entries(env).filter(([key]) => !mapping.reads.includes(key) && !RUN_ENV.includes(key)));
    if (Object.keys(rest).length) k.env = rest;
    if (Object.keys(k).length) step.kubernetes = k;
    const total = num(env.TOTAL_CHAOS_DURATION) ?? Number.NaN;
    if (!(total > 0))
      throw new Skip(`${experiment.name}: env TOTAL_CHAOS_DURATION ${JSON.stringify(env.TOTAL_CHAOS_DURATION)} is not a number of seconds`);
    step.duration = `${total}s`;
    method.push(step);
  }
  if (!method.length) throw new Skip('no experiment of the ChaosEngine maps to a faultline fault');
  const probes = engineProbes(experiments, notes);
  const extra: Doc = {};
  if (spec.chaosServiceAccount) extra.serviceAccount = spec.chaosServiceAccount;
  const experimentDocument = experimentDoc(name, `ChaosEngine ${namespace}/${name}`, namespace, 'litmus', method);
  Object.assign(experimentDocument.spec.kubernetes, extra);
  withLitmusProbes(experimentDocument.spec, probes);
  return experimentDocument;
}

/**
 * The probes of an engine's experiments as the experiment's probes. Litmus runs each with its own experiment;
 * faultline judges a probe over the whole experiment, and the export gives every ChaosEngine all of them, so an
 * experiment given a probe it did not have is told, as is a probe whose name another one already took.
 */
function engineProbes(experiments: Doc[], notes: string[]): Doc[] {
  const probes: Doc[] = [];
  const owner = new Map<string, string>();
  const own = experiments.map((experiment) => {
    const names = new Set<string>();
    for (const probe of (experiment.spec?.probe ?? []) as Doc[]) {
      const said: string[] = [];
      const converted = probeFromLitmus(probe, said);
      notes.push(...said.map((n) => `${experiment.name}: ${n}`));
      if (!converted) continue;
      names.add(converted.name);
      const taken = probes.find((p) => p.name === converted.name);
      if (!taken) {
        probes.push(converted);
        owner.set(converted.name, experiment.name);
      } else if (JSON.stringify(taken) !== JSON.stringify(converted))
        notes.push(
          `${experiment.name}: probe ${converted.name} not mapped: ${owner.get(converted.name)}'s probe of that name is kept (a faultline probe name is the experiment's)`,
        );
    }
    return names;
  });
  if (experiments.length > 1)
    experiments.forEach((experiment, i) => {
      for (const probe of probes.filter((p) => !own[i]?.has(p.name)))
        notes.push(
          `${experiment.name}: probe ${probe.name} (of ${owner.get(probe.name)}) judges this experiment too: faultline probes the whole experiment, and the export gives every ChaosEngine each probe`,
        );
    });
  return probes;
}

/** `9-17` (Litmus includedHours, hours inclusive) as faultline's `09:00-18:00`. */
function workHoursOf(text: string): string | undefined {
  const m = /^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$/.exec(text);
  if (!m) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  const end = Number(m[2]) + 1;
  return `${pad(Number(m[1]))}:00-${end >= 24 ? '23:59' : `${pad(end)}:00`}`;
}

/**
 * A Litmus ChaosSchedule (chaos-scheduler): its engineTemplateSpec is the experiment; `repeat` becomes a cron from
 * minChaosInterval and a window from timeRange, workDays and workHours. `now` and `once` are single runs, not schedules.
 */
function importLitmusSchedule(doc: Doc, notes: string[]): Doc {
  const name = doc.metadata?.name;
  const namespace = doc.metadata?.namespace ?? 'default';
  const spec = doc.spec ?? {};
  const when = spec.schedule ?? {};
  if (when.now || when.once)
    throw new Skip(
      `schedule ${when.now ? 'now' : `once at ${when.once.executionTime}`} is a single run: import the engine (engineTemplateSpec) as an experiment and run it`,
    );
  const repeat = when.repeat;
  if (!repeat) throw new Skip('schedule has no repeat');
  const interval = repeat.properties?.minChaosInterval ?? {};
  let cron: string | undefined;
  if (interval.minute?.everyNthMinute) cron = `*/${interval.minute.everyNthMinute} * * * *`;
  else if (interval.hour?.everyNthHour) cron = `${interval.hour.minuteOfTheHour ?? 0} */${interval.hour.everyNthHour} * * *`;
  if (!cron) throw new Skip('repeat.properties.minChaosInterval gives no interval (hour.everyNthHour or minute.everyNthMinute)');
  if (repeat.properties?.random)
    notes.push('repeat.properties.random not mapped: runs start on the cron, not at random inside the interval');
  const window: Doc = {};
  const range = repeat.timeRange ?? {};
  if (range.startTime || range.endTime)
    window.timeRange = { ...(range.startTime ? { start: range.startTime } : {}), ...(range.endTime ? { end: range.endTime } : {}) };
  if (repeat.workDays?.includedDays) window.workDays = String(repeat.workDays.includedDays).split(',');
  if (repeat.workHours?.includedHours) {
    const hours = workHoursOf(String(repeat.workHours.includedHours));
    if (hours) window.workHours = hours;
    else notes.push(`repeat.workHours.includedHours ${repeat.workHours.includedHours} not mapped (expected a range such as 9-17)`);
  }
  if (spec.scheduleState === 'halt') notes.push('scheduleState halt: the schedule is imported suspended');
  const experiment = importLitmus({ ...doc, kind: 'ChaosEngine', spec: spec.engineTemplateSpec ?? {} }, notes);
  return {
    apiVersion: API_VERSION,
    kind: 'Schedule',
    metadata: { name, annotations: { 'faultline.dev/imported-from': `ChaosSchedule ${namespace}/${name}` } },
    spec: {
      schedule: cron,
      timeZone: 'UTC',
      concurrencyPolicy: spec.concurrencyPolicy === 'Allow' ? 'Allow' : 'Forbid',
      ...(spec.scheduleState === 'halt' ? { suspend: true } : {}),
      ...(Object.keys(window).length ? { window } : {}),
      experiment: { spec: experiment.spec },
    },
  };
}

// ---------- documents ----------

/** Every importable document of a YAML text. */
/** The objects of a file, each with a label for messages; a `kind: List` (`kubectl get -o yaml`) stands for its items. */
function objectsOf(text: string, skipped: string[]): { label: string; doc: Doc }[] {
  const objects: { label: string; doc: Doc }[] = [];
  for (const [index, yamlDoc] of parseYamlDocuments(text).entries()) {
    if (yamlDoc.errors.length) {
      skipped.push(`document ${index + 1}: YAML syntax: ${yamlDoc.errors[0]?.message.split('\n')[0]}`);
      continue;
    }
    const doc = yamlDoc.toJS() as Doc | null;
    if (!doc || typeof doc !== 'object') continue;
    if (doc.kind === 'List' && Array.isArray(doc.items)) {
      doc.items.forEach((item: unknown, i: number) => {
        if (item && typeof item === 'object') objects.push({ label: `#${index + 1}.${i + 1}`, doc: item as Doc });
      });
    } else objects.push({ label: `#${index + 1}`, doc });
  }
  return objects;
}

export function importDocuments(text: string, options: ImportOptions = {}): ImportResult {
  const result: ImportResult = { imported: [], skipped: [] };
  for (const { label, doc } of objectsOf(text, result.skipped)) {
    const source = `${doc.kind ?? 'document'} ${doc.metadata?.namespace ?? 'default'}/${doc.metadata?.name ?? label}`;
    const notes: string[] = [];
    try {
      const group = String(doc.apiVersion ?? '').split('/')[0];
      let document: Doc;
      if (group === 'chaos-mesh.org') document = importChaosMesh(doc, notes);
      else if (group === 'litmuschaos.io' && doc.kind === 'ChaosEngine') document = importLitmus(doc, notes);
      else if (group === 'litmuschaos.io' && doc.kind === 'ChaosSchedule') document = importLitmusSchedule(doc, notes);
      else if (group === 'argoproj.io' && doc.kind === 'Workflow') document = importLitmusWorkflow(doc, notes, importLitmus);
      else if (group === 'argoproj.io' && doc.kind === 'CronWorkflow')
        throw new Skip(
          'a CronWorkflow is not imported: import its spec.workflowSpec as a Workflow, and give it a faultline Schedule with the cron spec.schedule',
        );
      else
        throw new Skip(
          `${doc.apiVersion} ${doc.kind} is not a Chaos Mesh object, a Litmus ChaosEngine or ChaosSchedule, or a Litmus workflow`,
        );
      if (options.backend === 'local') toLocal(document, notes);
      result.imported.push({ source, document, notes });
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      result.skipped.push(`${source}: ${error.message}`);
    }
  }
  return result;
}

/** For backend local: selectors keep their labels (map them to targets in faultline.yaml); what selects pods goes. */
function toLocal(document: Doc, notes: string[]): void {
  const spec = document.kind === 'Schedule' ? document.spec.experiment.spec : document.spec;
  spec.backend = 'local';
  delete spec.kubernetes;
  const fix = (step: Doc) => {
    if (step.parallel) return step.parallel.forEach(fix);
    if (!step.fault) return;
    const s = step.selector ?? {};
    const dropped = Object.keys(s).filter((k) => k !== 'labels');
    if (dropped.length) notes.push(`step ${step.name}: selector ${dropped.join(', ')} dropped on backend local`);
    step.selector = s.labels ? { labels: s.labels } : undefined;
    if (!step.selector) {
      notes.push(`step ${step.name}: no labels to select local targets by; give it a selector`);
      delete step.selector;
    }
    if (step.kubernetes) {
      notes.push(`step ${step.name}: kubernetes settings dropped on backend local`);
      delete step.kubernetes;
    }
  };
  spec.method.forEach(fix);
  notes.push('backend local: define targets with these labels in faultline.yaml (their processes, endpoints or files)');
}

/** The imported documents as YAML, each with its notes as comments. */
export function renderImport(result: ImportResult): string {
  return result.imported
    .map((i) => {
      const header = [`# faultline import of ${i.source}`, ...i.notes.map((n) => `# not mapped: ${n}`)].join('\n');
      return `${header}\n${stringify(i.document, { lineWidth: 0 })}`;
    })
    .join('---\n');
}
