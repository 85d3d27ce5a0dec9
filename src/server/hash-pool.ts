/**
 * The password-hashing pool: at most `concurrency` scrypt computations at once, so that a flood of
 * attempts cannot take every core (and the event loop's share of them) from the rest of the daemon;
 * bounded queues behind them, refused beyond their size rather than grown; and three lanes, served in
 * order: `urgent` for the safety endpoints (halt, stop a run), which also has one slot of its own
 * beyond `concurrency`, so a halt waits for no computation at all;
 * `normal`; and `suspect` for tokens and addresses that failed recently, so that a flood of wrong
 * secrets delays nobody but itself.
 */
export type Lane = 'urgent' | 'normal' | 'suspect';

export class PoolFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many authentications are waiting');
  }
}

export class HashPool {
  private active = 0;
  private readonly lanes: Record<Lane, (() => void)[]> = { urgent: [], normal: [], suspect: [] };
  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  run<T>(work: () => Promise<T>, lane: Lane): Promise<T> {
    const queue = this.lanes[lane];
    if (lane !== 'urgent' && this.active >= this.concurrency && queue.length >= this.maxQueued) return Promise.reject(new PoolFullError(1));
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        this.active++;
        Promise.resolve()
          .then(work)
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
    return { active: this.active, queued: this.lanes.urgent.length + this.lanes.normal.length + this.lanes.suspect.length };
  }

  private next(): void {
    while (this.lanes.urgent.length && this.active < this.concurrency + 1) this.lanes.urgent.shift()?.();
    while (this.active < this.concurrency) {
      const start = this.lanes.normal.shift() ?? this.lanes.suspect.shift();
      if (!start) return;
      start();
    }
  }
}
