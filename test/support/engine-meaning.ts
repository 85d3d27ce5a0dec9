/**
 * What a Chaos Mesh or Litmus object does, written independently of faultline's import and export: the
 * engine's defaults applied, units normalized (durations in ms, percentages as numbers, sizes in bytes, label
 * strings as maps), empty fields dropped, a Workflow as a timeline of what runs when. Two objects with equal
 * meanings select the same pods and do the same thing, for as long and as often, with the same probes.
 * `differences` lists the paths where two meanings disagree, for round-trip tests.
 */

import { parse as parseYaml } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form
type Doc = Record<string, any>;

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`1m30s`, `-10m`, `250ms`) in ms; a bare number is seconds (Litmus). */
export function goMs(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' || /^\d+$/.test(String(value))) return Number(value) * 1000;
  const text = String(value).trim();
  const sign = text.startsWith('-') ? -1 : 1;
  let total = 0;
  const rest = text.replace(/^[+-]/, '').replace(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g, (_, n: string, u: string) => {
    total += Number(n) * (UNIT_MS[u] as number);
    return '';
  });
  return rest === '' ? sign * total : Number.NaN;
}

/** Drops undefined, '' and empty objects and arrays, recursively. */
function pruned(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(pruned).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, pruned(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value === '' || value === null ? undefined : value;
}

const BINARY_POWER: Record<string, number> = { '': 0, b: 0, k: 1, m: 2, g: 3, t: 4 };

/** Chaos Mesh's memory size (go-units RAMInBytes: every unit binary), in bytes; a percentage as `N%`. */
function memoryBytes(size: unknown): unknown {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b|i)?$/i.exec(String(size ?? '').trim());
  if (!m) return size;
  return Number(m[1]) * 1024 ** (BINARY_POWER[(m[2] as string).toLowerCase()] as number);
}

/** A Chaos Mesh rate (`1mbps`: 1024-based bytes; `8mbit`: 1000-based bits) in bytes per second. */
function rateBytes(rate: unknown): unknown {
  const m = /^(\d+)\s*(bps|kbps|mbps|gbps|bit|kbit|mbit|gbit)$/i.exec(String(rate ?? ''));
  if (!m) return rate;
  const unit = (m[2] as string).toLowerCase();
  return unit.endsWith('bps')
    ? Number(m[1]) * 1024 ** ['bps', 'kbps', 'mbps', 'gbps'].indexOf(unit)
    : (Number(m[1]) * 1000 ** ['bit', 'kbit', 'mbit', 'gbit'].indexOf(unit)) / 8;
}

const num = (v: unknown) => (v === undefined || v === '' ? undefined : Number(v));

/** The meaning of one Chaos Mesh chaos spec. */
export function chaosMeaning(kind: string, spec: Doc, namespace: string): Doc {
  const s = structuredClone(spec);
  const selector: Doc = s.selector ?? {};
  // Chaos Mesh: pods named in `pods` are taken alone; otherwise the namespaces default to the object's own
  if (!selector.pods && !selector.namespaces?.length) selector.namespaces = [namespace];
  s.selector = selector;
  if (s.mode === 'one' || s.mode === 'all') delete s.value;
  else s.value = num(s.value);
  s.duration = goMs(s.duration);
  switch (kind) {
    case 'NetworkChaos':
      s.direction ??= 'to';
      if (s.delay) {
        s.delay.latency = goMs(s.delay.latency);
        s.delay.jitter = goMs(s.delay.jitter) || undefined;
        s.delay.correlation = num(s.delay.correlation) || undefined;
      }
      if (s.loss) s.loss = { loss: num(s.loss.loss), correlation: num(s.loss.correlation) || undefined };
      if (s.corrupt) s.corrupt = { corrupt: num(s.corrupt.corrupt), correlation: num(s.corrupt.correlation) || undefined };
      if (s.bandwidth) s.bandwidth.rate = rateBytes(s.bandwidth.rate);
      if (s.target) s.target.mode ??= 'all';
      break;
    case 'PodChaos':
      if (s.action === 'pod-kill') s.gracePeriod ??= 0;
      if (s.action !== 'pod-failure') delete s.duration; // a kill happens once: Chaos Mesh ignores its duration
      break;
    case 'StressChaos':
      if (s.stressors?.memory) {
        s.stressors.memory.workers ??= 1;
        s.stressors.memory.size = memoryBytes(s.stressors.memory.size);
      }
      if (s.stressors?.cpu) s.stressors.cpu.load ??= 100;
      break;
    case 'TimeChaos':
      s.timeOffset = goMs(s.timeOffset);
      break;
    case 'IOChaos':
      s.percent ??= 100;
      if (s.action === 'latency') s.delay = goMs(s.delay);
      if (s.methods) s.methods = [...s.methods].sort();
      // an attribute override only ever answers getattr: the other methods change nothing
      if (s.action === 'attrOverride' && (!s.methods || s.methods.includes('getattr'))) delete s.methods;
      break;
    case 'HTTPChaos':
      httpMeaning(s);
      break;
  }
  return { kind, ...(pruned(s) as Doc) };
}

/** Header names as an http::HeaderMap holds them: case does not count. */
function headerMap(headers: Doc | undefined): Doc | undefined {
  return headers && Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * A JSON text as the value it stands for (tproxy parses a patch body with serde_json), written with its keys in
 * order so equal values read the same (and null and [] stay, which `pruned` would drop); not JSON: the text.
 */
function jsonValue(text: unknown): unknown {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sorted(x)]),
        )
      : Array.isArray(v)
        ? v.map(sorted)
        : v;
  try {
    return JSON.stringify(sorted(JSON.parse(String(text))));
  } catch {
    return text;
  }
}

/**
 * An HTTPChaos as chaos-tproxy applies it (chaos-tproxy-proxy/src/handler/http, selector.rs and action.rs): a
 * request is selected by port, path, method and request headers, a response by those and its status (`code`)
 * and response headers too; header values match exactly, names in any case. Abort ends the exchange before any
 * other action. On a request, replace sets the path, method, body, queries and headers (a status it has not),
 * patch appends queries, merges the JSON body and appends headers; on a response, replace sets the status,
 * body and headers, patch merges the body and appends headers (path, method and queries it has not).
 */
function httpMeaning(s: Doc): void {
  const response = s.target === 'Response';
  s.request_headers = headerMap(s.request_headers);
  s.response_headers = response ? headerMap(s.response_headers) : undefined;
  if (!response) delete s.code;
  if (s.abort === false) delete s.abort; // abort: false is no abort (the engine's *bool)
  if (s.abort) for (const action of ['delay', 'replace', 'patch']) delete s[action];
  if (typeof s.delay === 'string') s.delay = goMs(s.delay);
  if (s.replace) {
    const r = s.replace;
    s.replace = {
      ...(response ? { code: r.code } : { path: r.path, method: r.method, queries: r.queries }),
      body: r.body === undefined ? undefined : Buffer.from(r.body, 'base64').toString('utf8'),
      headers: headerMap(r.headers),
    };
  }
  if (s.patch) {
    const p = s.patch;
    s.patch = {
      queries: response ? undefined : p.queries,
      body: p.body && { type: p.body.type, value: jsonValue(p.body.value) },
      // appended in order, so a name given twice is sent twice
      headers: (p.headers as string[][] | undefined)?.map(([name, value]) => [String(name).toLowerCase(), value]),
    };
  }
}

const EMBED: Record<string, string> = {
  NetworkChaos: 'networkChaos',
  PodChaos: 'podChaos',
  StressChaos: 'stressChaos',
  TimeChaos: 'timeChaos',
  IOChaos: 'ioChaos',
  HTTPChaos: 'httpChaos',
  DNSChaos: 'dnsChaos',
};

/**
 * A StatusCheck (controllers/statuscheck; the webhook defaults mode to Synchronous): an HTTP request every
 * intervalSeconds, the first one interval after the start (a ticker), passing on criteria.statusCode (a code, or
 * an inclusive range); headers as net/http sends them, a name's values joined. On a healthy service a
 * Synchronous check completes at its successThreshold-th success, a Continuous one only at its duration; either
 * at its duration at the latest (`heldMs`, undefined: never).
 */
function statusCheckMeaning(c: Doc): { check: Doc; heldMs: number | undefined } {
  const http = c.http ?? {};
  const mode = c.mode || 'Synchronous';
  const interval = (c.intervalSeconds ?? 10) * 1000;
  const successes = mode === 'Synchronous' ? (c.successThreshold ?? 1) : undefined;
  const held = [goMs(c.duration), successes && successes * interval].filter((ms): ms is number => ms !== undefined);
  const code = String(http.criteria?.statusCode ?? '');
  const [low, high = low] = code.split('-').map(Number);
  const headers = Object.entries((http.headers ?? {}) as Record<string, string[]>).map(([name, values]) => [
    name.toLowerCase(),
    values.join(', '),
  ]);
  const check = {
    mode,
    url: http.url,
    method: http.method || 'GET',
    headers: headers.length ? Object.fromEntries(headers) : undefined,
    body: http.body,
    status: { low, high },
    intervalMs: interval,
    timeoutMs: (c.timeoutSeconds ?? 1) * 1000,
    failureThreshold: c.failureThreshold ?? 3,
    successThreshold: successes,
  };
  return { check: pruned(check) as Doc, heldMs: held.length ? Math.min(...held) : undefined };
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/**
 * A Workflow as what runs from when (ms from its start) and for how long, and the status checks beside it,
 * each named after its template.
 */
export function workflowTimeline(spec: Doc, namespace: string): Doc[] {
  const templates = new Map<string, Doc>(((spec.templates ?? []) as Doc[]).map((t) => [t.name, t]));
  const out: Doc[] = [];
  const walk = (name: string, start: number, limit: number | null): number | null => {
    const t = templates.get(name) as Doc;
    const deadline = goMs(t.deadline);
    const bound = minOf(limit, deadline === undefined ? null : start + deadline);
    switch (t.templateType) {
      case 'Serial': {
        let at: number | null = start;
        for (const child of t.children ?? []) {
          if (at === null || (bound !== null && at >= bound)) break;
          at = walk(child, at, bound);
        }
        return minOf(at, bound);
      }
      case 'Parallel': {
        const ends = (t.children ?? []).map((c: string) => walk(c, start, bound));
        return ends.includes(null) ? bound : minOf(Math.max(start, ...ends), bound);
      }
      case 'Suspend':
        return bound;
      case 'StatusCheck': {
        const { check, heldMs } = statusCheckMeaning(t.statusCheck ?? {});
        // the node holds its Serial until the check completes (or its deadline); null: never
        const end = minOf(heldMs === undefined ? null : start + heldMs, bound);
        out.push(pruned({ name: t.name, start, end, ...check, abort: t.abortWithStatusCheck === true }) as Doc);
        return end;
      }
      default: {
        const chaos = t[EMBED[t.templateType] as string] ?? {};
        const own = goMs(chaos.duration);
        const end = deadline === undefined ? minOf(limit, own === undefined ? null : start + own) : bound;
        const faultEnd = minOf(end, own === undefined ? null : start + own);
        // what the chaos does for as long as it runs there (a one-shot kill's time is no part of it)
        const ran = faultEnd === null ? undefined : `${faultEnd - start}ms`;
        out.push({ name: t.name, start, ...chaosMeaning(t.templateType, { ...chaos, duration: ran }, namespace) });
        return end;
      }
    }
  };
  walk(spec.entry, 0, null);
  return out.sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

function labelMap(text: unknown): Doc {
  return Object.fromEntries(
    String(text ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=').map((x) => x.trim())),
  );
}

// ---------- Litmus ----------

/** Env every ChaosHub experiment reads as its default when absent. */
const COMMON_ENV: Record<string, string> = { PODS_AFFECTED_PERC: '0', SEQUENCE: 'parallel' };

/** litmus-go's network experiments read CORRELATION as 0 when absent (their ChaosExperiments do not set it). */
const NETWORK_ENV: Record<string, string> = { NETWORK_INTERFACE: 'eth0', CORRELATION: '0' };

/**
 * Env each ChaosHub experiment reads as its default when absent: its ChaosExperiment's own values
 * (chaos-charts faults/kubernetes/<name>/fault.yaml), those that change what the fault does.
 */
const EXPERIMENT_ENV: Record<string, Record<string, string>> = {
  'pod-delete': { TOTAL_CHAOS_DURATION: '15', CHAOS_INTERVAL: '5', FORCE: 'true' },
  'container-kill': { TOTAL_CHAOS_DURATION: '20', CHAOS_INTERVAL: '10', SIGNAL: 'SIGKILL' },
  'pod-cpu-hog': { TOTAL_CHAOS_DURATION: '60', CPU_CORES: '1', CPU_LOAD: '100' },
  'pod-memory-hog': { TOTAL_CHAOS_DURATION: '60', MEMORY_CONSUMPTION: '500', NUMBER_OF_WORKERS: '1' },
  'pod-io-stress': { TOTAL_CHAOS_DURATION: '120', FILESYSTEM_UTILIZATION_PERCENTAGE: '10', NUMBER_OF_WORKERS: '4' },
  'disk-fill': { TOTAL_CHAOS_DURATION: '60', FILL_PERCENTAGE: '80', DATA_BLOCK_SIZE: '256' },
  'pod-network-latency': { TOTAL_CHAOS_DURATION: '60', NETWORK_LATENCY: '2000', JITTER: '0', ...NETWORK_ENV },
  'pod-network-loss': { TOTAL_CHAOS_DURATION: '60', NETWORK_PACKET_LOSS_PERCENTAGE: '100', ...NETWORK_ENV },
  'pod-network-corruption': { TOTAL_CHAOS_DURATION: '60', NETWORK_PACKET_CORRUPTION_PERCENTAGE: '100', ...NETWORK_ENV },
  'pod-network-rate-limit': { TOTAL_CHAOS_DURATION: '60', NETWORK_BANDWIDTH: '1mbit', BURST: '32kb', LIMIT: '2mb', ...NETWORK_ENV },
  'pod-network-partition': { TOTAL_CHAOS_DURATION: '60', POLICY_TYPES: 'all' },
  'pod-http-status-code': {
    TOTAL_CHAOS_DURATION: '60',
    MODIFY_RESPONSE_BODY: 'true',
    CONTENT_TYPE: 'text/plain',
    TARGET_SERVICE_PORT: '80',
    TOXICITY: '100',
  },
  'pod-http-latency': { TOTAL_CHAOS_DURATION: '60', LATENCY: '2000', TARGET_SERVICE_PORT: '80', TOXICITY: '100' },
  'pod-http-modify-body': { TOTAL_CHAOS_DURATION: '60', CONTENT_TYPE: 'text/plain', TARGET_SERVICE_PORT: '80', TOXICITY: '100' },
  'pod-http-modify-header': {
    TOTAL_CHAOS_DURATION: '60',
    HEADERS_MAP: '{}',
    HEADER_MODE: 'response',
    TARGET_SERVICE_PORT: '80',
    TOXICITY: '100',
  },
  'pod-dns-error': { TOTAL_CHAOS_DURATION: '60', MATCH_SCHEME: 'exact' },
};

/** An experiment's env with its defaults applied, numbers as numbers. */
function envMeaning(experiment: string, list: Doc[]): Doc {
  const env: Doc = { ...COMMON_ENV, ...EXPERIMENT_ENV[experiment] };
  for (const v of list) if (v.value !== undefined && v.value !== '') env[v.name] = String(v.value);
  // a body that is not modified says nothing
  if (env.MODIFY_RESPONSE_BODY === 'false') for (const key of ['RESPONSE_BODY', 'CONTENT_TYPE', 'CONTENT_ENCODING']) delete env[key];
  for (const [k, v] of Object.entries(env)) if (/^-?\d+(\.\d+)?$/.test(String(v))) env[k] = Number(v);
  return env;
}

function probeMeaning(probe: Doc): Doc {
  const run = probe.runProperties ?? {};
  const polled = probe.mode === 'Continuous' || probe.mode === 'OnChaos';
  const inputs = structuredClone(probe[`${probe.type}/inputs`] ?? {});
  if (inputs.insecureSkipVerify === false) delete inputs.insecureSkipVerify;
  if (inputs.comparator?.type === 'int' || inputs.comparator?.type === 'float') inputs.comparator.type = 'number';
  // litmus-go 2.x bounds each HTTP request by responseTimeout (ms) and each attempt by probeTimeout: a sample
  // fails at the sooner of the two
  const responseTimeout = inputs.responseTimeout ?? inputs.method?.get?.responseTimeout ?? inputs.method?.post?.responseTimeout;
  for (const holder of [inputs, inputs.method?.get, inputs.method?.post]) if (holder) delete holder.responseTimeout;
  const probeTimeout = goMs(run.probeTimeout);
  return pruned({
    name: probe.name,
    type: probe.type,
    mode: probe.mode,
    inputs,
    runProperties: {
      probeTimeout: responseTimeout === undefined ? probeTimeout : Math.min(probeTimeout ?? Infinity, Number(responseTimeout)),
      interval: goMs(run.interval),
      attempt: run.attempt ?? run.retry ?? 1,
      probePollingInterval: polled ? goMs(run.probePollingInterval ?? run.interval) : undefined,
      initialDelay: goMs(run.initialDelay ?? run.initialDelaySeconds) || undefined,
      stopOnFailure: run.stopOnFailure === true ? true : undefined,
    },
  }) as Doc;
}

/**
 * Who an engine targets: its pods, or a kind of workload with labels in a namespace (labels as a map, the
 * namespace defaulted). chaos-operator turns `appinfo` and one labelled `selectors.workloads` entry into the same
 * TARGETS value (kind:namespace:[labels]), so the two say the same thing.
 */
function targetMeaning(spec: Doc, namespace: string): Doc {
  if (spec.selectors?.pods)
    return {
      pods: Object.fromEntries((spec.selectors.pods as Doc[]).map((p) => [p.namespace, String(p.names).split(',').filter(Boolean).sort()])),
    };
  const workloads = spec.selectors?.workloads as Doc[] | undefined;
  if (workloads?.length === 1 && workloads[0]?.labels) {
    const [w] = workloads as [Doc];
    return { appns: w.namespace || namespace, labels: labelMap(w.labels), appkind: w.kind || undefined };
  }
  if (spec.selectors) return spec.selectors;
  const app = spec.appinfo ?? {};
  return { appns: app.appns || namespace, labels: labelMap(app.applabel), appkind: app.appkind || undefined };
}

/**
 * The runs of one ChaosEngine: its experiments one after the other (the chaos-runner runs them in turn), each
 * on the engine's pods with its env and probes.
 */
function engineRuns(engine: Doc): Doc[] {
  const spec = engine.spec ?? {};
  const namespace = engine.metadata?.namespace ?? 'default';
  return ((spec.experiments ?? []) as Doc[]).map((e) => {
    const env = envMeaning(e.name, (e.spec?.components?.env ?? []) as Doc[]);
    const target = namedPods(env, spec, namespace) ?? targetMeaning(spec, namespace);
    // litmus-go takes every pod named (GetTargetPodsWhenTargetPodsENVSet, the `pod` kind): no percentage
    if (target.pods) delete env.PODS_AFFECTED_PERC;
    delete env.TARGET_PODS;
    return {
      name: e.name,
      target,
      serviceAccount: spec.chaosServiceAccount,
      env,
      probes: ((e.spec?.probe ?? []) as Doc[]).map(probeMeaning),
    };
  });
}

/**
 * An experiment's TARGET_PODS as litmus-go reads it (pkg/utils/common/pods.go GetPodList): those pods by name in
 * the namespace of the engine's first target (the engine's own without one), whatever its labels or kind say.
 */
function namedPods(env: Doc, spec: Doc, namespace: string): Doc | null {
  const names = String(env.TARGET_PODS ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.length) return null;
  const first = spec.selectors?.pods?.[0] ?? spec.selectors?.workloads?.[0] ?? spec.appinfo ?? {};
  return { pods: { [first.namespace || first.appns || namespace]: names.sort() } };
}

/** A ChaosEngine: its state and its runs. */
function engineMeaning(engine: Doc): Doc {
  const runs = engineRuns(engine).map((r, i) => ({ group: i, ...r }));
  return pruned({ kind: 'Litmus', engineState: engine.spec?.engineState ?? 'active', runs }) as Doc;
}

/**
 * A Litmus workflow (an Argo Workflow): its entry's groups of steps in order, each step's ChaosEngine (the raw
 * data of an input artifact, or a resource manifest) run in its group, a suspend a pause; the engines' states
 * as one (stopped if any is).
 */
function litmusWorkflowMeaning(workflow: Doc): Doc {
  const templates = new Map<string, Doc>(((workflow.spec?.templates ?? []) as Doc[]).map((t) => [t.name, t]));
  const entry = templates.get(workflow.spec?.entrypoint) ?? {};
  const runs: Doc[] = [];
  const states = new Set<string>();
  ((entry.steps ?? []) as Doc[][]).forEach((group, g) => {
    for (const step of group) {
      const t = templates.get(step.template) ?? {};
      if (t.suspend) {
        runs.push({ group: g, name: step.name, pause: goMs(t.suspend.duration) });
        continue;
      }
      const text = t.inputs?.artifacts?.[0]?.raw?.data ?? t.resource?.manifest;
      const engine = text ? (parseYaml(text) as Doc) : null;
      if (engine?.kind !== 'ChaosEngine') continue;
      states.add(engine.spec?.engineState ?? 'active');
      // an engine's own experiments still run one after the other inside its group
      runs.push(...engineRuns(engine).map((r, i) => ({ group: g, ...(i ? { order: i } : {}), ...r })));
    }
  });
  return pruned({ kind: 'Litmus', engineState: states.has('stop') ? 'stop' : 'active', runs }) as Doc;
}

function withoutKind({ kind: _kind, ...rest }: Doc): Doc {
  return rest;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A ChaosSchedule (chaos-scheduler): how often, inside which window, in which state; and what its engine runs. */
function chaosScheduleMeaning(object: Doc): Doc {
  const s = object.spec ?? {};
  const repeat = s.schedule?.repeat;
  const interval = repeat?.properties?.minChaosInterval ?? {};
  const engine = { ...object, kind: 'ChaosEngine', spec: s.engineTemplateSpec ?? {} };
  return pruned({
    kind: 'ChaosSchedule',
    now: s.schedule?.now,
    once: s.schedule?.once?.executionTime,
    every: interval.minute
      ? { minutes: interval.minute.everyNthMinute }
      : interval.hour
        ? { hours: interval.hour.everyNthHour, atMinute: interval.hour.minuteOfTheHour ?? 0 }
        : undefined,
    random: repeat?.properties?.random === true ? true : undefined,
    timeRange: repeat?.timeRange && {
      startTime: repeat.timeRange.startTime && Date.parse(repeat.timeRange.startTime),
      endTime: repeat.timeRange.endTime && Date.parse(repeat.timeRange.endTime),
    },
    workDays:
      repeat?.workDays?.includedDays &&
      String(repeat.workDays.includedDays)
        .split(',')
        .sort((a, b) => DAYS.indexOf(a) - DAYS.indexOf(b)),
    workHours: repeat?.workHours?.includedHours,
    concurrencyPolicy: s.concurrencyPolicy === 'Allow' ? 'Allow' : 'Forbid',
    scheduleState: s.scheduleState === 'halt' ? 'halt' : 'active',
    ...withoutKind(engineMeaning(engine)),
  }) as Doc;
}

// ---------- any object ----------

/**
 * A timeline of one chaos from the start is that chaos alone, with the status checks beside it (faultline exports
 * a one-step method so); else null.
 */
function alone(timeline: Doc[]): Doc | null {
  const chaos = timeline.filter((entry) => entry.kind !== undefined);
  const checks = timeline.filter((entry) => entry.kind === undefined);
  const [only] = chaos;
  if (chaos.length !== 1 || only?.start !== 0) return null;
  const { name: _name, start: _start, ...fields } = only;
  return checks.length ? { ...fields, checks } : fields;
}

/** What a Chaos Mesh Schedule runs each time: its one chaos (its fields beside the Schedule's), or a timeline. */
function scheduleRuns(spec: Doc, namespace: string): Doc {
  const timeline =
    spec.type === 'Workflow'
      ? workflowTimeline(spec.workflow ?? {}, namespace)
      : [{ start: 0, ...chaosMeaning(spec.type, spec[EMBED[spec.type] as string] ?? {}, namespace) }];
  const chaos = alone(timeline);
  if (!chaos) return { timeline };
  const { kind, ...fields } = chaos;
  return { chaos: kind, ...fields };
}

const PAUSE_ANNOTATION = 'experiment.chaos-mesh.org/pause';

/** What any supported object means. */
export function meaning(object: Doc): Doc {
  const namespace = object.metadata?.namespace ?? 'default';
  const group = String(object.apiVersion ?? '').split('/')[0];
  if (object.kind === 'ChaosEngine') return engineMeaning(object);
  if (object.kind === 'ChaosSchedule') return chaosScheduleMeaning(object);
  if (group === 'argoproj.io' && object.kind === 'Workflow') return litmusWorkflowMeaning(object);
  // a Chaos Mesh object with the pause annotation injects nothing until it is taken off
  const paused = object.metadata?.annotations?.[PAUSE_ANNOTATION] === 'true' ? true : undefined;
  if (object.kind === 'Workflow') {
    const timeline = workflowTimeline(object.spec ?? {}, namespace);
    return alone(timeline) ?? { kind: 'Workflow', timeline };
  }
  if (object.kind === 'Schedule') {
    const s = object.spec ?? {};
    return pruned({
      kind: 'Schedule',
      paused,
      schedule: s.schedule,
      concurrencyPolicy: s.concurrencyPolicy || 'Forbid',
      // Chaos Mesh keeps historyLimit finished objects; without one it keeps none (controllers/schedule/gc)
      historyLimit: s.historyLimit ?? 0,
      // without startingDeadlineSeconds a missed run starts however late
      startingDeadlineSeconds: s.startingDeadlineSeconds ?? undefined,
      ...scheduleRuns(s, namespace),
    }) as Doc;
  }
  return pruned({ ...chaosMeaning(object.kind, object.spec ?? {}, namespace), paused }) as Doc;
}

/** Items named by a `name` (probes, experiment runs, workflow templates), keyed by it; a repeated name gets `#2`, `#3`. */
function byName(items: unknown): Map<string, unknown> | null {
  if (items === undefined || (Array.isArray(items) && !items.length)) return new Map();
  if (!Array.isArray(items) || !items.length || !items.every((i) => typeof i?.name === 'string')) return null;
  const out = new Map<string, unknown>();
  for (const item of items) {
    let key = item.name as string;
    for (let n = 2; out.has(key); n++) key = `${item.name}#${n}`;
    out.set(key, item);
  }
  return out;
}

/**
 * The paths where two meanings differ: `runs[pod-delete].env.CHAOS_INTERVAL`, `bandwidth.limit`. Lists of
 * named items are matched by name (`[name]` in the path), so one missing item is one difference.
 */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const named = [byName(a), byName(b)];
  if (named[0] && named[1] && (named[0].size || named[1].size)) {
    const [x, y] = named as [Map<string, unknown>, Map<string, unknown>];
    return [...new Set([...x.keys(), ...y.keys()])].flatMap((k) => differences(x.get(k), y.get(k), `${path}[${k}]`));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Doc)[k], (b as Doc)[k], path ? `${path}.${k}` : k));
  }
  return [path || '.'];
}
