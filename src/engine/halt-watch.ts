/** Watches the host's halt switch while a run goes. */
import { activeHalt, type Halt } from '../safety/halt.js';
import type { SqliteDatabase } from '../util/sqlite.js';

/** Polls the halt switch every 250ms, so a halt reverts every fault within one second. */
export function watchHalt(control: SqliteDatabase, onHalt: (h: Halt) => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    const halted = activeHalt(control);
    if (halted) {
      clearInterval(timer);
      onHalt(halted);
    }
  }, 250);
  return timer;
}
