/**
 * What the faults of one test process share, opened at its first `inject()`: the journal and the
 * host's control database (halt switch, locks, runs in progress), a guardian process that reverts the
 * faults if this process dies, and the proxies in front of endpoint targets, kept open between faults
 * so that the system under test reaches its dependency through them all along.
 *
 * The process counts as one run (one run id) for the journal, the locks and `faultline halt`: it is
 * registered while a fault is held, and its locks are released when the last one is reverted.
 */
import { randomBytes } from 'node:crypto';
import { backendFor } from '../backends/index.js';
import { Timeline } from '../engine/events.js';
import { type HaltWatch, watchHalt } from '../engine/halt-watch.js';
import { protectionRefusal } from '../engine/identity.js';
import { Injector } from '../engine/injector.js';
import { planStep } from '../engine/plan.js';
import { checkBeforeHarm } from '../engine/preflight.js';
import { RunResources, setUpTargets } from '../engine/resources.js';
import { newSeed } from '../engine/rng.js';
import { Journal } from '../journal/journal.js';
import { type RecoveryOutcome, recoverJournal } from '../journal/recover.js';
import { registerRun, unregisterRun } from '../safety/active-runs.js';
import { openControlDb } from '../safety/control-db.js';
import { acquireGuardian, releaseGuardian } from '../safety/guardian.js';
import { describeHalt } from '../safety/halt.js';
import { releaseLocks } from '../safety/locks.js';
import type { Experiment } from '../spec/load.js';
import type { FaultStep, TargetSpec } from '../spec/schema.js';
import { EXIT, errorMessage, UserError } from '../util/errors.js';
import { faultlineHome } from '../util/home.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { FaultHandle } from './handle.js';

/** A check before harm refused the fault (the halt switch, the policy, a lock held by another run, ...). */
export class InjectRefusedError extends UserError {
  constructor(
    /** which check: `halt`, `policy`, `lock`, `freeze`, ... */
    readonly guard: string,
    message: string,
  ) {
    super(message, EXIT.aborted);
    this.name = 'InjectRefusedError';
  }
}

/** A proxy (or another target setup) kept for the process, under a target's name. */
interface HeldSetup {
  spec: string;
  resources: RunResources;
}

export class ChaosSession {
  readonly runId = `test-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
  readonly journal: Journal;
  readonly control: SqliteDatabase;
  /** what the first inject of this process found left by a dead one, and reverted */
  recovered: RecoveryOutcome[] = [];
  private readonly held = new Set<FaultHandle>();
  private readonly setups = new Map<string, HeldSetup>();
  private guarded: Promise<void> | null = null;
  private haltWatch: HaltWatch | null = null;

  constructor(readonly home: string) {
    this.journal = new Journal();
    this.control = openControlDb();
  }

  /** The faults of this process still in effect. */
  get active(): FaultHandle[] {
    return [...this.held];
  }

  /** Reverts what a dead process left (its guardian died with it, say); live processes' faults are theirs. */
  async recoverFirst(): Promise<void> {
    this.recovered = (await recoverJournal(this.journal, { by: 'the next inject' })).filter((r) => r.action !== 'skipped-live-run');
  }

  /** Checks, journals and applies one fault step; the handle reverts it. */
  async apply(experiment: Experiment, step: FaultStep): Promise<FaultHandle> {
    await this.watchedByGuardian();
    const plan = await planStep(experiment, 'inject', step, newSeed());
    const checks = await checkBeforeHarm({
      experiment,
      plan: [plan],
      runId: this.runId,
      control: this.control,
      dryRun: false,
      signal: new AbortController().signal,
      onSample: () => {},
    });
    const refused = checks.find((c) => !c.ok);
    if (refused) {
      if (this.held.size === 0) releaseLocks(this.control, this.runId);
      throw new InjectRefusedError(refused.guard, `inject ${step.name}: ${refused.guard} refused it before any harm: ${refused.detail}`);
    }
    if (this.held.size === 0) this.startHolding();
    const timeline = new Timeline();
    const resources = await this.resourcesFor(
      plan.selected.map((t) => t.spec),
      experiment.name,
    );
    const injector = new Injector(this.journal, { runId: this.runId, experiment: `test: ${step.name}` }, timeline, resources, (target) =>
      protectionRefusal(experiment, target),
    );
    let handle: FaultHandle;
    try {
      const injections = await backendFor(experiment).applyStep(plan, injector);
      handle = new FaultHandle(step.fault, injector, injections, timeline.events, (h) => this.release(h));
    } catch (error) {
      await injector.revertAll();
      if (this.held.size === 0) this.stopHolding();
      throw error;
    }
    if (handle.active) {
      this.held.add(handle);
      if (step.durationMs !== null) this.revertAfter(handle, step.durationMs);
    } else if (this.held.size === 0) this.stopHolding();
    return handle;
  }

  /** Reverts every fault of this process, closes its proxies and lets its guardian go. */
  async close(): Promise<void> {
    const errors: string[] = [];
    for (const handle of this.active) await handle.revert().catch((error) => errors.push(errorMessage(error)));
    for (const [name, setup] of this.setups) {
      for (const problem of await setup.resources.disposeAll()) errors.push(`${name}: ${problem}`);
    }
    this.setups.clear();
    if (this.guarded) releaseGuardian(this.journal.file);
    this.guarded = null;
    this.journal.close();
    this.control.close();
    if (errors.length) throw new UserError(`faultline: ${errors.join('; ')}; run faultline recover`);
  }

  private async watchedByGuardian(): Promise<void> {
    this.guarded ??= acquireGuardian(this.journal.file);
    try {
      await this.guarded;
    } catch (error) {
      this.guarded = null;
      throw new UserError(`${errorMessage(error)}; faultline injects nothing without it (it reverts the faults if this process dies)`);
    }
  }

  /** The proxies of the selected endpoint targets: opened at their first fault, reused after. */
  private async resourcesFor(targets: TargetSpec[], experiment: string): Promise<RunResources> {
    const resources = new RunResources();
    for (const target of new Map(targets.map((t) => [t.name, t])).values()) {
      const spec = JSON.stringify([target.endpoint, target.netns, target.addresses]);
      let setup = this.setups.get(target.name);
      if (setup && setup.spec !== spec) {
        if (this.active.some((h) => h.targetNames.includes(target.name))) {
          throw new UserError(`target ${target.name}: a fault on another endpoint of that name is held; give each target its own name`);
        }
        await setup.resources.disposeAll();
        this.setups.delete(target.name);
        setup = undefined;
      }
      if (!setup) {
        setup = { spec, resources: new RunResources() };
        await setUpTargets([target], { runId: this.runId, experiment, resources: setup.resources }, this.journal);
        this.setups.set(target.name, setup);
      }
      resources.borrowFrom(setup.resources);
    }
    return resources;
  }

  private revertAfter(handle: FaultHandle, ms: number): void {
    const timer = setTimeout(() => handle.revert().catch(() => {}), ms);
    void handle.reverted.then(() => clearTimeout(timer));
  }

  private startHolding(): void {
    registerRun(this.control, this.runId, 'faultline/testing');
    // a halt reverts every fault of this process within a second, as it does a run's
    this.haltWatch = watchHalt(this.control, (halt) => {
      this.haltWatch = null;
      process.emitWarning(`faultline: ${describeHalt(halt)}; reverting the faults of this test process`);
      for (const handle of this.active) handle.revert().catch(() => {});
    });
    this.haltWatch.unref(); // a forgotten fault does not keep the process alive: its guardian reverts it
  }

  private stopHolding(): void {
    this.haltWatch?.stop();
    this.haltWatch = null;
    releaseLocks(this.control, this.runId);
    unregisterRun(this.control, this.runId);
  }

  private release(handle: FaultHandle): void {
    if (!this.held.delete(handle)) return;
    if (this.held.size === 0) this.stopHolding();
  }
}

let current: Promise<ChaosSession> | null = null;

async function openSession(home: string): Promise<ChaosSession> {
  const session = new ChaosSession(home);
  await session.recoverFirst();
  return session;
}

/** The session of this process (of its `$FAULTLINE_HOME`), opened and recovered on first use. */
export async function chaosSession(): Promise<ChaosSession> {
  const home = faultlineHome();
  const open = await current?.catch(() => null);
  if (open && open.home !== home) {
    if (open.active.length)
      throw new UserError(`FAULTLINE_HOME changed from ${open.home} to ${home} while faults are held; revert them first`);
    await closeChaosSession();
  }
  if (!open || open.home !== home) current = openSession(home);
  return current as Promise<ChaosSession>;
}

/** Reverts every fault this process holds and closes its proxies (a suite's global teardown). Safe to call twice. */
export async function closeChaosSession(): Promise<void> {
  const session = await current?.catch(() => null);
  current = null;
  await session?.close();
}
