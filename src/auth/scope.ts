/**
 * Token scopes (Chaos Mesh's security mode, applied to faultline's targets): a token limited to target
 * labels or namespaces may only act on an experiment whose every fault step, at every stage, can hit
 * nothing outside them. Judged on the experiment as written, before anything runs:
 *   local        every target a selector matches must carry every label of one of the scope's sets;
 *                a fault on the host itself (custom.action) is outside any scope
 *   kubernetes   the pods' label selector must include one of the scope's label sets, and every
 *                namespace the step selects in must be one of the scope's namespaces
 */
import { faultSteps } from '../engine/plan.js';
import { matchesSelector } from '../engine/targets.js';
import { findFault } from '../faults/index.js';
import { targetNeedOf } from '../faults/types.js';
import type { Experiment } from '../spec/load.js';
import { isScoped, type TokenScope } from './roles.js';

const labelsOf = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function includesSet(labels: Record<string, string>, set: Record<string, string>): boolean {
  return Object.entries(set).every(([k, v]) => labels[k] === v);
}

/** What in the experiment lies outside the scope; empty when all of it is inside (or the token is unscoped). */
export function scopeViolations(experiment: Experiment, scope: TokenScope | null): string[] {
  if (!scope || !isScoped(scope)) return [];
  const out: string[] = [];
  const labelSets = scope.labels ?? [];
  const namespaces = scope.namespaces ?? [];
  const allowed = labelSets.map(labelsOf).join(' | ');
  for (const { path, step } of faultSteps(experiment.method)) {
    const fault = findFault(step.fault);
    if (experiment.backend === 'kubernetes') {
      const selector = step.selector as
        | (typeof step.selector & { namespaces?: string[]; labelSelectors?: Record<string, string>; pods?: Record<string, string[]> })
        | undefined;
      if (namespaces.length) {
        const used =
          selector?.namespaces ??
          (selector?.pods ? Object.keys(selector.pods) : experiment.kubernetes?.namespace ? [experiment.kubernetes.namespace] : []);
        if (!used.length)
          out.push(`${path} selects pods in the context's default namespace; name the namespace (allowed: ${namespaces.join(', ')})`);
        for (const ns of used.filter((n) => !namespaces.includes(n)))
          out.push(`${path} selects pods in namespace ${ns}, outside the token's namespaces (${namespaces.join(', ')})`);
      }
      if (labelSets.length) {
        const podLabels = { ...(selector?.labels ?? {}), ...(selector?.labelSelectors ?? {}) };
        if (!labelSets.some((set) => includesSet(podLabels, set))) {
          out.push(`${path} selects pods by {${labelsOf(podLabels)}}, not within the token's labels (${allowed})`);
        }
      }
      continue;
    }
    if (fault && targetNeedOf(fault, step.params) === 'host') {
      out.push(`${path} (${step.fault}) acts on this host itself, outside any label scope`);
      continue;
    }
    if (labelSets.length) {
      for (const target of experiment.targets.filter((t) => !t.protected && matchesSelector(t, step.selector))) {
        if (!labelSets.some((set) => includesSet(target.labels, set))) {
          out.push(`${path} can hit target ${target.name} {${labelsOf(target.labels)}}, outside the token's labels (${allowed})`);
        }
      }
    } else if (namespaces.length) {
      out.push(`${path}: the token is limited to Kubernetes namespaces; this experiment runs on the local backend`);
    }
  }
  return [...new Set(out)];
}

export function describeScope(scope: TokenScope | null): string {
  if (!scope || !isScoped(scope)) return 'unscoped';
  const parts: string[] = [];
  if (scope.labels?.length) parts.push(`labels ${scope.labels.map(labelsOf).join(' | ')}`);
  if (scope.namespaces?.length) parts.push(`namespaces ${scope.namespaces.join(',')}`);
  return parts.join('; ');
}
