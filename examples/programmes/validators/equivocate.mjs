// A byzantine validator 0 for message.tamper (framing http, stream upstream). It votes four times per
// height; on its way to validator 1 about a third of those votes become a vote for the same height with
// another hash, signed with validator 0's own key (double signing: equivocation), and about a third are
// replaced by a malformed one.
import crypto from 'node:crypto';

const sign = (v, h, hash) => crypto.createHmac('sha256', `demo-validator-key-${v}`).update(`${v}:${h}:${hash}`).digest('hex');

export function tamper(message, ctx) {
  if (message.kind !== 'request') return message;
  const draw = ctx.random();
  if (draw < 0.3) return { ...message, body: '{"v": "zero", "h": null}' };
  if (draw > 0.65) return message;
  let vote;
  try {
    vote = JSON.parse(message.body.toString());
  } catch {
    return message;
  }
  const forged = { ...vote, hash: `forged-${vote.h}` };
  return { ...message, body: { ...forged, sig: sign(forged.v, forged.h, forged.hash) } };
}
