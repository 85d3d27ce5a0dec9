/**
 * io.attr: what `stat` tells a process started by `faultline wrap` about matching files (size, permissions,
 * owner, link count, inode, times) is overridden; the files are unchanged (IOChaos attrOverride).
 */

import { strict } from '../../spec/fields.js';
import { size } from '../../util/size.js';
import { z } from '../../util/zod.js';
import { registerIoFault } from './io-fault.js';
import { ioPercentParam, pathParam } from './scope.js';

const permError = (input: unknown) => `expected permissions as an octal string such as "0444" or a number, got ${JSON.stringify(input)}`;

/** `"0444"` (octal, as chmod writes it) or a number (Chaos Mesh's decimal `perm`). */
const perm = z
  .union(
    [
      z.string().regex(/^0?[0-7]{3,4}$/, { error: (i) => permError(i.input) }),
      z
        .number()
        .int({ error: (i) => permError(i.input) })
        .min(0, { error: (i) => permError(i.input) })
        .max(0o7777, { error: (i) => permError(i.input) }),
    ],
    { error: (i) => permError(i.input) },
  )
  .transform((value) => (typeof value === 'number' ? value : Number.parseInt(value, 8)));

const timeError = (input: unknown) =>
  `expected a time as seconds since 1970 or a date such as 2020-01-01T00:00:00Z, got ${JSON.stringify(input)}`;

/** Seconds since the epoch, or a date. */
const time = z.union([z.number().int(), z.string()], { error: (i) => timeError(i.input) }).transform((value, ctx) => {
  const seconds = typeof value === 'number' ? value : Math.floor(Date.parse(value) / 1000);
  if (!Number.isFinite(seconds)) {
    ctx.addIssue({ code: 'custom', message: timeError(value) });
    return z.NEVER;
  }
  return seconds;
});

const id = z.number().int().min(0);

const attr = strict({
  size: size.optional().describe('the size stat reports'),
  perm: perm.optional().describe('permission bits, "0444" or a number'),
  uid: id.optional(),
  gid: id.optional(),
  nlink: id.optional(),
  ino: id.optional(),
  atime: time.optional(),
  mtime: time.optional(),
  ctime: time.optional(),
}).refine((a) => Object.values(a).some((v) => v !== undefined), {
  message: 'attr needs at least one of size, perm, uid, gid, nlink, ino, atime, mtime, ctime',
});

const params = strict({
  attr: attr.describe('the attributes to report instead of the true ones'),
  path: pathParam,
  percent: ioPercentParam,
}).transform((p) => ({ ...p, methods: ['stat' as const] }));

type Params = z.infer<typeof params>;

function fieldsOf(p: Params): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(p.attr)) {
    if (value !== undefined) fields[key] = key === 'perm' ? (value as number).toString(8) : (value as number);
  }
  return fields;
}

registerIoFault<Params>({
  name: 'io.attr',
  summary: 'override what stat tells a process started under `faultline wrap` about its files (size, permissions, times...)',
  example: { attr: { size: 0 } },
  params,
  kind: 'attr',
  fields: fieldsOf,
  what: (p) =>
    `report ${Object.entries(fieldsOf(p))
      .map(([k, v]) => `${k} ${k === 'perm' ? `0${v}` : v}`)
      .join(', ')} from ${p.percent === 100 ? '' : `${p.percent}% of `}stat`,
});
