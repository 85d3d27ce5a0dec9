/** A small seeded random generator (mulberry32), so a selection can be replayed with `--seed`. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream per step, so adding a probe or a step elsewhere does not change a selection. */
export function stepRandom(seed: number, stepPath: string): Random {
  let hash = seed >>> 0;
  for (const ch of stepPath) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return seededRandom(hash);
}

export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** Fisher-Yates with the given generator. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
