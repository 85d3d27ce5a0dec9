/** The one registry of faults. Each fault file calls `registerFault` when it is imported (see ./index.ts). */
import { UserError } from '../util/errors.js';
import { Registry } from '../util/registry.js';
import { didYouMean } from '../util/suggest.js';
import type { FaultType } from './types.js';

const faults = new Registry<FaultType>('fault');

export function registerFault<P, S>(fault: FaultType<P, S>): FaultType<P, S> {
  return faults.add(fault.name, fault);
}

/** Any registered fault, internal records included (what recovery needs). */
export function findFault(name: string): FaultType | undefined {
  return faults.get(name);
}

/** A fault an experiment may name; a UserError with the known names otherwise. */
export function getFault(name: string): FaultType {
  const fault = faults.get(name);
  if (!fault || fault.internal) {
    throw new UserError(`unknown fault ${JSON.stringify(name)}${didYouMean(name, faultNames())}; known faults: ${faultNames().join(', ')}`);
  }
  return fault;
}

/** The faults an experiment may name (internal records excluded). */
export function faultNames(): string[] {
  return faults
    .values()
    .filter((f) => !f.internal)
    .map((f) => f.name)
    .sort();
}

/** Every fault an experiment may name. */
export function allFaults(): FaultType[] {
  return faultNames().map((name) => faults.get(name) as FaultType);
}
