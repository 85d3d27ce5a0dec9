/**
 * The attackers of bench/auth-load.ts, in a process of their own so that their 500 request loops do not
 * delay the bench's own event loop, which times the operator's health checks and halt: those figures are
 * then the daemon's answer time, as a client on another machine would see it, not the load generator's.
 *
 *   node bench/auth-attackers.mjs URL one|many DURATION_MS BAD_TOKEN...
 *
 * 500 clients send wrong secrets (each a given bad token in turn) to GET /api/v1/whoami for DURATION_MS,
 * from one address or from 500 (X-Forwarded-For; the daemon runs with --trust-proxy), each loop bounded to
 * 1000 requests. Prints the answers it got as JSON: {"status": count}, 0 for a timeout.
 */
const [url, addresses, durationArg, ...badTokens] = process.argv.slice(2);
const ends = Date.now() + Number(durationArg);
const statuses = {};

await Promise.all(
  Array.from({ length: 500 }, async (_, i) => {
    const headers = { authorization: `Bearer ${badTokens[i % badTokens.length]}` };
    if (addresses === 'many') headers['x-forwarded-for'] = `10.9.${Math.floor(i / 250)}.${i % 250}`;
    for (let k = 0; k < 1000 && Date.now() < ends; k++) {
      let status = 0;
      try {
        const res = await fetch(`${url}/api/v1/whoami`, { headers, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        status = res.status;
      } catch {} // a timeout or a refused connection: 0
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
process.stdout.write(JSON.stringify(statuses));
