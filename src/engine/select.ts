/**
 * Selection modes, with Chaos Mesh's semantics (pkg/selector/generic/mode.go): `one`, `all`,
 * `fixed` N (capped at the pool), `fixed-percent` P (ceil of P% of the pool), `random-max-percent` P
 * (a random percentage in [0, P], then the ceiling). Protected targets never reach this function.
 */
import type { SelectionMode } from '../spec/schema.js';
import { type Random, shuffled } from './rng.js';

export function selectionCount(mode: SelectionMode, value: number | undefined, poolSize: number, random: Random): number {
  switch (mode) {
    case 'one':
      return Math.min(1, poolSize);
    case 'all':
      return poolSize;
    case 'fixed':
      return Math.min(value ?? 1, poolSize);
    case 'fixed-percent':
      return Math.min(poolSize, Math.ceil((poolSize * (value ?? 100)) / 100));
    case 'random-max-percent': {
      const percent = Math.floor(random() * ((value ?? 100) + 1));
      return Math.min(poolSize, Math.ceil((poolSize * percent) / 100));
    }
  }
}

export function selectByMode<T>(pool: readonly T[], mode: SelectionMode, value: number | undefined, random: Random): T[] {
  const count = selectionCount(mode, value, pool.length, random);
  return shuffled(pool, random).slice(0, count);
}
