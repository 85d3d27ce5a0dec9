/** The one registry of guard kinds. Each guard file calls `registerGuardType` when imported (see ./index.ts). */
import { Registry } from '../util/registry.js';
import type { GuardType } from './types.js';

const guardTypes = new Registry<GuardType>('guard');

export function registerGuardType<C>(guardType: GuardType<C>): GuardType<C> {
  return guardTypes.add(guardType.key, guardType);
}

export function findGuardType(key: string): GuardType | undefined {
  return guardTypes.get(key);
}

export function guardTypeKeys(): string[] {
  return guardTypes.names().sort();
}
