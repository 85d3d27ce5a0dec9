/**
 * The blast radius and the project policy, checked against a run's plan before any harm: label allow
 * and deny lists, `maxTargets` and `maxPercent`, and `minHealthy` (a fault must not leave fewer than
 * N healthy members of a group), and the checks each backend adds (`Backend.policyViolations`). Returns
 * every violation, each naming the offending targets.
 */
import { allBackends, type PlannedFault } from '../backends/index.js';
import type { BlastRadius, MinHealthy, Policy, TargetSpec } from '../spec/schema.js';
import { findProcesses } from './find-processes.js';
import { instanceLabel, type TargetInstance } from './target-instance.js';
import { describeSelector, matchesSelector } from './targets.js';

/** Whether a member of a minHealthy group is healthy now (its process runs, its health probe passes). */
export type HealthCheck = (member: TargetInstance) => Promise<boolean>;

function matchesLabels(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

const showLabels = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function labelViolations(plan: readonly PlannedFault[], policy: Policy): string[] {
  const out: string[] = [];
  for (const p of plan) {
    for (const t of p.selected) {
      if (t.host) continue;
      const denied = policy.denyLabels.find((deny) => matchesLabels(t.labels, deny));
      if (denied) out.push(`${p.path} would hit ${instanceLabel(t)}, denied by policy denyLabels ${showLabels(denied)}`);
      if (policy.allowLabels && !policy.allowLabels.some((allow) => matchesLabels(t.labels, allow))) {
        out.push(`${p.path} would hit ${instanceLabel(t)}, whose labels match no policy allowLabels entry`);
      }
    }
  }
  return out;
}

function radiusViolations(plan: readonly PlannedFault[], radius: BlastRadius | undefined, source: string): string[] {
  if (!radius) return [];
  const out: string[] = [];
  const distinct = new Map<string, TargetInstance>();
  for (const p of plan) for (const t of p.selected) if (!t.host) distinct.set(instanceLabel(t), t);
  if (radius.maxTargets !== undefined && distinct.size > radius.maxTargets) {
    out.push(
      `the run would hit ${distinct.size} targets (${[...distinct.keys()].join(', ')}), over ${source} maxTargets ${radius.maxTargets}`,
    );
  }
  if (radius.maxPercent !== undefined) {
    for (const p of plan) {
      const hit = p.selected.filter((t) => !t.host);
      if (!p.candidates.length || !hit.length) continue;
      const percent = (100 * hit.length) / p.candidates.length;
      if (percent > radius.maxPercent) {
        out.push(
          `${p.path} would hit ${hit.length} of ${p.candidates.length} targets (${percent.toFixed(0)}%: ${hit.map(instanceLabel).join(', ')}), over ${source} maxPercent ${radius.maxPercent}`,
        );
      }
    }
  }
  return out;
}

/**
 * The members of a group, one per process; protected targets count (they serve, though nothing may hit
 * them), and a member whose process cannot be found counts as one member that is not healthy.
 */
function groupMembers(group: MinHealthy, targets: readonly TargetSpec[]): TargetInstance[] {
  return targets
    .filter((t) => matchesSelector(t, group.selector))
    .flatMap((t): TargetInstance[] => {
      const base = { name: t.name, labels: t.labels, spec: t };
      try {
        const found = findProcesses(t);
        return found.length ? found.map((p) => ({ ...base, pid: p.pid, startTime: p.startTime, command: p.command })) : [base];
      } catch {
        return [base];
      }
    });
}

async function minHealthyViolations(
  plan: readonly PlannedFault[],
  groups: readonly MinHealthy[],
  targets: readonly TargetSpec[],
  healthy: HealthCheck,
): Promise<string[]> {
  const out: string[] = [];
  const downed = new Set(plan.filter((p) => p.fault.takesDown).flatMap((p) => p.selected.map(instanceLabel)));
  for (const group of groups) {
    const members = groupMembers(group, targets);
    const healthyMembers: TargetInstance[] = [];
    for (const m of members) if (m.pid !== undefined && (await healthy(m))) healthyMembers.push(m);
    const hit = healthyMembers.filter((m) => downed.has(instanceLabel(m)));
    const left = healthyMembers.length - hit.length;
    if (hit.length && left < group.min) {
      const name = group.name ?? describeSelector(group.selector);
      out.push(
        `minHealthy ${name}: ${healthyMembers.length} of ${members.length} members healthy; taking down ${hit.map(instanceLabel).join(', ')} would leave ${left}, fewer than ${group.min}`,
      );
    }
  }
  return out;
}

export async function policyViolations(
  plan: readonly PlannedFault[],
  targets: readonly TargetSpec[],
  blastRadius: BlastRadius | undefined,
  policy: Policy | null,
  healthy: HealthCheck,
): Promise<string[]> {
  return [
    ...radiusViolations(plan, blastRadius, 'spec.blastRadius'),
    ...(policy ? labelViolations(plan, policy) : []),
    ...radiusViolations(plan, policy?.blastRadius, 'policy blastRadius'),
    ...(policy ? await minHealthyViolations(plan, policy.minHealthy, targets, healthy) : []),
    ...allBackends().flatMap((backend) => backend.policyViolations?.(plan, policy) ?? []),
  ];
}
