/**
 * `-` as a file name means standard input, as for kubectl and most Unix tools: `kubectl get
 * networkchaos -o yaml | faultline import -`. Messages name it `<stdin>`.
 */
import { readFileSync } from 'node:fs';
import { UserError } from './errors.js';

export const STDIN = '-';

/** The name of an input in messages and locations (`<stdin>:3:5: ...`). */
export function inputName(file: string): string {
  return file === STDIN ? '<stdin>' : file;
}

/** Everything on standard input, up to its end; a one-line UserError when it cannot be read. */
export function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    throw new UserError(
      `<stdin>: cannot read standard input (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pipe a file into it or give a path instead of -`,
    );
  }
}

/**
 * A file's text, or standard input's for `-`; a one-line UserError naming the flag and the file when it
 * cannot be read (`--config proxies.yaml: cannot be read (ENOENT); check the path`).
 */
export function readInputText(file: string, flag: string): string {
  if (file === STDIN) return readStdin();
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `${flag} ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path`,
    );
  }
}
