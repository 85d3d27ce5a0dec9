/**
 * Authentication that costs an attacker more than the daemon, over real sockets: wrong secrets are
 * limited per token id and per client address (429 with Retry-After, before any scrypt); a token
 * presented by many requests at once is hashed once; the halt switch is not refused for its address.
 * The daemon trusts X-Forwarded-For here, so that one test can speak from several addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../src/server/daemon.js';
import { tempHome } from './support/cli.js';
import { call, makeToken } from './support/daemon.js';

let daemon: Daemon;
let url: string;
let admin: string;

beforeAll(async () => {
  const home = tempHome();
  process.env.FAULTLINE_HOME = home;
  admin = await makeToken(home, 'root', 'admin');
  const { Daemon } = await import('../src/server/daemon.js');
  daemon = await Daemon.start({ port: 0, trustProxy: true, log: () => {} });
  url = daemon.url;
  for (const [name, role] of [
    ['olga', 'operator'],
    ['vic', 'viewer'],
  ]) {
    expect((await call(url, 'POST', '/api/v1/users', { token: admin, json: { name, role } })).status).toBe(201);
  }
}, 30_000);

afterAll(async () => {
  await daemon?.stop('tests done');
});

/** A new token, never used: verifying it costs a scrypt. */
async function freshToken(user: string): Promise<{ token: string; id: string }> {
  const made = await call(url, 'POST', '/api/v1/tokens', { token: admin, json: { user } });
  return { token: made.json.token, id: made.json.id };
}

const from = (address: string) => ({ 'x-forwarded-for': address });
const wrongSecret = (token: string) => `${token.slice(0, 17)}${'W'.repeat(43)}`;

async function hashesSoFar(): Promise<number> {
  const text = (await call(url, 'GET', '/metrics')).text;
  return Number(/^faultline_auth_hashes_total (\d+)/m.exec(text)?.[1]);
}

describe('failed authentications', () => {
  it('are limited per token id: ten cost a scrypt each, the rest are refused with Retry-After, the owner goes on', async () => {
    const { token } = await freshToken('vic');
    expect((await call(url, 'GET', '/api/v1/whoami', { token })).status).toBe(200); // the owner, remembered
    const before = await hashesSoFar();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(url, 'GET', '/api/v1/whoami', { token: wrongSecret(token), headers: from(`10.1.0.${i + 1}`) }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const limited = answers.find((a) => a.status === 429);
    const retryAfter = Number(limited?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited?.json.error.message).toMatch(/too many failed authentications .* try again in \d+s/);
    expect((await hashesSoFar()) - before).toBe(10);
    expect((await call(url, 'GET', '/api/v1/whoami', { token })).status).toBe(200);
  });

  it('are limited per client address, except for the halt switch; other addresses go on', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await call(url, 'GET', '/api/v1/whoami', {
        token: `flt_${'0'.repeat(11)}${i}_${'A'.repeat(43)}`,
        headers: from('10.2.0.1'),
      });
      expect(res.status).toBe(401);
    }
    const viewer = await freshToken('vic');
    const refused = await call(url, 'GET', '/api/v1/whoami', { token: viewer.token, headers: from('10.2.0.1') });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await call(url, 'GET', '/api/v1/whoami', { token: viewer.token, headers: from('10.2.0.2') })).status).toBe(200);
    // the operator on the same address may still pull the halt switch
    const operator = await freshToken('olga');
    const halted = await call(url, 'POST', '/api/v1/halt', { token: operator.token, json: { reason: 'drill' }, headers: from('10.2.0.1') });
    expect(halted.status).toBe(200);
    expect((await call(url, 'DELETE', '/api/v1/halt', { token: admin })).status).toBe(200);
    const audit = await call(url, 'GET', '/api/v1/audit?action=halt&limit=5', { token: admin });
    expect(audit.json.entries[0]).toMatchObject({ action: 'halt', actor: 'olga', outcome: 'ok', source: '10.2.0.1' });
  });
});

describe('many token ids at once from one client', () => {
  it('are verified four at a time; the others are refused at once', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => freshToken('vic')));
    const answers = await Promise.all(
      ids.map(({ token }) => call(url, 'GET', '/api/v1/whoami', { token: wrongSecret(token), headers: from('10.3.0.1') })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429, 429]);
    expect(answers.find((a) => a.status === 429)?.json.error.message).toMatch(/too many tokens being verified at once from 10.3.0.1/);
  });
});

describe('a stampede of one token', () => {
  it('hashes it once for 200 requests at once, and answers every one', async () => {
    const { token } = await freshToken('vic');
    const before = await hashesSoFar();
    const answers = await Promise.all(Array.from({ length: 200 }, () => call(url, 'GET', '/api/v1/runs?limit=1', { token })));
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    expect((await hashesSoFar()) - before).toBe(1);
  });
});
