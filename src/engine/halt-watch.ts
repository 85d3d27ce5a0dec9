/** Watches the host's halt switch while a run goes. */
import { activeHalt, type Halt } from '../safety/halt.js';
import type { SqliteDatabase } from '../util/sqlite.js';

/**
 * How often a run looks at the halt switch. A halt must have every run reverted within one second of
 * `faultline halt` starting: the command's own start, this poll and the revert share that second. One
 * look is an indexed read of a small SQLite table (tens of microseconds), so 100ms costs nothing.
 */
export const HALT_POLL_MS = 100;

/** Polls the halt switch every HALT_POLL_MS, so a halt reverts every fault within one second. */
export function watchHalt(control: SqliteDatabase, onHalt: (h: Halt) => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    const halted = activeHalt(control);
    if (halted) {
      clearInterval(timer);
      onHalt(halted);
    }
  }, HALT_POLL_MS);
  return timer;
}
