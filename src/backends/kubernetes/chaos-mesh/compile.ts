/**
 * Faults of the catalogue as Chaos Mesh objects (chaos-mesh.org/v1alpha1): one entry per fault, each
 * producing the kind and the kind-specific spec; the selection, containers and duration are added
 * here. Every object is validated against the real CRDs in the tests.
 *
 * Duration: Chaos Mesh counts `spec.duration` from the object's creation, not from the injection
 * (DurationExceeded, read by CalcDesiredPhase in controllers/common/desiredphase/controller.go, which
 * then sets desiredPhase Stop and the records are recovered). On a run faultline owns the duration and
 * deletes the object when the step ends; the object still carries a dead-man `spec.duration` (step +
 * inject timeout + margin, timing.ts) so that a dead faultline leaves nothing past the step. An export
 * (no faultline around) writes the step's duration.
 */
import { constants } from 'node:os';
import type { KObject } from '../../../kube/client.js';
import type { KubernetesStep } from '../../../spec/kubernetes.js';
import { formatDuration } from '../../../util/duration.js';
import { UserError } from '../../../util/errors.js';
import { type Compiled, type CompileInput, chaosMeshSelection, refuseAnswerOnRequest } from '../compile.js';
import { chaosMeshRate, chaosMeshSize, goDuration, ParamReader } from '../params.js';
import { deadManMs } from '../timing.js';
import { ALL_IO_OPS, TO_CHAOS_MESH } from './io-methods.js';

export const CHAOS_MESH_GROUP = 'chaos-mesh.org';
export const CHAOS_MESH_VERSION = 'v1alpha1';

interface KindSpec {
  kind: string;
  spec: KObject;
  summary: string;
  oneShot?: boolean;
  /** the kind takes `containerNames` */
  containers?: boolean;
}

type Compiler = (p: ParamReader, k: KubernetesStep, input: CompileInput) => KindSpec;

/** The plural of each kind (the lower-case kind, as the CRDs name them). */
export function chaosMeshPlural(kind: string): string {
  return kind.toLowerCase();
}

// ---------- network ----------

/** Chaos Mesh hits every packet or request of a selected pod: a share of connections has no equivalent. */
function refuseShare(p: ParamReader, input: CompileInput): void {
  const toxicity = p.number(['toxicity']);
  if (toxicity !== undefined && toxicity < 1) {
    throw new UserError(
      `${input.where}: ${input.fault} toxicity ${toxicity} (a share of connections) cannot run on Chaos Mesh, which hits all traffic of the selected pods; use mode and value to hit fewer pods, or backend local`,
    );
  }
}

function networkCommon(p: ParamReader, k: KubernetesStep, input: CompileInput, action: string): KObject {
  refuseShare(p, input);
  const direction = (p.string(['direction']) ?? k.direction) as 'to' | 'from' | 'both' | undefined;
  if (direction && !['to', 'from', 'both'].includes(direction)) p.bad('direction', direction, 'to, from or both');
  const out: KObject = {};
  if (direction) out.direction = direction;
  if (k.target) {
    const target: KObject = {};
    if (k.target.namespaces) target.namespaces = k.target.namespaces;
    if (k.target.labelSelectors) target.labelSelectors = k.target.labelSelectors;
    if (k.target.pods) target.pods = k.target.pods;
    out.target = { mode: 'all', selector: target };
  }
  if (k.externalTargets) out.externalTargets = k.externalTargets;
  if (k.device) out.device = k.device;
  // the NetworkChaos webhook's rules, checked before anything is created
  if (action !== 'partition' && (direction === 'from' || direction === 'both') && !k.target) {
    throw new UserError(
      `${input.where}: NetworkChaos ${action} with direction ${direction} needs kubernetes.target (the pods on the other side)`,
    );
  }
  if (action !== 'partition' && (direction === 'from' || direction === 'both') && k.externalTargets) {
    throw new UserError(
      `${input.where}: NetworkChaos ${action} cannot use kubernetes.externalTargets with direction ${direction}; use direction: to`,
    );
  }
  return out;
}

/** An IOChaos of an io.* step: its volume, path glob, methods and percent, and the action's own fields. */
function ioChaos(p: ParamReader, k: KubernetesStep, input: CompileInput, action: string, fields: KObject, what: string): KindSpec {
  if (!k.volumePath) {
    throw new UserError(
      `${input.where}: ${input.fault} on Chaos Mesh needs kubernetes.volumePath, the mount point of the volume (IOChaos works per volume)`,
    );
  }
  const path = p.string(['path']) ?? k.path;
  const methods = p.strings(['methods']);
  // attrOverride only ever changes getattr: its methods are left to IOChaos's default
  const partial = methods && action !== 'attrOverride' && !ALL_IO_OPS.every((op) => methods.includes(op));
  const written = partial ? methods.map((m) => TO_CHAOS_MESH[m] ?? m) : undefined;
  return {
    kind: 'IOChaos',
    spec: {
      action,
      volumePath: k.volumePath,
      ...(path ? { path } : {}),
      ...fields,
      ...(written ? { methods: written } : {}),
      percent: p.number(['percent'], 100),
    },
    summary: `IOChaos ${what} on ${path ?? k.volumePath}`,
    containers: true,
  };
}

const compilers: Record<string, Compiler> = {
  'network.latency': (p, k, input) => {
    const latency = p.durationMs(['latency', 'delay'], true, '300ms');
    const jitter = p.durationMs(['jitter']);
    const correlation = p.percent(['correlation']);
    const delay: KObject = { latency: goDuration(latency) };
    if (jitter) delay.jitter = goDuration(jitter);
    if (correlation !== undefined && correlation !== '0') delay.correlation = correlation;
    return {
      kind: 'NetworkChaos',
      spec: { action: 'delay', delay, ...networkCommon(p, k, input, 'delay') },
      summary: `NetworkChaos delay ${goDuration(latency)}${jitter ? ` ±${goDuration(jitter)}` : ''}`,
    };
  },
  'network.loss': (p, k, input) => {
    const loss = p.percent(['loss', 'percent', 'probability'], true, '"25"');
    const correlation = p.percent(['correlation']);
    return {
      kind: 'NetworkChaos',
      spec: {
        action: 'loss',
        loss: { loss, ...(correlation === undefined || correlation === '0' ? {} : { correlation }) },
        ...networkCommon(p, k, input, 'loss'),
      },
      summary: `NetworkChaos loss ${loss}%`,
    };
  },
  'network.corrupt': (p, k, input) => {
    const corrupt = p.percent(['corrupt', 'percent', 'probability'], true, '"10"');
    const correlation = p.percent(['correlation']);
    return {
      kind: 'NetworkChaos',
      spec: {
        action: 'corrupt',
        corrupt: { corrupt, ...(correlation === undefined || correlation === '0' ? {} : { correlation }) },
        ...networkCommon(p, k, input, 'corrupt'),
      },
      summary: `NetworkChaos corrupt ${corrupt}%`,
    };
  },
  'network.bandwidth': (p, k, input) => {
    const kbs = p.rateKBs(['rate', 'bandwidth'], '1mbps');
    const rate =
      chaosMeshRate(kbs) ?? p.bad('rate', `${kbs} KB/s`, 'a whole number of bytes or bits per second (Chaos Mesh takes no fractions)');
    const queue = k.bandwidth ?? {};
    // a kernel bandwidth step's `burst` is the same token bucket as the engine's buffer
    const buffer = queue.buffer ?? p.number(['burst']) ?? 10_000;
    const bandwidth: KObject = { rate, limit: queue.limit ?? 20_971_520, buffer };
    if (queue.peakrate !== undefined) bandwidth.peakrate = queue.peakrate;
    if (queue.minburst !== undefined) bandwidth.minburst = queue.minburst;
    return {
      kind: 'NetworkChaos',
      spec: { action: 'bandwidth', bandwidth, ...networkCommon(p, k, input, 'bandwidth') },
      summary: `NetworkChaos bandwidth ${rate}`,
    };
  },
  'network.partition': (p, k, input) => {
    const common = networkCommon(p, k, input, 'partition');
    return {
      kind: 'NetworkChaos',
      spec: { action: 'partition', ...common },
      summary: `NetworkChaos partition${common.direction ? ` (${common.direction})` : ''}`,
    };
  },

  // ---------- pods ----------

  'process.kill': (p, k, input) => {
    const action = k.action ?? 'pod-kill';
    if (action === 'container-kill') {
      if (!k.containerNames)
        throw new UserError(`${input.where}: container-kill needs kubernetes.containerNames (Chaos Mesh requires them)`);
      return {
        kind: 'PodChaos',
        spec: { action },
        summary: `PodChaos container-kill ${k.containerNames.join(', ')}`,
        oneShot: true,
        containers: true,
      };
    }
    const signal = p.string(['signal']) ?? 'SIGKILL';
    const gracePeriod = k.gracePeriod ?? (/^(SIG)?KILL$|^9$/i.test(signal) ? 0 : 30);
    return {
      kind: 'PodChaos',
      spec: { action: 'pod-kill', gracePeriod },
      summary: `PodChaos pod-kill (grace period ${gracePeriod}s)`,
      oneShot: true,
    };
  },
  'process.pause': () => ({ kind: 'PodChaos', spec: { action: 'pod-failure' }, summary: 'PodChaos pod-failure', containers: false }),

  // ---------- stress ----------

  'stress.cpu': (p) => {
    const workers = p.number(['workers'], 1) as number;
    const load = p.number(['load'], 100) as number;
    if (workers > 8192) p.bad('workers', workers, 'at most 8192 workers (StressChaos)');
    return {
      kind: 'StressChaos',
      spec: { stressors: { cpu: { workers, load: Math.round(load) } } },
      summary: `StressChaos cpu ${workers} worker(s) at ${Math.round(load)}%`,
      containers: true,
    };
  },
  'stress.memory': (p) => {
    const workers = p.number(['workers'], 1) as number;
    const size = p.size(['size']) ?? p.missing('size', '512Mi');
    // StressChaos `size` is per worker; faultline's is the total over the workers
    const perWorker = size.percent !== undefined ? { percent: size.percent / workers } : { bytes: Math.floor((size.bytes ?? 0) / workers) };
    const written = chaosMeshSize(perWorker);
    if (workers > 8192) p.bad('workers', workers, 'at most 8192 workers (StressChaos)');
    return {
      kind: 'StressChaos',
      spec: { stressors: { memory: { workers, size: written } } },
      summary: `StressChaos memory ${workers} worker(s) of ${written}`,
      containers: true,
    };
  },

  // ---------- time, files ----------

  'time.skew': (p, _k, input) => {
    if (p.raw('rate') !== undefined) {
      throw new UserError(
        `${input.where}: time.skew rate (a clock drift) cannot run on Chaos Mesh: TimeChaos only shifts the clock by timeOffset; use backend local`,
      );
    }
    const offset = p.durationMs(['timeOffset', 'offset'], true, '+1h');
    const clockIds = p.strings(['clockIds']);
    return {
      kind: 'TimeChaos',
      spec: { timeOffset: goDuration(offset), ...(clockIds ? { clockIds } : {}) },
      summary: `TimeChaos ${offset < 0 ? '' : '+'}${goDuration(offset)}`,
      containers: true,
    };
  },
  'file.corrupt': (p, k, input) => {
    const mode = p.string(['mode']) ?? 'random-bytes';
    const filling = { 'random-bytes': 'random', zero: 'zero' }[mode];
    if (!filling) {
      throw new UserError(
        `${input.where}: file.corrupt mode ${mode} cannot run on Chaos Mesh: IOChaos mistake fills reads and writes with random bytes or zeros (modes random-bytes, zero); use backend local`,
      );
    }
    if (p.raw('percent') !== undefined) {
      throw new UserError(`${input.where}: file.corrupt percent (of the file size) cannot run on Chaos Mesh; give bytes instead`);
    }
    if (!k.volumePath) {
      throw new UserError(
        `${input.where}: file.corrupt on Chaos Mesh needs kubernetes.volumePath, the mount point of the volume (IOChaos works per volume)`,
      );
    }
    const size = p.size(['bytes']);
    const path = p.string(['path']) ?? k.path;
    const maxLength = Math.max(1, size?.bytes ?? 1);
    return {
      kind: 'IOChaos',
      spec: {
        action: 'mistake',
        volumePath: k.volumePath,
        ...(path ? { path } : {}),
        mistake: { filling, maxOccurrences: 1, maxLength },
        percent: 100,
      },
      summary: `IOChaos mistake (${filling}, ${maxLength} byte(s)) on ${path ?? k.volumePath}`,
      containers: true,
    };
  },

  'io.latency': (p, k, input) => {
    const delay = goDuration(p.durationMs(['delay'], true, '100ms'));
    return ioChaos(p, k, input, 'latency', { delay }, `latency ${delay}`);
  },
  'io.error': (p, k, input) => {
    const name = p.string(['errno']) ?? p.missing('errno', 'EIO');
    const errno = /^\d+$/.test(name) ? Number(name) : constants.errno[name as keyof typeof constants.errno];
    if (errno === undefined) p.bad('errno', name, 'an errno such as EIO');
    return ioChaos(p, k, input, 'fault', { errno }, `fault ${name}`);
  },
  'io.attr': (p, k, input) => {
    const given = (p.raw('attr') ?? {}) as Record<string, number | undefined>;
    const attr: KObject = {};
    for (const [key, value] of Object.entries(given)) {
      if (value === undefined) continue;
      const n = key === 'size' ? ((value as unknown as { bytes?: number }).bytes ?? value) : value;
      attr[key] = ['atime', 'mtime', 'ctime'].includes(key) ? { sec: n, nsec: 0 } : n;
    }
    return ioChaos(p, k, input, 'attrOverride', { attr }, `attrOverride ${Object.keys(attr).join(', ')}`);
  },
  'io.mistake': (p, k, input) => {
    const mistake = {
      filling: p.string(['filling']) ?? 'random',
      maxOccurrences: p.number(['maxOccurrences'], 1),
      maxLength: p.size(['maxLength'])?.bytes ?? 1,
    };
    return ioChaos(p, k, input, 'mistake', { mistake }, `mistake (${mistake.filling}, ${mistake.maxLength} byte(s))`);
  },

  // ---------- HTTP ----------

  'http.abort': (p, k, input) => {
    if (p.raw('abort') === true) {
      const base = httpCommon(p, k, input, 'Request');
      return { kind: 'HTTPChaos', spec: { ...base, abort: true }, summary: `HTTPChaos abort on port ${base.port}` };
    }
    // HTTPChaos sets a status only by replacing the service's response: the request reaches the service first
    refuseAnswerOnRequest(p, input, 'HTTPChaos');
    const status = p.number(['code', 'status']) ?? 503;
    const base = httpCommon(p, k, input, 'Response', true);
    const body = p.string(['body']);
    const replace: KObject = { code: status, ...(body === undefined ? {} : { body: Buffer.from(body).toString('base64') }) };
    return { kind: 'HTTPChaos', spec: { ...base, replace }, summary: `HTTPChaos answer ${status} on port ${base.port}` };
  },
  'http.delay': (p, k, input) => {
    const delay = p.durationMs(['delay', 'latency'], true, '500ms');
    if (p.durationMs(['jitter']))
      throw new UserError(
        `${input.where}: http.delay jitter cannot run on Chaos Mesh (HTTPChaos delays by a fixed time); remove it, or use backend local`,
      );
    const base = httpCommon(p, k, input, 'Request');
    return {
      kind: 'HTTPChaos',
      spec: { ...base, delay: goDuration(delay) },
      summary: `HTTPChaos delay ${goDuration(delay)} on port ${base.port}`,
    };
  },
  'http.replace': (p, k, input) => {
    const base = httpCommon(p, k, input, 'Response');
    const replace: KObject = {};
    const body = p.raw('body');
    if (body !== undefined) replace.body = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)).toString('base64');
    const code = p.number(['code', 'status']);
    if (code !== undefined) replace.code = code;
    const headers = p.raw('headers');
    if (headers !== undefined) replace.headers = stringMap(p, 'headers', headers);
    const path = p.string(['replacePath']);
    if (path) replace.path = path;
    if (!Object.keys(replace).length) p.missing('body', '"{}"');
    return {
      kind: 'HTTPChaos',
      spec: { ...base, replace },
      summary: `HTTPChaos replace ${Object.keys(replace).join(', ')} on port ${base.port}`,
    };
  },
  'http.patch': (p, k, input) => {
    const base = httpCommon(p, k, input, 'Response');
    const patch: KObject = {};
    const body = p.raw('body');
    if (body !== undefined) patch.body = { type: 'JSON', value: typeof body === 'string' ? body : JSON.stringify(body) };
    const headers = p.raw('headers');
    if (headers !== undefined) patch.headers = Object.entries(stringMap(p, 'headers', headers));
    const queries = p.raw('queries');
    if (queries !== undefined) patch.queries = Object.entries(stringMap(p, 'queries', queries));
    if (!Object.keys(patch).length) p.missing('body', '{ extra: true }');
    return {
      kind: 'HTTPChaos',
      spec: { ...base, patch },
      summary: `HTTPChaos patch ${Object.keys(patch).join(', ')} on port ${base.port}`,
    };
  },

  // ---------- DNS ----------

  'dns.error': (p) => dnsSpec(p, 'error'),
  'dns.random': (p) => dnsSpec(p, 'random'),
};

function dnsSpec(p: ParamReader, action: 'error' | 'random'): KindSpec {
  const patterns = p.strings(['patterns', 'hosts']);
  return {
    kind: 'DNSChaos',
    spec: { action, ...(patterns ? { patterns } : {}) },
    summary: `DNSChaos ${action}${patterns ? ` for ${patterns.join(', ')}` : ' for every domain'}`,
    containers: true,
  };
}

function stringMap(p: ParamReader, name: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) p.bad(name, value, 'a map of strings');
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** target, port and the request matchers of every HTTPChaos. */
function httpCommon(
  p: ParamReader,
  k: KubernetesStep,
  input: CompileInput,
  defaultTarget: 'Request' | 'Response',
  forceTarget = false,
): KObject {
  refuseShare(p, input);
  const percent = p.number(['percent']);
  if (percent !== undefined && percent < 100) {
    throw new UserError(
      `${input.where}: ${input.fault} percent ${percent} cannot run on Chaos Mesh: HTTPChaos hits every matching request; use engine litmus (TOXICITY) or backend local`,
    );
  }
  const port = k.port ?? p.number(['port']);
  if (port === undefined)
    throw new UserError(
      `${input.where}: ${input.fault} on Chaos Mesh needs kubernetes.port, the port of the pods whose HTTP traffic is changed`,
    );
  const match = (p.raw('match') ?? {}) as Record<string, unknown>;
  const target = forceTarget ? defaultTarget : ((p.string(['target']) ?? defaultTarget) as string);
  if (target !== 'Request' && target !== 'Response') p.bad('target', target, 'Request or Response');
  const spec: KObject = { target, port };
  const methods = (match.method as string | string[] | undefined) ?? p.raw('method');
  if (Array.isArray(methods) && methods.length > 1) p.bad('method', methods, 'one method (HTTPChaos matches a single method)');
  const method = Array.isArray(methods) ? (methods[0] as string | undefined) : (methods as string | undefined);
  const path = (match.path as string | undefined) ?? p.string(['path']);
  const headers =
    (match.headers as Record<string, unknown> | undefined) ??
    (input.fault === 'http.replace' || input.fault === 'http.patch' ? undefined : p.raw('headers'));
  if (method) spec.method = method;
  if (path) spec.path = path;
  if (headers !== undefined) spec.request_headers = stringMap(p, 'match.headers', headers);
  // match.status: HTTPChaos `code`, one status (read on responses only, as faultline's)
  const status = match.status as number | number[] | undefined;
  if (Array.isArray(status) && status.length > 1) p.bad('match.status', status, 'one status (HTTPChaos matches a single code)');
  if (status !== undefined) spec.code = [status].flat()[0];
  return spec;
}

/** The Chaos Mesh object of a fault step (requireSupport has said the fault is supported). */
export function compileChaosMesh(input: CompileInput): Compiled {
  const compiler = compilers[input.fault];
  if (!compiler) throw new UserError(`${input.where}: ${input.fault} has no Chaos Mesh equivalent`);
  const k = input.step.kubernetes ?? {};
  if (k.appkind)
    throw new UserError(
      `${input.where}: kubernetes.appkind ${k.appkind} cannot be expressed on Chaos Mesh, which selects pods by labels whatever owns them (it would hit more pods); remove it or use engine litmus`,
    );
  const reader = new ParamReader(input.params, `${input.where}: ${input.fault} on Chaos Mesh`);
  const made = compiler(reader, k, input);
  const spec: KObject = { ...chaosMeshSelection(input.selection, input.namespace), ...made.spec };
  if (made.containers && k.containerNames) spec.containerNames = k.containerNames;
  if (made.kind === 'PodChaos' && spec.action === 'container-kill') spec.containerNames = k.containerNames;
  if (input.durationMs !== null && !made.oneShot) spec.duration = goDuration(input.durationMs);
  else if (input.deadMan && !made.oneShot) spec.duration = goDuration(deadManMs(input.step, { ...input.kubernetes, engine: 'chaos-mesh' }));
  return {
    ref: {
      group: CHAOS_MESH_GROUP,
      version: CHAOS_MESH_VERSION,
      kind: made.kind,
      plural: chaosMeshPlural(made.kind),
      namespace: input.namespace,
      name: input.name,
    },
    body: {
      apiVersion: `${CHAOS_MESH_GROUP}/${CHAOS_MESH_VERSION}`,
      kind: made.kind,
      metadata: { name: input.name, namespace: input.namespace, ...(Object.keys(input.labels).length ? { labels: input.labels } : {}) },
      spec,
    },
    summary: `${made.summary}${input.durationMs !== null && !made.oneShot ? ` for ${formatDuration(input.durationMs)}` : ''}`,
    oneShot: made.oneShot ?? false,
  };
}
