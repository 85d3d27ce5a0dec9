/**
 * Where the CLI records its runs. By default the engine's own SQLite `RunStore` in $FAULTLINE_HOME; with
 * `--store sqlite:PATH` or `--store postgres://...` the daemon's store, so that a team's CLI runs (CI jobs,
 * programmes, game days) land in the same history as the daemon's: the same tables, written by the same code.
 */
import type { RunRecorder } from '../store/recorder.js';

export interface RunRecording {
  /** undefined: the engine's default store */
  recorder: RunRecorder | undefined;
  /** waits for every write, then closes the store */
  close(): Promise<void>;
}

export async function openRunRecording(spec: string): Promise<RunRecording> {
  if (spec === 'sqlite') return { recorder: undefined, close: async () => {} };
  const { openDaemonStore } = await import('../store/open.js');
  const store = await openDaemonStore(spec);
  // in order: a report's update follows its run's insert, whatever the store's latency
  let writes: Promise<void> = Promise.resolve();
  const recorder: RunRecorder = {
    startRun: (run) => {
      writes = writes.then(() => store.startRun(run, null)); // no origin: a CLI run
    },
    finishRun: (report, samples) => {
      writes = writes.then(() => store.finishRun(report, samples));
    },
  };
  return {
    recorder,
    close: async () => {
      try {
        await writes;
      } finally {
        await store.close();
      }
    },
  };
}
