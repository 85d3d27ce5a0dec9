/**
 * runCommand (the cmd probe's, custom.action's and the kernel tools' way to run a command) after the event
 * loop was blocked: a command that ended within its timeout is not reported as timed out, although the
 * timeout's timer and the command's exit are handled in the same turn (timers first).
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/util/run-command.js';

/** Keeps the event loop busy for `ms`, as a huge request or a long synchronous parse would. */
function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {}
}

describe('runCommand after a blocked event loop', () => {
  it('reports a command that ended in time as ended, not timed out', async () => {
    const running = runCommand(['true'], { timeoutMs: 300 });
    block(800); // `true` exits at once; the 300ms timer is overdue when the loop runs again
    const result = await running;
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(0);
  });

  it('still times out a command that does not end', async () => {
    const result = await runCommand(['sleep', '5'], { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(3_000);
  });
});
