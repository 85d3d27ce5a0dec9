/**
 * Toxiproxy decodes request bodies with Go's encoding/json, and its clients rely on that leniency:
 * key names match whatever their case (the .NET client sends `Name`, `Listen`, `Attributes`), `null`
 * leaves a field unset (the Go client sends `"toxics": null`, the Ruby one `"enabled": null`), and
 * keys it does not know are ignored. `goDecode` reads a body the same way, and reports each ignored key
 * through `warn` so that a typo still shows in the log.
 */

import { didYouMean } from '../../util/suggest.js';

/** The body with keys renamed to their known spelling, `null`s and unknown keys dropped. */
export function goDecode(
  body: Record<string, unknown>,
  known: readonly string[],
  what: string,
  warn: (message: string) => void,
): Record<string, unknown> {
  const byLowerCase = new Map(known.map((key) => [key.toLowerCase(), key]));
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = byLowerCase.get(key.toLowerCase());
    if (name === undefined) {
      warn(
        `${what}: ignored unknown field ${JSON.stringify(key)}${didYouMean(key, known)} (as Toxiproxy does); known fields: ${known.join(', ')}`,
      );
      continue;
    }
    if (value !== null) decoded[name] = value;
  }
  return decoded;
}

/** A JSON object, or undefined for anything else (left to the strict checks to refuse). */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
