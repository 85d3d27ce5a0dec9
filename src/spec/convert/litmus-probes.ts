/**
 * Probes between faultline and Litmus (`spec.experiments[].spec.probe[]` of a ChaosEngine): httpProbe,
 * cmdProbe, promProbe and k8sProbe, with their comparators (`criteria` + `value`/`responseCode`) and
 * runProperties. Litmus wants `probeTimeout` and `interval` as strings (`"5s"`); older engines wrote
 * integers (seconds): both are read.
 */

import { goDuration, toMs } from '../../backends/kubernetes/params.js';
import type { NumberComparison, StringComparison } from '../comparators.js';
import type { ProbeSpec } from '../schema.js';

// biome-ignore lint/suspicious/noExplicitAny: YAML documents are free-form
type Doc = Record<string, any>;

const SYMBOLS: Record<string, keyof NumberComparison> = { '==': 'eq', '!=': 'ne', '<': 'lt', '>': 'gt', '<=': 'lte', '>=': 'gte' };
const STRING_CRITERIA = ['equal', 'notEqual', 'contains', 'matches', 'notMatches', 'oneOf'] as const;

/** A Litmus int/float comparator as faultline's; null when the criteria is unknown. */
export function numberComparison(criteria: string, value: unknown): NumberComparison | null {
  const text = String(value ?? '').trim();
  const numbers = text.split(',').map((v) => Number(v.trim()));
  if (numbers.some((n) => !Number.isFinite(n))) return null;
  const c = criteria.trim();
  if (SYMBOLS[c]) return { [SYMBOLS[c] as string]: numbers[0] } as NumberComparison;
  if (/^oneof$/i.test(c)) return { oneOf: numbers };
  if (/^between$/i.test(c) && numbers.length === 2) return { between: [numbers[0] as number, numbers[1] as number] };
  return null;
}

export function stringComparison(criteria: string, value: unknown): StringComparison | null {
  const key = STRING_CRITERIA.find((k) => k.toLowerCase() === criteria.trim().toLowerCase());
  if (!key) return null;
  return key === 'oneOf' ? { oneOf: String(value ?? '').split(',') } : ({ [key]: String(value ?? '') } as StringComparison);
}

/** faultline's comparison as Litmus's criteria and value; null when Litmus cannot say it (two keys). */
export function litmusNumberCriteria(c: NumberComparison | undefined, fallback: [string, string]): [string, string] | null {
  if (!c) return fallback;
  const entries = Object.entries(c).filter(([, v]) => v !== undefined);
  if (entries.length !== 1) return null;
  const [key, v] = entries[0] as [string, unknown];
  if (key === 'oneOf') return ['oneOf', (v as number[]).join(',')];
  if (key === 'between') return ['between', (v as number[]).join(',')];
  const symbol = Object.entries(SYMBOLS).find(([, k]) => k === key)?.[0];
  return symbol ? [symbol, String(v)] : null;
}

function litmusStringCriteria(c: StringComparison | undefined): [string, string] | null {
  if (!c) return null;
  const entries = Object.entries(c).filter(([, v]) => v !== undefined);
  if (entries.length !== 1) return null;
  const [key, v] = entries[0] as [string, unknown];
  return [key, key === 'oneOf' ? (v as string[]).join(',') : String(v)];
}

/** `5`, `"5s"`, `"500ms"`: a Litmus runProperty duration (integers are seconds) as a faultline duration. */
export function litmusDuration(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' || /^\d+$/.test(String(value))) return `${Number(value)}s`;
  const ms = toMs(String(value));
  return ms === null ? undefined : goDuration(ms);
}

/** A Litmus probe as a faultline probe document; a note instead when it does not map. */
/**
 * An imported experiment's probes, and its steady state as Litmus judges it: a Continuous or OnChaos probe
 * passes only when no sample failed.
 */
export function withLitmusProbes(spec: Doc, probes: readonly Doc[]): void {
  if (!probes.length) return;
  spec.probes = probes;
  const steady = probes.filter((p) => p.mode === 'Continuous' || p.mode === 'OnChaos').map((p) => p.name);
  if (steady.length) spec.steadyState = { probes: steady, tolerance: { availability: { gte: 1 } } };
}

export function probeFromLitmus(probe: Doc, notes: string[]): Doc | null {
  const name = String(probe.name ?? 'probe').replace(/[^A-Za-z0-9._-]+/g, '-');
  const run = probe.runProperties ?? {};
  const common: Doc = { name, mode: probe.mode ?? 'Continuous' };
  const timeout = litmusDuration(run.probeTimeout);
  // Litmus's interval is the wait between two attempts; probePollingInterval the time between samples
  const retryInterval = litmusDuration(run.interval);
  const interval = litmusDuration(run.probePollingInterval) ?? retryInterval;
  const initialDelay = litmusDuration(run.initialDelay) ?? litmusDuration(run.initialDelaySeconds);
  if (timeout) common.timeout = timeout;
  if (interval) common.interval = interval;
  if (retryInterval) common.retryInterval = retryInterval;
  for (const key of ['evaluationTimeout', 'verbosity'] as const)
    if (run[key] !== undefined) notes.push(`probe ${name}: runProperties.${key} ${JSON.stringify(run[key])} not mapped`);
  if (initialDelay) common.initialDelay = initialDelay;
  const attempts = Number(run.attempt ?? run.retry);
  if (Number.isInteger(attempts) && attempts >= 1) common.retry = attempts;
  if (run.stopOnFailure === true) common.stopOnFailure = true;
  const inputs = probe[`${probe.type}/inputs`] ?? {};
  switch (probe.type) {
    case 'httpProbe': {
      const method = inputs.method?.post ? 'POST' : 'GET';
      const verb = method.toLowerCase();
      const m = inputs.method?.[verb] ?? {};
      const status = m.responseCode === undefined ? null : numberComparison(String(m.criteria ?? '=='), m.responseCode);
      if (!status)
        notes.push(
          `probe ${name}: httpProbe/inputs.method.${verb} with criteria ${JSON.stringify(m.criteria ?? '==')} and responseCode ${JSON.stringify(m.responseCode)} not mapped; the status is expected to be 2xx`,
        );
      // litmus-go's responseTimeout (milliseconds) bounds each request: faultline's probe timeout
      const responseTimeout = Number(m.responseTimeout ?? inputs.responseTimeout);
      if (Number.isFinite(responseTimeout) && responseTimeout > 0) {
        const probeTimeoutMs = common.timeout === undefined ? null : toMs(String(common.timeout));
        // one timeout per sample here: the tighter of the two, and said when they differ
        if (probeTimeoutMs !== null && probeTimeoutMs !== responseTimeout) {
          notes.push(
            `probe ${name}: probeTimeout ${common.timeout} and responseTimeout ${responseTimeout}ms are one timeout in faultline; it is ${goDuration(Math.min(probeTimeoutMs, responseTimeout))}, the tighter`,
          );
        }
        common.timeout = goDuration(probeTimeoutMs === null ? responseTimeout : Math.min(probeTimeoutMs, responseTimeout));
      }
      if (inputs.insecureSkipVerify === true || inputs.insecureSkipTLS === true)
        notes.push(`probe ${name}: httpProbe/inputs.insecureSkipVerify true not mapped: faultline's http probe verifies TLS certificates`);
      if (m.bodyPath)
        notes.push(`probe ${name}: httpProbe/inputs.method.${verb}.bodyPath ${m.bodyPath} (a body in a file of the probe pod) not mapped`);
      return {
        ...common,
        type: 'http',
        http: {
          url: inputs.url,
          method,
          ...(method === 'POST' && m.body ? { body: m.body } : {}),
          ...(m.contentType ? { headers: { 'Content-Type': m.contentType } } : {}),
        },
        ...(status ? { expect: { status } } : {}),
      };
    }
    case 'cmdProbe': {
      if (inputs.source)
        notes.push(
          `probe ${name}: cmdProbe/inputs.source (a separate probe pod, image ${inputs.source.image}) not mapped: the command runs on faultline's host`,
        );
      const cmp = inputs.comparator ?? {};
      const expectation: Doc = {};
      if (cmp.type === 'string') {
        const s = stringComparison(String(cmp.criteria ?? 'equal'), cmp.value);
        if (s) expectation.stdout = s;
        else notes.push(`probe ${name}: cmdProbe/inputs.comparator ${cmp.criteria} not mapped`);
      } else {
        const n = numberComparison(String(cmp.criteria ?? '=='), cmp.value);
        if (n) expectation.stdoutNumber = n;
        else notes.push(`probe ${name}: cmdProbe/inputs.comparator ${cmp.type} ${cmp.criteria} ${cmp.value} not mapped`);
      }
      return {
        ...common,
        type: 'cmd',
        cmd: { command: ['sh', '-c', String(inputs.command ?? 'true')] },
        ...(Object.keys(expectation).length ? { expect: expectation } : {}),
      };
    }
    case 'promProbe': {
      const cmp = inputs.comparator ?? {};
      const value = numberComparison(String(cmp.criteria ?? '=='), cmp.value);
      if (!value) notes.push(`probe ${name}: promProbe/inputs.comparator ${cmp.criteria} ${cmp.value} not mapped`);
      if (!inputs.query) {
        notes.push(`probe ${name}: promProbe/inputs.queryPath (a query in a file) not mapped`);
        return null;
      }
      return {
        ...common,
        type: 'prometheus',
        prometheus: { endpoint: inputs.endpoint, query: inputs.query },
        ...(value ? { expect: { value } } : {}),
      };
    }
    case 'k8sProbe': {
      if (!['present', 'absent'].includes(inputs.operation)) {
        notes.push(`probe ${name}: k8sProbe/inputs.operation ${inputs.operation} (it changes the cluster) not mapped`);
        return null;
      }
      const names = String(inputs.resourceNames ?? '')
        .split(',')
        .filter(Boolean);
      if (names.length > 1) notes.push(`probe ${name}: k8sProbe/inputs.resourceNames ${inputs.resourceNames}: only the first is checked`);
      // a probe of one resource by name checks it whatever its labels and fields
      for (const key of ['labelSelector', 'fieldSelector'] as const)
        if (inputs[key] && names[0]) notes.push(`probe ${name}: k8sProbe/inputs.${key} ${inputs[key]} not mapped beside resourceNames`);
      const k8s: Doc = { apiVersion: inputs.group ? `${inputs.group}/${inputs.version}` : inputs.version, kind: inputs.resource };
      if (inputs.namespace) k8s.namespace = inputs.namespace;
      if (names[0]) k8s.name = names[0];
      if (inputs.labelSelector && !names[0]) k8s.labelSelector = inputs.labelSelector;
      if (inputs.fieldSelector && !names[0]) k8s.fieldSelector = inputs.fieldSelector;
      return { ...common, type: 'k8s', k8s, expect: { present: inputs.operation === 'present' } };
    }
    default:
      notes.push(`probe ${name}: type ${probe.type} not mapped`);
      return null;
  }
}

/** A faultline probe as a Litmus probe; a note instead when Litmus cannot express it. */
export function probeToLitmus(probe: ProbeSpec, notes: string[]): Doc | null {
  const runProperties: Doc = {
    probeTimeout: goDuration(probe.timeoutMs),
    interval: goDuration(probe.retryIntervalMs || probe.intervalMs),
    ...(probe.mode === 'Continuous' || probe.mode === 'OnChaos' ? { probePollingInterval: goDuration(probe.intervalMs) } : {}),
    // attempt for litmus-go 3.x, retry for the engines before it
    attempt: probe.retry,
    retry: probe.retry,
    ...(probe.initialDelayMs ? { initialDelay: goDuration(probe.initialDelayMs) } : {}),
    ...(probe.stopOnFailure ? { stopOnFailure: true } : {}),
  };
  const base = { name: probe.name, mode: probe.mode, runProperties };
  const config = probe.config as Doc;
  const expect = (probe.expect ?? {}) as Doc;
  const dropped = (keys: string[]) => {
    const extra = keys.filter((k) => expect[k] !== undefined);
    if (extra.length)
      notes.push(`probe ${probe.name}: expectations ${extra.join(', ')} not exported (a Litmus ${probe.type} probe cannot check them)`);
  };
  switch (probe.type) {
    case 'http': {
      if (config.method !== 'GET' && config.method !== 'POST') {
        notes.push(`probe ${probe.name}: method ${config.method} not exported (Litmus httpProbe has get and post)`);
        return null;
      }
      const criteria = litmusNumberCriteria(expect.status, ['between', '200,299']);
      if (!criteria) {
        notes.push(`probe ${probe.name}: a status expectation with several comparators is not exported`);
        return null;
      }
      dropped(['latencyMs', 'body', 'headers']);
      const check = { criteria: criteria[0], responseCode: criteria[1] };
      const method =
        config.method === 'POST'
          ? {
              post: {
                ...check,
                ...(config.body ? { body: config.body } : {}),
                ...(config.headers?.['Content-Type'] ? { contentType: config.headers['Content-Type'] } : {}),
              },
            }
          : { get: check };
      return { ...base, type: 'httpProbe', 'httpProbe/inputs': { url: config.url, insecureSkipVerify: false, method } };
    }
    case 'cmd': {
      const numeric = expect.stdoutNumber === undefined ? null : litmusNumberCriteria(expect.stdoutNumber, ['==', '0']);
      const criteria = numeric ?? litmusStringCriteria(expect.stdout);
      if (!criteria) {
        notes.push(`probe ${probe.name}: a cmd probe without one stdout expectation is not exported (Litmus cmdProbe compares stdout)`);
        return null;
      }
      dropped(['exitCode', 'stderr', 'latencyMs']);
      // Litmus runs the command with /bin/sh -c: an argv already of that form is written as its script
      const argv = config.command as string[];
      const command =
        argv.length === 3 && /^(\/bin\/)?sh$/.test(argv[0] as string) && argv[1] === '-c'
          ? (argv[2] as string)
          : argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'"'"'`)}'`)).join(' ');
      return {
        ...base,
        type: 'cmdProbe',
        'cmdProbe/inputs': {
          command,
          comparator: {
            type: numeric ? (criteria[1].split(',').every((v) => /^-?\d+$/.test(v)) ? 'int' : 'float') : 'string',
            criteria: criteria[0],
            value: criteria[1],
          },
        },
      };
    }
    case 'prometheus': {
      const criteria = litmusNumberCriteria(expect.value, ['>=', '0']);
      if (!criteria) {
        notes.push(`probe ${probe.name}: a value expectation with several comparators is not exported`);
        return null;
      }
      dropped(['latencyMs']);
      // the CRD's promProbe comparator has no type: Litmus compares the result as a float
      return {
        ...base,
        type: 'promProbe',
        'promProbe/inputs': { endpoint: config.endpoint, query: config.query, comparator: { criteria: criteria[0], value: criteria[1] } },
      };
    }
    case 'k8s': {
      if (
        expect.value !== undefined ||
        expect.text !== undefined ||
        expect.count !== undefined ||
        config.field !== undefined ||
        config.count === 'ready'
      ) {
        notes.push(`probe ${probe.name}: field and count expectations are not exported (a Litmus k8sProbe checks presence only)`);
        return null;
      }
      const [group, version] = String(config.apiVersion).includes('/')
        ? String(config.apiVersion).split('/')
        : ['', String(config.apiVersion)];
      const kind = String(config.kind);
      const resource = /^[a-z]+$/.test(kind) ? kind : `${kind.toLowerCase()}s`;
      const inputs: Doc = { group, version, resource, operation: expect.present === false ? 'absent' : 'present' };
      if (config.namespace) inputs.namespace = config.namespace;
      if (config.name) inputs.resourceNames = config.name;
      if (config.labelSelector) inputs.labelSelector = config.labelSelector;
      if (config.fieldSelector) inputs.fieldSelector = config.fieldSelector;
      return { ...base, type: 'k8sProbe', 'k8sProbe/inputs': inputs };
    }
    default:
      notes.push(`probe ${probe.name}: type ${probe.type} has no Litmus equivalent; not exported`);
      return null;
  }
}
