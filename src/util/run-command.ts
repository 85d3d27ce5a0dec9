/**
 * Runs an argv command without a shell. A timeout kills the command's whole process group, so a
 * command that forks cannot leave children behind. Output is kept up to a bound.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** set when the command could not be started at all (ENOENT, EACCES) */
  spawnError?: string;
}

export interface CommandOptions {
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** bytes of stdout/stderr kept; the rest is dropped */
  maxOutput?: number;
  /** told the command's pid (also its process group) as soon as it is started */
  onSpawn?: (pid: number) => void;
}

export function runCommand(argv: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const [file, ...args] = argv as [string, ...string[]];
  const maxOutput = options.maxOutput ?? 64 * 1024;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so the timeout can kill everything it started
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | undefined;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      // After the event loop was blocked, this timer and the child's exit are due in the same turn, and
      // timers run first: look again after the turn's I/O (setImmediate), so that a command that ended in
      // time is not reported as timed out.
      setImmediate(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        timedOut = true;
        killGroup();
      });
    }, options.timeoutMs);
    const onAbort = () => killGroup();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < maxOutput) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < maxOutput) stderr += chunk.toString('utf8');
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error.code === 'ENOENT' ? `command not found: ${file}` : `${file}: ${error.message}`;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode,
        signal,
        stdout: stdout.slice(0, maxOutput),
        stderr: stderr.slice(0, maxOutput),
        timedOut,
        durationMs: performance.now() - started,
        spawnError,
      });
    });
  });
}

/** `exit 3: permission denied` — a one-line account of a failed command. */
export function describeFailure(argv: readonly string[], result: CommandResult): string {
  if (result.spawnError) return result.spawnError;
  const how = result.timedOut ? 'timed out' : result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
  const output = (result.stderr || result.stdout).trim().split('\n').pop()?.slice(0, 200) ?? '';
  return `${argv.join(' ')}: ${how}${output ? `: ${output}` : ''}`;
}
