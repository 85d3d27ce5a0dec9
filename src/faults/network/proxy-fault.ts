/**
 * The faults that work through the proxy in front of an endpoint target: each one is a list of toxics
 * added to the run's proxy of the target (or to a `faultline proxy` the target attaches to) and
 * removed on revert. One file per fault declares its params and the toxics they make.
 *
 * Journal first: the state names where the toxics go (an embedded proxy by id, or the API URL and the
 * proxy name) and the toxics' names, before any is added, so `faultline recover` can remove them after
 * a crash. An embedded proxy dies with its process, so for it there is nothing left to remove.
 */
import { randomBytes } from 'node:crypto';
import type { TargetInstance } from '../../engine/target-instance.js';
import type { HostRef, ToxicHost } from '../../proxy/host.js';
import { proxyResourceKey } from '../../proxy/resource-key.js';
import type { ToxicInput } from '../../proxy/toxic.js';
import { errorMessage, UserError } from '../../util/errors.js';
import { z } from '../../util/zod.js';
import { heldFor } from '../describe.js';
import { registerFault } from '../registry.js';
import type { FaultType, InjectContext } from '../types.js';

export interface ProxyFaultState {
  host: HostRef;
  toxics: string[];
}

export type StreamChoice = 'upstream' | 'downstream' | 'both';

export const streamParam = (fallback: StreamChoice) =>
  z.enum(['upstream', 'downstream', 'both']).default(fallback).describe('upstream: client to server; downstream: server to client; both');

export const toxicityParam = z
  .number({ error: 'expected toxicity, the share of connections affected, from 0 to 1' })
  .min(0, { message: 'toxicity is a share of connections from 0 to 1' })
  .max(1, { message: 'toxicity is a share of connections from 0 to 1 (1 = every connection)' })
  .default(1)
  .describe('share of connections affected, 0 to 1, drawn once per connection');

export function streams(choice: StreamChoice): ('upstream' | 'downstream')[] {
  return choice === 'both' ? ['upstream', 'downstream'] : [choice];
}

/** `the proxy 127.0.0.1:17001 -> 127.0.0.1:7001 of provider` / `proxy payments at http://...`. */
export function endpointLabel(target: TargetInstance): string {
  const endpoint = target.spec.endpoint;
  if (endpoint?.proxy) return `proxy ${endpoint.proxy} at ${endpoint.api ?? 'http://127.0.0.1:8474'} (target ${target.name})`;
  if (endpoint?.listen) return `${target.name}'s proxy ${endpoint.listen} -> ${endpoint.upstream}`;
  return `${target.name}'s proxy`;
}

export interface ProxyFaultDefinition<P> {
  name: string;
  summary: string;
  example?: Record<string, unknown>;
  params: z.ZodType<P>;
  /** the toxics, without names (one per stream, say) */
  toxics(params: P): Omit<ToxicInput, 'name'>[];
  /** what changes, e.g. `300ms ±20ms latency on downstream traffic` */
  what(params: P): string;
  /** see FaultType.executes */
  executes?: (params: P) => boolean;
}

/** The host (proxy) of a target in this run; a UserError naming the fix when there is none. */
export function hostOf(ctx: Pick<InjectContext<unknown, unknown>, 'resources' | 'target'>, fault: string): ToxicHost {
  const host = ctx.resources.get<ToxicHost>(proxyResourceKey(ctx.target.name));
  if (!host) {
    throw new UserError(
      `${fault} on ${ctx.target.name}: the target has no proxy in this run; give it endpoint: { listen, upstream } (a proxy for the run) or endpoint: { proxy, api } (a faultline proxy)`,
    );
  }
  return host;
}

/** Adds toxics to the target's proxy, journaling where and which before the first is added. */
export async function injectToxics(
  ctx: Pick<InjectContext<unknown, ProxyFaultState>, 'resources' | 'target' | 'journal'>,
  fault: string,
  toxics: Omit<ToxicInput, 'name'>[],
): Promise<void> {
  const host = hostOf(ctx, fault);
  const id = randomBytes(3).toString('hex');
  const named = toxics.map((t) => ({ ...t, name: `faultline-${fault.replace(/\W+/g, '-')}-${id}-${t.stream ?? 'downstream'}` }));
  ctx.journal({ host: host.ref, toxics: named.map((t) => t.name) });
  for (const toxic of named) {
    try {
      await host.addToxic(toxic);
    } catch (error) {
      throw new UserError(`${fault} on ${ctx.target.name}: ${host.label}: ${errorMessage(error)}`);
    }
  }
}

export async function removeToxics(state: ProxyFaultState): Promise<void> {
  const { removeToxicByRef } = await import('../../proxy/host.js');
  const failures: string[] = [];
  for (const name of state.toxics) {
    try {
      await removeToxicByRef(state.host, name);
    } catch (error) {
      failures.push(errorMessage(error));
    }
  }
  if (failures.length) throw new Error(failures.join('; '));
}

/** Builds the FaultType of a proxy fault (not registered: see registerProxyFault). */
export function proxyFaultType<P>(def: ProxyFaultDefinition<P>): FaultType<P, ProxyFaultState> {
  return {
    name: def.name,
    summary: def.summary,
    example: def.example,
    params: def.params,
    needs: 'endpoint',
    executes: def.executes,
    describe: (p, target, durationMs) => `${def.what(p)} through ${endpointLabel(target)} ${heldFor(durationMs)}`,
    inject: (ctx) => injectToxics(ctx, def.name, def.toxics(ctx.params)),
    revert: removeToxics,
  };
}

export function registerProxyFault<P>(def: ProxyFaultDefinition<P>): FaultType<P, ProxyFaultState> {
  return registerFault(proxyFaultType(def));
}
