/** A target after resolution: one process (or one endpoint/file set) that a fault can hit. */
import type { PodTarget } from '../kube/types.js';
import type { TargetSpec } from '../spec/target.js';

export interface TargetInstance {
  /** the target's name in the experiment or project file */
  name: string;
  labels: Record<string, string>;
  /** set when the target is a process that was found on this host */
  pid?: number;
  /** the process's start time (clock ticks since boot on Linux), to tell a reused pid from the original */
  startTime?: string;
  /** the process's command line, for reports */
  command?: string;
  spec: TargetSpec;
  /** this host as a whole (custom.action), not a target of the inventory */
  host?: boolean;
  /** backend kubernetes: the pod this instance is */
  pod?: PodTarget;
}

/** `payments (pid 4242)`: how a target instance is named in reports and logs. */
export function instanceLabel(instance: Pick<TargetInstance, 'name' | 'pid'>): string {
  return instance.pid === undefined ? instance.name : `${instance.name} (pid ${instance.pid})`;
}

/** The lock that keeps two runs off this instance, or null for the host as a whole. */
export function lockRequestOf(instance: TargetInstance): { key: string; target: string } | null {
  if (instance.host) return null;
  const key = instance.pid === undefined ? `target:${instance.name}` : `process:${instance.pid}:${instance.startTime ?? ''}`;
  return { key, target: instanceLabel(instance) };
}
