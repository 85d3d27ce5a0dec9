/** Watches the host's halt switch while a run goes. */
import { activeHalt, type Halt, haltsInThisProcess } from '../safety/halt.js';
import type { SqliteDatabase } from '../util/sqlite.js';

/**
 * How often a run looks at the halt switch. A halt must have every run reverted within one second of
 * `faultline halt` starting: the command's own start, this poll and the revert share that second. One
 * look is an indexed read of a small SQLite table (tens of microseconds), so 100ms costs nothing.
 */
export const HALT_POLL_MS = 100;

export interface HaltWatch {
  stop(): void;
  /** the watch alone does not keep the process alive */
  unref(): void;
}

/**
 * Calls `onHalt` once when the halt switch is on: at once for a halt made in this process (the daemon's),
 * within HALT_POLL_MS for one made by another (`faultline halt`).
 */
export function watchHalt(control: SqliteDatabase, onHalt: (h: Halt) => void): HaltWatch {
  let done = false;
  const fire = (h: Halt, controlFile = control.name) => {
    if (done || controlFile !== control.name) return;
    watch.stop();
    onHalt(h);
  };
  const timer = setInterval(() => {
    const halted = activeHalt(control);
    if (halted) fire(halted);
  }, HALT_POLL_MS);
  haltsInThisProcess.on('halted', fire);
  const watch: HaltWatch = {
    stop() {
      done = true;
      clearInterval(timer);
      haltsInThisProcess.off('halted', fire);
    },
    unref: () => timer.unref(),
  };
  return watch;
}
