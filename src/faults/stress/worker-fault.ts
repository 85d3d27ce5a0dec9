/**
 * What the worker faults (stress.cpu, stress.memory, stress.io) share: the engine and cgroup params,
 * the target they need, how their description ends, and the injection itself (join the target's
 * cgroups when asked, start the workers of the engine, journal them, then let them go).
 */
import { mkdirSync } from 'node:fs';
import type { TargetInstance } from '../../engine/target-instance.js';
import { instanceLabel } from '../../engine/target-instance.js';
import type { InjectContext, TargetNeed } from '../types.js';
import { type CgroupPlace, cgroupPlacesOf } from './cgroup.js';
import {
  builtinWorker,
  cgroupField,
  describeHold,
  type Engine,
  engineField,
  launchWorkers,
  requireStressNg,
  type StressState,
  stressNgWorker,
  workerDeadline,
} from './launch.js';

/** The last params of every worker fault, in this order. */
export const engineAndCgroupFields = { engine: engineField, cgroup: cgroupField };

export interface WorkerParams {
  workers: number;
  engine: Engine;
  cgroup: 'none' | 'target';
}

/** `workerFaultNeeds` in words, for docs/faults.md. */
export const WORKER_FAULT_NEEDS = '`host`; with `cgroup: target`, a `process`';

/** A process target only to join its cgroups; otherwise the workers stress this host. */
export function workerFaultNeeds(p: WorkerParams): TargetNeed {
  return p.cgroup === 'target' ? 'process' : 'host';
}

/** `beside web (pid 42), in its cgroups for 30s`: where the workers run and for how long. */
export function describeBeside(p: WorkerParams, target: TargetInstance, durationMs: number | null): string {
  return `beside ${instanceLabel(target)}${p.cgroup === 'target' ? ', in its cgroups' : ''} ${describeHold(durationMs)}`;
}

export interface WorkerLaunch {
  fault: string;
  kind: 'cpu' | 'memory' | 'io';
  /** the arguments of the one stress-ng process that starts every worker */
  stressNgArgs: string[];
  /** the options of built-in worker `index`; `cgroups` is where the workers go (empty for none) */
  builtinOptions: (index: number, cgroups: CgroupPlace[]) => Record<string, string | number>;
  readyTimeoutMs: number;
  /** stress.io's scratch folder: journaled first, then made, so that a crash in between still removes it */
  dir?: string;
}

export async function injectWorkers<P extends WorkerParams>(
  { params: p, target, durationMs, journal }: InjectContext<P, StressState>,
  launch: WorkerLaunch,
): Promise<void> {
  const cgroups = p.cgroup === 'target' ? cgroupPlacesOf(target.pid as number, instanceLabel(target)) : [];
  const deadline = workerDeadline(durationMs);
  const commands =
    p.engine === 'stress-ng'
      ? [stressNgWorker(requireStressNg(), deadline, launch.stressNgArgs)]
      : Array.from({ length: p.workers }, (_, index) => builtinWorker(launch.kind, deadline, launch.builtinOptions(index, cgroups)));
  const { dir } = launch;
  await launchWorkers({
    fault: launch.fault,
    commands,
    saysReady: p.engine === 'builtin',
    readyTimeoutMs: launch.readyTimeoutMs,
    cgroups,
    journal: (workers) => {
      journal({ engine: p.engine, workers, ...(dir === undefined ? {} : { dir }), deadline: new Date(deadline).toISOString() });
      if (dir !== undefined) mkdirSync(dir, { mode: 0o700 });
    },
  });
}
