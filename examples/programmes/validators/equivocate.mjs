// A byzantine validator 0 for message.tamper (framing http, stream upstream). It votes four times per
// height (once per 250 ms tick); on their way to validator 1 its votes for each height take turns: the
// first goes through honest, the second becomes a vote for the same height with another hash, signed with
// validator 0's own key (double signing: equivocation), the third is replaced by a malformed one, and so
// on. Taking turns rather than drawing makes every height the fault covers show both misbehaviours, however
// few votes a loaded machine gets through (a random draw left a two-second window without an equivocation
// about one run in eight).
import crypto from 'node:crypto';

const sign = (v, h, hash) => crypto.createHmac('sha256', `demo-validator-key-${v}`).update(`${v}:${h}:${hash}`).digest('hex');

/** height -> how many of validator 0's votes for it went by */
const seen = new Map();

export function tamper(message) {
  if (message.kind !== 'request') return message;
  let vote;
  try {
    vote = JSON.parse(message.body.toString());
  } catch {
    return message;
  }
  const turn = seen.get(vote.h) ?? 0;
  seen.set(vote.h, turn + 1);
  for (const h of seen.keys()) if (h < vote.h - 20) seen.delete(h); // bounded: old heights are forgotten
  if (turn % 3 === 0) return message;
  if (turn % 3 === 2) return { ...message, body: '{"v": "zero", "h": null}' };
  const forged = { ...vote, hash: `forged-${vote.h}` };
  return { ...message, body: { ...forged, sig: sign(forged.v, forged.h, forged.hash) } };
}
