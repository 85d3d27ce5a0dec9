/**
 * What the CLI does around runs besides running them: a trace per run (when OTLP is configured) and
 * the notifications after every run has ended and been reverted. Keeps `run` and `demo` thin: they ask
 * for a listener per run and hand over the results; every line to print comes back with its run id.
 */
import type { RunListener } from '../engine/events.js';
import type { RunResult } from '../engine/run.js';
import type { Experiment } from '../spec/load.js';
import {
  type Announcement,
  announce,
  checkNotifications,
  type NotificationSpec,
  type NotifyOutcome,
  notifyRuns,
  parseNotifyOptions,
} from './notify/index.js';
import { allListeners, type RunTrace, startTracing, type Tracing } from './tracing.js';

export interface ObserveOptions {
  /** `--notify` values */
  notify?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** faultline's version, for the trace resource */
  version?: string;
}

export interface ObservedRun {
  /** the listener to give `runExperiment`, with the CLI's own (progress) */
  listener(...others: (RunListener | undefined)[]): RunListener;
  /** after the run returned: queues its spans; returns lines to print (the trace id) */
  finish(result: RunResult): string[];
}

export interface FinishedRun {
  experiment: Experiment;
  result: RunResult;
  /** the report file written for it (HTML), for the link in notifications */
  reportFile?: string;
}

export class RunObservers {
  private readonly traced: string[] = [];
  /** channels found unable to send before the runs (already reported): not tried again */
  private readonly unusable = new Set<NotificationSpec>();

  private constructor(
    private readonly tracing: Tracing | null,
    private readonly cliNotifications: NotificationSpec[],
    private readonly noNotifications: boolean,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Parses `--notify` (a bad value is a UserError) and starts tracing when configured. */
  static async start(options: ObserveOptions = {}): Promise<RunObservers> {
    const env = options.env ?? process.env;
    const { specs, none } = parseNotifyOptions(options.notify ?? []);
    const tracing = await startTracing({ env, version: options.version });
    return new RunObservers(tracing, specs, none, env);
  }

  /** The notifications of an experiment's runs: its project's, then the command line's. */
  notificationsOf(experiment: Experiment): NotificationSpec[] {
    if (this.noNotifications) return [];
    return [...experiment.notifications, ...this.cliNotifications].filter((spec) => !this.unusable.has(spec));
  }

  /** Problems found before any run (a secret that is not set), one line each; those channels are then left out. */
  check(experiments: readonly Experiment[]): string[] {
    const lines = new Set<string>();
    for (const spec of new Set(experiments.flatMap((e) => this.notificationsOf(e)))) {
      const problems = checkNotifications([spec], this.env);
      if (problems.length) this.unusable.add(spec);
      for (const line of problems) lines.add(line);
    }
    return [...lines];
  }

  run(): ObservedRun {
    const trace: RunTrace | undefined = this.tracing?.startRun();
    return {
      listener: (...others) => allListeners(...others, trace?.listener),
      finish: (result) => {
        if (!trace) return [];
        const traceId = trace.finish(result.report);
        this.traced.push(result.report.runId);
        return [`run ${result.report.runId}: trace ${traceId} (OTLP ${this.tracing?.endpoint})`];
      },
    };
  }

  /** Posts an announcement (a game day's start, stages, end) to the channels of these experiments, each once. */
  async announce(
    experiments: readonly Experiment[],
    announcement: Announcement,
    options: { backoffMs?: number } = {},
  ): Promise<NotifyOutcome[]> {
    const specs = [...new Set(experiments.flatMap((e) => this.notificationsOf(e)))];
    return announce(specs, announcement, { env: this.env, backoffMs: options.backoffMs });
  }

  /** Sends the notifications of every run, then flushes the traces: one outcome per message sent or failed. */
  async finish(runs: readonly FinishedRun[], options: { backoffMs?: number } = {}): Promise<NotifyOutcome[]> {
    const outcomes = await notifyRuns(
      runs.map((r) => ({ report: r.result.report, notifications: this.notificationsOf(r.experiment), reportFile: r.reportFile })),
      { env: this.env, backoffMs: options.backoffMs },
    );
    const problem = await this.tracing?.shutdown();
    if (problem) {
      const runIds = this.traced.join(', ') || '-';
      outcomes.push({ runId: runIds, channel: 'otlp', ok: false, line: `${problem} (run ${runIds})` });
    }
    return outcomes;
  }
}
