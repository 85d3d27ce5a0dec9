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

/** Writes a line to stdout. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes a line to stderr. */
export function warn(line: string): void {
  process.stderr.write(`${line}\n`);
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
