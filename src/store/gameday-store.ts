/**
 * Game-day state, behind one small interface with two implementations (SQLite in `$FAULTLINE_HOME/runs.db`
 * beside the runs, PostgreSQL for a team; the same database as the daemon's store, so the CLI runner and
 * the daemon's API see one another's game days):
 *
 *   gamedays          one row per game-day run: its definition, status and reason
 *   gameday_stages    one row per stage: pending -> waiting (for approval) -> running -> done | failed | ...,
 *                     who approved it and when, the runs it made; a resumed game day skips the done ones
 *   gameday_notes     findings and action items that people add afterwards
 */
export const GAMEDAY_STATUSES = ['running', 'waiting', 'passed', 'failed', 'aborted', 'interrupted', 'error'] as const;
export type GameDayStatus = (typeof GAMEDAY_STATUSES)[number];

/** `done`: every run of the stage ended (whatever their verdicts); only a done stage is never run again. */
export type StageStatus = 'pending' | 'waiting' | 'running' | 'done' | 'aborted' | 'interrupted' | 'skipped';

export interface StageRecord {
  index: number;
  name: string;
  status: StageStatus;
  /** when the stage started to wait for its approval */
  requestedAt: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  runIds: string[];
  /** the worst verdict of its runs */
  verdict: string | null;
  detail: string;
}

export interface GameDayRecord {
  id: string;
  name: string;
  file: string | null;
  facilitator: string;
  observers: string[];
  status: GameDayStatus;
  reason: string;
  startedAt: string;
  endedAt: string | null;
  stages: StageRecord[];
}

export type NoteKind = 'finding' | 'action';

export interface NoteInput {
  kind: NoteKind;
  text: string;
  author: string;
  /** findings: low, medium, high, critical */
  severity?: string | null;
  /** action items: who does it, and by when (a date) */
  owner?: string | null;
  due?: string | null;
}

export interface Note extends Required<NoteInput> {
  id: number;
  gameDayId: string;
  at: string;
}

export type ApprovalOutcome =
  | { ok: true; stage: StageRecord }
  | { ok: false; why: 'unknown-gameday' | 'no-such-stage' | 'no-waiting-stage' | 'already-done' | 'finished'; detail: string };

export interface GameDayStore {
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
  /** creates the game day with its stages, all pending */
  create(record: Omit<GameDayRecord, 'stages'>, stageNames: string[]): Promise<void>;
  /** by its id or an unambiguous prefix */
  get(idOrPrefix: string): Promise<GameDayRecord | undefined | 'ambiguous'>;
  list(limit: number): Promise<GameDayRecord[]>;
  setStatus(id: string, status: GameDayStatus, reason: string, endedAt: string | null): Promise<void>;
  updateStage(id: string, index: number, change: Partial<Omit<StageRecord, 'index' | 'name'>>): Promise<void>;
  /**
   * Approves a stage: the one waiting when `index` is undefined, or stage `index` (1-based in the CLI,
   * 0-based here) ahead of time. A done stage, or a game day that has ended, cannot be approved.
   */
  approve(id: string, index: number | undefined, by: string, at: string): Promise<ApprovalOutcome>;
  addNote(id: string, note: NoteInput, at: string): Promise<Note>;
  notes(id: string): Promise<Note[]>;
}

export const ENDED: readonly GameDayStatus[] = ['passed', 'failed', 'aborted', 'interrupted', 'error'];

/** The approval decision both stores share: which stage, and whether it may be approved. */
export function decideApproval(
  record: GameDayRecord,
  index: number | undefined,
): Extract<ApprovalOutcome, { ok: false }> | { ok: true; index: number } {
  if (ENDED.includes(record.status) && record.status !== 'interrupted') {
    return { ok: false, why: 'finished', detail: `game day ${record.id} has ended (${record.status}); nothing to approve` };
  }
  if (index === undefined) {
    const waiting = record.stages.find((s) => s.status === 'waiting');
    if (!waiting) {
      return {
        ok: false,
        why: 'no-waiting-stage',
        detail: `game day ${record.id} has no stage waiting for approval; name one with --stage N (1 to ${record.stages.length})`,
      };
    }
    return { ok: true, index: waiting.index };
  }
  const stage = record.stages[index];
  if (!stage) {
    return {
      ok: false,
      why: 'no-such-stage',
      detail: `game day ${record.id} has stages 1 to ${record.stages.length}; no stage ${index + 1}`,
    };
  }
  if (stage.status === 'done') return { ok: false, why: 'already-done', detail: `stage ${index + 1} (${stage.name}) has already run` };
  return { ok: true, index };
}

/** Row shapes both stores read, and their mapping to records. */
export interface GameDayRow {
  id: string;
  name: string;
  file: string | null;
  facilitator: string;
  observers: string;
  status: GameDayStatus;
  reason: string;
  started_at: string;
  ended_at: string | null;
}

export interface StageRow {
  idx: number;
  name: string;
  status: StageStatus;
  requested_at: string | null;
  approved_by: string | null;
  approved_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  run_ids: string;
  verdict: string | null;
  detail: string;
}

export interface NoteRow {
  id: number;
  gameday_id: string;
  kind: NoteKind;
  at: string;
  author: string;
  text: string;
  severity: string | null;
  owner: string | null;
  due: string | null;
}

export function toGameDay(row: GameDayRow, stages: StageRow[]): GameDayRecord {
  return {
    id: row.id,
    name: row.name,
    file: row.file,
    facilitator: row.facilitator,
    observers: JSON.parse(row.observers) as string[],
    status: row.status,
    reason: row.reason,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    stages: stages
      .sort((a, b) => Number(a.idx) - Number(b.idx))
      .map((s) => ({
        index: Number(s.idx),
        name: s.name,
        status: s.status,
        requestedAt: s.requested_at,
        approvedBy: s.approved_by,
        approvedAt: s.approved_at,
        startedAt: s.started_at,
        endedAt: s.ended_at,
        runIds: JSON.parse(s.run_ids) as string[],
        verdict: s.verdict,
        detail: s.detail,
      })),
  };
}

export function toNote(row: NoteRow): Note {
  return {
    id: Number(row.id),
    gameDayId: row.gameday_id,
    kind: row.kind,
    at: row.at,
    author: row.author,
    text: row.text,
    severity: row.severity,
    owner: row.owner,
    due: row.due,
  };
}

/** The stage columns a change sets, with their values (`run_ids` as JSON). */
export function stageAssignments(change: Partial<Omit<StageRecord, 'index' | 'name'>>): [string, unknown][] {
  const columns: Record<string, string> = {
    status: 'status',
    requestedAt: 'requested_at',
    approvedBy: 'approved_by',
    approvedAt: 'approved_at',
    startedAt: 'started_at',
    endedAt: 'ended_at',
    runIds: 'run_ids',
    verdict: 'verdict',
    detail: 'detail',
  };
  return Object.entries(change)
    .filter(([key, value]) => value !== undefined && columns[key])
    .map(([key, value]) => [columns[key] as string, key === 'runIds' ? JSON.stringify(value) : value]);
}

export const GAMEDAY_TABLES = `
CREATE TABLE IF NOT EXISTS gamedays (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, file TEXT, facilitator TEXT NOT NULL, observers TEXT NOT NULL,
  status TEXT NOT NULL, reason TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT
);
CREATE TABLE IF NOT EXISTS gameday_stages (
  gameday_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
  requested_at TEXT, approved_by TEXT, approved_at TEXT, started_at TEXT, ended_at TEXT,
  run_ids TEXT NOT NULL, verdict TEXT, detail TEXT NOT NULL, PRIMARY KEY (gameday_id, idx)
);
`;
