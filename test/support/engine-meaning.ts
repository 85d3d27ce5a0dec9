/**
 * What a Chaos Mesh or Litmus object does, written independently of faultline's import and export: the
 * engine's defaults applied, units normalized (durations in ms, percentages as numbers, sizes in bytes, label
 * strings as maps), empty fields dropped, a Workflow as a timeline of what runs when. Two objects with equal
 * meanings select the same pods and do the same thing, for as long and as often, with the same probes.
 * `differences` lists the paths where two meanings disagree, for round-trip tests.
 */

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

/** The meaning of one Chaos Mesh chaos spec (without its duration when `withDuration` is false). */
export function chaosMeaning(kind: string, spec: Doc, namespace: string, withDuration = true): Doc {
  const s = structuredClone(spec);
  const selector: Doc = s.selector ?? {};
  // Chaos Mesh: pods named in `pods` are taken alone; otherwise the namespaces default to the object's own
  if (!selector.pods && !selector.namespaces?.length) selector.namespaces = [namespace];
  s.selector = selector;
  if (s.mode === 'one' || s.mode === 'all') delete s.value;
  else s.value = num(s.value);
  if (withDuration) s.duration = goMs(s.duration);
  else delete s.duration;
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
      if (s.abort === false) delete s.abort; // abort: false is no abort (the engine's *bool)
      if (typeof s.delay === 'string') s.delay = goMs(s.delay);
      if (s.replace?.body) s.replace.body = Buffer.from(s.replace.body, 'base64').toString('utf8');
      break;
  }
  return { kind, ...(pruned(s) as Doc) };
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

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/** A Workflow as what runs from when to when (ms from its start), and the status checks beside it. */
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
        const c = t.statusCheck ?? {};
        out.push({
          check: pruned({
            mode: c.mode,
            url: c.http?.url,
            method: c.http?.method ?? 'GET',
            criteria: c.http?.criteria?.statusCode,
            interval: c.intervalSeconds ?? 10,
            timeout: c.timeoutSeconds ?? 1,
            failureThreshold: c.failureThreshold ?? 3,
            abort: t.abortWithStatusCheck === true,
          }),
        });
        return start;
      }
      default: {
        const chaos = t[EMBED[t.templateType] as string] ?? {};
        const own = goMs(chaos.duration);
        const end = deadline === undefined ? minOf(limit, own === undefined ? null : start + own) : bound;
        const faultEnd = minOf(end, own === undefined ? null : start + own);
        out.push({ start, end: faultEnd, what: chaosMeaning(t.templateType, chaos, namespace, false) });
        return end;
      }
    }
  };
  walk(spec.entry, 0, null);
  return out.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function labelMap(text: unknown): Doc {
  return Object.fromEntries(
    String(text ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=').map((x) => x.trim())),
  );
}

/** Env a ChaosHub experiment reads as its default when absent (the ChaosExperiment's own values). */
const ENV_DEFAULTS: Record<string, string> = { PODS_AFFECTED_PERC: '0', SEQUENCE: 'parallel', JITTER: '0', FORCE: 'true' };

function probeMeaning(probe: Doc): Doc {
  const run = probe.runProperties ?? {};
  const polled = probe.mode === 'Continuous' || probe.mode === 'OnChaos';
  const inputs = structuredClone(probe[`${probe.type}/inputs`] ?? {});
  if (inputs.insecureSkipVerify === false) delete inputs.insecureSkipVerify;
  if (inputs.comparator?.type === 'int' || inputs.comparator?.type === 'float') inputs.comparator.type = 'number';
  return pruned({
    name: probe.name,
    type: probe.type,
    mode: probe.mode,
    inputs,
    run: {
      probeTimeout: goMs(run.probeTimeout),
      interval: goMs(run.interval),
      attempt: run.attempt ?? run.retry ?? 1,
      probePollingInterval: polled ? goMs(run.probePollingInterval ?? run.interval) : undefined,
      initialDelay: goMs(run.initialDelay ?? run.initialDelaySeconds) || undefined,
      stopOnFailure: run.stopOnFailure === true ? true : undefined,
    },
  }) as Doc;
}

/** A ChaosEngine: who it targets, each experiment's env (defaults applied, numbers as numbers) and probes. */
export function engineMeaning(engine: Doc): Doc {
  const spec = engine.spec ?? {};
  const namespace = engine.metadata?.namespace ?? 'default';
  const app = spec.appinfo ?? {};
  const target = spec.selectors ?? { appns: app.appns || namespace, labels: labelMap(app.applabel), appkind: app.appkind };
  return pruned({
    kind: 'ChaosEngine',
    target,
    engineState: spec.engineState ?? 'active',
    serviceAccount: spec.chaosServiceAccount,
    experiments: ((spec.experiments ?? []) as Doc[]).map((e) => {
      const env: Doc = { ...ENV_DEFAULTS };
      for (const v of (e.spec?.components?.env ?? []) as Doc[]) if (v.value !== undefined && v.value !== '') env[v.name] = String(v.value);
      for (const [k, v] of Object.entries(env)) if (/^-?\d+(\.\d+)?$/.test(String(v))) env[k] = Number(v);
      if (e.name !== 'pod-delete') delete env.FORCE;
      return {
        name: e.name,
        env,
        probes: ((e.spec?.probe ?? []) as Doc[]).map(probeMeaning).sort((a, b) => String(a.name).localeCompare(String(b.name))),
      };
    }),
  }) as Doc;
}

/** What any supported object means. */
export function meaning(object: Doc): Doc {
  const namespace = object.metadata?.namespace ?? 'default';
  if (object.kind === 'ChaosEngine') return engineMeaning(object);
  if (object.kind === 'Workflow') return { kind: 'Workflow', timeline: workflowTimeline(object.spec ?? {}, namespace) };
  if (object.kind === 'Schedule') {
    const s = object.spec ?? {};
    return pruned({
      kind: 'Schedule',
      schedule: s.schedule,
      concurrencyPolicy: s.concurrencyPolicy || 'Forbid',
      historyLimit: s.historyLimit,
      startingDeadlineSeconds: s.startingDeadlineSeconds,
      runs:
        s.type === 'Workflow'
          ? workflowTimeline(s.workflow ?? {}, namespace)
          : chaosMeaning(s.type, s[EMBED[s.type] as string] ?? {}, namespace),
    }) as Doc;
  }
  return chaosMeaning(object.kind, object.spec ?? {}, namespace);
}

/** The paths (`experiments.0.env.CHAOS_INTERVAL`) where two meanings differ. */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Doc)[k], (b as Doc)[k], path ? `${path}.${k}` : k));
  }
  return [path || '.'];
}
