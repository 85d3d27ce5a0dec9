/**
 * Other mechanisms for the network faults that Linux can also apply in the kernel (docs/faults.md):
 * `network.partition` (nftables drop), `network.loss` (nftables random drop), `network.bandwidth`
 * (tbf). The fault files here apply them through the proxy; a kernel implementation registers itself
 * here, and a step then chooses it with `params: { mechanism: kernel, ... }`:
 *
 *   registerNetworkMechanism('network.partition', { params, describe, inject, revert });
 *
 * `params` is the mechanism's own strict schema (it must accept `mechanism: kernel`); its state is
 * journaled as `{ mechanism: 'kernel', state }` and handed back to its `revert` alone.
 */

import type { TargetInstance } from '../../engine/target-instance.js';
import { dispatch } from '../../spec/dispatch.js';
import { conditional } from '../../spec/editor-schema.js';
import { Registry } from '../../util/registry.js';
import { z } from '../../util/zod.js';
import { type FaultType, type InjectContext, targetNeedOf } from '../types.js';
import type { ProxyFaultState } from './proxy-fault.js';

export type MechanismFault = 'network.partition' | 'network.loss' | 'network.bandwidth';

export interface NetworkMechanism<P = unknown, S = unknown> {
  params: z.ZodType<P>;
  describe(params: P, target: TargetInstance, durationMs: number | null): string;
  inject(ctx: InjectContext<P, S>): Promise<void>;
  revert(state: S): Promise<void>;
}

const mechanisms = new Registry<NetworkMechanism>('kernel mechanism of');

export function registerNetworkMechanism<P, S>(fault: MechanismFault, mechanism: NetworkMechanism<P, S>): void {
  mechanisms.add(fault, mechanism);
}

type Tagged = { mechanism: 'kernel'; params: unknown };
type State = ProxyFaultState | { mechanism: 'kernel'; state: unknown };

const wantsKernel = (value: unknown) =>
  Boolean(value && typeof value === 'object' && (value as { mechanism?: unknown }).mechanism === 'kernel');

/**
 * A proxy fault that hands `mechanism: kernel` steps to a registered kernel mechanism (or says clearly
 * that none is available).
 */
export function withKernelMechanism<P>(proxy: FaultType<P, ProxyFaultState>): FaultType<P | Tagged, State> {
  const name = proxy.name as MechanismFault;
  const kernelSchema = () => {
    const mechanism = mechanisms.get(name);
    if (mechanism) return mechanism.params.transform((params): Tagged => ({ mechanism: 'kernel', params }));
    return z.unknown().superRefine((_v, ctx) => {
      ctx.addIssue({
        code: 'custom',
        path: ['mechanism'],
        message: `${name} has no kernel mechanism in this build; remove mechanism: kernel to use the proxy`,
      });
    }) as unknown as z.ZodType<Tagged>;
  };
  const params = dispatch<P | Tagged>(
    (value) => (wantsKernel(value) ? kernelSchema() : proxy.params) as z.ZodType<P | Tagged>,
    () => {
      const kernel = mechanisms.get(name)?.params;
      if (!kernel) return proxy.params;
      // editors check the params of the mechanism the step names, as the loader does
      return {
        json: (ctx) =>
          conditional(
            { type: 'object', properties: { mechanism: { const: 'kernel' } }, required: ['mechanism'] },
            ctx.toJson(kernel),
            ctx.toJson(proxy.params),
          ),
      };
    },
  );
  const isKernel = (p: unknown): p is Tagged => wantsKernel(p) && 'params' in (p as object);
  return {
    ...proxy,
    params,
    needs: (p) => (isKernel(p) ? 'network' : targetNeedOf(proxy, p)),
    needsDoc: '`endpoint`; with `mechanism: kernel`, any selected target (its `netns`, `addresses`)',
    executes: (p) => !isKernel(p) && (proxy.executes?.(p) ?? false),
    describe: (p, target, durationMs) => {
      if (!isKernel(p)) return proxy.describe(p, target, durationMs);
      return mechanisms.get(name)?.describe(p.params, target, durationMs) ?? `${name} (kernel)`;
    },
    async inject(ctx) {
      const p = ctx.params;
      if (!isKernel(p)) {
        await proxy.inject({ ...ctx, params: p, journal: (state) => ctx.journal(state) });
        return;
      }
      const mechanism = mechanisms.get(name);
      if (!mechanism) throw new Error(`${name} has no kernel mechanism in this build`);
      await mechanism.inject({ ...ctx, params: p.params, journal: (state) => ctx.journal({ mechanism: 'kernel', state }) });
    },
    async revert(state) {
      if ('mechanism' in state && state.mechanism === 'kernel') {
        const mechanism = mechanisms.get(name);
        if (!mechanism) throw new Error(`${name}: the kernel mechanism that applied this fault is not in this build; revert it by hand`);
        await mechanism.revert(state.state);
        return;
      }
      await proxy.revert(state as ProxyFaultState);
    },
  };
}
