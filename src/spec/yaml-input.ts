/**
 * Reading untrusted YAML with bounded cost. Bounds on what the YAML loader accepts, checked before parsing. Parsing runs on the event loop that
 * also watches the faults of a run (the daemon validates requests while runs go on), so its cost must
 * stay small whatever the input: a file past these bounds is refused in one linear pass, long before
 * it could stall anything. An experiment, a project or a programme file is far below them.
 */

import { UserError } from '../util/errors.js';
import { type DocumentOptions, type ParseOptions, parseAllDocuments, type SchemaOptions } from '../util/yaml.js';

/** Largest file read: 2 MiB (the daemon's request bodies are smaller still, 1 MiB by default). */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;
/**
 * Largest number of entries: lines plus comma-separated flow items, an upper bound on the keys and
 * items the parser would build. About 20,000 entries parse in a quarter of a second here.
 */
export const MAX_INPUT_ENTRIES = 20_000;

/** Why a file of `bytes` is too large to read, or null. */
export function tooManyBytes(bytes: number): string | null {
  if (bytes <= MAX_INPUT_BYTES) return null;
  return `the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB; faultline reads files of up to ${MAX_INPUT_BYTES / 1024 / 1024} MiB: split it into several files`;
}

/** Why `text` is too large to parse, or null. Linear in the text's length. */
export function inputTooLarge(text: string): string | null {
  const tooBig = tooManyBytes(Buffer.byteLength(text, 'utf8'));
  if (tooBig) return tooBig;
  let entries = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */ || c === 44 /* , */) entries++;
  }
  if (entries > MAX_INPUT_ENTRIES) {
    return `the file has ${entries} entries (lines and comma-separated items); faultline reads files of up to ${MAX_INPUT_ENTRIES}: split it into several files`;
  }
  return null;
}

/**
 * Every document of `text`, parsed in time linear in its size: refused with a UserError past the bounds,
 * and without the YAML library's duplicate-key check (quadratic in a mapping's size); callers that care
 * about duplicate keys check them in one pass (see load.ts).
 */
export function parseYamlDocuments(text: string, options: ParseOptions & DocumentOptions & SchemaOptions = {}) {
  const tooLarge = inputTooLarge(text);
  if (tooLarge) throw new UserError(tooLarge);
  // merge keys (`<<: *base`) as YAML 1.1 and Kubernetes tooling read them
  return parseAllDocuments(text, { merge: true, ...options, uniqueKeys: false });
}
