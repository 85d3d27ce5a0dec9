/**
 * Seeded randomness for the proxy: every connection, direction and toxic gets its own generator derived
 * from the proxy's seed, so a run can be replayed and one toxic's draws never shift another's.
 */

/** A uniform number in [0, 1). */
export type Random = () => number;

/** mulberry32: small, fast, good enough for fault injection (not for cryptography). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes numbers into one 32-bit seed (FNV-1a over their 32-bit words). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let v = part >>> 0;
    for (let i = 0; i < 4; i++) {
      h ^= v & 0xff;
      h = Math.imul(h, 0x01000193);
      v >>>= 8;
    }
  }
  return h >>> 0;
}

/**
 * netem's correlated generator: each value is `c * previous + (1 - c) * fresh`, with `c` in [0, 1]
 * read at every draw (a live update of the correlation takes effect at once).
 */
export function correlated(random: Random, correlation: () => number): Random {
  let last = random();
  return () => {
    const c = Math.min(1, Math.max(0, correlation()));
    last = c * last + (1 - c) * random();
    return last;
  };
}

/** A fresh random seed for a proxy that was given none. */
export function newProxySeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
