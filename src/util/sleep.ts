/** setTimeout's longest delay (about 24.8 days); longer waits are taken in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms`, or less when `signal` aborts first. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const until = Date.now() + ms;
    let timer: NodeJS.Timeout;
    const arm = () => {
      timer = setTimeout(() => (Date.now() >= until ? done() : arm()), Math.min(MAX_TIMER_MS, until - Date.now()));
    };
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    arm();
    signal?.addEventListener('abort', done, { once: true });
  });
}
