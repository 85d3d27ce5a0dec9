/** Runs the real faultline CLI (bin/faultline.js over the built dist/) as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'faultline.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh state folder, so tests never share a journal or a run store. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'faultline-test-home-'));
}

export function tempDir(prefix = 'faultline-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliOptions {
  home: string;
  cwd?: string;
  env?: Record<string, string>;
  /** run as this user id (and the same group id), to test what a non-root user sees */
  uid?: number;
  /** written to the CLI's standard input, then closed (otherwise stdin is /dev/null) */
  input?: string;
}

export interface StartedCli {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** stdout then stderr, as printed so far */
  output: () => string;
}

export function startCli(args: string[], options: CliOptions): StartedCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', FAULTLINE_HOME: options.home, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Waits until a started CLI has printed `expected`. Fails at once when the process ends first, and in
 * either failure shows everything it printed, so a failure says what the command did instead.
 */
export async function waitForOutput(run: StartedCli, expected: string | RegExp, timeoutMs: number, what: string): Promise<void> {
  const seen = () => (typeof expected === 'string' ? run.output().includes(expected) : expected.test(run.output()));
  const deadline = Date.now() + timeoutMs;
  while (!seen()) {
    const ended = run.child.exitCode !== null || run.child.signalCode !== null;
    if (ended || Date.now() > deadline) {
      const how = ended ? `it ended (${run.child.exitCode ?? run.child.signalCode})` : `timed out after ${timeoutMs}ms`;
      throw new Error(`${how} waiting for ${what}; it printed:\n${run.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
