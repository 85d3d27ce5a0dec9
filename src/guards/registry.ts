/** The one registry of guard kinds. Each guard file calls `registerGuardType` when imported (see ./index.ts). */
import type { GuardType } from './types.js';

const guardTypes = new Map<string, GuardType>();

export function registerGuardType<C>(guardType: GuardType<C>): GuardType<C> {
  if (guardTypes.has(guardType.key)) throw new Error(`guard ${guardType.key} is registered twice`);
  guardTypes.set(guardType.key, guardType as unknown as GuardType);
  return guardType;
}

export function findGuardType(key: string): GuardType | undefined {
  return guardTypes.get(key);
}

export function guardTypeKeys(): string[] {
  return [...guardTypes.keys()].sort();
}
