/**
 * One fault held by a test: what `inject()` returns. `revert()` (or leaving an `await using` block)
 * reverts it through the injector, which closes its journal entry; repeated calls share one revert.
 */
import type { Injection, Injector } from '../engine/injector.js';
import type { ReportFault, TimelineEvent } from '../report/types.js';

// Node 20 has it (as Symbol.for('nodejs.asyncDispose')); older runtimes get the same symbol
(Symbol as { asyncDispose?: symbol }).asyncDispose ??= Symbol.for('nodejs.asyncDispose');

export class FaultHandle {
  private reverting: Promise<void> | undefined;
  private resolveReverted!: () => void;
  /** settles once the fault is reverted, whoever reverted it (revert(), its duration, the halt switch) */
  readonly reverted: Promise<void> = new Promise((resolve) => {
    this.resolveReverted = resolve;
  });

  constructor(
    /** the fault, as named in the catalogue */
    readonly fault: string,
    private readonly injector: Injector,
    private readonly injections: Injection[],
    /** what happened to it: injected, reverted, refused, with times */
    readonly timeline: TimelineEvent[],
    private readonly onReverted: (handle: FaultHandle) => void,
  ) {
    if (!this.active) this.settle();
  }

  /** the targets it hit, as reports name them: `payments`, `provider-a (pid 4242)` */
  get targets(): string[] {
    return this.injections.map((i) => i.report.target);
  }

  /** the names of the targets it hit (their spec names, without pids) */
  get targetNames(): string[] {
    return [...new Set(this.injections.map((i) => i.target.name))];
  }

  /** one entry per target: description, injectedAt, revertedAt, error (the run report's `faults[]`) */
  get faults(): ReportFault[] {
    return this.injections.map((i) => i.report);
  }

  /** true while any of its injections is in effect */
  get active(): boolean {
    return this.injections.some((i) => !i.reverted);
  }

  /** Reverts the fault on every target; resolves once it is reverted. Idempotent. */
  revert(): Promise<void> {
    this.reverting ??= this.revertAll();
    return this.reverting;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.revert();
  }

  private async revertAll(): Promise<void> {
    await Promise.all(this.injections.map((i) => this.injector.revert(i)));
    const failed = this.injections.filter((i) => !i.reverted);
    if (failed.length) {
      this.reverting = undefined; // a later call tries again; the journal keeps it for faultline recover
      throw new Error(`${this.fault}: revert failed (${failed.map((i) => i.report.error).join('; ')}); run faultline recover`);
    }
    this.settle();
  }

  private settled = false;
  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.onReverted(this);
    this.resolveReverted();
  }
}
