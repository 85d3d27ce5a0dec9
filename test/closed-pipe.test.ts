/**
 * `faultline run X | head -1`: the reader of the output goes away while the run goes on. The run must
 * still revert its fault and end with its usual exit code, and print no stack trace, whether stdout
 * alone or stdout and stderr together go to the closed pipe. Real bash pipelines, a real process paused.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir, tempHome } from './support/cli.js';
import { killStarted, processState, startSleeper } from './support/processes.js';

afterAll(() => killStarted());

function experiment(pid: number): string {
  const file = join(tempDir(), 'pause.yaml');
  writeFileSync(
    file,
    `apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: closed-pipe }
spec:
  hypothesis: Pausing the worker for a second does not matter.
  targets: [ { name: worker, process: { pid: ${pid} } } ]
  method: [ { fault: process.pause, selector: { names: [ worker ] }, duration: 1s } ]
`,
  );
  return file;
}

/** Runs `pipeline` in bash with $FAULTLINE as the command; resolves with faultline's own exit code and what bash's stderr got. */
function pipeline(script: string, home: string): Promise<{ exit: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `${script}; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FAULTLINE_HOME: home, FAULTLINE: `${process.execPath} ${BIN}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', () => resolve({ exit: Number(/exit=(\d+)/.exec(stderr)?.[1] ?? -1), stderr }));
  });
}

describe('output to a closed pipe', () => {
  it.each([
    ['stdout', '$FAULTLINE run "$FILE" | true'],
    ['stdout and stderr', '$FAULTLINE run "$FILE" 2>&1 | head -c 0'],
  ])(
    'ends the run normally when %s is closed: fault reverted, exit 0, no stack trace',
    async (_what, script) => {
      const worker = startSleeper('closed-pipe');
      const file = experiment(worker.pid as number);
      const { exit, stderr } = await pipeline(script.replace('"$FILE"', `"${file}"`), tempHome());
      expect(stderr).not.toMatch(/EPIPE|node:events|\n\s+at /);
      expect(exit).toBe(0);
      expect(processState(worker.pid as number)).not.toBe('T');
    },
    30_000,
  );
});
