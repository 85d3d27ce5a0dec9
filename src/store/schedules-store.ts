/**
 * Schedules (documents, like experiments) and their history: one occurrence row per cron occurrence
 * decided (started, skipped, missed), unique, so a restart (or a second daemon on the same database)
 * never doubles a run; and the runs a schedule started, for minInterval, concurrency and its history
 * limit. Used by the scheduler (schedule/scheduler.ts, everything it needs), server/documents.ts and the
 * schedule routes and pages. Part of DaemonStore (daemon-store.ts).
 */
import type { StoredDocument } from './documents-store.js';

export interface StoredSchedule extends StoredDocument {
  cron: string;
  timeZone: string;
  /** the stored experiment it runs, or null when its experiment is inline */
  experimentRef: string | null;
  suspended: boolean;
  /** the latest occurrence decided (started, skipped or missed), ISO */
  lastScheduledAt: string | null;
}

export type OccurrenceOutcome = 'pending' | 'started' | 'skipped' | 'missed' | 'error';

export interface Occurrence {
  schedule: string;
  scheduledFor: string;
  decidedAt: string;
  outcome: OccurrenceOutcome;
  detail: string;
  runId: string | null;
}

export interface SchedulesStore {
  listSchedules(): Promise<StoredSchedule[]>;
  getSchedule(name: string): Promise<StoredSchedule | undefined>;
  putSchedules(schedules: StoredSchedule[], replace: boolean): Promise<void>;
  deleteSchedule(name: string): Promise<boolean>;
  setScheduleSuspended(name: string, suspended: boolean, by: string): Promise<boolean>;
  /** records that an occurrence is being decided; false when it already was (by this or another daemon) */
  claimOccurrence(schedule: string, scheduledFor: string): Promise<boolean>;
  settleOccurrence(schedule: string, scheduledFor: string, outcome: OccurrenceOutcome, detail: string, runId: string | null): Promise<void>;
  listOccurrences(schedule: string, limit: number): Promise<Occurrence[]>;
  /** when the latest run of this schedule was started (epoch ms), for minInterval */
  lastStartOf(schedule: string): Promise<number | null>;
  unfinishedRunsOfSchedule(schedule: string): Promise<string[]>;
  /** deletes the finished runs of a schedule beyond the `keep` latest, and their occurrences; returns the run ids deleted */
  pruneScheduleHistory(schedule: string, keep: number): Promise<string[]>;
}
