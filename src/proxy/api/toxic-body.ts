/**
 * A toxic as a Toxiproxy client sends it, read as Toxiproxy reads it (see ./go-decode.ts), before the
 * strict checks of ../toxic.ts. Toxicity is the probability that a toxic applies to a connection:
 * Toxiproxy keeps any number and compares a draw in [0, 1) with it, so -1 means never and 2 always;
 * here the number is clamped to that range on the way in (with a warning), which has the same effect
 * and shows the value that applies.
 */
import { attributeNames, findToxicType, TOXIC_FIELDS } from '../toxic.js';
import { asObject, goDecode } from './go-decode.js';

/** `existingType`: the type of the toxic being updated (an update need not repeat it). */
export function decodeToxicBody(raw: unknown, warn: (message: string) => void, existingType?: string): unknown {
  const body = asObject(raw);
  if (!body) return raw;
  const toxic = goDecode(body, TOXIC_FIELDS, 'toxic', warn);
  const type = typeof toxic.type === 'string' ? toxic.type : existingType;
  const def = type === undefined ? undefined : findToxicType(type);
  const attributes = asObject(toxic.attributes);
  if (def && attributes) toxic.attributes = goDecode(attributes, attributeNames(def), `${type} toxic attributes`, warn);
  if (typeof toxic.toxicity === 'number' && Number.isFinite(toxic.toxicity)) {
    const clamped = Math.min(1, Math.max(0, toxic.toxicity));
    if (clamped !== toxic.toxicity) warn(`toxic: toxicity ${toxic.toxicity} taken as ${clamped} (it is a probability, 0 to 1)`);
    toxic.toxicity = clamped;
  }
  return toxic;
}
