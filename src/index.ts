/**
 * The faultline library: the CLI, and later the daemon and dashboard, are thin layers over it.
 *
 * ```ts
 * import { loadExperiment, runExperiment } from 'faultline';
 * const { report, exitCode } = await runExperiment(loadExperiment('checkout.yaml'));
 * ```
 */
import './faults/index.js';
import './probes/index.js';
import { Journal } from './journal/journal.js';
import { type RecoveryOutcome, recoverJournal } from './journal/recover.js';

export { type AlertFeed, AlertHub, type ReceivedAlert } from './engine/alerts.js';
export type { RunEvent, RunListener } from './engine/events.js';
export { type PlannedFault, planExperiment } from './engine/plan.js';
export { type RunOptions, type RunResult, runExperiment } from './engine/run.js';
export { faultNames } from './faults/index.js';
export { Journal, type JournalEntry } from './journal/journal.js';
export type { RecoveryOutcome } from './journal/recover.js';
export { probeTypeNames } from './probes/index.js';
export type { Phase, Sample } from './probes/sample.js';
export { getReportFormat, reportFormatNames } from './report/index.js';
export type { Measurements, ReportFault, ReportProbe, RunReport, TimelineEvent, Verdict } from './report/types.js';
export { formatJsonSchema } from './spec/json-schema.js';
export { type Experiment, type LoadOptions, loadExperiment, loadExperiments, parseExperiments } from './spec/load.js';
export { RunStore } from './store/store.js';
export { createTestHosts, type TestHosts, type TestHostsOptions } from './netns/index.js';
export { EXIT, UserError, UserErrors } from './util/errors.js';

/** Reverts every fault left applied by a run that is gone (what `faultline recover` does). */
export async function recover(options: { includeLiveRuns?: boolean; journal?: Journal } = {}): Promise<RecoveryOutcome[]> {
  const journal = options.journal ?? new Journal();
  try {
    return await recoverJournal(journal, options);
  } finally {
    if (!options.journal) journal.close();
  }
}
