/** Attribute fields shared by the toxics and the HTTP matchers: Toxiproxy's int64s and Chaos Mesh's percentages. */
import { z } from '../util/zod.js';
/** A non-negative number (milliseconds, bytes...), as Toxiproxy's int64 attributes. */
export const nonNegative = (what: string) =>
  z
    .number({ error: `expected ${what}, a number ≥ 0` })
    .refine((n) => Number.isFinite(n) && n >= 0, { message: `expected ${what}, a number ≥ 0` });

/** A percentage 0–100, as a number or a numeric string ("25", Chaos Mesh style). */
export const percent = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)], { error: 'expected a percentage from 0 to 100' })
  .transform(Number)
  .refine((n) => n >= 0 && n <= 100, { message: 'expected a percentage from 0 to 100' });
