/**
 * Failed authentications, counted per key (a token id, a client address) over a sliding window: past
 * `max` failures in `windowMs`, the key is refused until its oldest failure leaves the window, and the
 * refusal says when to come back (Retry-After). A refused attempt costs the daemon a map lookup, not a
 * scrypt. Memory is bounded: past `maxKeys` keys, the least recently failed are forgotten.
 */
export interface LimiterOptions {
  max: number;
  windowMs: number;
  maxKeys?: number;
}

export class FailureLimiter {
  /** key -> times of its failures in the window, oldest first; Map order: least recently failed first */
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: LimiterOptions) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string, now = Date.now()): number {
    const times = this.recent(key, now);
    if (times.length < this.options.max) return 0;
    return Math.max(1, Math.ceil(((times[0] as number) + this.options.windowMs - now) / 1000));
  }

  /** Failures of `key` in the window. */
  count(key: string, now = Date.now()): number {
    return this.recent(key, now).length;
  }

  fail(key: string, now = Date.now()): void {
    const times = this.recent(key, now);
    times.push(now);
    if (times.length > this.options.max) times.shift();
    this.failures.delete(key); // re-inserted last: the most recently failed
    this.failures.set(key, times);
    if (this.failures.size > (this.options.maxKeys ?? 100_000)) this.failures.delete(this.failures.keys().next().value as string);
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key) ?? [];
    while (times.length && (times[0] as number) <= now - this.options.windowMs) times.shift();
    return times;
  }
}
