/** The one registry of probe types. Each probe file calls `registerProbeType` when imported (see ./index.ts). */
import type { ProbeType } from './types.js';

const probeTypes = new Map<string, ProbeType>();

export function registerProbeType<C, E>(probeType: ProbeType<C, E>): ProbeType<C, E> {
  if (probeTypes.has(probeType.type)) throw new Error(`probe type ${probeType.type} is registered twice`);
  probeTypes.set(probeType.type, probeType as unknown as ProbeType);
  return probeType;
}

export function findProbeType(type: string): ProbeType | undefined {
  return probeTypes.get(type);
}

export function probeTypeNames(): string[] {
  return [...probeTypes.keys()].sort();
}
