/** Terminal output helpers: colours (off when not a TTY or NO_COLOR is set), verdict marks, plain tables. */
import pc from 'picocolors';
import type { Verdict } from '../report/types.js';

export const color = pc;

const VERDICT_COLOR: Record<Verdict, (s: string) => string> = {
  passed: pc.green,
  failed: pc.red,
  aborted: pc.yellow,
  error: pc.red,
  interrupted: pc.yellow,
};

export function verdictText(verdict: Verdict): string {
  return VERDICT_COLOR[verdict](verdict.toUpperCase());
}

const closed = new WeakSet<NodeJS.WriteStream>();

/**
 * `faultline run X | head -1`: the reader goes away while the run goes on. A write to the closed pipe
 * must not end the process (the run still has faults to revert and its verdict to give): from then
 * on, that stream's output is dropped, and the run ends with its usual exit code.
 */
export function tolerateClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
        closed.add(stream);
        return;
      }
      throw error;
    });
  }
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (!closed.has(stream)) stream.write(text);
}

/** Writes a line to stdout. */
export function say(line = ''): void {
  write(process.stdout, `${line}\n`);
}

/** Writes a line to stderr. */
export function warn(line: string): void {
  write(process.stderr, `${line}\n`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes to measure width
const ANSI = /\u001b\[[0-9;]*m/g;

/** A table with padded columns; cells may hold colour codes. */
export function table(header: string[], rows: string[][]): string {
  const width = (s: string) => s.replace(ANSI, '').length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat((widths[i] as number) - width(c)))
      .join('  ')
      .trimEnd();
  return [line(header.map((h) => pc.bold(h))), ...rows.map(line)].join('\n');
}
