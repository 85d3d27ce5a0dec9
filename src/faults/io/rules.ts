/**
 * The IO control file of a process started by `faultline wrap` (FAULTLINE_IO_FILE): one rule a line,
 * tab-separated `key=value` fields, read by native/io.c. Each injection adds its own lines under one id
 * and its revert removes only those, so faults on the same process come and go independently.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { type WrappedControl, wrappedControlOf, writeControlFile } from '../wrap/control-file.js';
import { IO_FILE_ENV } from '../wrap/preload.js';

export const IO_OPS = ['open', 'read', 'write', 'fsync', 'stat'] as const;
export type IoOp = (typeof IO_OPS)[number];

/** One rule for the library: what it does (kind and its fields), to which calls (ops, path glob), how often. */
export interface IoRule {
  kind: 'latency' | 'error' | 'attr' | 'mistake';
  ops: readonly IoOp[];
  percent: number;
  path: string;
  fields: Record<string, string | number>;
}

/** The IO control file of a process started by `faultline wrap`; a UserError saying how to start it otherwise. */
export function ioControlOf(pid: number, label: string, fault: string): WrappedControl {
  return wrappedControlOf(pid, label, IO_FILE_ENV, fault, 'its file calls cannot be reached');
}

export function newRuleId(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

function lineOf(id: string, rule: IoRule): string {
  const fields: Record<string, string | number> = { id, kind: rule.kind, ops: rule.ops.join(','), percent: rule.percent, ...rule.fields };
  // the path goes last and may hold any character but a tab or a newline (refused by the params)
  return [...Object.entries(fields).map(([key, value]) => `${key}=${value}`), `path=${rule.path}`].join('\t');
}

function linesWithout(file: string, id: string): string[] {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith(`id=${id}\t`));
}

/** Adds the rules under `id`, in force when it returns; false when the control file is gone (its process has ended). */
export async function addRules(file: string, id: string, rules: readonly IoRule[]): Promise<boolean> {
  if (!existsSync(file)) return false;
  return await writeControlFile(file, [...linesWithout(file, id), ...rules.map((rule) => lineOf(id, rule))].join('\n'));
}

/** Removes the rules under `id`, out of force when it returns; idempotent, and a no-op when the control file is gone. */
export async function removeRules(file: string, id: string): Promise<void> {
  if (!existsSync(file)) return;
  await writeControlFile(file, linesWithout(file, id).join('\n'));
}
