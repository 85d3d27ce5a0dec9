/**
 * A step's selector resolved into pods, the way Chaos Mesh's PodSelectorSpec reads: namespaces,
 * labels (and labelSelectors), fieldSelectors, annotationSelectors, podPhaseSelectors, pods by
 * namespace, and `names` (pod names). Pods being deleted, and pods labelled or annotated
 * `faultline.dev/protected: "true"`, are never candidates.
 */
import type { TargetInstance } from '../../engine/target-instance.js';
import type { KObject, KubeClient } from '../../kube/client.js';
import type { PodTarget, WorkloadRef } from '../../kube/types.js';
import type { Selector } from '../../spec/schema.js';

export const PROTECTED_KEY = 'faultline.dev/protected';

const POD = { group: '', version: 'v1', kind: 'Pod', plural: 'pods' } as const;

/** The namespaces a selector looks in. */
export function selectorNamespaces(selector: Selector | undefined, defaultNamespace: string): string[] {
  const fromPods = selector?.pods ? Object.keys(selector.pods) : undefined;
  const listed = selector?.namespaces;
  if (fromPods && listed) return fromPods.filter((ns) => listed.includes(ns));
  return fromPods ?? listed ?? [defaultNamespace];
}

function joined(map: Record<string, string> | undefined): string {
  return Object.entries(map ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function isReady(pod: KObject): boolean {
  return (pod.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True');
}

function isProtected(pod: KObject): boolean {
  return pod.metadata?.labels?.[PROTECTED_KEY] === 'true' || pod.metadata?.annotations?.[PROTECTED_KEY] === 'true';
}

export function podInstance(pod: KObject, workload?: WorkloadRef): TargetInstance {
  const namespace: string = pod.metadata.namespace;
  const name: string = pod.metadata.name;
  const labels: Record<string, string> = { ...(pod.metadata.labels ?? {}) };
  const target: PodTarget = { namespace, name, uid: pod.metadata.uid, ready: isReady(pod), ...(workload ? { workload } : {}) };
  return { name: `${namespace}/${name}`, labels, spec: { name: `${namespace}/${name}`, labels, protected: false }, pod: target };
}

/** Every pod the selector matches now (candidates, before the mode picks among them). */
export async function resolvePods(client: KubeClient, selector: Selector | undefined, defaultNamespace: string): Promise<KObject[]> {
  const labelSelector = joined({ ...selector?.labels, ...selector?.labelSelectors });
  const fieldSelector = joined(selector?.fieldSelectors);
  const out: KObject[] = [];
  for (const namespace of selectorNamespaces(selector, defaultNamespace)) {
    const pods = await client.list(POD, namespace, { labelSelector, fieldSelector });
    for (const pod of pods) {
      const meta = pod.metadata ?? {};
      if (meta.deletionTimestamp || isProtected(pod)) continue;
      if (selector?.annotationSelectors && !Object.entries(selector.annotationSelectors).every(([k, v]) => meta.annotations?.[k] === v))
        continue;
      if (selector?.podPhaseSelectors && !selector.podPhaseSelectors.includes(pod.status?.phase)) continue;
      if (selector?.pods && !selector.pods[namespace]?.includes(meta.name)) continue;
      if (selector?.names && !selector.names.includes(meta.name)) continue;
      out.push(pod);
    }
  }
  return out;
}

/** The Deployment or StatefulSet that owns a pod (through its ReplicaSet), with its replicas now. */
