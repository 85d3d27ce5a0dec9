/**
 * Runs a game day: announces it, then each stage in order: waits for its approval when it has one (a
 * timeout aborts the rest), runs its experiments serially or in parallel, and records the stage as done.
 * Every step is written to the game-day store first, so an interrupted game day (signal, halt, a killed
 * process) shows which stages ran, and resuming it never repeats a finished stage. The faults themselves
 * are reverted by each run (or, after a kill, by `faultline recover` and the next run's start).
 */
import { randomBytes } from 'node:crypto';
import type { RunResult } from '../engine/run.js';
import type { Announcement } from '../observe/notify/channel.js';
import type { Verdict } from '../report/types.js';
import { activeHalt, describeHalt } from '../safety/halt.js';
import type { Experiment } from '../spec/load.js';
import type { GameDayRecord, GameDayStatus, GameDayStore, StageRecord } from '../store/gameday-store.js';
import { formatDuration } from '../util/duration.js';
import { UserError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import type { GameDay, GameDayStage } from './gameday.js';

export interface GameDayRunOptions {
  store: GameDayStore;
  /** host-local safety state: the halt switch */
  control: SqliteDatabase;
  /** the id of an interrupted game-day run to resume */
  resume?: string;
  /** aborting it reverts every fault (each run ends interrupted) and ends the game day interrupted */
  signal: AbortSignal;
  /**
   * runs one experiment (the CLI gives its progress and observers); a runner that knows the run's id
   * before it ends calls `started` with it, so the stage shows its runs while they go (the live page)
   */
  runExperiment(experiment: Experiment, signal: AbortSignal, started: (runId: string) => void): Promise<RunResult>;
  /** called with the game-day run's id once it is recorded, long before it ends */
  onStart?(id: string): void;
  announce(announcement: Announcement, experiments: readonly Experiment[]): Promise<void>;
  log(line: string): void;
  /** how often an approval and the halt switch are checked while waiting */
  pollMs?: number;
}

export interface GameDayOutcome {
  id: string;
  status: GameDayStatus;
  reason: string;
  results: RunResult[];
}

const SEVERITY: Verdict[] = ['passed', 'failed', 'aborted', 'error', 'interrupted'];
const worst = (verdicts: Verdict[]): Verdict =>
  verdicts.reduce<Verdict>((w, v) => (SEVERITY.indexOf(v) > SEVERITY.indexOf(w) ? v : w), 'passed');

function newGameDayId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `gd-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The record to run: a new one, or the interrupted one to resume (same game day, not finished). */
async function startRecord(gameDay: GameDay, options: GameDayRunOptions): Promise<GameDayRecord> {
  const now = new Date().toISOString();
  if (options.resume) {
    const found = await options.store.get(options.resume);
    if (found === 'ambiguous') throw new UserError(`--resume ${options.resume}: matches several game days; give more of the id`);
    if (!found) throw new UserError(`--resume ${options.resume}: no such game-day run; list them with \`faultline gameday list\``);
    if (found.name !== gameDay.name) {
      throw new UserError(`--resume ${options.resume}: that run is of game day ${found.name}, not ${gameDay.name}; give its file`);
    }
    if (found.status === 'passed' || found.status === 'failed') {
      throw new UserError(`--resume ${options.resume}: that game day has ended (${found.status}); start a new one without --resume`);
    }
    const names = found.stages.map((s) => s.name).join(',');
    if (names !== gameDay.stages.map((s) => s.name).join(',')) {
      throw new UserError(
        `--resume ${options.resume}: the stages of ${gameDay.file ?? 'the file'} changed since that run; start a new one`,
      );
    }
    await options.store.setStatus(found.id, 'running', 'resumed', null);
    return { ...found, status: 'running' };
  }
  const record: Omit<GameDayRecord, 'stages'> = {
    id: newGameDayId(),
    name: gameDay.name,
    file: gameDay.file,
    facilitator: gameDay.facilitator,
    observers: gameDay.observers,
    status: 'running',
    reason: 'started',
    startedAt: now,
    endedAt: null,
  };
  await options.store.create(
    record,
    gameDay.stages.map((s) => s.name),
  );
  return { ...record, stages: gameDay.stages.map((s) => blankStage(s)) };
}

function blankStage(stage: GameDayStage): StageRecord {
  return {
    index: stage.index,
    name: stage.name,
    status: 'pending',
    requestedAt: null,
    approvedBy: null,
    approvedAt: null,
    startedAt: null,
    endedAt: null,
    runIds: [],
    verdict: null,
    detail: '',
  };
}

type Wait = { ok: true; by: string } | { ok: false; status: GameDayStatus; reason: string };

/** Waits until the stage is approved, the timeout passes, the halt switch is on, or the signal aborts. */
async function waitForApproval(id: string, stage: GameDayStage, options: GameDayRunOptions): Promise<Wait> {
  const timeout = stage.approvalTimeoutMs as number;
  const until = Date.now() + timeout;
  const poll = options.pollMs ?? 250;
  for (;;) {
    const record = await options.store.get(id);
    const current = record && record !== 'ambiguous' ? record.stages[stage.index] : undefined;
    if (current?.approvedBy) return { ok: true, by: current.approvedBy };
    if (options.signal.aborted)
      return { ok: false, status: 'interrupted', reason: `interrupted while stage ${stage.name} waited for approval` };
    const halted = activeHalt(options.control);
    if (halted)
      return { ok: false, status: 'aborted', reason: `halted while stage ${stage.name} waited for approval: ${describeHalt(halted)}` };
    if (Date.now() >= until) {
      return {
        ok: false,
        status: 'aborted',
        reason: `stage ${stage.name} was not approved within ${formatDuration(timeout)}; the rest was not run`,
      };
    }
    await sleep(Math.min(poll, until - Date.now()), options.signal);
  }
}

async function runStage(id: string, stage: GameDayStage, options: GameDayRunOptions): Promise<RunResult[]> {
  const experiments = stage.experiments.map((e) => e.experiment);
  const runIds: string[] = [];
  let writes = Promise.resolve();
  const started = (runId: string) => {
    runIds.push(runId);
    const shown = [...runIds];
    writes = writes.then(() => options.store.updateStage(id, stage.index, { runIds: shown })).catch(() => {});
  };
  const settle = async <T>(results: T): Promise<T> => {
    await writes; // the stage's end is written after its runs' starts
    return results;
  };
  if (stage.parallel) return settle(await Promise.all(experiments.map((e) => options.runExperiment(e, options.signal, started))));
  const results: RunResult[] = [];
  for (const experiment of experiments) {
    if (options.signal.aborted || activeHalt(options.control)) break;
    const result = await options.runExperiment(experiment, options.signal, started);
    results.push(result);
    // a stop condition or an error ends the stage: the system suffered more than allowed
    if (result.report.verdict !== 'passed' && result.report.verdict !== 'failed') break;
  }
  return settle(results);
}

export async function runGameDay(gameDay: GameDay, options: GameDayRunOptions): Promise<GameDayOutcome> {
  const record = await startRecord(gameDay, options);
  const { id } = record;
  options.onStart?.(id);
  const all = gameDay.stages.flatMap((s) => s.experiments.map((e) => e.experiment));
  const say = async (event: string, text: string) => {
    options.log(text);
    await options.announce({ event, subject: id, text }, all);
  };
  const results: RunResult[] = [];
  const end = async (status: GameDayStatus, reason: string): Promise<GameDayOutcome> => {
    await options.store.setStatus(id, status, reason, new Date().toISOString());
    await say('gameday.ended', `Game day ${gameDay.name} (${id}) ended ${status.toUpperCase()}: ${reason}`);
    return { id, status, reason, results };
  };

  const stageList = gameDay.order.map((i) => `${i + 1}. ${gameDay.stages[i]?.name}`).join(', ');
  const starting = `Game day ${gameDay.name} (${id}) ${options.resume ? 'resumes' : 'starts'}${gameDay.announceBeforeMs && !options.resume ? ` in ${formatDuration(gameDay.announceBeforeMs)}` : ''}; facilitator ${gameDay.facilitator}${gameDay.observers.length ? `, observers ${gameDay.observers.join(', ')}` : ''}; stages ${stageList}`;
  await say('gameday.starting', starting);
  if (!options.resume) await sleep(gameDay.announceBeforeMs, options.signal);

  const verdicts: Verdict[] = [];
  for (const index of gameDay.order) {
    const stage = gameDay.stages[index] as GameDayStage;
    const stored = record.stages[index];
    const label = `stage ${index + 1} (${stage.name})`;
    if (stored?.status === 'done') {
      options.log(`${label} already ran (${stored.verdict}); not repeated`);
      if (stored.verdict) verdicts.push(stored.verdict as Verdict);
      continue;
    }
    if (options.signal.aborted) return end('interrupted', `interrupted before ${label}`);
    const halted = activeHalt(options.control);
    if (halted) return end('aborted', `halted before ${label}: ${describeHalt(halted)}`);

    if (stage.approvalTimeoutMs !== null) {
      await options.store.updateStage(id, index, { status: 'waiting', requestedAt: new Date().toISOString() });
      await options.store.setStatus(id, 'waiting', `${label} waits for approval`, null);
      await say(
        'gameday.approval',
        `Game day ${gameDay.name}: ${label} waits for approval (within ${formatDuration(stage.approvalTimeoutMs)}): faultline approve ${id} --stage ${index + 1}`,
      );
      const wait = await waitForApproval(id, stage, options);
      if (!wait.ok) {
        await options.store.updateStage(id, index, {
          status: wait.status === 'interrupted' ? 'interrupted' : 'aborted',
          detail: wait.reason,
        });
        return end(wait.status, wait.reason);
      }
      options.log(`${label} approved by ${wait.by}`);
      await options.store.setStatus(id, 'running', `${label} approved by ${wait.by}`, null);
    }

    await options.store.updateStage(id, index, { status: 'running', startedAt: new Date().toISOString() });
    await say(
      'gameday.stage',
      `Game day ${gameDay.name}: ${label} starts: ${stage.experiments.map((e) => e.experiment.name).join(', ')}${stage.parallel ? ' (in parallel)' : ''}`,
    );
    const stageResults = await runStage(id, stage, options);
    results.push(...stageResults);
    const verdict = worst(stageResults.map((r) => r.report.verdict));
    const runIds = stageResults.map((r) => r.report.runId);
    const interrupted = options.signal.aborted || verdict === 'interrupted';
    const complete = stageResults.length === stage.experiments.length;
    if (interrupted || !complete || verdict === 'aborted' || verdict === 'error') {
      const reason = interrupted
        ? `interrupted during ${label}; every fault was reverted`
        : `${label} ended ${verdict}: ${stageResults.find((r) => r.report.verdict === verdict)?.report.reason ?? 'the halt switch is on'}`;
      await options.store.updateStage(id, index, {
        status: interrupted ? 'interrupted' : 'aborted',
        endedAt: new Date().toISOString(),
        runIds,
        verdict,
        detail: reason,
      });
      return end(interrupted ? 'interrupted' : verdict === 'error' ? 'error' : 'aborted', reason);
    }
    verdicts.push(verdict);
    await options.store.updateStage(id, index, {
      status: 'done',
      endedAt: new Date().toISOString(),
      runIds,
      verdict,
      detail: `${stageResults.length} run(s), worst verdict ${verdict}`,
    });
  }
  const failed = verdicts.filter((v) => v !== 'passed').length;
  return failed
    ? end('failed', `${failed} of ${gameDay.stages.length} stage(s) refuted their hypothesis`)
    : end('passed', `all ${gameDay.stages.length} stage(s) passed`);
}
