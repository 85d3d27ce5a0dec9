/**
 * `faultline wrap -- COMMAND...`: runs COMMAND under faultline's preload library with two control files
 * that faultline owns, in $FAULTLINE_HOME/clocks/ and $FAULTLINE_HOME/io/, so that time.skew can move its
 * clock and the io.* faults can change what its file calls see, later, without restarting it.
 *
 * The wrapper stays as COMMAND's parent (Node cannot exec): it passes its stdin, stdout and stderr through,
 * forwards the signals it receives, exits with COMMAND's exit status, and removes the control file when
 * COMMAND ends. It renames itself `faultline-wrap` so that a target's `match` on COMMAND's command line
 * finds COMMAND, not the wrapper.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../util/errors.js';
import { faultlineHome } from '../../util/home.js';
import { findPreloadLibrary, preloadEnvironment } from './preload.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

function controlFile(folder: string, name: string, text: string): string {
  const dir = join(faultlineHome(), folder);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Runs the command to its end; resolves with the exit code to use (128 + n for a signal that cannot be re-raised). */
export function runWrapped(command: readonly string[]): Promise<number> {
  const [file, ...args] = command;
  if (!file) throw new UserError('faultline wrap needs a command: faultline wrap -- COMMAND [ARGS...]');
  const library = findPreloadLibrary();
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const clock = controlFile('clocks', `clock-${tag}.faketime`, '+0 x1\n');
  const io = controlFile('io', `io-${tag}.rules`, '');
  const removeControlFile = () => {
    rmSync(clock, { force: true });
    rmSync(io, { force: true });
  };

  const child = spawn(file, args, { stdio: 'inherit', env: preloadEnvironment(library, { clock, io }, process.env) });
  process.title = 'faultline-wrap';
  const forward = (signal: NodeJS.Signals) => () => {
    try {
      child.kill(signal);
    } catch {}
  };
  const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);

  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      removeControlFile();
      for (const [signal, handler] of handlers) process.off(signal, handler);
      reject(
        new UserError(
          error.code === 'ENOENT' ? `faultline wrap: command not found: ${file}` : `faultline wrap: cannot start ${file}: ${error.message}`,
        ),
      );
    });
    child.once('exit', (code, signal) => {
      removeControlFile();
      for (const [sig, handler] of handlers) process.off(sig, handler);
      if (signal) {
        // End the way COMMAND ended, so that whoever started the wrapper sees the same signal.
        try {
          process.kill(process.pid, signal);
        } catch {}
        resolve(128 + (constants.signals[signal] ?? 0));
        return;
      }
      resolve(code ?? 1);
    });
  });
}
