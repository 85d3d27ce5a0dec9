/** Field schemas shared by every part of the experiment format. */

import { DURATION_RE, parseDuration } from '../util/duration.js';
import { didYouMean } from '../util/suggest.js';
import { z } from '../util/zod.js';

/**
 * An object that rejects unknown fields, naming each one with a "did you mean" when a known field is close.
 * Every object of the format is strict: a misspelt `duraton:` must not be silently ignored.
 */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      // the first hundred are enough to act on (the loader shows no more), and each costs a did-you-mean
      return issue.keys
        .slice(0, 100)
        .map((key) => `unknown field ${JSON.stringify(key)}${didYouMean(key, known)}; known fields: ${known.join(', ')}`)
        .join('\n'); // one line per key: the loader reports each at the key's own position
    },
  });
}

/** A duration string (`250ms`, `30s`, `5m`, `1h`), parsed to milliseconds. */
export const duration = z
  .string({ error: (issue) => `expected a duration like 30s, got ${JSON.stringify(issue.input)}` })
  .refine((text) => parseDuration(text) !== null, {
    error: (issue) => `expected a duration like 30s, got ${JSON.stringify(issue.input)}`,
  })
  .transform((text) => parseDuration(text) as number)
  .meta({
    description: 'A duration such as 250ms, 30s, 5m, 1h',
    examples: ['30s'],
    // for editors: the refinement above, as JSON Schema says it
    pattern: DURATION_RE.source,
    patternErrorMessage: 'expected a duration such as 250ms, 30s, 5m or 1h',
  });

/** DNS-1123 label/subdomain, as Kubernetes names are. */
export const dnsName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
    error: (issue) => `expected a DNS-1123 name (lower-case letters, digits, "-" and "."), got ${JSON.stringify(issue.input)}`,
  })
  .meta({ patternErrorMessage: 'expected a DNS-1123 name (lower-case letters, digits, "-" and ".")' });

export const labels = z.record(z.string(), z.string());

/** A regular expression given as a string. */
export const regexString = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `expected a valid regular expression, got ${JSON.stringify(issue.input)}` },
);

/** A percentage given as a number or a numeric string ("25"), as Chaos Mesh writes them. */
export const percentString = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)])
  .transform(Number)
  .refine((n) => n >= 0 && n <= 100, { message: 'expected a percentage between 0 and 100' });

/** `host:port` on which something listens or connects. */
export const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, {
    error: (issue) => `expected HOST:PORT such as 127.0.0.1:7001, got ${JSON.stringify(issue.input)}`,
  })
  .meta({ patternErrorMessage: 'expected HOST:PORT such as 127.0.0.1:7001' });

/** A command as an argv array: no shell is involved. */
export const argv = z.array(z.string()).min(1, { message: 'expected a command as a non-empty argv array' });

/** A name other documents refer to (a target, a probe): letters, digits, `.`, `_` and `-`. */
const NAME_MESSAGE = 'expected a name of letters, digits, ".", "_" and "-"';
export const referenceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: NAME_MESSAGE })
  .meta({ patternErrorMessage: NAME_MESSAGE });
