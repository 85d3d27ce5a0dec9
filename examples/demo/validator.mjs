// Demo validator: one node of a small network that agrees on a chain by signed votes.
//   Every tick (250 ms) it votes for the current height (wall clock / 1 s) with the block hash
//   everyone derives from it, signed with its own key (HMAC-SHA256, keys `demo-validator-key-<i>`), and
//   POSTs the vote to every peer. A height is final when a quorum (2/3 of the validators, rounded up,
//   counting its own vote) voted for the same hash there.
//   It checks each vote it receives: malformed -> 400 (counted `malformed`), bad signature -> 403
//   (`badSignatures`), a height more than 4 away from its own -> 409 (`stale`, a skewed clock), two
//   different hashes signed by one validator for one height -> counted `equivocations` and the second ignored.
//   GET /health: 200 while it finalized a height in the last 3 s, else 503. GET /status: its counters.
// Options: --index=N --count=N --port=P --peers=URL,URL,... (its own not included) --host=H
import crypto from 'node:crypto';
import http from 'node:http';
import { intOption, option, sendJson, serve } from './lib.mjs';

const index = intOption('index', 'VALIDATOR_INDEX', 0);
const count = intOption('count', 'VALIDATOR_COUNT', 4);
const port = intOption('port', 'VALIDATOR_PORT', 17200 + index);
const host = option('host', 'DEMO_HOST', '127.0.0.1');
const peers = option('peers', 'VALIDATOR_PEERS', '').split(',').filter(Boolean);
const quorum = Math.ceil((2 * count) / 3);
const TICK_MS = 250;
const HEIGHT_MS = 1000;

const keyOf = (v) => `demo-validator-key-${v}`;
const hashOf = (height) => crypto.createHash('sha256').update(`block-${height}`).digest('hex').slice(0, 16);
const sign = (v, height, hash) => crypto.createHmac('sha256', keyOf(v)).update(`${v}:${height}:${hash}`).digest('hex');
const heightNow = () => Math.floor(Date.now() / HEIGHT_MS);

const votes = new Map(); // height -> Map(validator -> hash)
const counters = { received: 0, malformed: 0, badSignatures: 0, stale: 0, equivocations: 0 };
let finalizedHeight = 0;
let finalizedAt = 0;

function record(v, height, hash) {
  let at = votes.get(height);
  if (!at) votes.set(height, (at = new Map()));
  const before = at.get(v);
  if (before !== undefined && before !== hash) {
    counters.equivocations++;
    return 'equivocation';
  }
  at.set(v, hash);
  const agreeing = [...at.values()].filter((h) => h === hashOf(height)).length;
  if (agreeing >= quorum && height > finalizedHeight) {
    finalizedHeight = height;
    finalizedAt = Date.now();
  }
  return 'ok';
}

function check(vote) {
  if (!vote || !Number.isInteger(vote.v) || !Number.isInteger(vote.h) || typeof vote.hash !== 'string' || typeof vote.sig !== 'string')
    return [400, 'malformed'];
  if (vote.v < 0 || vote.v >= count || sign(vote.v, vote.h, vote.hash) !== vote.sig) return [403, 'badSignatures'];
  if (Math.abs(vote.h - heightNow()) > 4) return [409, 'stale'];
  return null;
}

function handle(req, res) {
  if (req.method === 'GET' && req.url === '/health') {
    const live = Date.now() - finalizedAt < 3000;
    return sendJson(res, live ? 200 : 503, { validator: index, finalizedHeight, live });
  }
  if (req.method === 'GET' && req.url === '/status') return sendJson(res, 200, { validator: index, quorum, finalizedHeight, ...counters });
  if (req.method === 'POST' && req.url === '/vote') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      counters.received++;
      let vote;
      try {
        vote = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        vote = null;
      }
      const problem = check(vote);
      if (problem) {
        counters[problem[1]]++;
        return sendJson(res, problem[0], { rejected: problem[1] });
      }
      sendJson(res, 200, { accepted: record(vote.v, vote.h, vote.hash) });
    });
    return;
  }
  sendJson(res, 404, { error: 'not found' });
}

function send(peer, body) {
  const req = http.request(`${peer}/vote`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', connection: 'close' },
  });
  req.setTimeout(2 * TICK_MS, () => req.destroy());
  req.on('error', () => {}); // a peer that is down or partitioned misses the vote
  req.on('response', (res) => res.resume());
  req.end(body);
}

function tick() {
  const height = heightNow();
  const hash = hashOf(height);
  record(index, height, hash);
  const body = JSON.stringify({ v: index, h: height, hash, sig: sign(index, height, hash) });
  for (const peer of peers) send(peer, body);
  for (const h of votes.keys()) if (h < height - 20) votes.delete(h);
}

serve(`validator-${index}`, host, port, handle);
setInterval(tick, TICK_MS);
