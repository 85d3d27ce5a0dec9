/**
 * Applies faults through the journal and reverts them. Each injection is journaled (by the fault,
 * through `ctx.journal`) before it takes effect and closed after it is reverted. Reverting is
 * idempotent: a second call, or a call on a half-applied fault, does nothing harmful.
 */
import type { FaultType } from '../faults/types.js';
import type { Journal } from '../journal/journal.js';
import type { ReportFault } from '../report/types.js';
import { guardianPrepared } from '../safety/guardian.js';
import { errorMessage, UserError } from '../util/errors.js';
import type { Timeline } from './events.js';
import type { RunResources } from './resources.js';
import { instanceLabel, type TargetInstance } from './target-instance.js';

export interface Injection {
  fault: FaultType;
  target: TargetInstance;
  report: ReportFault;
  journalId: number | null;
  state: unknown;
  reverted: boolean;
  reverting?: Promise<void>;
}

export class Injector {
  private readonly injections: Injection[] = [];
  /** faults that another process (the guardian of a stalled runner) reverted before this run could */
  readonly revertedElsewhere: string[] = [];
  firstInjectedAt: number | null = null;
  lastRevertedAt: number | null = null;
  /** injections and reverts under way, and when the latest began or ended (see faultsHeldSince) */
  private changing = 0;
  private lastChangeAt: number | null = null;

  constructor(
    private readonly journal: Journal,
    private readonly run: { runId: string; experiment: string },
    private readonly timeline: Timeline,
    private readonly resources: RunResources,
    /** why an injection into this target must not happen (a protected target), or null */
    private readonly refuse: (target: TargetInstance) => string | null = () => null,
  ) {}

  get reportFaults(): ReportFault[] {
    return this.injections.map((i) => i.report);
  }

  get active(): Injection[] {
    return this.injections.filter((i) => !i.reverted);
  }

  /** Applies one fault to one target. On failure, whatever was applied is reverted and the error rethrown. */
  async inject(stepName: string, fault: FaultType, params: unknown, target: TargetInstance, durationMs: number | null): Promise<Injection> {
    const label = instanceLabel(target);
    // the last gate before any harm, whatever chose the target: a protected target, by identity, is refused
    const refusal = this.refuse(target);
    if (refusal) {
      this.timeline.add('inject-refused', `${fault.name} on ${label}: ${refusal}`);
      throw new UserError(`${stepName}: ${refusal}`);
    }
    const injection: Injection = {
      fault,
      target,
      journalId: null,
      state: undefined,
      reverted: false,
      report: {
        step: stepName,
        fault: fault.name,
        target: label,
        injectedAt: null,
        revertedAt: null,
        error: null,
        description: fault.describe(params, target, durationMs),
      },
    };
    this.injections.push(injection);
    try {
      // a revert that needs more loaded is loaded by the guardian before the fault exists, not after
      if (fault.prepareRevert) await guardianPrepared(this.journal.file, fault.name);
      await this.changes(() =>
        fault.inject({
          params,
          target,
          durationMs,
          resources: this.resources,
          // the first call writes the entry; later calls replace its state (what revert needs grew)
          journal: (state) => {
            injection.state = state;
            if (injection.journalId === null) {
              injection.journalId = this.journal.begin({ ...this.run, step: stepName, fault: fault.name, target: label, state });
            } else {
              this.journal.updateState(injection.journalId, state);
            }
          },
        }),
      );
    } catch (error) {
      injection.report.error = errorMessage(error);
      this.timeline.add('inject-failed', `${fault.name} on ${label}: ${errorMessage(error)}`);
      await this.revert(injection);
      throw error;
    }
    const now = Date.now();
    if (injection.journalId !== null) this.journal.markActive(injection.journalId);
    injection.report.injectedAt = new Date(now).toISOString();
    this.firstInjectedAt ??= now;
    this.timeline.add('injected', injection.report.description ?? `${fault.name} on ${label}`, now);
    if (fault.instantaneous) await this.revert(injection);
    return injection;
  }

  /** Reverts one injection; concurrent and repeated calls share one revert. */
  revert(injection: Injection): Promise<void> {
    if (injection.reverted) return Promise.resolve();
    injection.reverting ??= this.doRevert(injection);
    return injection.reverting;
  }

  private async doRevert(injection: Injection): Promise<void> {
    const label = instanceLabel(injection.target);
    if (injection.journalId === null) {
      // The fault failed before it journaled anything: it changed nothing.
      injection.reverted = true;
      return;
    }
    try {
      await this.journal.waitForOtherReverter(injection.journalId);
      this.journal.claim(injection.journalId);
      const before = this.journal.get(injection.journalId);
      if (before?.status === 'reverted' && before.revertedBy && before.revertedBy !== 'run') {
        this.revertedElsewhere.push(`${injection.fault.name} on ${label} by ${before.revertedBy}`);
      }
      // reverted here too, even when another process did: what lives in this process (an embedded proxy's
      // toxics) can only be undone here, and reverting is idempotent
      const outcome = await this.changes(() => injection.fault.revert(injection.state));
      if (outcome?.engine) injection.report.engine = outcome.engine;
      this.journal.markReverted(injection.journalId);
      injection.reverted = true;
      const now = Date.now();
      injection.report.revertedAt = new Date(now).toISOString();
      this.lastRevertedAt = Math.max(this.lastRevertedAt ?? 0, now);
      if (!injection.fault.instantaneous) this.timeline.add('reverted', `${injection.fault.name} on ${label}`, now);
    } catch (error) {
      this.journal.markRevertFailed(injection.journalId, errorMessage(error));
      injection.report.error = `revert failed: ${errorMessage(error)}`;
      this.timeline.add('revert-failed', `${injection.fault.name} on ${label}: ${errorMessage(error)}; run faultline recover`);
      injection.reverting = undefined;
    }
  }

  /**
   * Whether an observation that started at `startedAt` and ends now saw the faults held as they are:
   * the chaos had begun (a first fault went in), and none went in or came out meanwhile. One in flight while a fault went in or came
   * out may have seen the system without it (a request answered before the clock was moved).
   */
  faultsHeldSince(startedAt: number): boolean {
    return this.firstInjectedAt !== null && this.changing === 0 && this.lastChangeAt !== null && this.lastChangeAt < startedAt;
  }

  /** Runs an injection or a revert, kept track of for faultsHeldSince. */
  private async changes<T>(work: () => Promise<T>): Promise<T> {
    this.changing++;
    this.lastChangeAt = Date.now();
    try {
      return await work();
    } finally {
      this.changing--;
      this.lastChangeAt = Date.now();
    }
  }

  /** Reverts every active injection at once. */
  async revertAll(): Promise<void> {
    await Promise.all(this.active.map((i) => this.revert(i)));
  }
}
