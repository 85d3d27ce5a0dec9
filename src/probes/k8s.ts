/**
 * k8s probe: reads a Kubernetes resource (or lists them) and checks what it finds, like Litmus's
 * k8sProbe but with expectations on the fields:
 *
 *   k8s: { apiVersion: apps/v1, kind: Deployment, namespace: shop, name: checkout, field: status.availableReplicas }
 *   expect: { value: { gte: 2 } }
 *
 *   k8s: { kind: Pod, namespace: shop, labelSelector: app=checkout, count: ready }
 *   expect: { count: { gte: 2 } }
 *
 * With a name, the object must exist (`present: false` checks that it does not); without one, the
 * objects matching the selectors are counted (all of them, or only Ready pods with `count: ready`).
 * The Kubernetes client is loaded on first use.
 */

import { connect, type KObject, type KubeClient } from '../kube/client.js';
import { numberComparatorSchema, stringComparatorSchema } from '../spec/comparators.js';
import { duration, strict } from '../spec/fields.js';
import { namespaceName } from '../spec/kubernetes.js';
import { errorMessage } from '../util/errors.js';
import { z } from '../util/zod.js';
import { firstNumberMismatch, firstStringMismatch } from './expect.js';
import { registerProbeType } from './registry.js';

const config = strict({
  apiVersion: z.string().min(1).default('v1').describe('v1, apps/v1, chaos-mesh.org/v1alpha1, ...'),
  kind: z.string().min(1).describe('the kind (Deployment) or its plural (deployments)'),
  namespace: namespaceName.optional().describe("default: the kubeconfig context's namespace"),
  name: z.string().min(1).optional().describe('one object; without it, the objects matching the selectors are counted'),
  labelSelector: z.string().optional().describe('e.g. app=checkout,tier!=cache'),
  fieldSelector: z.string().optional().describe('e.g. status.phase=Running'),
  field: z.string().min(1).optional().describe('a field of the named object, e.g. status.availableReplicas or status.conditions[0].status'),
  count: z.enum(['all', 'ready']).default('all').describe('what a list counts: every object, or Ready pods only'),
  context: z.string().min(1).optional().describe('kubeconfig context (default: the current one)'),
  timeout: duration.optional(),
})
  .refine((c) => c.field === undefined || c.name !== undefined, { message: 'field needs name: it reads one object', path: ['field'] })
  .refine((c) => c.count === 'all' || c.name === undefined, { message: 'count: ready counts a list; remove name', path: ['count'] });

const expect = strict({
  present: z.boolean().optional().describe('the named object exists (default true), or, false, that it does not'),
  value: numberComparatorSchema.optional().describe('the field as a number'),
  text: stringComparatorSchema.optional().describe('the field as a string'),
  count: numberComparatorSchema.optional().describe('how many objects match (default: at least 1)'),
});

type Config = z.infer<typeof config>;
type Expect = z.infer<typeof expect>;

/** `status.conditions[0].status` of an object; undefined when a step is missing. */
export function readField(object: unknown, path: string): unknown {
  const steps = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let value: unknown = object;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    const index = /^\[(\d+)\]$/.exec(step);
    value = index ? (value as unknown[])[Number(index[1])] : (value as Record<string, unknown>)[step];
  }
  return value instanceof Date ? value.toISOString() : value;
}

function isReadyPod(o: KObject): boolean {
  return (o.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True') && !o.metadata?.deletionTimestamp;
}

async function clientFor(c: Config): Promise<KubeClient> {
  return connect({ context: c.context });
}

registerProbeType<Config, Expect>({
  type: 'k8s',
  summary: 'a Kubernetes resource: present, a field (value/text), or how many match (count, optionally Ready pods only)',
  config,
  expect,
  async preflight(c) {
    const client = await clientFor(c);
    await client.resource(c.apiVersion, c.kind);
  },
  async check(c, e, { timeoutMs }) {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    try {
      const client = await clientFor(c);
      const resource = await client.resource(c.apiVersion, c.kind);
      const namespace = c.namespace ?? client.defaultNamespace;
      const work = async () => {
        if (c.name !== undefined) {
          const object = await client.read({ ...resource, namespace, name: c.name });
          const what = `${resource.kind} ${namespace}/${c.name}`;
          const wantPresent = e.present ?? true;
          if (object === null) return { ok: !wantPresent, detail: wantPresent ? `${what} not found` : `${what} is absent` };
          if (!wantPresent) return { ok: false, detail: `${what} exists, expected it absent` };
          if (c.field === undefined) return { ok: true, detail: `${what} exists` };
          const raw = readField(object, c.field);
          const asNumber =
            typeof raw === 'number'
              ? raw
              : typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))
                ? Number(raw)
                : undefined;
          const mismatch =
            firstNumberMismatch([[c.field, asNumber, e.value]]) ??
            firstStringMismatch([
              [
                c.field,
                raw === undefined || raw === null ? undefined : typeof raw === 'object' ? JSON.stringify(raw) : String(raw),
                e.text,
              ],
            ]);
          // a missing field with no expectation on it still fails: the probe names a field to read
          if (raw === undefined && e.value === undefined && e.text === undefined) return { ok: false, detail: `${what} has no ${c.field}` };
          return { ok: mismatch === null, detail: mismatch ? `${what}: ${mismatch}` : `${what} ${c.field} ${JSON.stringify(raw)}` };
        }
        const items = await client.list(resource, namespace, { labelSelector: c.labelSelector, fieldSelector: c.fieldSelector });
        const counted = c.count === 'ready' ? items.filter(isReadyPod) : items;
        const label = `${counted.length} ${c.count === 'ready' ? 'ready ' : ''}${resource.plural}${c.labelSelector ? ` (${c.labelSelector})` : ''} in ${namespace}`;
        if (e.present !== undefined) {
          const ok = counted.length > 0 === e.present;
          return { ok, detail: ok ? label : `${label}, expected ${e.present ? 'some' : 'none'}` };
        }
        const mismatch = firstNumberMismatch([['count', counted.length, e.count ?? { gte: 1 }]]);
        return { ok: mismatch === null, detail: mismatch ? `${label}: ${mismatch}` : label };
      };
      let timer: NodeJS.Timeout | undefined;
      const limit = c.timeout ?? timeoutMs;
      const result = await Promise.race([
        work(),
        new Promise<{ ok: boolean; detail: string }>((resolve) => {
          timer = setTimeout(() => resolve({ ok: false, detail: `no answer from the API server within ${limit}ms` }), limit);
        }),
      ]).finally(() => clearTimeout(timer));
      return { ...result, latencyMs: elapsed() };
    } catch (error) {
      return { ok: false, latencyMs: elapsed(), detail: errorMessage(error) };
    }
  },
});
