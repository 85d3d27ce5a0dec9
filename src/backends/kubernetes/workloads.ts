/**
 * The controller that keeps a pod's replicas, found by following `ownerReferences` (the `controller: true`
 * one) upwards, and how many of its pods are ready, for minHealthy. A ReplicaSet is followed up to its
 * own controller (a Deployment, an Argo Rollout); the first owner whose ready count faultline knows how
 * to read is the workload. An owner it cannot count (an operator's custom resource, a kind the cluster
 * does not serve or RBAC hides) is returned as such, so that minHealthy refuses the step naming the kind
 * instead of skipping the pod.
 */

import type { KObject, KubeClient } from '../../kube/client.js';
import type { WorkloadRef } from '../../kube/types.js';
import { UserError } from '../../util/errors.js';

/** Where each controller keeps its ready and desired pod counts. */
const COUNTS: Record<string, { ready: (o: KObject) => number | undefined; desired: (o: KObject) => number | undefined }> = {
  Deployment: { ready: (o) => o.status?.readyReplicas, desired: (o) => o.spec?.replicas },
  StatefulSet: { ready: (o) => o.status?.readyReplicas, desired: (o) => o.spec?.replicas },
  ReplicaSet: { ready: (o) => o.status?.readyReplicas, desired: (o) => o.spec?.replicas },
  DaemonSet: { ready: (o) => o.status?.numberReady, desired: (o) => o.status?.desiredNumberScheduled },
  // Argo Rollouts (argoproj.io) and OpenKruise CloneSets (apps.kruise.io) count like a Deployment
  Rollout: { ready: (o) => o.status?.readyReplicas, desired: (o) => o.spec?.replicas },
  CloneSet: { ready: (o) => o.status?.readyReplicas, desired: (o) => o.spec?.replicas },
};

export const COUNTED_KINDS = Object.keys(COUNTS);

/** Owner chains longer than this are not followed (a cycle, or an odd operator). */
const MAX_DEPTH = 4;

function controllerOf(o: KObject): KObject | undefined {
  const refs: KObject[] = o.metadata?.ownerReferences ?? [];
  return refs.find((r) => r.controller) ?? refs[0];
}

/** An owner, or null when it cannot be read (not served, forbidden, gone). */
async function readOwner(client: KubeClient, apiVersion: string, kind: string, namespace: string, name: string): Promise<KObject | null> {
  try {
    const type = await client.resource(apiVersion, kind);
    return await client.read({ ...type, namespace, name });
  } catch (error) {
    if (error instanceof UserError || (error as { status?: number }).status === 403) return null;
    throw error;
  }
}

function workloadOf(o: KObject, apiVersion: string, kind: string, namespace: string, name: string): WorkloadRef {
  const counts = COUNTS[kind];
  if (!counts) return { apiVersion, kind, namespace, name, readyReplicas: 0, replicas: 0, countable: false };
  return {
    apiVersion,
    kind,
    namespace,
    name,
    readyReplicas: counts.ready(o) ?? 0,
    replicas: counts.desired(o) ?? counts.ready(o) ?? 0,
    countable: true,
  };
}

/** The workload that keeps the pod's replicas, or undefined for a pod no controller owns. */
export async function owningWorkload(client: KubeClient, pod: KObject): Promise<WorkloadRef | undefined> {
  const namespace: string = pod.metadata.namespace;
  let ref = controllerOf(pod);
  if (!ref) return undefined;
  let owner = await readOwner(client, ref.apiVersion, ref.kind, namespace, ref.name);
  for (let depth = 0; owner && depth < MAX_DEPTH; depth++) {
    const up = controllerOf(owner);
    // a ReplicaSet counts for itself only when no controller above it does (a Deployment, a Rollout)
    if (!up || (ref.kind !== 'ReplicaSet' && COUNTS[ref.kind])) break;
    const above = await readOwner(client, up.apiVersion, up.kind, namespace, up.name);
    if (!above && COUNTS[ref.kind]) break;
    ref = up;
    owner = above;
  }
  if (!owner)
    return { apiVersion: ref.apiVersion, kind: ref.kind, namespace, name: ref.name, readyReplicas: 0, replicas: 0, countable: false };
  return workloadOf(owner, ref.apiVersion, ref.kind, namespace, ref.name);
}

/** The workload as it is now (for the check right before a pod is taken down). */
export async function readWorkload(
  client: KubeClient,
  w: Pick<WorkloadRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>,
): Promise<WorkloadRef | undefined> {
  const o = await readOwner(client, w.apiVersion, w.kind, w.namespace, w.name);
  return o ? workloadOf(o, w.apiVersion, w.kind, w.namespace, w.name) : undefined;
}
