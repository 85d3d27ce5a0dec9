/** Game-day state in SQLite (`$FAULTLINE_HOME/runs.db` by default, beside the runs and the daemon's tables). */
import { join } from 'node:path';
import { faultlineHome } from '../util/home.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';
import {
  type ApprovalOutcome,
  decideApproval,
  GAMEDAY_TABLES,
  type GameDayRecord,
  type GameDayRow,
  type GameDayStatus,
  type GameDayStore,
  type Note,
  type NoteInput,
  type NoteRow,
  type StageRecord,
  type StageRow,
  stageAssignments,
  toGameDay,
  toNote,
} from './gameday-store.js';

const SCHEMA = `${GAMEDAY_TABLES}
CREATE TABLE IF NOT EXISTS gameday_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, gameday_id TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL,
  author TEXT NOT NULL, text TEXT NOT NULL, severity TEXT, owner TEXT, due TEXT
);
`;

export class SqliteGameDayStore implements GameDayStore {
  readonly kind = 'sqlite' as const;
  private readonly db: SqliteDatabase;

  constructor(file: string = join(faultlineHome(), 'runs.db')) {
    this.db = openSqlite(file, SCHEMA);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async create(record: Omit<GameDayRecord, 'stages'>, stageNames: string[]): Promise<void> {
    const insertStage = this.db.prepare(
      "INSERT INTO gameday_stages (gameday_id, idx, name, status, run_ids, detail) VALUES (?, ?, ?, 'pending', '[]', '')",
    );
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO gamedays (id, name, file, facilitator, observers, status, reason, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          record.id,
          record.name,
          record.file,
          record.facilitator,
          JSON.stringify(record.observers),
          record.status,
          record.reason,
          record.startedAt,
          record.endedAt,
        );
      for (const [i, name] of stageNames.entries()) insertStage.run(record.id, i, name);
    })();
  }

  private read(id: string): GameDayRecord | undefined {
    const row = this.db.prepare('SELECT * FROM gamedays WHERE id = ?').get(id) as GameDayRow | undefined;
    if (!row) return undefined;
    const stages = this.db.prepare('SELECT * FROM gameday_stages WHERE gameday_id = ?').all(id) as StageRow[];
    return toGameDay(row, stages);
  }

  async get(idOrPrefix: string): Promise<GameDayRecord | undefined | 'ambiguous'> {
    const rows = this.db.prepare("SELECT id FROM gamedays WHERE id LIKE ? || '%' LIMIT 2").all(idOrPrefix) as { id: string }[];
    if (rows.length > 1) return 'ambiguous';
    return rows[0] ? this.read(rows[0].id) : undefined;
  }

  async list(limit: number): Promise<GameDayRecord[]> {
    const rows = this.db.prepare('SELECT id FROM gamedays ORDER BY started_at DESC LIMIT ?').all(limit) as { id: string }[];
    return rows.flatMap((r) => this.read(r.id) ?? []);
  }

  async setStatus(id: string, status: GameDayStatus, reason: string, endedAt: string | null): Promise<void> {
    this.db.prepare('UPDATE gamedays SET status = ?, reason = ?, ended_at = ? WHERE id = ?').run(status, reason, endedAt, id);
  }

  async updateStage(id: string, index: number, change: Partial<Omit<StageRecord, 'index' | 'name'>>): Promise<void> {
    const set = stageAssignments(change);
    if (!set.length) return;
    this.db
      .prepare(`UPDATE gameday_stages SET ${set.map(([c]) => `${c} = ?`).join(', ')} WHERE gameday_id = ? AND idx = ?`)
      .run(...set.map(([, v]) => v), id, index);
  }

  async approve(id: string, index: number | undefined, by: string, at: string): Promise<ApprovalOutcome> {
    // one transaction: the decision and the write see the same state
    return this.db
      .transaction((): ApprovalOutcome => {
        const record = this.read(id);
        if (!record) return { ok: false, why: 'unknown-gameday', detail: `no game day ${id}` };
        const decided = decideApproval(record, index);
        if (!decided.ok) return decided;
        this.db
          .prepare('UPDATE gameday_stages SET approved_by = ?, approved_at = ? WHERE gameday_id = ? AND idx = ?')
          .run(by, at, id, decided.index);
        return { ok: true, stage: this.read(id)?.stages[decided.index] as StageRecord };
      })
      .immediate();
  }

  async addNote(id: string, note: NoteInput, at: string): Promise<Note> {
    const row = this.db
      .prepare(
        'INSERT INTO gameday_notes (gameday_id, kind, at, author, text, severity, owner, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
      )
      .get(id, note.kind, at, note.author, note.text, note.severity ?? null, note.owner ?? null, note.due ?? null) as NoteRow;
    return toNote(row);
  }

  async notes(id: string): Promise<Note[]> {
    return (this.db.prepare('SELECT * FROM gameday_notes WHERE gameday_id = ? ORDER BY id').all(id) as NoteRow[]).map(toNote);
  }
}
