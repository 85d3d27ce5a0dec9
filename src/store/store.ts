/** Runs, their probe samples and timeline events, in SQLite (`$FAULTLINE_HOME/runs.db`). */
import { join } from 'node:path';
import type { Sample } from '../probes/sample.js';
import type { RunReport } from '../report/types.js';
import { faultlineHome } from '../util/home.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';
import { finishedRunValues } from './daemon-rows.js';
import { finishRunSql, RUN_FIGURE_COLUMNS } from './sql.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  experiment TEXT NOT NULL,
  file TEXT,
  verdict TEXT,
  reason TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  seed INTEGER NOT NULL,
  report TEXT,
  mttd_ms REAL,
  mttr_ms REAL,
  availability REAL
);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at);
CREATE TABLE IF NOT EXISTS samples (
  run_id TEXT NOT NULL,
  probe TEXT NOT NULL,
  t TEXT NOT NULL,
  ok INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  phase TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_run ON samples (run_id);
CREATE TABLE IF NOT EXISTS events (
  run_id TEXT NOT NULL,
  t TEXT NOT NULL,
  event TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id);
`;

export interface RunSummary {
  id: string;
  experiment: string;
  file: string | null;
  verdict: string | null;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  seed: number;
}

/**
 * Stores made before the figures moved into `runs` (they were in the daemon's run_meta, and missing
 * for CLI runs) get the columns, filled from each stored report, once.
 */
function addFigureColumns(db: SqliteDatabase): void {
  const present = new Set((db.prepare('PRAGMA table_info(runs)').all() as { name: string }[]).map((c) => c.name));
  if (RUN_FIGURE_COLUMNS.every((c) => present.has(c))) return;
  db.transaction(() => {
    for (const column of RUN_FIGURE_COLUMNS) if (!present.has(column)) db.exec(`ALTER TABLE runs ADD COLUMN ${column} REAL`);
    db.exec(`UPDATE runs SET mttd_ms = json_extract(report, '$.measurements.mttdMs'), mttr_ms = json_extract(report, '$.measurements.mttrMs'),
      availability = json_extract(report, '$.measurements.availability') WHERE report IS NOT NULL`);
  })();
}

export class RunStore {
  private readonly db: SqliteDatabase;

  constructor(file: string = join(faultlineHome(), 'runs.db')) {
    this.db = openSqlite(file, SCHEMA);
    addFigureColumns(this.db);
  }

  startRun(run: { id: string; experiment: string; file: string | null; startedAt: string; seed: number }): void {
    this.db
      .prepare('INSERT INTO runs (id, experiment, file, started_at, seed) VALUES (?, ?, ?, ?, ?)')
      .run(run.id, run.experiment, run.file, run.startedAt, run.seed);
  }

  /** Stores the final report with its samples and events, in one transaction. */
  finishRun(report: RunReport, samples: readonly Sample[]): void {
    const insertSample = this.db.prepare(
      'INSERT INTO samples (run_id, probe, t, ok, latency_ms, phase, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertEvent = this.db.prepare('INSERT INTO events (run_id, t, event, detail) VALUES (?, ?, ?, ?)');
    const args: unknown[] = [];
    const finish = this.db.prepare(
      finishRunSql((value) => {
        args.push(value);
        return '?';
      }, finishedRunValues(report)),
    );
    this.db.transaction(() => {
      finish.run(...args);
      for (const s of samples) {
        insertSample.run(report.runId, s.probe, new Date(s.t).toISOString(), s.ok ? 1 : 0, s.latencyMs, s.phase, s.detail);
      }
      for (const e of report.timeline) insertEvent.run(report.runId, e.t, e.event, e.detail);
    })();
  }

  listRuns(limit = 50): RunSummary[] {
    const rows = this.db
      .prepare('SELECT id, experiment, file, verdict, reason, started_at, ended_at, seed FROM runs ORDER BY started_at DESC LIMIT ?')
      .all(limit) as {
      id: string;
      experiment: string;
      file: string | null;
      verdict: string | null;
      reason: string | null;
      started_at: string;
      ended_at: string | null;
      seed: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      experiment: r.experiment,
      file: r.file,
      verdict: r.verdict,
      reason: r.reason,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      seed: r.seed,
    }));
  }

  /** The report of a run, found by its id or an unambiguous prefix of it. */
  findReport(idOrPrefix: string): RunReport | undefined | 'ambiguous' {
    const rows = this.db.prepare("SELECT report FROM runs WHERE id LIKE ? || '%' AND report IS NOT NULL LIMIT 2").all(idOrPrefix) as {
      report: string;
    }[];
    if (rows.length > 1) return 'ambiguous';
    return rows[0] ? (JSON.parse(rows[0].report) as RunReport) : undefined;
  }

  samplesOf(runId: string): Sample[] {
    const rows = this.db.prepare('SELECT probe, t, ok, latency_ms, phase, detail FROM samples WHERE run_id = ? ORDER BY t').all(runId) as {
      probe: string;
      t: string;
      ok: number;
      latency_ms: number;
      phase: Sample['phase'];
      detail: string;
    }[];
    return rows.map((r) => ({
      probe: r.probe,
      t: Date.parse(r.t),
      ok: r.ok === 1,
      latencyMs: r.latency_ms,
      phase: r.phase,
      detail: r.detail,
    }));
  }

  close(): void {
    this.db.close();
  }
}
