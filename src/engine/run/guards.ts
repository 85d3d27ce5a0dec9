/** The guards phase: the guardian watches, then the halt switch, policy, guards, locks, guard and SOT probes. */
import type { Sample } from '../../probes/sample.js';
import { errorMessage, UserError } from '../../util/errors.js';
import { Abort } from '../abort.js';
import { checkBeforeHarm } from '../preflight.js';
import type { RunContext } from './context.js';

/** Throws an Abort when a guard refuses, a UserError when the guardian could not start. */
export async function checkGuards(ctx: RunContext): Promise<void> {
  const { experiment, plan, runId, timeline, harm } = ctx;
  // The guardian must watch before anything changes (target setups journal records too); waited for
  // here, before the guard probes, so that its start does not compete with them.
  try {
    await ctx.stores.guarded;
  } catch (error) {
    throw new UserError(`${errorMessage(error)}; faultline injects nothing without it (it reverts the faults if this process dies)`);
  }

  timeline.emit({ type: 'phase', phase: 'before' });
  const onSample = (sample: Sample) => ctx.samples.push(sample);
  const control = ctx.stores.control;
  const guards = await checkBeforeHarm({ experiment, plan, runId, control, dryRun: false, signal: harm.signal, onSample });
  for (const g of guards) timeline.add(g.ok ? (g.warning ? 'guard-warning' : 'guard') : 'guard-refused', `${g.guard}: ${g.detail}`);
  const refused = guards.find((g) => !g.ok);
  if (refused) throw new Abort(`guard ${refused.guard} refused before any fault: ${refused.detail}`);
}
