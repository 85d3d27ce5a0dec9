/**
 * Runs experiments one after the other for `faultline run` and `faultline demo`: progress on the
 * terminal, observers (traces, notifications) and monitoring (metrics, alerts) around each run,
 * SIGINT/SIGTERM reverting everything, and the notifications sent once every run has ended.
 */

import { resolve } from 'node:path';
import { type RunResult, runExperiment } from '../engine/run.js';
import type { Monitoring } from '../observe/monitoring.js';
import type { RunObservers } from '../observe/session.js';
import type { Experiment } from '../spec/load.js';
import type { RunRecorder } from '../store/recorder.js';
import { color, say, warn } from './output.js';
import { Progress } from './progress.js';
import { reportFilePath } from './report-files.js';
import { printSummary } from './summary.js';

export interface SeriesOptions {
  observers: RunObservers;
  monitoring?: Monitoring;
  progress: boolean;
  seed?: number;
  /** printed before each run (the demo names the hypothesis) */
  announce?: (experiment: Experiment) => void;
  /** asked before each run: a reason to run no more (a programme stops at the halt switch), or null */
  stopBefore?: () => string | null;
  /** where the runs are recorded (see run-recording.ts); default the engine's own store */
  recorder?: RunRecorder;
}

export interface SeriesResult {
  results: RunResult[];
  interrupted: boolean;
}

/**
 * Runs `work` with a signal that SIGINT/SIGTERM abort (each run then reverts every fault); a second
 * signal only says that reverting goes on.
 */
export async function withInterruptSignal<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    warn(
      signals === 1
        ? `\n${signal}: reverting every fault, please wait`
        : `${signal} again: still reverting; faults left behind are reverted by \`faultline recover\``,
    );
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(interrupt.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function runSeries(experiments: readonly Experiment[], options: SeriesOptions): Promise<SeriesResult> {
  const results: RunResult[] = [];
  return withInterruptSignal(async (signal) => {
    for (const experiment of experiments) {
      if (signal.aborted) break;
      const stop = options.stopBefore?.();
      if (stop) {
        warn(`faultline: ${stop}; ${experiments.length - results.length} experiment(s) not run`);
        break;
      }
      options.announce?.(experiment);
      results.push(await runObserved(experiment, options, signal));
    }
    return { results, interrupted: signal.aborted };
  });
}

/** One run with progress, observers and monitoring around it, and its summary printed. */
export async function runObserved(experiment: Experiment, options: SeriesOptions, signal: AbortSignal): Promise<RunResult> {
  const progress = new Progress(experiment.name, options.progress && Boolean(process.stderr.isTTY));
  const observed = options.observers.run();
  const monitored = options.monitoring?.trackRun(experiment.name);
  let result: RunResult;
  try {
    result = await runExperiment(experiment, {
      seed: options.seed,
      signal,
      onEvent: monitored ? observed.listener(progress.listener, monitored.listener) : observed.listener(progress.listener),
      alerts: options.monitoring?.alerts,
      store: options.recorder,
    });
  } finally {
    progress.stop();
  }
  printSummary(result);
  for (const line of observed.finish(result)) say(color.dim(line));
  for (const line of (await monitored?.finish(result.report)) ?? []) warn(`faultline: ${line}`);
  return result;
}

/** Sends the notifications, after every run has ended and every fault is reverted: they never delay a revert. */
export async function notifyFinished(
  observers: RunObservers,
  experiments: readonly Experiment[],
  results: readonly RunResult[],
  reportDir: string | undefined,
): Promise<void> {
  const finished = results.map((result, i) => ({
    experiment: experiments[i] as Experiment,
    result,
    reportFile: reportDir ? resolve(reportFilePath(reportDir, result.report, 'html')) : undefined,
  }));
  for (const outcome of await observers.finish(finished)) {
    if (outcome.ok) say(color.dim(outcome.line));
    else warn(`faultline: ${outcome.line}`);
  }
}
