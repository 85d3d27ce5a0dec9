/** The one registry of probe types. Each probe file calls `registerProbeType` when imported (see ./index.ts). */
import { Registry } from '../util/registry.js';
import type { ProbeType } from './types.js';

const probeTypes = new Registry<ProbeType>('probe type');

export function registerProbeType<C, E>(probeType: ProbeType<C, E>): ProbeType<C, E> {
  return probeTypes.add(probeType.type, probeType);
}

export function findProbeType(type: string): ProbeType | undefined {
  return probeTypes.get(type);
}

export function probeTypeNames(): string[] {
  return probeTypes.names().sort();
}
