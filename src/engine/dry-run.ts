/**
 * A dry run: resolves the targets, evaluates every guard without side effects, and says exactly what
 * would be injected where and for how long, and what would watch it. Nothing is changed.
 */

import type { PlannedFault } from '../backends/types.js';
import { findProbeType } from '../probes/registry.js';
import { openControlDb } from '../safety/control-db.js';
import type { Experiment } from '../spec/load.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { planExperiment } from './plan.js';
import { checkBeforeHarm, type GuardResult } from './preflight.js';
import { describeCondition } from './stop-conditions.js';

export interface DryRun {
  seed: number;
  plan: PlannedFault[];
  guards: GuardResult[];
  stopConditions: string[];
}

export async function dryRun(experiment: Experiment, seed: number, control?: SqliteDatabase): Promise<DryRun> {
  const db = control ?? openControlDb();
  try {
    for (const probe of experiment.probes) await findProbeType(probe.type)?.preflight?.(probe.config);
    const plan = await planExperiment(experiment, seed);
    const guards = await checkBeforeHarm({
      experiment,
      plan,
      runId: 'dry-run',
      control: db,
      dryRun: true,
      signal: new AbortController().signal,
      onSample: () => {},
    });
    return { seed, plan, guards, stopConditions: experiment.guards.stopWhen.map(describeCondition) };
  } finally {
    if (!control) db.close();
  }
}
