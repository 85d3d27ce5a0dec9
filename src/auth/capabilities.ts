/**
 * Capabilities: what a token may do to the daemon's host beyond its role. One so far:
 *   exec   run code or commands of the experiment's author on the host (cmd and write probes with a
 *          command, custom.action, tamper modules, rollbacks, and whatever plug-in says it executes)
 *
 * A role says which API routes a token may call; a capability says what the experiments it sends may
 * make the host do. No token has one unless it was given by name when the token was made, whatever its
 * role or scope. Every entry point that runs, dry-runs, schedules or stores an experiment calls
 * `capabilityViolations` (through Documents.authorize), so a new entry point cannot forget a construct.
 */
import { faultSteps } from '../engine/plan.js';
import { findFault } from '../faults/index.js';
import { findProbeType } from '../probes/registry.js';
import type { Experiment } from '../spec/load.js';
import type { ProbeSpec } from '../spec/schema.js';
import type { Capability } from './roles.js';

/** The probes among these that run a command on this host, as `spec.probes NAME (TYPE)`. */
export function executingProbes(probes: readonly ProbeSpec[], where = 'spec.probes'): string[] {
  return probes
    .filter((p) => findProbeType(p.type)?.executes?.(p.config as never) === true)
    .map((p) => `${where} ${p.name} (${p.type} probe)`);
}

/** Every construct of the experiment that runs code or commands on this host, by its place in the file. */
export function executingConstructs(experiment: Pick<Experiment, 'probes' | 'method' | 'rollbacks' | 'healthProbes'>): string[] {
  const out = executingProbes([...experiment.probes, ...Object.values(experiment.healthProbes ?? {})]);
  for (const { path, step } of faultSteps(experiment.method)) {
    if (findFault(step.fault)?.executes?.(step.params as never)) out.push(`${path} (${step.fault})`);
  }
  experiment.rollbacks.forEach((r, i) => {
    out.push(`spec.rollbacks[${i}]${r.name ? ` ${r.name}` : ''} (command ${r.cmd[0]})`);
  });
  return [...new Set(out)];
}

/** What needs a capability the caller lacks: empty when it may go ahead. */
export function capabilityViolations(constructs: readonly string[], granted: readonly Capability[] | undefined): string[] {
  if (granted?.includes('exec')) return [];
  return constructs.map((c) => `${c} runs a command on the daemon's host: it needs a token with the exec capability`);
}

export function describeCapabilities(granted: readonly Capability[] | undefined): string {
  return granted?.length ? granted.join(',') : 'none';
}
