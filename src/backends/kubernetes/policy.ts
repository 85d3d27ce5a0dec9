/**
 * The policy checks of backend kubernetes, over a run's plan, before any harm: the namespaces a fault
 * may hit (`policy.namespaces`), and minHealthy against the ready pods of the controller that keeps
 * each pod a fault takes down (workloads.ts), refused when that controller's count cannot be read.
 */

import type { PodTarget, WorkloadRef } from '../../kube/types.js';
import type { NamespacePolicy } from '../../spec/kubernetes.js';
import type { MinHealthy, Policy, Selector } from '../../spec/schema.js';
import type { PlannedFault } from '../types.js';
import { COUNTED_KINDS } from './workloads.js';

/** Why a namespace may not be hit, or null when it may. */
export function namespaceRefusal(namespace: string, policy: NamespacePolicy | undefined): string | null {
  if (!policy) return null;
  if (policy.deny.includes(namespace)) return `namespace ${namespace} is denied by policy namespaces.deny`;
  if (policy.allow && !policy.allow.includes(namespace)) {
    return `namespace ${namespace} is not in policy namespaces.allow (${policy.allow.join(', ')})`;
  }
  return null;
}

function namespaceViolations(plan: readonly PlannedFault[], policy: NamespacePolicy | undefined): string[] {
  const out: string[] = [];
  for (const p of plan) {
    for (const t of p.selected) {
      const why = t.pod ? namespaceRefusal(t.pod.namespace, policy) : null;
      if (why) out.push(`${p.path} would hit pod ${t.pod?.namespace}/${t.pod?.name}: ${why}`);
    }
  }
  return out;
}

/** Whether a policy minHealthy group's selector covers a pod (labels, namespaces, names). */
function groupCovers(selector: Selector, pod: PodTarget, labels: Record<string, string>): boolean {
  const wanted = { ...selector.labels, ...selector.labelSelectors };
  if (!Object.entries(wanted).every(([k, v]) => labels[k] === v)) return false;
  if (selector.namespaces && !selector.namespaces.includes(pod.namespace)) return false;
  if (selector.names && !selector.names.includes(pod.name)) return false;
  return true;
}

export interface WorkloadDemand {
  workload: WorkloadRef;
  /** the ready pods of the workload that the plan takes down */
  downed: string[];
  min: number;
  source: string;
}

/** For every workload the plan takes pods down from, how many ready replicas must remain. */
export function workloadDemands(plan: readonly PlannedFault[], groups: readonly MinHealthy[]): WorkloadDemand[] {
  const demands = new Map<string, WorkloadDemand>();
  for (const p of plan) {
    if (!p.fault.takesDown) continue;
    for (const t of p.selected) {
      const pod = t.pod;
      if (!pod?.workload) continue;
      const key = `${pod.workload.kind}/${pod.workload.namespace}/${pod.workload.name}`;
      const demand = demands.get(key) ?? { workload: pod.workload, downed: [], min: 0, source: '' };
      demands.set(key, demand);
      if (pod.ready && !demand.downed.includes(pod.name)) demand.downed.push(pod.name);
      const stepMin = p.step.kubernetes?.minHealthy;
      if (stepMin !== undefined && stepMin > demand.min) {
        demand.min = stepMin;
        demand.source = `${p.path} kubernetes.minHealthy`;
      }
      for (const group of groups) {
        if (group.min > demand.min && groupCovers(group.selector, pod, t.labels)) {
          demand.min = group.min;
          demand.source = `policy minHealthy ${group.name ?? 'group'}`;
        }
      }
    }
  }
  return [...demands.values()].filter((d) => d.min > 0);
}

export function describeWorkloadShortfall(d: WorkloadDemand, readyNow: number): string | null {
  if (!d.workload.countable) {
    const w = d.workload;
    return `${d.source}: pod ${d.downed.join(', ') || '(not ready)'} is kept by ${w.kind} ${w.namespace}/${w.name} (${w.apiVersion}), whose ready pods faultline cannot count (it reads ${COUNTED_KINDS.join(', ')}, given get permission on them); refusing rather than skipping minHealthy: select other pods, or drop minHealthy for them`;
  }
  const left = readyNow - d.downed.length;
  if (left >= d.min) return null;
  const w = d.workload;
  return `${d.source}: ${w.kind} ${w.namespace}/${w.name} has ${readyNow} of ${w.replicas} replicas ready; taking down ${d.downed.join(', ')} would leave ${left}, fewer than ${d.min}`;
}

/** Every violation of the Kubernetes parts of the policy by a plan. */
export function kubernetesPolicyViolations(plan: readonly PlannedFault[], policy: Policy | null): string[] {
  const demands = workloadDemands(plan, policy?.minHealthy ?? []);
  return [
    ...namespaceViolations(plan, policy?.namespaces),
    ...demands.flatMap((d) => describeWorkloadShortfall(d, d.workload.readyReplicas) ?? []),
  ];
}
