/**
 * Faults of the catalogue as LitmusChaos ChaosEngines (litmuschaos.io/v1alpha1): one entry per fault,
 * giving the ChaosHub experiment and its env (every value a string, as the CRD requires).
 *
 * Duration: Litmus faults run for TOTAL_CHAOS_DURATION and revert themselves. On a run faultline owns
 * the duration: TOTAL_CHAOS_DURATION is the dead-man bound (step + inject timeout + margin, timing.ts)
 * and faultline stops the engine (`engineState: stop`, which reverts) when the step ends; an export
 * writes the step's duration.
 */

import type { KObject } from '../../../kube/client.js';
import type { KubernetesStep } from '../../../spec/kubernetes.js';
import { UserError } from '../../../util/errors.js';
import { type Compiled, type CompileInput, isPodSelection, podsByNamespace, refuseAnswerOnRequest } from '../compile.js';
import { ParamReader, seconds, tcRate } from '../params.js';
import { deadManMs } from '../timing.js';

export const LITMUS_GROUP = 'litmuschaos.io';
export const LITMUS_VERSION = 'v1alpha1';

interface Experiment {
  experiment: string;
  env: Record<string, string | number | undefined>;
  summary: string;
  oneShot?: boolean;
}

type Compiler = (p: ParamReader, k: KubernetesStep, input: CompileInput) => Experiment;

const percentOf = (p: ParamReader, names: string[], example: string) => p.percent(names, true, example);

const compilers: Record<string, Compiler> = {
  'process.kill': (p, k, input) => {
    const signal = p.string(['signal']) ?? 'SIGKILL';
    if (k.action === 'container-kill') {
      return {
        experiment: 'container-kill',
        env: {
          TARGET_CONTAINER: k.containerNames?.join(','),
          SIGNAL: signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`,
        },
        summary: `container-kill (${signal})`,
        oneShot: true,
      };
    }
    const gracePeriod = k.gracePeriod ?? (/^(SIG)?KILL$|^9$/i.test(signal) ? 0 : 30);
    if (k.containerNames) throw new UserError(`${input.where}: kubernetes.containerNames needs kubernetes.action: container-kill`);
    return {
      experiment: 'pod-delete',
      env: { FORCE: gracePeriod === 0 ? 'true' : 'false' },
      summary: `pod-delete (${gracePeriod === 0 ? 'forced' : 'graceful'})`,
      oneShot: true,
    };
  },
  'network.latency': (p, k, input) => {
    refuseShare(p, input);
    const latency = p.durationMs(['latency', 'delay'], true, '300ms');
    const jitter = p.durationMs(['jitter']);
    return {
      experiment: 'pod-network-latency',
      env: {
        NETWORK_LATENCY: Math.round(latency),
        JITTER: jitter === undefined ? undefined : Math.round(jitter),
        CORRELATION: nonZero(p.percent(['correlation'])),
        ...networkEnv(k),
      },
      summary: `pod-network-latency ${Math.round(latency)}ms`,
    };
  },
  'network.loss': (p, k, input) => {
    refuseShare(p, input);
    const loss = percentOf(p, ['loss', 'percent', 'probability'], '"25"');
    return {
      experiment: 'pod-network-loss',
      env: { NETWORK_PACKET_LOSS_PERCENTAGE: loss, CORRELATION: nonZero(p.percent(['correlation'])), ...networkEnv(k) },
      summary: `pod-network-loss ${loss}%`,
    };
  },
  'network.corrupt': (p, k, input) => {
    refuseShare(p, input);
    const corrupt = percentOf(p, ['corrupt', 'percent', 'probability'], '"10"');
    return {
      experiment: 'pod-network-corruption',
      env: { NETWORK_PACKET_CORRUPTION_PERCENTAGE: corrupt, CORRELATION: nonZero(p.percent(['correlation'])), ...networkEnv(k) },
      summary: `pod-network-corruption ${corrupt}%`,
    };
  },
  'network.bandwidth': (p, k, input) => {
    refuseShare(p, input);
    const rate = tcRate(p.rateKBs(['rate', 'bandwidth'], '1mbit'));
    return {
      experiment: 'pod-network-rate-limit',
      env: {
        NETWORK_BANDWIDTH: rate,
        // tc reads a bare size as bytes, and `bps` as bytes per second
        BURST: k.bandwidth?.buffer ?? p.number(['burst']), // a kernel bandwidth step's burst is the same bucket
        LIMIT: k.bandwidth?.limit,
        PEAK_RATE: k.bandwidth?.peakrate === undefined ? undefined : `${k.bandwidth.peakrate}bps`,
        MIN_BURST: k.bandwidth?.minburst,
        ...networkEnv(k),
      },
      summary: `pod-network-rate-limit ${rate}`,
    };
  },
  'network.partition': (p, k, input) => {
    refuseShare(p, input);
    const direction = p.string(['direction']) ?? k.direction ?? 'to';
    const policyTypes = { to: 'egress', from: 'ingress', both: 'all' }[direction];
    if (!policyTypes) p.bad('direction', direction, 'to, from or both');
    if (k.externalTargets)
      throw new UserError(
        `${input.where}: network.partition on Litmus (a NetworkPolicy) cannot use kubernetes.externalTargets; use engine chaos-mesh`,
      );
    const env: Record<string, string | undefined> = { POLICY_TYPES: policyTypes };
    if (k.target?.labelSelectors)
      env.POD_SELECTOR = Object.entries(k.target.labelSelectors)
        .map(([a, b]) => `${a}=${b}`)
        .join(',');
    if (k.target?.namespaces) env.NAMESPACE_SELECTOR = `kubernetes.io/metadata.name=${k.target.namespaces[0]}`;
    return { experiment: 'pod-network-partition', env, summary: `pod-network-partition (${policyTypes})` };
  },
  'stress.cpu': (p) => {
    const workers = p.number(['workers'], 1);
    const load = p.number(['load'], 100);
    return {
      experiment: 'pod-cpu-hog',
      env: { CPU_CORES: workers, CPU_LOAD: load === undefined ? undefined : Math.round(load) },
      summary: `pod-cpu-hog ${workers} core(s) at ${load}%`,
    };
  },
  'stress.memory': (p, _k, input) => {
    const size = p.size(['size']) ?? p.missing('size', '512Mi');
    if (size.percent !== undefined)
      throw new UserError(
        `${input.where}: stress.memory size ${size.percent}% cannot run on Litmus (pod-memory-hog takes megabytes); give a size such as 512Mi, or use engine chaos-mesh`,
      );
    const mb = Math.max(1, Math.round((size.bytes ?? 0) / 2 ** 20));
    return {
      experiment: 'pod-memory-hog',
      env: { MEMORY_CONSUMPTION: mb, NUMBER_OF_WORKERS: p.number(['workers'], 1) },
      summary: `pod-memory-hog ${mb}MB`,
    };
  },
  'stress.io': (p, k) => {
    const path = p.string(['path']) ?? k.volumePath;
    return {
      experiment: 'pod-io-stress',
      env: { NUMBER_OF_WORKERS: p.number(['workers'], 1), VOLUME_MOUNT_PATH: path },
      summary: 'pod-io-stress',
    };
  },
  // litmus-go fills FILL_PERCENTAGE of the target container's ephemeral-storage *limit* when it has one, and
  // EPHEMERAL_STORAGE_MEBIBYTES only when it has none (getSizeToBeFilled in
  // chaoslib/litmus/disk-fill/helper/disk-fill.go): faultline's percent (of a file system) has no equivalent
  'disk.fill': (p, _k, input) => {
    const size = p.size(['size']) ?? p.missing('size', '512Mi');
    if (size.percent !== undefined) {
      throw new UserError(
        `${input.where}: disk.fill size ${size.percent}% cannot run on Litmus: its FILL_PERCENTAGE is a share of the container's ephemeral-storage limit, not of a file system; give a size such as 512Mi (EPHEMERAL_STORAGE_MEBIBYTES, used when the container has no ephemeral-storage limit), or set kubernetes.env FILL_PERCENTAGE yourself`,
      );
    }
    const mebibytes = Math.max(1, Math.round((size.bytes ?? 0) / 2 ** 20));
    // litmus-go writes into the target container's own storage: params.path has no Litmus equivalent, said
    // in the plan and the export rather than dropped silently
    const path = p.string(['path']);
    return {
      experiment: 'disk-fill',
      env: { EPHEMERAL_STORAGE_MEBIBYTES: mebibytes },
      summary: `disk-fill ${mebibytes}Mi of the target container's own storage${path ? ` (not ${path}: Litmus fills the container's writable layer)` : ''}; on a container with an ephemeral-storage limit litmus-go fills FILL_PERCENTAGE of that limit instead`,
    };
  },
  'http.abort': (p, k, input) => {
    const env = httpEnv(p, k, input);
    if (p.raw('abort') === true) return { experiment: 'pod-http-reset-peer', env, summary: 'pod-http-reset-peer' };
    // pod-http-status-code rewrites the status of the service's response: the request runs first
    refuseAnswerOnRequest(p, input, 'Litmus (pod-http-status-code)');
    const status = p.number(['code', 'status']) ?? 503;
    const body = p.string(['body']);
    return {
      experiment: 'pod-http-status-code',
      env: {
        ...env,
        STATUS_CODE: status,
        MODIFY_RESPONSE_BODY: body === undefined ? 'false' : 'true',
        ...(body === undefined ? {} : { RESPONSE_BODY: body }),
      },
      summary: `pod-http-status-code ${status}`,
    };
  },
  'http.delay': (p, k, input) => {
    const delay = p.durationMs(['delay', 'latency'], true, '500ms');
    return {
      experiment: 'pod-http-latency',
      env: { ...httpEnv(p, k, input), LATENCY: Math.round(delay) },
      summary: `pod-http-latency ${Math.round(delay)}ms`,
    };
  },
  'http.replace': (p, k, input) => {
    const env = httpEnv(p, k, input);
    const body = p.raw('body');
    const headers = p.raw('headers');
    if (body !== undefined) {
      return {
        experiment: 'pod-http-modify-body',
        env: { ...env, RESPONSE_BODY: typeof body === 'string' ? body : JSON.stringify(body) },
        summary: 'pod-http-modify-body',
      };
    }
    if (headers !== undefined) {
      return {
        experiment: 'pod-http-modify-header',
        env: { ...env, HEADERS_MAP: JSON.stringify(headers), HEADER_MODE: 'response' },
        summary: 'pod-http-modify-header',
      };
    }
    return p.missing('body', '"{}"');
  },
  'dns.error': (p) => {
    const patterns = p.strings(['patterns', 'hosts']);
    return {
      experiment: 'pod-dns-error',
      env: { TARGET_HOSTNAMES: patterns ? JSON.stringify(patterns) : undefined, MATCH_SCHEME: 'exact' },
      summary: 'pod-dns-error',
    };
  },
};

/** Litmus network faults hit all traffic of the selected pods: a share of connections has no equivalent. */
function refuseShare(p: ParamReader, input: CompileInput): void {
  const toxicity = p.number(['toxicity']);
  if (toxicity !== undefined && toxicity < 1) {
    throw new UserError(
      `${input.where}: ${input.fault} toxicity ${toxicity} (a share of connections) cannot run on Litmus, which hits all traffic of the selected pods; use mode to hit fewer pods, or backend local`,
    );
  }
}

const nonZero = (v: string | undefined) => (v === '0' ? undefined : v);

function networkEnv(k: KubernetesStep): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  if (k.device) env.NETWORK_INTERFACE = k.device;
  if (k.externalTargets) env.DESTINATION_HOSTS = k.externalTargets.join(',');
  return env;
}

/**
 * Litmus's pod-http experiments change every request on the port: a faultline match (method, path, headers,
 * status) would be lost, and the fault would hit requests the experiment meant to spare.
 */
function refuseMatch(p: ParamReader, input: CompileInput): void {
  const match = (p.raw('match') ?? {}) as Record<string, unknown>;
  // abort and delay take method, path and headers at the top level too (for replace, headers are the new ones)
  const topLevel = input.fault === 'http.replace' || input.fault === 'http.patch' ? ['method', 'path'] : ['method', 'path', 'headers'];
  const set = [
    ...Object.keys(match)
      .filter((key) => match[key] !== undefined)
      .map((key) => `match.${key}`),
    ...topLevel.filter((key) => p.raw(key) !== undefined),
  ];
  if (set.length)
    throw new UserError(
      `${input.where}: ${input.fault} params.${set.join(', params.')} cannot run on Litmus, whose pod-http experiments change every request on the port; use engine chaos-mesh or backend local`,
    );
}

function httpEnv(p: ParamReader, k: KubernetesStep, input: CompileInput): Record<string, string | number | undefined> {
  refuseMatch(p, input);
  const port = k.port ?? p.number(['port']);
  if (port === undefined)
    throw new UserError(
      `${input.where}: ${input.fault} on Litmus needs kubernetes.port, the service port of the pods whose HTTP traffic is changed`,
    );
  // TOXICITY: the percent of requests hit (faultline: percent of matching requests x share of connections)
  const share = (p.number(['percent']) ?? 100) * (p.number(['toxicity']) ?? 1);
  return { TARGET_SERVICE_PORT: port, ...(share < 100 ? { TOXICITY: Math.round(share) } : {}) };
}

/** PODS_AFFECTED_PERC for an exported selection mode. */
function podsAffected(input: CompileInput): string {
  const s = input.selection;
  if (isPodSelection(s) || s.mode === 'all') return '100';
  if (s.mode === 'one') return '';
  if (s.mode === 'fixed-percent') return String(s.value);
  throw new UserError(
    `${input.where}: mode ${s.mode} cannot be expressed on Litmus (PODS_AFFECTED_PERC takes a percentage); use mode one, all or fixed-percent`,
  );
}

function labelString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** appinfo or selectors: who the engine targets. */
function targeting(input: CompileInput): KObject {
  const s = input.selection;
  if (isPodSelection(s)) {
    return {
      selectors: { pods: Object.entries(podsByNamespace(s.pods)).map(([namespace, names]) => ({ namespace, names: names.join(',') })) },
    };
  }
  const sel = s.selector ?? {};
  const unsupported = (['fieldSelectors', 'annotationSelectors', 'podPhaseSelectors'] as const).filter((key) => sel[key] !== undefined);
  if (unsupported.length)
    throw new UserError(
      `${input.where}: selector ${unsupported.join(', ')} cannot be expressed on Litmus; select by labels, names or pods`,
    );
  const namespaces = sel.namespaces ?? [input.namespace];
  const pods: Record<string, string[]> = { ...sel.pods };
  if (sel.names) pods[namespaces[0] as string] = [...(pods[namespaces[0] as string] ?? []), ...sel.names];
  if (Object.keys(pods).length) {
    return { selectors: { pods: Object.entries(pods).map(([namespace, names]) => ({ namespace, names: names.join(',') })) } };
  }
  if (namespaces.length > 1)
    throw new UserError(`${input.where}: a Litmus ChaosEngine targets one namespace by labels; split the step by namespace`);
  return {
    appinfo: {
      appns: namespaces[0],
      applabel: labelString({ ...sel.labels, ...sel.labelSelectors }),
      appkind: input.step.kubernetes?.appkind ?? '',
    },
  };
}

/** The ChaosEngine of a fault step (requireSupport has said the fault is supported). */
export function compileLitmus(input: CompileInput): Compiled & { experiment: string } {
  const compiler = compilers[input.fault];
  if (!compiler) throw new UserError(`${input.where}: ${input.fault} has no Litmus equivalent`);
  const k = input.step.kubernetes ?? {};
  const made = compiler(new ParamReader(input.params, `${input.where}: ${input.fault} on Litmus`), k, input);
  // a run bounds the duration by the dead-man rule (timing.ts; faultline stops the engine when the step
  // ends); one-shot faults get one iteration (CHAOS_INTERVAL = TOTAL_CHAOS_DURATION), so a pod is not
  // killed twice (pod-delete loops `for duration < ChaosDuration`, chaoslib/litmus/pod-delete/lib/pod-delete.go)
  const total =
    input.durationMs !== null
      ? seconds(input.durationMs)
      : seconds(deadManMs(input.step, { ...input.kubernetes, engine: 'litmus' }, made.oneShot ?? false));
  const env: Record<string, string | number | undefined> = {
    TOTAL_CHAOS_DURATION: total,
    ...(made.oneShot ? { CHAOS_INTERVAL: total } : {}),
    PODS_AFFECTED_PERC: podsAffected(input),
    ...(isPodSelection(input.selection) ? { SEQUENCE: 'parallel' } : {}),
    ...made.env,
    ...input.kubernetes.env,
    ...k.env,
  };
  const envList = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([name, value]) => ({ name, value: String(value) }));
  return {
    ref: {
      group: LITMUS_GROUP,
      version: LITMUS_VERSION,
      kind: 'ChaosEngine',
      plural: 'chaosengines',
      namespace: input.namespace,
      name: input.name,
    },
    body: {
      apiVersion: `${LITMUS_GROUP}/${LITMUS_VERSION}`,
      kind: 'ChaosEngine',
      metadata: { name: input.name, namespace: input.namespace, ...(Object.keys(input.labels).length ? { labels: input.labels } : {}) },
      spec: {
        engineState: 'active',
        ...targeting(input),
        chaosServiceAccount: input.kubernetes.serviceAccount ?? `${made.experiment}-sa`,
        jobCleanUpPolicy: 'delete',
        experiments: [{ name: made.experiment, spec: { components: { env: envList } } }],
      },
    },
    summary: made.summary,
    oneShot: made.oneShot ?? false,
    experiment: made.experiment,
  };
}
