/**
 * Resolves a step's selector into target instances: the named or labelled targets, minus protected
 * ones, each process target expanded into the processes it matches on this host.
 */
import type { TargetNeed } from '../faults/types.js';
import type { Selector, TargetSpec } from '../spec/schema.js';
import { UserError } from '../util/errors.js';
import { checkOwnership, findProcesses } from './find-processes.js';
import { protectedBy } from './identity.js';
import type { TargetInstance } from './target-instance.js';

export function matchesSelector(target: TargetSpec, selector: Selector | undefined): boolean {
  if (!selector) return false;
  if (selector.names && !selector.names.includes(target.name)) return false;
  if (selector.labels) {
    for (const [key, value] of Object.entries(selector.labels)) if (target.labels[key] !== value) return false;
  }
  return true;
}

function instancesOf(target: TargetSpec, need: TargetNeed): TargetInstance[] {
  const base = { name: target.name, labels: target.labels, spec: target };
  if (need !== 'process') {
    if (need === 'endpoint' && !target.endpoint)
      throw new UserError(`target ${target.name} has no endpoint; add endpoint: { listen, upstream } to it`);
    if (need === 'files' && !target.files?.length) throw new UserError(`target ${target.name} has no files; add files: [...] to it`);
    return [base];
  }
  if (!target.process) throw new UserError(`target ${target.name} has no process; add process: { match | pid | pidFile } to it`);
  return findProcesses(target).map((info) => {
    checkOwnership(target, info);
    return { ...base, pid: info.pid, startTime: info.startTime, command: info.command };
  });
}

/**
 * Every instance a step's selector could hit now (before the mode picks among them): protected targets
 * are left out by name, and so is every instance that is a protected target by identity (`protectedIds`,
 * see identity.ts), however it was named.
 */
export function candidatesFor(
  selector: Selector | undefined,
  need: TargetNeed,
  targets: readonly TargetSpec[],
  protectedIds: ReadonlyMap<string, string> = new Map(),
): TargetInstance[] {
  if (need === 'host') return [{ name: 'localhost', labels: {}, host: true, spec: { name: 'localhost', labels: {}, protected: false } }];
  const chosen = targets.filter((t) => !t.protected && matchesSelector(t, selector));
  return chosen.flatMap((t) => instancesOf(t, need)).filter((instance) => !protectedBy(instance, protectedIds));
}

/** `names [a, b]` / `labels app=payments`: how a selector reads in messages. */
export function describeSelector(selector: Selector | undefined): string {
  if (!selector) return 'this host';
  const parts: string[] = [];
  if (selector.names) parts.push(`names [${selector.names.join(', ')}]`);
  if (selector.labels)
    parts.push(
      `labels ${Object.entries(selector.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
    );
  return parts.join(' and ');
}
