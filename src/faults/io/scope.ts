/**
 * Where an IO fault acts: a path glob inside the files a target declares (`files:`, files or folders), or,
 * without one, exactly those files and everything under those folders. A glob that reaches outside them
 * is refused: a target's `files` is the fence of its IO faults.
 */
import { resolve } from 'node:path';
import type { TargetInstance } from '../../engine/target-instance.js';
import { percentString } from '../../spec/fields.js';
import { UserError } from '../../util/errors.js';
import { z } from '../../util/zod.js';
import { IO_OPS, type IoOp } from './rules.js';

const GLOB_CHARS = /[*?[\\]/;

export const pathParam = z
  .string({ error: (i) => `expected an absolute path or glob such as /srv/db/*.db, got ${JSON.stringify(i.input)}` })
  .regex(/^\/[^\t\n]*$/, { error: (i) => `expected an absolute path or glob such as /srv/db/*.db, got ${JSON.stringify(i.input)}` })
  .optional()
  .describe("a glob (fnmatch: * also matches /) inside the target's files; default: the target's files and what is under them");

export const methodsParam = (fallback: readonly IoOp[]) =>
  z
    .array(z.enum(IO_OPS, { error: (i) => `expected an operation (${IO_OPS.join(', ')}), got ${JSON.stringify(i.input)}` }))
    .min(1, { message: `methods lists at least one operation (${IO_OPS.join(', ')})` })
    .default([...fallback])
    .describe(`the operations affected: ${IO_OPS.join(', ')} (default: ${fallback.join(', ')})`);

export const ioPercentParam = percentString.default(100).describe('share of matching calls affected, 0 to 100 (default 100)');

/** An fnmatch pattern that matches `path` literally. */
function literal(path: string): string {
  return path.replace(/[*?[\\]/g, (c) => `\\${c}`);
}

function filesOf(target: TargetInstance, fault: string): string[] {
  const files = (target.spec.files ?? []).map((f) => resolve(f));
  if (files.length === 0) {
    throw new UserError(
      `${fault}: target ${target.name} declares no files; list the files or folders its IO faults may touch in the target's files`,
    );
  }
  return files;
}

/** The globs the fault's rules match, for this target; a UserError when `path` reaches outside its files. */
export function globsOf(path: string | undefined, target: TargetInstance, fault: string): string[] {
  const files = filesOf(target, fault);
  if (path === undefined) return files.flatMap((f) => [literal(f), `${literal(f)}/*`]);
  const fixed = path.split(GLOB_CHARS)[0] as string; // the part before the first wildcard
  // a wildcard right after a file's own name (/srv/db*) would reach its siblings: only what is under it counts
  const inside = files.some((f) => path === f || fixed.startsWith(f === '/' ? '/' : `${f}/`));
  if (!inside) {
    throw new UserError(
      `${fault}: params.path ${path} is outside the files of target ${target.name} (${files.join(', ')}); add its folder to the target's files, or use a path under one of them`,
    );
  }
  return [path];
}
