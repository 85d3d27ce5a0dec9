/**
 * The password-hashing pool: at most `concurrency` scrypt computations at once, so that a flood of
 * attempts cannot take every core (and the event loop's share of them) from the rest of the daemon;
 * a bounded queue behind them, refused beyond its size rather than grown; and a priority lane, served
 * first, for the safety endpoints (halt, stop a run), so a halt never waits behind a flood.
 */
export class PoolFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many authentications are waiting');
  }
}

export class HashPool {
  private active = 0;
  private readonly urgent: (() => void)[] = [];
  private readonly normal: (() => void)[] = [];
  /** computations started since the daemon started (a metric) */
  computed = 0;

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  run<T>(work: () => Promise<T>, priority: boolean): Promise<T> {
    const queue = priority ? this.urgent : this.normal;
    if (!priority && this.active >= this.concurrency && queue.length >= this.maxQueued) return Promise.reject(new PoolFullError(1));
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        this.active++;
        this.computed++;
        work()
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            this.next();
          });
      });
      this.next();
    });
  }

  /** How many computations are going and waiting. */
  get load(): { active: number; queued: number } {
    return { active: this.active, queued: this.urgent.length + this.normal.length };
  }

  private next(): void {
    while (this.active < this.concurrency) {
      const start = this.urgent.shift() ?? this.normal.shift();
      if (!start) return;
      start();
    }
  }
}
