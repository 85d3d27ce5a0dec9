// The `incidents` guard against a PagerDuty REST API v2 on loopback: it asks for the open incidents exactly as
// PagerDuty expects, refuses while one is open, and refuses (or warns, when told to) when PagerDuty cannot answer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findGuardType, type GuardType, type GuardVerdict } from '../src/guards/index.js';
import { type FakePagerDuty, fakeIncident, startFakePagerDuty, unusedPort } from './support/fake-pagerduty.js';

const guard = findGuardType('incidents') as GuardType;
const DAY_MS = 86_400_000;

let pd: FakePagerDuty;

beforeAll(async () => {
  pd = await startFakePagerDuty();
});
afterAll(async () => {
  await pd.close();
});
afterEach(() => {
  pd.incidents = [];
  pd.requests = [];
  pd.force = null;
  pd.delayMs = 0;
});

/** Every verdict of this file, to check that none ever shows the API key. */
const verdicts: GuardVerdict[] = [];

async function check(
  pagerduty: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = { PAGERDUTY_TOKEN: pd.token },
  signal = new AbortController().signal,
): Promise<GuardVerdict> {
  const config = guard.config.parse({ pagerduty: { url: pd.url, ...pagerduty } });
  const verdict = await guard.check(config, { now: new Date(), env, dryRun: false, signal });
  verdicts.push(verdict);
  return verdict;
}

describe('the incidents guard is registered', () => {
  it('under the key incidents', () => {
    expect(guard.key).toBe('incidents');
    expect(guard.summary).toMatch(/PagerDuty/);
  });
});

describe('open incidents', () => {
  it('refuses while an incident is triggered, naming it and the count', async () => {
    pd.incidents = [fakeIncident({ incident_number: 1234, title: 'Checkout latency high', status: 'triggered' })];
    expect(await check()).toEqual({ ok: false, detail: '1 open PagerDuty incident: #1234 "Checkout latency high" (triggered)' });
  });

  it('refuses while an incident is acknowledged', async () => {
    pd.incidents = [fakeIncident({ incident_number: 77, title: 'Disk full on db-2', status: 'acknowledged' })];
    expect((await check()).detail).toBe('1 open PagerDuty incident: #77 "Disk full on db-2" (acknowledged)');
  });

  it('names three incidents and counts the rest', async () => {
    pd.incidents = [1, 2, 3, 4, 5].map((n) =>
      fakeIncident({ incident_number: n, title: `Incident ${n}`, status: n % 2 ? 'triggered' : 'acknowledged' }),
    );
    expect(await check()).toEqual({
      ok: false,
      detail:
        '5 open PagerDuty incidents: #1 "Incident 1" (triggered), #2 "Incident 2" (acknowledged), #3 "Incident 3" (triggered) and 2 more',
    });
  });

  it('counts every open incident even beyond one page of 100', async () => {
    pd.incidents = Array.from({ length: 130 }, (_, n) => fakeIncident({ incident_number: n + 1, title: `Flapping ${n + 1}` }));
    expect((await check()).detail).toMatch(/^130 open PagerDuty incidents: #1 "Flapping 1" \(triggered\), .* and 127 more$/);
  });

  it('keeps a refusal on one line when a title spans several', async () => {
    pd.incidents = [fakeIncident({ incident_number: 9, title: 'Payments\n  down\tin eu-west' })];
    expect((await check()).detail).toBe('1 open PagerDuty incident: #9 "Payments down in eu-west" (triggered)');
  });

  it('counts an incident acknowledged for longer than PagerDuty’s default one-month search', async () => {
    pd.incidents = [
      fakeIncident({
        incident_number: 42,
        title: 'Slow leak',
        status: 'acknowledged',
        created_at: new Date(Date.now() - 40 * DAY_MS).toISOString(),
      }),
    ];
    expect((await check()).ok).toBe(false);
  });
});

describe('no open incident', () => {
  it('passes when PagerDuty lists none', async () => {
    expect(await check()).toEqual({ ok: true, detail: 'no open PagerDuty incidents (triggered or acknowledged)' });
  });

  it('passes when every incident is resolved: PagerDuty filters them out', async () => {
    pd.incidents = [fakeIncident({ incident_number: 1, title: 'Old outage', status: 'resolved' })];
    expect((await check()).ok).toBe(true);
    expect(pd.requests).toHaveLength(1);
  });

  it('only counts the services and urgencies it is told to', async () => {
    pd.incidents = [
      fakeIncident({ incident_number: 1, title: 'Other team', service: { id: 'POTHER', type: 'service_reference' } }),
      fakeIncident({ incident_number: 2, title: 'Low urgency', urgency: 'low', service: { id: 'PCHECKOUT', type: 'service_reference' } }),
    ];
    expect(await check({ serviceIds: ['PCHECKOUT', 'PPAYMENTS'], urgencies: ['high'] })).toEqual({
      ok: true,
      detail: 'no open PagerDuty incidents (triggered or acknowledged) (services PCHECKOUT, PPAYMENTS; urgency high)',
    });
    expect((await check({ serviceIds: ['PCHECKOUT'] })).detail).toBe(
      '1 open PagerDuty incident (service PCHECKOUT): #2 "Low urgency" (triggered)',
    );
  });
});

describe('the request', () => {
  it('is GET /incidents with the query string and headers PagerDuty REST API v2 expects', async () => {
    await check({ serviceIds: ['PCHECKOUT', 'PPAYMENTS'], urgencies: ['high', 'low'] });
    expect(pd.requests).toHaveLength(1);
    const [request] = pd.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/incidents');
    expect(request?.query.getAll('statuses[]')).toEqual(['triggered', 'acknowledged']);
    expect(request?.query.getAll('service_ids[]')).toEqual(['PCHECKOUT', 'PPAYMENTS']);
    expect(request?.query.getAll('urgencies[]')).toEqual(['high', 'low']);
    expect(request?.query.get('date_range')).toBe('all');
    expect(request?.query.get('limit')).toBe('100');
    expect(request?.query.get('total')).toBe('true');
    expect([...new Set(request?.query.keys())].sort()).toEqual([
      'date_range',
      'limit',
      'service_ids[]',
      'statuses[]',
      'total',
      'urgencies[]',
    ]);
    expect(request?.rawQuery).toBe(
      'statuses%5B%5D=triggered&statuses%5B%5D=acknowledged&service_ids%5B%5D=PCHECKOUT&service_ids%5B%5D=PPAYMENTS' +
        '&urgencies%5B%5D=high&urgencies%5B%5D=low&date_range=all&limit=100&total=true',
    );
    expect(request?.headers.authorization).toBe(`Token token=${pd.token}`);
    expect(request?.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
  });

  it('leaves out the service and urgency filters when none are given', async () => {
    await check();
    const query = pd.requests[0]?.query;
    expect(query?.has('service_ids[]')).toBe(false);
    expect(query?.has('urgencies[]')).toBe(false);
  });

  it('keeps a path in the base URL (a proxy in front of PagerDuty)', async () => {
    const config = guard.config.parse({ pagerduty: { url: `${pd.url}/pagerduty/` } });
    await guard.check(config, { now: new Date(), env: { PAGERDUTY_TOKEN: pd.token }, dryRun: false, signal: new AbortController().signal });
    expect(pd.requests[0]?.path).toBe('/pagerduty/incidents');
  });

  it('reads the API key from the variable named by tokenEnv', async () => {
    pd.incidents = [fakeIncident({ incident_number: 5, title: 'Found with the other key' })];
    expect((await check({ tokenEnv: 'PD_READ_KEY' }, { PD_READ_KEY: pd.token })).ok).toBe(false);
    expect(pd.requests[0]?.headers.authorization).toBe(`Token token=${pd.token}`);
  });
});

describe('configuration errors', () => {
  it('refuses without a request when the token variable is not set, naming it, even with onUnreachable: warn', async () => {
    for (const onUnreachable of ['refuse', 'warn']) {
      const verdict = await check({ onUnreachable }, {});
      expect(verdict.ok).toBe(false);
      expect(verdict.warning).toBeUndefined();
      expect(verdict.detail).toContain('the environment variable PAGERDUTY_TOKEN is not set');
    }
    expect((await check({ tokenEnv: 'PD_KEY' }, { PD_KEY: '' })).detail).toContain('the environment variable PD_KEY is empty');
    expect(pd.requests).toHaveLength(0);
  });

  it('fills in the defaults', () => {
    expect(guard.config.parse({ pagerduty: {} })).toEqual({
      pagerduty: { url: 'https://api.pagerduty.com', tokenEnv: 'PAGERDUTY_TOKEN', onUnreachable: 'refuse', timeout: 5000 },
    });
  });

  it.each([
    [{ url: 'ftp://pagerduty.example' }, 'pagerduty.url', 'expected the http(s) URL of the PagerDuty REST API'],
    [{ url: 'api.pagerduty.com' }, 'pagerduty.url', 'expected the http(s) URL of the PagerDuty REST API'],
    [{ urgencies: ['critical'] }, 'pagerduty.urgencies.0', '"high"'],
    [{ onUnreachable: 'ignore' }, 'pagerduty.onUnreachable', '"warn"'],
    [{ timeout: 'soon' }, 'pagerduty.timeout', 'expected a duration like 30s'],
    [{ timeout: '0s' }, 'pagerduty.timeout', 'longer than 0s'],
    [{ tokenEnv: 'MY TOKEN' }, 'pagerduty.tokenEnv', 'expected the name of an environment variable'],
    [{ serviceIds: [] }, 'pagerduty.serviceIds', ''],
    [{ serviceId: ['P1'] }, 'pagerduty', 'unknown field "serviceId" (did you mean "serviceIds"?)'],
  ])('refuses %j at %s', (pagerduty, path, message) => {
    const result = guard.config.safeParse({ pagerduty });
    expect(result.success).toBe(false);
    const [issue] = result.error?.issues ?? [];
    expect(issue?.path.join('.')).toBe(path);
    expect(issue?.message).toContain(message);
  });

  it('needs the pagerduty section', () => {
    expect(guard.config.safeParse({}).success).toBe(false);
    expect(guard.config.safeParse({ opsgenie: {} }).error?.issues.some((i) => i.message.includes('unknown field "opsgenie"'))).toBe(true);
  });
});

describe('when PagerDuty cannot answer', () => {
  it('refuses when the API key is rejected (401)', async () => {
    const verdict = await check({}, { PAGERDUTY_TOKEN: 'not-the-key' });
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toContain('PagerDuty token rejected (HTTP 401: Invalid API Key); check the API key in PAGERDUTY_TOKEN');
    expect(verdict.detail).not.toContain('not-the-key');
  });

  it('refuses on an error status, quoting PagerDuty’s message', async () => {
    pd.force = { status: 500 };
    expect(await check()).toEqual({
      ok: false,
      detail: `PagerDuty API at ${pd.url} answered HTTP 500: Internal Server Error; cannot tell whether an incident is open (set pagerduty.onUnreachable: warn to run anyway)`,
    });
    pd.force = { status: 429 };
    expect((await check()).detail).toContain('is rate limiting requests (HTTP 429: Rate Limit Exceeded)');
  });

  it('refuses on a 2xx answer that is not a list of incidents', async () => {
    pd.force = { status: 200, body: '<html>captive portal</html>' };
    const verdict = await check();
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toContain('answered HTTP 200 without a list of incidents');
  });

  it('refuses when nothing listens, by default', async () => {
    const port = await unusedPort();
    const verdict = await check({ url: `http://127.0.0.1:${port}` });
    expect(verdict.ok).toBe(false);
    expect(verdict.warning).toBeUndefined();
    expect(verdict.detail).toBe(
      `PagerDuty API at http://127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port}; ` +
        'cannot tell whether an incident is open (set pagerduty.onUnreachable: warn to run anyway)',
    );
  });

  it('passes with a warning when nothing listens and onUnreachable is warn', async () => {
    const port = await unusedPort();
    expect(await check({ url: `http://127.0.0.1:${port}`, onUnreachable: 'warn' })).toEqual({
      ok: true,
      warning: true,
      detail: `PagerDuty API at http://127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port}; open incidents were not checked (onUnreachable: warn)`,
    });
  });

  it('warns on an error status with onUnreachable: warn, but still refuses a rejected key (a configuration error)', async () => {
    pd.force = { status: 503 };
    expect(await check({ onUnreachable: 'warn' })).toMatchObject({ ok: true, warning: true, detail: expect.stringContaining('HTTP 503') });
    pd.force = null;
    const rejected = await check({ onUnreachable: 'warn' }, { PAGERDUTY_TOKEN: 'wrong' });
    expect(rejected).toMatchObject({ ok: false, detail: expect.stringContaining('token rejected') });
    expect(rejected.warning).toBeUndefined();
  });

  it('treats an answer slower than the timeout as unreachable, without waiting for it', async () => {
    pd.delayMs = 3000;
    pd.incidents = [fakeIncident({ incident_number: 1, title: 'Too late to tell' })];
    const started = Date.now();
    const verdict = await check({ timeout: '200ms' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(verdict).toEqual({
      ok: false,
      detail: `PagerDuty API at ${pd.url} did not answer within 200ms; cannot tell whether an incident is open (set pagerduty.onUnreachable: warn to run anyway)`,
    });
    expect(await check({ timeout: '200ms', onUnreachable: 'warn' })).toMatchObject({ ok: true, warning: true });
  });

  it('answers in time when the delay is within the timeout', async () => {
    pd.delayMs = 100;
    pd.incidents = [fakeIncident({ incident_number: 3, title: 'Slow but open' })];
    expect((await check({ timeout: '2s' })).detail).toBe('1 open PagerDuty incident: #3 "Slow but open" (triggered)');
  });

  it('refuses at once when the run is cancelled', async () => {
    pd.delayMs = 3000;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await check({}, undefined, controller.signal)).toEqual({ ok: false, detail: 'the incident check was cancelled' });
  });
});

describe('the API key', () => {
  it('never appears in a verdict, even when PagerDuty echoes it', async () => {
    pd.force = { status: 400, body: { error: { message: `Invalid token ${pd.token}`, code: 2001 } } };
    const echoed = await check();
    expect(echoed.detail).toContain('Invalid token ***');
    expect(verdicts.length).toBeGreaterThan(10);
    for (const verdict of verdicts) expect(verdict.detail).not.toContain(pd.token);
  });
});
