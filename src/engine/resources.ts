/**
 * What a run holds for its whole length and shares with its faults: a proxy in front of an endpoint,
 * say, set up before the baseline so traffic flows through it on both sides of the chaos. Each
 * resource is disposed when the run ends, after every fault is reverted.
 */
import type { Journal } from '../journal/journal.js';
import type { TargetSpec } from '../spec/target.js';
import { errorMessage } from '../util/errors.js';
import { Registry } from '../util/registry.js';

export class RunResources {
  private readonly items = new Map<string, { value: unknown; dispose: () => Promise<void> }>();

  get<T>(key: string): T | undefined {
    return this.items.get(key)?.value as T | undefined;
  }

  add<T>(key: string, value: T, dispose: () => Promise<void>): T {
    if (this.items.has(key)) throw new Error(`run resource ${key} is added twice`);
    this.items.set(key, { value, dispose });
    return value;
  }

  /** Holds `other`'s resources too, without owning them: disposing this leaves them open (a test's long-lived proxies). */
  borrowFrom(other: RunResources): void {
    for (const [key, item] of other.items) this.add(key, item.value, async () => {});
  }

  /** Disposes everything, newest first; returns the errors as `key: message`. */
  async disposeAll(): Promise<string[]> {
    const errors: string[] = [];
    for (const [key, item] of [...this.items.entries()].reverse()) {
      try {
        await item.dispose();
      } catch (error) {
        errors.push(`${key}: ${errorMessage(error)}`);
      }
      this.items.delete(key);
    }
    return errors;
  }
}

export interface TargetSetupContext {
  runId: string;
  experiment: string;
  resources: RunResources;
  /**
   * Journals a change the setup makes outside this process (an nftables rule, a proxy on a shared
   * server), under the name of a registered fault whose `revert(state)` undoes it; returns a function
   * that closes the entry once the change is undone.
   */
  journal: (fault: string, target: string, state: unknown) => () => void;
}

/** Prepares what a kind of target needs for the whole run (one file per kind, one registry). */
export interface TargetSetup {
  name: string;
  applies(target: TargetSpec): boolean;
  setup(target: TargetSpec, ctx: TargetSetupContext): Promise<void>;
}

const setups = new Registry<TargetSetup>('target setup');

export function registerTargetSetup(setup: TargetSetup): TargetSetup {
  return setups.add(setup.name, setup);
}

/** Runs every setup that applies to a target of the experiment. */
export async function setUpTargets(
  targets: readonly TargetSpec[],
  ctx: Omit<TargetSetupContext, 'journal'>,
  journal: Journal,
): Promise<void> {
  const fullCtx: TargetSetupContext = {
    ...ctx,
    journal: (fault, target, state) => {
      const id = journal.begin({ runId: ctx.runId, experiment: ctx.experiment, step: 'setup', fault, target, state });
      journal.markActive(id);
      return () => journal.markReverted(id);
    },
  };
  for (const target of targets) {
    for (const setup of setups.values()) if (setup.applies(target)) await setup.setup(target, fullCtx);
  }
}
