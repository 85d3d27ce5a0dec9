/**
 * The runs the daemon records (the engine writes through it as a RunRecorder), with their samples,
 * where each run came from (API or schedule, and which daemon process owns it) and the runs whose
 * daemon died. Used by the daemon's RunManager (server/runs.ts), the runs routes and pages, and the
 * scorecard (programme/scorecard-runs.ts). Part of DaemonStore (daemon-store.ts).
 */
import type { Sample } from '../probes/sample.js';
import type { RunReport, Verdict } from '../report/types.js';
import type { RunStart } from './recorder.js';

export interface RunOrigin {
  trigger: 'api' | 'schedule';
  /** the user who started it, or `schedule NAME` */
  actor: string;
  schedule: string | null;
  /** the cron occurrence, ISO */
  scheduledFor: string | null;
  /** the daemon process that runs it: a run whose process died is marked when a daemon starts */
  owner: { pid: number; start: string; host: string };
}

export interface RunRow {
  id: string;
  experiment: string;
  file: string | null;
  verdict: Verdict | null;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  seed: number;
  /** null for runs the CLI made */
  trigger: 'api' | 'schedule' | null;
  actor: string | null;
  schedule: string | null;
  scheduledFor: string | null;
  mttdMs: number | null;
  mttrMs: number | null;
  availability: number | null;
}

export interface RunFilter {
  experiment?: string;
  /** a verdict, or `running` for runs without one */
  verdict?: Verdict | 'running';
  schedule?: string;
  trigger?: 'api' | 'schedule' | 'cli';
  /** ISO; runs started at or after */
  since?: string;
  /** ISO; runs started before */
  until?: string;
  /** keyset paging: runs strictly older than this one */
  before?: { startedAt: string; id: string };
  limit: number;
}

export interface RunsStore {
  startRun(run: RunStart, origin: RunOrigin | null): Promise<void>;
  finishRun(report: RunReport, samples: readonly Sample[]): Promise<void>;
  listRuns(filter: RunFilter): Promise<RunRow[]>;
  getRun(id: string): Promise<RunRow | undefined>;
  getReport(id: string): Promise<RunReport | undefined>;
  getSamples(id: string): Promise<Sample[]>;
  /** runs of daemons that died, still without a verdict: ended as `error` with `reason` */
  endOrphanedRuns(isAlive: (owner: RunOrigin['owner']) => boolean, reason: string): Promise<string[]>;
}
