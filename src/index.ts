/**
 * The faultline library: the CLI, the daemon and the dashboard are thin layers over it.
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
import type { Daemon } from './server/daemon.js';
import type { DaemonOptions } from './server/services.js';

export type { PlannedFault } from './backends/types.js';
export { type AlertFeed, AlertHub, type ReceivedAlert } from './engine/alerts.js';
export type { RunEvent, RunListener } from './engine/events.js';
export { planExperiment } from './engine/plan.js';
export { type RunOptions, type RunResult, runExperiment } from './engine/run.js';
export { faultNames } from './faults/index.js';
export { Journal, type JournalEntry } from './journal/journal.js';
export type { RecoveryOutcome } from './journal/recover.js';
export { createTestHosts, type TestHosts, type TestHostsOptions } from './kernel/netns.js';
export { probeTypeNames } from './probes/index.js';
export type { Phase, Sample } from './probes/sample.js';
export { getReportFormat, reportFormatNames } from './report/index.js';
export type {
  DataLoss,
  Measurements,
  ReportAlert,
  ReportFault,
  ReportProbe,
  ReportProgressive,
  ReportProgressiveStage,
  ReportTolerance,
  RunReport,
  SloMeasurement,
  TimelineEvent,
  Verdict,
} from './report/types.js';
export { nextRunTimes } from './schedule/next-runs.js';
export type { Daemon } from './server/daemon.js';
export type { DaemonOptions } from './server/services.js';
export { formatJsonSchema } from './spec/json-schema.js';
export {
  type Experiment,
  type LoadOptions,
  loadExperiment,
  loadExperiments,
  type ParsedDocuments,
  parseDocuments,
  parseExperiments,
  type ScheduleDefinition,
} from './spec/load.js';
export type { DaemonStore } from './store/daemon-store.js';
export { openDaemonStore } from './store/open.js';
export type { RunRecorder } from './store/recorder.js';
export { RunStore } from './store/store.js';
export { EXIT, UserError, UserErrors } from './util/errors.js';
export type { SqliteDatabase } from './util/sqlite.js';

/**
 * `faultline serve` in this process: the scheduler, the HTTP API, the dashboard, /metrics. Its modules
 * load on first use, so importing the library stays light. `await daemon.stop()` reverts every run.
 */
export async function startDaemon(options: DaemonOptions = {}): Promise<Daemon> {
  const { Daemon } = await import('./server/daemon.js');
  return Daemon.start(options);
}

/** Reverts every fault left applied by a run that is gone (what `faultline recover` does). */
export async function recover(options: { includeLiveRuns?: boolean; journal?: Journal } = {}): Promise<RecoveryOutcome[]> {
  const journal = options.journal ?? new Journal();
  try {
    return await recoverJournal(journal, options);
  } finally {
    if (!options.journal) journal.close();
  }
}
