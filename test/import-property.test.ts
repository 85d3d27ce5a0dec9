/**
 * Property: for any Chaos Mesh object generated from the real CRD schemas in ../shared/reference (read with
 * the yaml package, merge keys and types kept), the import either refuses it with a reason or keeps its
 * meaning through export(import(x)), every change named by a note. Values are drawn where the CRD says what
 * they are (enums, integer bounds, required keys) and, where it only says "string", from realistic values
 * for that field (durations, percentages, sizes, rates); the object must be valid against its CRD.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import '../src/faults/index.js';
import '../src/probes/index.js';
import { REFERENCE_DIR, validateAgainstCrd } from './support/fake-kube-apiserver.js';
import { roundTrip, unexplained } from './support/round-trip.js';

// biome-ignore lint/suspicious/noExplicitAny: schemas and manifests
type Doc = Record<string, any>;

function specSchema(kind: string): Doc {
  const text = readFileSync(join(REFERENCE_DIR, 'chaos-mesh', `chaos-mesh.org_${kind.toLowerCase()}.yaml`), 'utf8');
  const crd = parseAllDocuments(text, { merge: true })
    .map((d) => d.toJS() as Doc)
    .find((d) => d?.kind === 'CustomResourceDefinition') as Doc;
  return crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
}

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
  body: fc.constantFrom('b2s=', 'eyJlcnJvciI6dHJ1ZX0='),
  gracePeriod: fc.integer({ min: 0, max: 30 }),
  clockIds: fc.constant(['CLOCK_REALTIME']),
  device: fc.constant('eth1'),
  perm: fc.constantFrom(292, 420),
  maxOccurrences: fc.integer({ min: 1, max: 5 }),
  maxLength: fc.integer({ min: 1, max: 64 }),
  target: fc.constant({ mode: 'all', selector: { namespaces: ['db'], labelSelectors: { app: 'postgres' } } }),
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
const OBJECT_VALUED = new Set(['target', 'selector']);

/** Spec fields not generated: another cluster, and fields whose free-form shapes would only be refused. */
const LEFT_OUT = [
  'remoteCluster',
  'duplicate',
  'rate',
  'tls',
  'patch',
  'response_headers',
  'request_headers',
  'value',
  'headers',
  'queries',
];

/** An arbitrary for a CRD schema node: by field name where the CRD says too little, else by its type. */
function arbitraryFor(node: Doc, name: string, depth = 0): fc.Arbitrary<unknown> {
  // a name means the same thing only in the same shape: NetworkChaos `target` is an object, HTTPChaos `target` a
  // string (Request or Response); IOChaos `delay` is a string, NetworkChaos `delay` an object
  const byName = BY_NAME[name] && (OBJECT_VALUED.has(name) ? node.type === 'object' : node.type !== 'object');
  if (byName) return BY_NAME[name] as fc.Arbitrary<unknown>;
  if (node.enum) return fc.constantFrom(...(node.enum as unknown[]));
  switch (node.type) {
    case 'integer':
      return fc.integer({ min: node.minimum ?? 0, max: Math.min(node.maximum ?? 1000, 1000) });
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

/** The chaos an action needs beside it (NetworkChaos delay needs `delay`, IOChaos fault an errno). */
function consistent(kind: string, spec: Doc, schema: Doc): Doc {
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
  if (kind === 'HTTPChaos' && (!s.port || (!s.abort && !s.delay && !s.replace))) return {};
  if (kind === 'HTTPChaos' && s.abort) delete s.delay;
  if (kind === 'PodChaos' && s.action === 'container-kill' && !s.containerNames) s.containerNames = ['app'];
  void schema;
  return s;
}

const KINDS = ['NetworkChaos', 'PodChaos', 'StressChaos', 'TimeChaos', 'IOChaos', 'DNSChaos', 'HTTPChaos'] as const;

describe('generated Chaos Mesh objects keep their meaning through import and export', () => {
  it.each(KINDS)(
    '%s',
    (kind) => {
      const schema = specSchema(kind);
      const objects = (arbitraryFor(schema, 'spec') as fc.Arbitrary<Doc>)
        .map((spec) => consistent(kind, spec, schema))
        .filter((spec) => Object.keys(spec).length > 0)
        .map((spec) => ({ apiVersion: 'chaos-mesh.org/v1alpha1', kind, metadata: { name: 'generated', namespace: 'shop' }, spec }))
        .filter((object) => validateAgainstCrd(object).length === 0);
      fc.assert(
        fc.property(objects, (object) => {
          const { notes, skipped, back } = roundTrip(object);
          if (skipped.length) {
            expect(skipped[0]).toMatch(/: .{10,}/); // refused, saying why
            return;
          }
          expect(back).toHaveLength(1);
          expect(validateAgainstCrd(back[0] as Doc)).toEqual([]);
          expect(unexplained(object, back[0] as Doc, notes)).toEqual([]);
        }),
        { numRuns: 30, seed: 16, endOnFailure: true },
      );
    },
    120_000,
  );
});
