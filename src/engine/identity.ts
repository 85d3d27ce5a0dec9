/**
 * Protection that follows the thing, not the name. A protected target is resolved to what it really
 * is on this host (a process by pid and start time, an endpoint by address, a file by device and
 * inode, an address of a network namespace), and any target instance that resolves to one of those
 * is protected too, however it was named: a second target with the same pid file, a `pid:`, a
 * `match` that also matches it, an experiment's own target over the project file's protected one.
 * Pods carry their protection themselves (the `faultline.dev/protected` label, see kubernetes/pods.ts).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TargetSpec } from '../spec/schema.js';
import { findProcesses } from './find-processes.js';
import type { TargetInstance } from './target-instance.js';

/** `127.0.0.1:7001` and `localhost:7001` are one address. */
function address(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^localhost(?=:|$)/, '127.0.0.1')
    .replace(/^\[::1\]/, '127.0.0.1');
}

function fileIdentity(path: string): string {
  try {
    const { dev, ino } = statSync(path);
    return `file ${dev}:${ino}`;
  } catch {
    return `path ${resolve(path)}`; // not there (yet): its path is what can be protected
  }
}

/** What a target spec stands for apart from its processes. */
function specIdentities(spec: TargetSpec): string[] {
  const ids: string[] = [];
  const { endpoint } = spec;
  if (endpoint?.listen) ids.push(`endpoint ${address(endpoint.listen)}`);
  if (endpoint?.upstream) ids.push(`endpoint ${address(endpoint.upstream)}`);
  if (endpoint?.proxy) ids.push(`proxy ${endpoint.api ?? 'http://127.0.0.1:8474'}#${endpoint.proxy}`);
  for (const file of spec.files ?? []) ids.push(fileIdentity(file));
  for (const a of spec.addresses ?? []) ids.push(`address ${address(a)}`);
  return ids;
}

/** Everything one selected instance would touch. */
export function identitiesOf(instance: TargetInstance): string[] {
  if (instance.host || instance.pod) return [];
  const ids = specIdentities(instance.spec);
  if (instance.pid !== undefined) ids.push(`process ${instance.pid}:${instance.startTime ?? ''}`);
  return ids;
}

/** Every protected target of an experiment: its own, and the project file's that it redefined. */
export function protectedTargetsOf(experiment: { targets: readonly TargetSpec[]; protectedTargets?: readonly TargetSpec[] }): TargetSpec[] {
  return [...experiment.targets.filter((t) => t.protected), ...(experiment.protectedTargets ?? [])];
}

/** The refusal of an injection into a protected target (by identity), or null when it may go ahead. */
export function protectionRefusal(
  experiment: { targets: readonly TargetSpec[]; protectedTargets?: readonly TargetSpec[] },
  instance: TargetInstance,
): string | null {
  const hit = protectedBy(instance, protectedIdentities(protectedTargetsOf(experiment)));
  if (!hit) return null;
  return `target ${instance.name} is the protected target ${hit.target} (same ${hit.identity.split(' ')[0]}: ${hit.identity.slice(hit.identity.indexOf(' ') + 1)}); nothing is injected into it`;
}

/** What the protected targets resolve to now, each with the target that protects it. */
export function protectedIdentities(protectedTargets: readonly TargetSpec[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const spec of protectedTargets) {
    for (const id of specIdentities(spec)) found.set(id, spec.name);
    if (!spec.process) continue;
    let processes: ReturnType<typeof findProcesses> = [];
    try {
      processes = findProcesses(spec);
    } catch {
      // a protected process that is not running now cannot be hit now
    }
    for (const p of processes) found.set(`process ${p.pid}:${p.startTime}`, spec.name);
  }
  return found;
}

/** The protected target `instance` really is (by identity), or null. */
export function protectedBy(
  instance: TargetInstance,
  protectedIds: ReadonlyMap<string, string>,
): { target: string; identity: string } | null {
  for (const id of identitiesOf(instance)) {
    const target = protectedIds.get(id);
    if (target !== undefined) return { target, identity: id };
  }
  return null;
}
