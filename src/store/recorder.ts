/**
 * What a run needs from a store: it records its start, then its report with every sample. The SQLite
 * `RunStore` is one; the daemon passes its own, which writes to SQLite or PostgreSQL.
 */
import type { Sample } from '../probes/sample.js';
import type { RunReport } from '../report/types.js';

export interface RunStart {
  id: string;
  experiment: string;
  file: string | null;
  startedAt: string;
  seed: number;
}

export interface RunRecorder {
  startRun(run: RunStart): void;
  finishRun(report: RunReport, samples: readonly Sample[]): void;
}
