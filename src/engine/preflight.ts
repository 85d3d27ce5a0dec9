/**
 * The checks before any harm, in order: the halt switch, the blast radius and project policy, the
 * guard kinds (freeze windows, incidents, ...) of the experiment and of the policy, the target locks,
 * the `guards.before` probes and the start-of-test probes. A real run stops at the first refusal; a
 * dry run evaluates them all, without side effects (locks are only looked at, not taken).
 */

import type { PlannedFault } from '../backends/types.js';
import { findGuardType, guardTypeKeys } from '../guards/index.js';
import type { Sample } from '../probes/sample.js';
import { sampleProbe } from '../probes/scheduler.js';
import { activeHalt, describeHalt } from '../safety/halt.js';
import { acquireLocks, conflictingLocks, type LockRequest } from '../safety/locks.js';
import type { Experiment } from '../spec/load.js';
import type { ProbeSpec } from '../spec/schema.js';
import { isSameProcess } from '../util/processes.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { type HealthCheck, policyViolations } from './policy.js';
import { lockRequestOf } from './target-instance.js';

export interface GuardResult {
  guard: string;
  ok: boolean;
  detail: string;
  warning?: boolean;
}

export interface PreflightContext {
  experiment: Experiment;
  plan: PlannedFault[];
  runId: string;
  control: SqliteDatabase;
  dryRun: boolean;
  signal: AbortSignal;
  /** keeps the samples of guard and SOT probes (a run stores them; a dry run prints them) */
  onSample: (sample: Sample, probe: ProbeSpec) => void;
}

export function lockRequestsOf(plan: readonly PlannedFault[]): LockRequest[] {
  const requests = new Map<string, LockRequest>();
  for (const p of plan)
    for (const t of p.selected) {
      const request = lockRequestOf(t);
      if (request) requests.set(request.key, request);
    }
  return [...requests.values()];
}

function healthCheck(experiment: Experiment, signal: AbortSignal): HealthCheck {
  return async (member) => {
    if (member.pid === undefined || !isSameProcess(member.pid, member.startTime)) return false;
    const probe = member.spec.health ? experiment.healthProbes[member.spec.health] : undefined;
    if (!probe) return true;
    return (await sampleProbe(probe, 'before', signal)).ok;
  };
}

/** Each check in order; it yields its results so a real run can stop at the first refusal. */
async function* checks(ctx: PreflightContext): AsyncGenerator<GuardResult> {
  const { experiment, control } = ctx;
  const halted = activeHalt(control);
  yield { guard: 'halt', ok: !halted, detail: halted ? `${describeHalt(halted)}; lift it with faultline unhalt` : 'not halted' };

  const violations = await policyViolations(
    ctx.plan,
    experiment.targets,
    experiment.blastRadius,
    experiment.policy,
    healthCheck(experiment, ctx.signal),
  );
  yield {
    guard: 'policy',
    ok: violations.length === 0,
    detail: violations.length ? violations.join('; ') : 'the selection is within the blast radius and policy',
  };

  const guardConfigs: [string, string, unknown][] = [];
  for (const key of guardTypeKeys()) {
    if (experiment.guards[key] !== undefined) guardConfigs.push([key, key, experiment.guards[key]]);
    const fromPolicy = (experiment.policy?.guards as Record<string, unknown> | undefined)?.[key];
    if (fromPolicy !== undefined) guardConfigs.push([key, `policy ${key}`, fromPolicy]);
  }
  for (const [key, label, config] of guardConfigs) {
    const verdict = await (findGuardType(key)?.check(config, {
      now: new Date(),
      env: process.env,
      dryRun: ctx.dryRun,
      signal: ctx.signal,
    }) ?? Promise.resolve({ ok: true, detail: 'unknown guard' }));
    yield { guard: label, ...verdict };
  }

  const requests = lockRequestsOf(ctx.plan);
  const holders = ctx.dryRun
    ? conflictingLocks(control, ctx.runId, requests)
    : await acquireLocks(control, ctx.runId, requests, experiment.guards.lock.wait, ctx.signal);
  yield {
    guard: 'lock',
    ok: holders.length === 0,
    detail: holders.length
      ? `${holders.map((h) => `${h.target} is held by run ${h.runId} (pid ${h.pid})`).join('; ')}; wait for it, or set guards.lock.wait (lockWait for inject)`
      : `${requests.length} target(s) ${ctx.dryRun ? 'free' : 'locked for this run'}`,
  };

  const byName = (names: string[]) => experiment.probes.filter((p) => names.includes(p.name));
  const sot = experiment.probes.filter((p) => p.mode === 'SOT' || p.mode === 'Edge');
  for (const [label, probes] of [
    ['before', byName(experiment.guards.before)],
    ['SOT', sot],
  ] as const) {
    for (const probe of probes) {
      const sample = await sampleProbe(probe, 'before', ctx.signal);
      ctx.onSample(sample, probe);
      yield { guard: `${label === 'before' ? 'probe' : 'start-of-test probe'} ${probe.name}`, ok: sample.ok, detail: sample.detail };
    }
  }
}

/** Every check (dry run), or the checks up to and including the first refusal (real run). */
export async function checkBeforeHarm(ctx: PreflightContext): Promise<GuardResult[]> {
  const results: GuardResult[] = [];
  for await (const result of checks(ctx)) {
    results.push(result);
    if (!result.ok && !ctx.dryRun) break;
  }
  return results;
}
