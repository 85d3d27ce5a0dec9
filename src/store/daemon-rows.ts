/** The daemon's rows in both dialects: their shapes, their mapping to records, and records back to column values. */
import type { RunReport, Verdict } from '../report/types.js';
import type { AuditEntry, AuditInput } from './audit-store.js';
import type { StoredExperiment } from './documents-store.js';
import type { SessionRecord, TokenRecord, TokenSecretRecord, UserRecord } from './identities-store.js';
import type { RunOrigin, RunRow } from './runs-store.js';
import type { Occurrence, OccurrenceOutcome, StoredSchedule } from './schedules-store.js';

export interface RunRowColumns {
  id: string;
  experiment: string;
  file: string | null;
  verdict: string | null;
  reason: string | null;
  started_at: string;
  ended_at: string | null;
  seed: number | string;
  trigger_kind: string | null;
  actor: string | null;
  schedule: string | null;
  scheduled_for: string | null;
  mttd_ms: number | null;
  mttr_ms: number | null;
  availability: number | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function runRowOf(r: RunRowColumns): RunRow {
  return {
    id: r.id,
    experiment: r.experiment,
    file: r.file,
    verdict: r.verdict as Verdict | null,
    reason: r.reason,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    seed: Number(r.seed),
    trigger: r.trigger_kind as RunRow['trigger'],
    actor: r.actor,
    schedule: r.schedule,
    scheduledFor: r.scheduled_for,
    mttdMs: num(r.mttd_ms),
    mttrMs: num(r.mttr_ms),
    availability: num(r.availability),
  };
}

export interface DocumentRow {
  name: string;
  yaml: string;
  labels: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export type ExperimentRow = DocumentRow & { hypothesis: string };

export function experimentOf(r: ExperimentRow): StoredExperiment {
  return {
    name: r.name,
    yaml: r.yaml,
    labels: JSON.parse(r.labels) as Record<string, string>,
    hypothesis: r.hypothesis,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

export interface ScheduleRow extends DocumentRow {
  cron: string;
  time_zone: string;
  experiment_ref: string | null;
  suspended: number | boolean;
  last_scheduled_at: string | null;
}

export function scheduleOf(r: ScheduleRow): StoredSchedule {
  return {
    name: r.name,
    yaml: r.yaml,
    labels: JSON.parse(r.labels) as Record<string, string>,
    cron: r.cron,
    timeZone: r.time_zone,
    experimentRef: r.experiment_ref,
    suspended: Boolean(r.suspended),
    lastScheduledAt: r.last_scheduled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

export interface OccurrenceRow {
  schedule: string;
  scheduled_for: string;
  decided_at: string;
  outcome: OccurrenceOutcome;
  detail: string;
  run_id: string | null;
}

export function occurrenceOf(r: OccurrenceRow): Occurrence {
  return {
    schedule: r.schedule,
    scheduledFor: r.scheduled_for,
    decidedAt: r.decided_at,
    outcome: r.outcome,
    detail: r.detail,
    runId: r.run_id,
  };
}

export interface UserRow {
  name: string;
  role: string;
  created_at: string;
  created_by: string;
}

export function userOf(r: UserRow): UserRecord {
  return { name: r.name, role: r.role as UserRecord['role'], createdAt: r.created_at, createdBy: r.created_by };
}

export interface TokenRow {
  id: string;
  user_name: string;
  description: string;
  scope: string | null;
  /** JSON list; null in a database made before capabilities existed */
  capabilities: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function tokenOf(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    user: r.user_name,
    description: r.description,
    scope: r.scope ? (JSON.parse(r.scope) as TokenRecord['scope']) : null,
    capabilities: r.capabilities ? (JSON.parse(r.capabilities) as TokenRecord['capabilities']) : [],
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export interface SessionRow {
  token_id: string;
  user_name: string;
  created_at: string;
  expires_at: string;
}

export interface AuditRow {
  seq: number | string;
  at: string;
  actor: string;
  role: string;
  action: string;
  resource: string;
  source: string;
  outcome: AuditInput['outcome'];
  detail: string;
  prev_hash: string;
  hash: string;
}

export function auditOf(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    role: r.role,
    action: r.action,
    resource: r.resource,
    source: r.source,
    outcome: r.outcome,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function sessionOf(r: SessionRow): SessionRecord {
  return { tokenId: r.token_id, user: r.user_name, createdAt: r.created_at, expiresAt: r.expires_at };
}

/** A token row joined with its user's role (null once the user is gone). */
export type TokenSecretRow = TokenRow & { salt: string; hash: string; role: string | null };

export function tokenSecretOf(r: TokenSecretRow): TokenSecretRecord {
  return { ...tokenOf(r), salt: r.salt, hash: r.hash, role: (r.role as TokenSecretRecord['role']) ?? null };
}

// ---------- records to column values, in the order of the INSERTs of both stores ----------

/** run_id, trigger_kind, actor, schedule, scheduled_for, owner_pid, owner_start, owner_host */
/** The values `finishRunSql` sets: verdict, reason, end, the report, then its figures (RUN_FIGURE_COLUMNS), then the id. */
export function finishedRunValues(report: RunReport): unknown[] {
  const m = report.measurements;
  return [report.verdict, report.reason, report.endedAt, JSON.stringify(report), m.mttdMs, m.mttrMs, m.availability, report.runId];
}

export function runMetaValues(runId: string, origin: RunOrigin): unknown[] {
  return [
    runId,
    origin.trigger,
    origin.actor,
    origin.schedule,
    origin.scheduledFor,
    origin.owner.pid,
    origin.owner.start,
    origin.owner.host,
  ];
}

/** name, yaml, labels, hypothesis, created_at, updated_at, updated_by */
export function experimentValues(e: StoredExperiment): unknown[] {
  return [e.name, e.yaml, JSON.stringify(e.labels), e.hypothesis, e.createdAt, e.updatedAt, e.updatedBy];
}

/**
 * name, yaml, labels, cron, time_zone, experiment_ref, suspended, last_scheduled_at, created_at,
 * updated_at, updated_by; `suspended` as the dialect stores it (SQLite has no boolean).
 */
export function scheduleValues(s: StoredSchedule, suspended: boolean | number): unknown[] {
  return [
    s.name,
    s.yaml,
    JSON.stringify(s.labels),
    s.cron,
    s.timeZone,
    s.experimentRef,
    suspended,
    s.lastScheduledAt,
    s.createdAt,
    s.updatedAt,
    s.updatedBy,
  ];
}
