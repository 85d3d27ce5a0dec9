/**
 * Sizes in experiment files, read as Kubernetes quantities: `512Mi`, `1Gi`, `64Ki`, `1Pi`, `1Ei` (powers of
 * 1024), `1G`, `500M`, `10k`, `2P`, `1E` (powers of 1000), `1e9`, `5E6` (a decimal exponent), `4096` or
 * `4096B` (bytes); the older `KB`, `MiB`, ... spellings too; and, where a fault allows it, a percentage (`25%`).
 * Chaos Mesh's memory stressor reads every unit as a power of 1024 (`512MB` is 512 MiB): `{ binary: true }`.
 */
import { z } from './zod.js';

const UNIT_BYTES: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
  p: 1e15,
  pb: 1e15,
  pi: 2 ** 50,
  pib: 2 ** 50,
  e: 1e18,
  eb: 1e18,
  ei: 2 ** 60,
  eib: 2 ** 60,
};

const SIZE_RE = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)$/;
/** Kubernetes' decimal exponent form: `1e9`, `5E6`. */
const EXPONENT_RE = /^(\d+(?:\.\d+)?)[eE](\d+)$/;

export interface SizeReading {
  /** every unit is a power of 1024, as Chaos Mesh's memory stressor reads `512MB` (docker/go-units RAMInBytes) */
  binary?: boolean;
}

/** Bytes of a size string or number, or null when it is not a size. */
export function parseSize(value: string | number, reading: SizeReading = {}): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  const text = value.trim();
  const exponent = EXPONENT_RE.exec(text);
  if (exponent) return wholeBytes(Number(exponent[1]) * 10 ** Number(exponent[2]));
  const match = SIZE_RE.exec(text);
  if (!match) return null;
  const unit = (match[2] as string).toLowerCase();
  const factor = reading.binary ? binaryFactor(unit) : UNIT_BYTES[unit];
  if (factor === undefined) return null;
  return wholeBytes(Number(match[1]) * factor);
}

function binaryFactor(unit: string): number | undefined {
  const power = ['', 'k', 'm', 'g', 't', 'p', 'e'].indexOf(unit.replace(/i?b$|i$/, ''));
  return UNIT_BYTES[unit] === undefined || power < 0 ? undefined : 1024 ** power;
}

function wholeBytes(n: number): number | null {
  const bytes = Math.round(n);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** `256Mi`, `1.5Gi`, `512B`: a compact binary form for messages. */
export function formatSize(bytes: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const text = i === 0 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${text}${units[i]}`;
}

const sizeError = (input: unknown) =>
  input === undefined
    ? 'required field is missing (expected a size such as 512Mi or 1Gi)'
    : `expected a size such as 512Mi, 1Gi, 64Ki or 1G (bytes as a whole number also work), got ${JSON.stringify(input)}`;

/** A size field, parsed to bytes. */
export const size = z
  .union([z.number(), z.string()], { error: (issue) => sizeError(issue.input) })
  .transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === null) {
      ctx.addIssue({ code: 'custom', message: sizeError(value) });
      return z.NEVER;
    }
    return bytes;
  })
  .meta({ description: 'A size such as 512Mi, 1Gi, 64Ki (1024-based) or 500M, 1G (1000-based)', examples: ['256Mi'] });

export type SizeOrPercent = { bytes: number; percent?: undefined } | { percent: number; bytes?: undefined };

const sizeOrPercentError = (input: unknown) =>
  input === undefined
    ? 'required field is missing (expected a size such as 512Mi or 1Gi, or a percentage such as "25%")'
    : `expected a size such as 512Mi or 1Gi, or a percentage such as "25%", got ${JSON.stringify(input)}`;

/** A size or a percentage of something the fault names (total memory, free disk space): `512Mi` or `25%`. */
export const sizeOrPercent = z
  .union([z.number(), z.string()], { error: (issue) => sizeOrPercentError(issue.input) })
  .transform((value, ctx): SizeOrPercent => {
    if (typeof value === 'string' && value.trim().endsWith('%')) {
      const percent = Number(value.trim().slice(0, -1));
      if (!Number.isFinite(percent) || percent <= 0 || percent > 100) {
        ctx.addIssue({ code: 'custom', message: `expected a percentage above 0 and at most 100, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return { percent };
    }
    const bytes = parseSize(value);
    if (bytes === null) {
      ctx.addIssue({ code: 'custom', message: sizeOrPercentError(value) });
      return z.NEVER;
    }
    return { bytes };
  })
  .meta({ description: 'A size such as 512Mi or 1Gi, or a percentage such as "25%"', examples: ['256Mi', '10%'] });

/** `256Mi` or `25% of total memory`. */
export function describeSizeOrPercent(value: SizeOrPercent, of: string): string {
  return value.percent === undefined ? formatSize(value.bytes) : `${value.percent}% of ${of}`;
}
