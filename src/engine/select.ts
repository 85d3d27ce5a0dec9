/**
 * Selection modes, with Chaos Mesh's semantics (pkg/selector/generic/mode.go): `one`, `all`,
 * `fixed` N (capped at the pool), `fixed-percent` P (ceil of P% of the pool), `random-max-percent` P
 * (a random percentage in [0, P], then the ceiling). Protected targets never reach this function.
 */
import type { SelectionMode } from '../spec/schema.js';
import { type Random, shuffled } from './rng.js';

/** ceil(P% of n), immune to float noise (64.4% of 250 is 161, not 161.00000000000003 rounded up to 162). */
function percentOf(n: number, percent: number): number {
  return Math.ceil(Number(((n * percent) / 100).toFixed(9)));
}

export function selectionCount(mode: SelectionMode, value: number | undefined, poolSize: number, random: Random): number {
  switch (mode) {
    case 'one':
      return Math.min(1, poolSize);
    case 'all':
      return poolSize;
    case 'fixed':
      return Math.min(value ?? 1, poolSize);
    case 'fixed-percent':
      return Math.min(poolSize, percentOf(poolSize, value ?? 100));
    case 'random-max-percent': {
      // a whole percentage drawn in [0, P], never above P even when P is not whole
      const max = value ?? 100;
      const percent = Math.min(max, Math.floor(random() * (Math.floor(max) + 1)));
      return Math.min(poolSize, percentOf(poolSize, percent));
    }
  }
}

export function selectByMode<T>(pool: readonly T[], mode: SelectionMode, value: number | undefined, random: Random): T[] {
  const count = selectionCount(mode, value, pool.length, random);
  return shuffled(pool, random).slice(0, count);
}
